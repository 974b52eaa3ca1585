// The user guide's screenshots (docs/images/), made from a real session: the demo's partially
// labeled project, two rounds from the dashboard (the first accepted unattended, the second left
// for review), then the window at review, at an edit, the coverage matrix, the per-round chart,
// a time-lapse frame and the evaluation's window. It checks that each is drawn; it writes into
// docs/images only on request (IPNP_UPDATE_DOC_IMAGES=1), otherwise into the build's
// screenshots/docs/ for a person to look at.
#include <QApplication>
#include <QDir>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "EvaluationDialog.h"
#include "MainWindow.h"
#include "ReviewPanel.h"
#include "StudioFactories.h"
#include "RoundTimeLapse.h"
#include "TestSupport.h"
#include "TimeLapseBar.h"
#include "TrainingDashboard.h"
#include "VtkOpenGLWidget.h"

using namespace ipnp;

class DocImagesTest : public QObject {
    Q_OBJECT
    QString outputFolder() const {
        const QString folder = qEnvironmentVariableIsSet("IPNP_UPDATE_DOC_IMAGES") ? QString(IPNP_SOURCE_DIR "/docs/images")
                                                                                  : QString(IPNP_BINARY_DIR "/screenshots/docs");
        QDir().mkpath(folder);
        return folder;
    }
    // Small files: the guide needs legibility, not every pixel.
    void save(const QImage& image, const QString& name) {
        const QImage small = image.width() > 1000 ? image.scaledToWidth(1000, Qt::SmoothTransformation) : image;
        QVERIFY(small.save(QDir(outputFolder()).filePath(name + ".png")));
        // Drawn: not one flat colour.
        int different = 0;
        for (int y = 0; y < small.height(); y += 7)
            for (int x = 0; x < small.width(); x += 7) different += small.pixel(x, y) != small.pixel(0, 0);
        QVERIFY2(different > 100, qPrintable(name));
    }

private Q_SLOTS:
    void guideImages() {
        QStandardPaths::setTestModeEnabled(true);
        QTemporaryDir dir;
        const auto setup = test::runIpnp({"demo", "--out", dir.filePath("demo"), "--count", "8", "--test-scans", "2",
                                          "--iterations", "200", "--setup-only"});
        QVERIFY2(setup.exitCode == 0, qPrintable(setup.err));
        MainWindow window(torchRoundFactories());
        window.resize(1500, 950);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openProject(dir.filePath("demo/project")));
        QSignalSpy stopped(window.dashboard(), &TrainingDashboard::runStopped);
        window.dashboard()->setRounds(1);
        window.dashboard()->setAutoAccept(true, 0.8);
        window.dashboard()->start();
        QVERIFY(stopped.wait(900000));
        QCOMPARE(stopped.at(0).at(0).toString(), QString("finished"));
        save(window.findChild<QWidget*>("dockRounds")->grab().toImage(), "dashboard");
        window.dashboard()->setAutoAccept(false, 0.8);
        window.dashboard()->start();
        QVERIFY(stopped.wait(900000));
        QCOMPARE(stopped.at(1).at(0).toString(), QString("finished"));
        QTRY_VERIFY_WITH_TIMEOUT(!window.loading() && !window.dashboard()->refreshingCharts(), 30000);
        QTest::qWait(500);
        save(window.grab().toImage(), "review");

        auto* charts = window.dashboard()->findChild<QTabWidget*>("tabsCharts");
        charts->setCurrentIndex(1);
        QTest::qWait(300);
        save(charts->grab().toImage(), "rounds-chart");
        auto* browser = window.findChild<QTabWidget*>("tabsProject");
        browser->setCurrentIndex(1);
        QTest::qWait(300);
        save(browser->grab().toImage(), "coverage");

        // The edit of a mask candidate (absent ones come first in the worst-first order).
        for (std::size_t n = 0; n < window.reviewPanel()->queue().size() && window.reviewPanel()->queue().current()->absent; ++n)
            window.reviewPanel()->next();
        QVERIFY(!window.reviewPanel()->queue().current()->absent);
        QTRY_VERIFY_WITH_TIMEOUT(!window.loading(), 30000);
        QTest::qWait(300);
        QVERIFY(window.startEdit());
        QTest::qWait(300);
        save(window.grab().toImage(), "edit");
        QVERIFY(window.finishEdit(false));
        QTRY_VERIFY_WITH_TIMEOUT(!window.loading(), 30000);

        QTemporaryDir frames;
        const QStringList files = window.exportTimeLapse(frames.path());
        QCOMPARE(files.size(), 3);  // before the rounds, after round 1, after round 2
        save(QImage(files.last()), "time-lapse");

        // Review › Evaluate: the closing training and the reference, then the results' window.
        QVERIFY(window.evaluate());
        QVERIFY(stopped.wait(900000));
        QCOMPARE(stopped.at(2).at(0).toString(), QString("finished"));
        QTRY_VERIFY_WITH_TIMEOUT(window.evaluationDialog() != nullptr, 10000);
        QVERIFY(QTest::qWaitForWindowExposed(window.evaluationDialog()));
        QTest::qWait(300);
        save(window.evaluationDialog()->grab().toImage(), "evaluation");
    }
};

int main(int argc, char** argv) {
    VtkOpenGLWidget::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    QApplication::setOrganizationName("IPnP-tests");
    QApplication::setApplicationName("DocImagesTest");
    DocImagesTest test;
    return QTest::qExec(&test, argc, argv);
}
#include "DocImagesTest.moc"
