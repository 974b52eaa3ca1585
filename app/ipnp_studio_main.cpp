// ipnp-studio: the desktop app. Wiring only: the OpenGL format VTK needs, the application's
// identity (for QSettings), the main window, and the project named on the command line.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include "MainWindow.h"
#include "VtkOpenGLWidget.h"

int main(int argc, char** argv) {
    ipnp::VtkOpenGLWidget::setDefaultSurfaceFormat();  // before QApplication exists
    QApplication app(argc, argv);
    QApplication::setOrganizationName("IPnP");
    QApplication::setApplicationName("IPnP Studio");
    QApplication::setApplicationVersion(IPNP_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("IPnP Studio: review and grow partial organ labels");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("project", "project folder to open (see `ipnp init`)", "[project]");
    QCommandLineOption screenshot("screenshot", "open, wait until the first scan shows, save the window to FILE, quit",
                                  "FILE");
    parser.addOption(screenshot);
    parser.process(app);

    ipnp::MainWindow window;
    window.show();
    const QStringList positional = parser.positionalArguments();
    if (!positional.isEmpty() && !window.openProject(positional.first()) && parser.isSet(screenshot)) return 1;
    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        QObject::connect(&window, &ipnp::MainWindow::scanLoaded, &window, [&window, file] {
            QTimer::singleShot(300, &window, [&window, file] {
                window.grab().save(file);
                QApplication::quit();
            });
        });
    }
    return app.exec();
}
