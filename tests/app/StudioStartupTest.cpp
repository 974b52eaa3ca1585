// ipnp-studio on a display without OpenGL (Qt's xcb platform with its GL integration switched
// off): a clear message instead of a crash or a black window; run options that are not numbers
// in range: refused with the reason before any window opens.
#include <QProcess>
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
};

QTEST_GUILESS_MAIN(StudioStartupTest)
#include "StudioStartupTest.moc"
