// ipnp-studio: the desktop app. Wiring only: the OpenGL format VTK needs, the application's
// identity (for QSettings), the main window, and the project named on the command line.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMessageBox>
#include <QTimer>
#include <cstdio>
#include <memory>

#include "EvaluationDialog.h"
#include "GuardedApplication.h"
#include "MainWindow.h"
#include "StudioFactories.h"
#include "TrainingDashboard.h"
#include "VolumeView3d.h"
#include "VtkOpenGLWidget.h"

int main(int argc, char** argv) {
    ipnp::VtkOpenGLWidget::setDefaultSurfaceFormat();  // before QApplication exists
    ipnp::GuardedApplication app(argc, argv);
    QApplication::setOrganizationName("IPnP");
    QApplication::setApplicationName("IPnP Studio");
    QApplication::setApplicationVersion(IPNP_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("IPnP Studio: review and grow partial organ labels");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("project", "project folder to open (see `ipnp init`)", "[project]");
    QCommandLineOption screenshot("screenshot",
                                  "save the window to FILE and quit: once the first scan shows, or with --run-rounds "
                                  "once the rounds have run (documentation, checks)",
                                  "FILE");
    parser.addOption(screenshot);
    QCommandLineOption runRounds("run-rounds", "start N rounds on the project once it is open (the demo)", "N");
    QCommandLineOption autoAccept("auto-accept-dice", "with --run-rounds: accept unattended at this Dice", "T");
    parser.addOption(runRounds);
    QCommandLineOption exportTimeLapse("export-time-lapse",
                                       "save the first scan's axial view after every round as PNG frames in FOLDER, quit",
                                       "FOLDER");
    parser.addOption(exportTimeLapse);
    parser.addOption(autoAccept);
    QCommandLineOption evaluate("evaluate",
                                "evaluate on the test split once the project is open (after the rounds with "
                                "--run-rounds): train what is missing, then show the results (the demo)");
    parser.addOption(evaluate);
    parser.process(app);
    // The run options are checked before any window opens: a typo must not start a run of 0 rounds
    // or accept every candidate (QString::toDouble gives 0 for text that is not a number).
    int roundsToRun = 0;
    double autoAcceptDice = 0.8;
    {
        bool ok = true;
        if (parser.isSet(runRounds)) roundsToRun = parser.value(runRounds).toInt(&ok);
        if (!ok || (parser.isSet(runRounds) && (roundsToRun < 1 || roundsToRun > 20))) {
            std::fprintf(stderr, "ipnp-studio: --run-rounds must be a whole number of rounds from 1 to 20 (the Rounds "
                                 "panel's range), not '%s'\n",
                         qPrintable(parser.value(runRounds)));
            return 2;
        }
        if (parser.isSet(autoAccept)) autoAcceptDice = parser.value(autoAccept).toDouble(&ok);
        if (!ok || autoAcceptDice < 0 || autoAcceptDice > 1) {
            std::fprintf(stderr, "ipnp-studio: --auto-accept-dice must be a Dice between 0 and 1, not '%s'\n",
                         qPrintable(parser.value(autoAccept)));
            return 2;
        }
    }

    if (const QString problem = ipnp::VtkOpenGLWidget::openGlProblem(); !problem.isEmpty()) {
        std::fprintf(stderr, "ipnp-studio: %s\n", qPrintable(problem));
        std::fflush(stderr);
        QMessageBox::critical(nullptr, "IPnP Studio", problem);
        return 1;
    }
    ipnp::MainWindow window(ipnp::torchRoundFactories());
    // A run that saves pictures and quits fails loudly instead: nobody reads the dialog, and the
    // signal it waits for to quit may never come. (The desktop demo, --run-rounds alone, has a
    // person watching: the dialog.)
    const bool scripted = parser.isSet(screenshot) || parser.isSet(exportTimeLapse);
    if (scripted)
        QObject::connect(&app, &ipnp::GuardedApplication::uncaughtError, &app, [] { QApplication::exit(70); },
                         Qt::QueuedConnection);
    else
        QObject::connect(&app, &ipnp::GuardedApplication::uncaughtError, &window, &ipnp::MainWindow::showError,
                         Qt::QueuedConnection);
    window.show();
    const QStringList positional = parser.positionalArguments();
    if (!positional.isEmpty() && !window.openProject(positional.first()) && parser.isSet(screenshot)) return 1;
    if (parser.isSet(runRounds) && window.dashboard()) {
        window.dashboard()->setRounds(roundsToRun);
        if (parser.isSet(autoAccept)) window.dashboard()->setAutoAccept(true, autoAcceptDice);
        QTimer::singleShot(500, window.dashboard(), &ipnp::TrainingDashboard::start);
    }
    // Runs the window will see end (rounds, evaluation): --screenshot waits for the last of them.
    const int runsToWaitFor = (parser.isSet(runRounds) ? 1 : 0) + (parser.isSet(evaluate) ? 1 : 0);
    if (parser.isSet(evaluate)) {
        if (parser.isSet(runRounds)) {
            auto evaluateOnce = std::make_shared<QMetaObject::Connection>();
            *evaluateOnce = QObject::connect(window.dashboard(), &ipnp::TrainingDashboard::runStopped, &window,
                                             [&window, evaluateOnce](const QString& outcome) {
                                                 QObject::disconnect(*evaluateOnce);
                                                 if (outcome == "finished") window.evaluate();
                                             });
        } else {
            QTimer::singleShot(500, &window, [&window] { window.evaluate(); });
        }
    }
    if (parser.isSet(exportTimeLapse)) {
        const QString folder = parser.value(exportTimeLapse);
        QObject::connect(&window, &ipnp::MainWindow::scanLoaded, &window, [&window, folder] {
            QTimer::singleShot(500, &window, [&window, folder] {
                const QStringList files = window.exportTimeLapse(folder);
                for (const QString& file : files) std::printf("%s\n", qPrintable(file));
                QApplication::exit(files.isEmpty() ? 1 : 0);
            });
        });
    }
    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        // Once: a run that fails to start inside another's end can call it twice.
        const auto saved = std::make_shared<bool>(false);
        const auto saveAndQuit = [&window, file, saved] {
            if (*saved) return;
            *saved = true;
            QTimer::singleShot(1000, &window, [&window, file] {
                // The 3D view's surfaces come from a worker thread: let them arrive (at most 20 s).
                QElapsedTimer waited;
                waited.start();
                while (window.view3d()->surfacesPending() && window.view3d()->isVisible() && waited.elapsed() < 20000)
                    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
                QCoreApplication::processEvents();
                window.grab().save(file);
                // The evaluation's results are a dialog of their own: saved beside, as FILE_evaluation.png.
                if (ipnp::EvaluationDialog* results = window.evaluationDialog()) {
                    const QFileInfo info(file);
                    results->grab().save(info.dir().filePath(info.completeBaseName() + "_evaluation.png"));
                }
                QApplication::quit();
            });
        };
        if (runsToWaitFor > 0) {
            auto stops = std::make_shared<int>(0);
            QObject::connect(window.dashboard(), &ipnp::TrainingDashboard::runStopped, &window,
                             [saveAndQuit, stops, runsToWaitFor](const QString& outcome) {
                                 // A failed or paused run ends the chain: nothing more will come.
                                 if (++*stops == runsToWaitFor || outcome != "finished") saveAndQuit();
                             });
        } else
            QObject::connect(&window, &ipnp::MainWindow::scanLoaded, &window, saveAndQuit);
    }
    const int status = app.exec();
    return status == 0 && app.uncaughtCount() > 0 ? 70 : status;
}
