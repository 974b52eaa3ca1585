// A slice view in a real OpenGL window (Xvfb): what lands on which pixel, with the expected
// positions and colours worked out by hand from the geometry, the window/level and the overlay
// opacity; and the mouse and keys that move the crosshair. Screenshots are saved for a person.
#include <QtTest>
#include <QApplication>
#include <QDir>

#include "ScanScene.h"
#include "SliceView.h"
#include "VolumeView3d.h"

using namespace ipnp;

namespace {

// 40 x 30 x 20 voxels at 1 x 1 x 2 mm, origin 0, identity direction (x = L, y = P, z = S).
// Background 0; a bright block (100) at i 10..19, j 5..14, every k; organ 1 at i 12..17, j 8..11, k 8..11.
struct Phantom {
    FloatVolume scan;
    LabelMap labels;
    Phantom() {
        ImageGeometry g;
        g.size = {40, 30, 20};
        g.spacing = {1, 1, 2};
        scan = FloatVolume(g, 0.0f);
        labels = LabelMap(g, 0);
        for (std::size_t k = 0; k < 20; ++k)
            for (std::size_t j = 5; j < 15; ++j)
                for (std::size_t i = 10; i < 20; ++i) scan.at(i, j, k) = 100.0f;
        for (std::size_t k = 8; k < 12; ++k)
            for (std::size_t j = 8; j < 12; ++j)
                for (std::size_t i = 12; i < 18; ++i) labels.at(i, j, k) = 1;
    }
};

QString screenshotPath(const QString& name) {
    QDir().mkpath(IPNP_BINARY_DIR "/screenshots");
    return QString(IPNP_BINARY_DIR "/screenshots/%1.png").arg(name);
}

}  // namespace

class SliceViewTest : public QObject {
    Q_OBJECT
    ScanScene scene;
    SliceCursor cursor;

private Q_SLOTS:
    void initTestCase() {
        scene.setSchema(OrganSchema("test", {Organ{1, "liver", {255, 0, 0}, {}}}));
        Phantom phantom;
        scene.setScan(std::move(phantom.scan), "CT");
        scene.setLabels(phantom.labels);
        cursor.setGeometry(scene.geometry());
        cursor.setPosition({15, 10, 10});
        scene.setWindowLevel({200, 0});  // 0 HU -> grey 127.5, 100 HU -> 255
        scene.setLabelOpacity(0.5);
    }

    void axialViewPutsVoxelsWhereRadiologistsExpectThem() {
        SliceView view(SliceOrientation::Axial, &scene, &cursor);
        view.resize(400, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTest::qWait(100);
        const QImage frame = view.grabFramebuffer();
        frame.save(screenshotPath("slice_view_axial"));
        QCOMPARE(frame.size(), QSize(400, 300));

        // Hand computation: the scan spans x -0.5..39.5 mm and y -0.5..29.5 mm; 400 x 300 pixels
        // fit the height with 4 % margin: scale = max(30 / 2, 40 / 2 / (4 / 3)) * 1.04 = 15.6 mm
        // per half height, 300 / 31.2 = 9.615 pixels per mm; the centre (19.5, 14.5) mm is pixel
        // (200, 150). Patient's left (+x) on the right, anterior (-y) up.
        // The bright block (x 9.5..19.5, y 4.5..14.5 mm) -> columns 104..200, rows 54..150.
        QRect bright;
        for (int y = 0; y < frame.height(); ++y)
            for (int x = 0; x < frame.width(); ++x) {
                const QRgb p = frame.pixel(x, y);
                if (qGreen(p) >= 250 && qRed(p) >= 250) bright |= QRect(x, y, 1, 1);
            }
        QVERIFY2(std::abs(bright.left() - 104) <= 2 && std::abs(bright.right() - 199) <= 2 &&
                     std::abs(bright.top() - 54) <= 2 && std::abs(bright.bottom() - 149) <= 2,
                 qPrintable(QString("bright block at %1,%2 .. %3,%4").arg(bright.left()).arg(bright.top())
                                .arg(bright.right()).arg(bright.bottom())));

        // Background 0 HU under window 200 / level 0: 127.5 grey.
        const QRgb background = frame.pixel(320, 250);
        QVERIFY2(std::abs(qRed(background) - 128) <= 2 && qRed(background) == qGreen(background),
                 qPrintable(QString::number(qRed(background))));
        // The liver (x 11.5..17.5, y 7.5..11.5 mm) at 50 % over white: (255, 127.5, 127.5).
        // Its centre (14.5, 9.5) mm -> pixel (200 - 5 * 9.615, 150 - 5 * 9.615) = (152, 102).
        const QRgb liver = frame.pixel(152, 102);
        QVERIFY2(qRed(liver) >= 253 && std::abs(qGreen(liver) - 128) <= 3 && std::abs(qBlue(liver) - 128) <= 3,
                 qPrintable(QString("%1 %2 %3").arg(qRed(liver)).arg(qGreen(liver)).arg(qBlue(liver))));
        QCOMPARE(view.sliceText(), QString("Axial 11/20"));

        // A click at pixel (150, 100): x = 19.5 + (150 - 200) / 9.615 = 14.3 -> i 14; y = 14.5 - 50 / 9.615 = 9.3 -> j 9.
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(150, 100));
        QCOMPARE(cursor.position(), (Index3{14, 9, 10}));
        // Page Up: one slice up; the wheel likewise; the cursor keeps its in-plane position.
        QTest::keyClick(&view, Qt::Key_PageUp);
        QCOMPARE(cursor.position(), (Index3{14, 9, 11}));
        QWheelEvent wheel(QPointF(200, 150), view.mapToGlobal(QPointF(200, 150)), {}, QPoint(0, -240), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(&view, &wheel);
        QCOMPARE(cursor.position(), (Index3{14, 9, 9}));
        QCOMPARE(view.sliceText(), QString("Axial 10/20"));
        // Ctrl + wheel zooms (two notches of 1.2).
        QWheelEvent zoom(QPointF(200, 150), view.mapToGlobal(QPointF(200, 150)), {}, QPoint(0, 240), Qt::NoButton,
                         Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(&view, &zoom);
        QVERIFY(std::abs(view.zoom() - 1.44) < 1e-9);
        view.resetView();
        cursor.setPosition({15, 10, 10});

        // Right drag: 20 px right and 10 px up at 0.5 % of the 200-unit window per pixel (1 unit):
        // window 200 + 20 = 220, level 0 + 10 = 10.
        QTest::mousePress(&view, Qt::RightButton, {}, QPoint(200, 150));
        QMouseEvent drag(QEvent::MouseMove, QPointF(220, 140), view.mapToGlobal(QPointF(220, 140)), Qt::NoButton,
                         Qt::RightButton, Qt::NoModifier);
        QApplication::sendEvent(&view, &drag);
        QTest::mouseRelease(&view, Qt::RightButton, {}, QPoint(220, 140));
        QCOMPARE(scene.windowLevel().window, 220.0);
        QCOMPARE(scene.windowLevel().level, 10.0);
        scene.setWindowLevel({200, 0});
        // Middle drag pans: the scan follows the mouse, 48 px right moves the bright block's left
        // edge from column 104 to 152.
        QTest::mousePress(&view, Qt::MiddleButton, {}, QPoint(200, 150));
        QMouseEvent pan(QEvent::MouseMove, QPointF(248, 150), view.mapToGlobal(QPointF(248, 150)), Qt::NoButton,
                        Qt::MiddleButton, Qt::NoModifier);
        QApplication::sendEvent(&view, &pan);
        QTest::mouseRelease(&view, Qt::MiddleButton, {}, QPoint(248, 150));
        QTest::qWait(50);
        const QImage panned = view.grabFramebuffer();
        int left = panned.width();
        for (int x = 0; x < panned.width(); ++x)
            if (qGreen(panned.pixel(x, 100)) >= 250 && qRed(panned.pixel(x, 100)) >= 250) left = std::min(left, x);
        QVERIFY2(std::abs(left - 152) <= 2, qPrintable(QString::number(left)));
        view.resetView();
    }

    void coronalAndSagittalViewsShowSuperiorUp() {
        // Coronal: x across (left on the right), z up: 20 slices x 2 mm = 40 mm tall, x 40 mm wide.
        SliceView coronal(SliceOrientation::Coronal, &scene, &cursor);
        coronal.resize(300, 300);
        coronal.show();
        QVERIFY(QTest::qWaitForWindowExposed(&coronal));
        QTest::qWait(100);
        const QImage frame = coronal.grabFramebuffer();
        frame.save(screenshotPath("slice_view_coronal"));
        // Scale: max(40 / 2, 40 / 2) * 1.04 = 20.8 -> 300 / 41.6 = 7.21 px per mm; centre x 19.5 mm,
        // z 19 mm (voxel k at 2k mm, -1..39). Liver x 11.5..17.5, z 15..23 mm: centre (14.5, 19) mm
        // -> pixel (150 - 5 * 7.21, 150) = (114, 150); its slice y = 10 mm is inside the liver (j 8..11).
        const QRgb liver = frame.pixel(114, 150);
        QVERIFY2(qRed(liver) >= 253 && std::abs(qGreen(liver) - 128) <= 3,
                 qPrintable(QString("%1 %2 %3").arg(qRed(liver)).arg(qGreen(liver)).arg(qBlue(liver))));
        // Just above the liver's top (z 23 mm -> row 150 - 4 * 7.21 = 121): row 117 is plain bright block.
        const QRgb above = frame.pixel(114, 117);
        QVERIFY2(qRed(above) >= 250 && qGreen(above) >= 250, qPrintable(QString::number(qGreen(above))));
        QCOMPARE(coronal.sliceText(), QString("Coronal 11/30"));

        SliceView sagittal(SliceOrientation::Sagittal, &scene, &cursor);
        sagittal.resize(300, 300);
        sagittal.show();
        QVERIFY(QTest::qWaitForWindowExposed(&sagittal));
        QTest::qWait(100);
        sagittal.grabFramebuffer().save(screenshotPath("slice_view_sagittal"));
        QCOMPARE(sagittal.sliceText(), QString("Sagittal 16/40"));
    }

    void pendingLabelsAreHatchedAndHidingLabelsShowsTheScan() {
        SliceView view(SliceOrientation::Axial, &scene, &cursor);
        view.resize(400, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        LabelMap pending(scene.geometry(), 0);
        for (std::size_t k = 0; k < 20; ++k)
            for (std::size_t j = 16; j < 26; ++j)
                for (std::size_t i = 24; i < 34; ++i) pending.at(i, j, k) = 1;
        scene.setPendingLabels(pending);
        QTest::qWait(100);
        QImage frame = view.grabFramebuffer();
        frame.save(screenshotPath("slice_view_pending"));
        // The pending square (x 23.5..33.5, y 15.5..25.5 mm -> columns 239..335, rows 160..256) is
        // drawn opaque red on its outline and hatch voxels, plain background elsewhere in it. Its
        // interior, voxels 25..32 (x 24.5..32.5 mm -> columns 249..326, rows 170..247), is hatched only.
        int red = 0, grey = 0;
        for (int y = 172; y < 245; ++y)
            for (int x = 251; x < 324; ++x) {
                const QRgb p = frame.pixel(x, y);
                if (qRed(p) >= 250 && qGreen(p) <= 5) ++red;
                else if (std::abs(qRed(p) - 128) <= 2 && qRed(p) == qGreen(p)) ++grey;
            }
        // Inside the square, one voxel in four (the hatch) is drawn: about a quarter of the pixels.
        const double share = double(red) / double(red + grey);
        QVERIFY2(share > 0.18 && share < 0.32, qPrintable(QString::number(share)));
        scene.setLabelsVisible(false);
        QTest::qWait(50);
        frame = view.grabFramebuffer();
        QVERIFY(qGreen(frame.pixel(152, 102)) >= 250);  // the liver's pixel is plain white again
        scene.setLabelsVisible(true);
        scene.setPendingLabels(LabelMap());

        // The disagreement overlay: magenta at 60 % over the voxels it names, only when shown.
        LabelMap disagreement(scene.geometry(), 0);
        for (std::size_t k = 0; k < 20; ++k)
            for (std::size_t j = 20; j < 25; ++j)
                for (std::size_t i = 2; i < 7; ++i) disagreement.at(i, j, k) = 1;
        scene.setDisagreement(disagreement);
        // Its centre voxel (4, 22) is at x 4, y 22 mm -> pixel (200 - 15.5 * 9.615, 150 + 7.5 * 9.615) = (51, 222)
        // over the 0 HU background (127.5): red and blue 0.4 * 127.5 + 0.6 * 255 = 204, green 0.4 * 127.5 = 51.
        QTest::qWait(50);
        QCOMPARE(qGreen(view.grabFramebuffer().pixel(51, 222)), qRed(view.grabFramebuffer().pixel(51, 222)));  // hidden: grey
        scene.setDisagreementVisible(true);
        QTest::qWait(50);
        const QRgb magenta = view.grabFramebuffer().pixel(51, 222);
        QVERIFY2(std::abs(qRed(magenta) - 204) <= 3 && std::abs(qGreen(magenta) - 51) <= 3 && std::abs(qBlue(magenta) - 204) <= 3,
                 qPrintable(QString("%1 %2 %3").arg(qRed(magenta)).arg(qGreen(magenta)).arg(qBlue(magenta))));
        scene.setDisagreementVisible(false);
        scene.setDisagreement(LabelMap());
    }

    void threeDViewRendersSurfacesPerVisibleOrgan() {
        VolumeView3d view(&scene);
        view.resize(300, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY(!view.surfacesPending());  // extracted on a worker thread
        QCOMPARE(view.organsWithSurface(), std::vector<int>{1});
        view.setVolumeVisible(false);
        QTest::qWait(50);
        QImage frame = view.grabFramebuffer();
        frame.save(screenshotPath("volume_view_surface"));
        auto redPixels = [](const QImage& image) {
            int n = 0;
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width(); ++x) {
                    const QRgb p = image.pixel(x, y);
                    n += qRed(p) > 2 * qGreen(p) + 20 && qRed(p) > 60;
                }
            return n;
        };
        QVERIFY2(redPixels(frame) > 500, qPrintable(QString::number(redPixels(frame))));
        scene.setOrganVisible(1, false);
        QTest::qWait(50);
        QCOMPARE(redPixels(view.grabFramebuffer()), 0);
        scene.setOrganVisible(1, true);
        view.setVolumeVisible(true);
        view.setSurfacesVisible(false);
        QTest::qWait(50);
        frame = view.grabFramebuffer();
        frame.save(screenshotPath("volume_view_rendering"));
        // The volume rendering draws something other than the background.
        int drawn = 0;
        for (int y = 0; y < frame.height(); ++y)
            for (int x = 0; x < frame.width(); ++x) drawn += frame.pixel(x, y) != frame.pixel(0, 0);
        QVERIFY2(drawn > 1000, qPrintable(QString::number(drawn)));
    }
};

int main(int argc, char** argv) {
    VtkOpenGLWidget::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    SliceViewTest test;
    return QTest::qExec(&test, argc, argv);
}
#include "SliceViewTest.moc"
