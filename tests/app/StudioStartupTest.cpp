// ipnp-studio on a display without OpenGL (Qt's xcb platform with its GL integration switched
// off): a clear message instead of a crash or a black window; run options that are not numbers
// in range: refused with the reason before any window opens; the desktop demo's command line
// (rounds, then the evaluation) on a small project, as `./run.sh demo` starts it.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "TestSupport.h"

class StudioStartupTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void noOpenGlGivesAClearMessage() {
        if (qEnvironmentVariableIsEmpty("DISPLAY")) QSKIP("needs an X server (./run.sh test starts Xvfb)");
        QProcess studio;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert("QT_QPA_PLATFORM", "xcb");
        environment.insert("QT_XCB_GL_INTEGRATION", "none");
        studio.setProcessEnvironment(environment);
        studio.start(IPNP_BINARY_DIR "/app/ipnp-studio", {});
        QVERIFY(studio.waitForStarted(10000));
        QString err;
        QElapsedTimer clock;
        clock.start();
        while (!err.contains("OpenGL") && clock.elapsed() < 30000 && studio.state() == QProcess::Running) {
            studio.waitForReadyRead(500);
            err += QString::fromUtf8(studio.readAllStandardError());
        }
        err += QString::fromUtf8(studio.readAllStandardError());
        studio.kill();  // the message box waits for a person
        studio.waitForFinished(5000);
        QVERIFY2(err.contains("No OpenGL context could be created") && err.contains("libgl1-mesa-dri"), qPrintable(err));
    }

    void badRunOptionsAreRefused() {
        const struct {
            QStringList arguments;
            QString message;
        } cases[] = {
            {{"--run-rounds", "three"}, "--run-rounds must be a whole number of rounds from 1 to 20"},
            {{"--run-rounds", "0"}, "not '0'"},
            {{"--run-rounds", "2", "--auto-accept-dice", "high"}, "--auto-accept-dice must be a Dice between 0 and 1, not 'high'"},
            {{"--run-rounds", "2", "--auto-accept-dice", "1.5"}, "not '1.5'"},
        };
        for (const auto& c : cases) {
            QProcess studio;
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            environment.insert("QT_QPA_PLATFORM", "offscreen");
            studio.setProcessEnvironment(environment);
            studio.start(IPNP_BINARY_DIR "/app/ipnp-studio", c.arguments);
            QVERIFY(studio.waitForFinished(30000));
            const QString err = QString::fromUtf8(studio.readAllStandardError());
            QCOMPARE(studio.exitCode(), 2);
            QVERIFY2(err.contains(c.message), qPrintable(c.arguments.join(' ') + ": " + err));
        }
    }

    void theDemoRunsItsRoundsThenEvaluates() {
        if (qEnvironmentVariableIsEmpty("DISPLAY")) QSKIP("needs an X server (./run.sh test starts Xvfb)");
        QTemporaryDir dir;
        const ipnp::test::ProcessResult setup =
            ipnp::test::runIpnp({"demo", "--out", dir.filePath("demo"), "--count", "6", "--test-scans", "2",
                                 "--iterations", "20", "--auto-accept-dice", "0.7", "--setup-only"});
        QVERIFY2(setup.exitCode == 0, qPrintable(setup.err));
        const QString project = dir.filePath("demo/project");
        QProcess studio;
        // As `./run.sh demo` starts it: the auto-accept policy comes from the project (the demo's).
        studio.start(IPNP_BINARY_DIR "/app/ipnp-studio",
                     {project, "--run-rounds", "1", "--evaluate", "--screenshot", dir.filePath("shot.png")});
        QVERIFY(studio.waitForFinished(600000));
        QVERIFY2(studio.exitCode() == 0, studio.readAllStandardError().constData());
        // The window once everything ran, the results' window beside it, and the report files.
        QVERIFY(QFile::exists(dir.filePath("shot.png")));
        QVERIFY(QFile::exists(dir.filePath("shot_evaluation.png")));
        QFile json(project + "/reports/evaluation.json");
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonArray models = QJsonDocument::fromJson(json.readAll()).object()["models"].toArray();
        QCOMPARE(models.size(), 3);  // the baseline, round 1's model (the closing training), the reference
        QCOMPARE(models.last().toObject()["model"].toString(), QString("reference"));
        const QStringList policy = ipnp::test::queryRows(
            project + "/project.ipnp",
            "SELECT json_extract(settings, '$.auto_accept') || ' ' || json_extract(settings, '$.policy.minimum_dice') "
            "FROM rounds WHERE number = 1");
        QCOMPARE(policy, QStringList{"1 0.7"});
    }
};

QTEST_GUILESS_MAIN(StudioStartupTest)
#include "StudioStartupTest.moc"
