// The UI's plain C++ models, without any widget: window/level arithmetic, the linked cursor and
// orientation letters, the review queue's order and navigation, the pending-label hatching.
#include <QtTest>

#include "OverlayStyle.h"
#include "ReviewQueue.h"
#include "SliceCursor.h"
#include "WindowLevel.h"

using namespace ipnp;

class UiStateTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void windowLevelMapsLinearlyAndClamps() {
        const WindowLevel abdomen{400, 40};  // shows -160..240 HU
        QCOMPARE(abdomen.lower(), -160.0);
        QCOMPARE(abdomen.upper(), 240.0);
        QCOMPARE(abdomen.greyOf(-1000), 0);
        QCOMPARE(abdomen.greyOf(-160), 0);
        QCOMPARE(abdomen.greyOf(40), 128);    // 200/400 * 255 = 127.5 -> 128
        QCOMPARE(abdomen.greyOf(140), 191);   // 300/400 * 255 = 191.25
        QCOMPARE(abdomen.greyOf(240), 255);
        QCOMPARE(abdomen.greyOf(3000), 255);
        // Right drag 10 px right and 4 px up at 2 units per pixel: window +20, level +8.
        const WindowLevel dragged = abdomen.dragged(10, -4, 2);
        QCOMPARE(dragged.window, 420.0);
        QCOMPARE(dragged.level, 48.0);
        QVERIFY(abdomen.dragged(-1000, 0, 1).window > 0);  // never zero or negative
        QCOMPARE(ctWindowLevelPresets().size(), std::size_t(5));
        QCOMPARE(ctWindowLevelPresets()[3].name, std::string("CT lung"));
        QCOMPARE(ctWindowLevelPresets()[3].value.level, -600.0);
    }

    void autoWindowLevelIgnoresZeroBackground() {
        ImageGeometry g;
        g.size = {10, 10, 1};
        FloatVolume mr(g, 0.0f);
        // 100 non-zero voxels 1..100: the 1st and 99th percentiles (nearest rank below) are 1 and 99.
        for (int v = 0; v < 100; ++v) mr.voxels()[std::size_t(v)] = float(v + 1);
        const WindowLevel wl = autoWindowLevel(mr);
        QCOMPARE(wl.window, 98.0);
        QCOMPARE(wl.level, 50.0);
    }

    void cursorClampsStepsAndNotifies() {
        ImageGeometry g;
        g.size = {20, 10, 5};
        SliceCursor cursor;
        int calls = 0;
        const int id = cursor.addListener([&] { ++calls; });
        cursor.setGeometry(g);
        QCOMPARE(cursor.position(), (Index3{10, 5, 2}));
        cursor.step(SliceOrientation::Axial, 10);  // k clamps to 4
        QCOMPARE(cursor.position(), (Index3{10, 5, 4}));
        QCOMPARE(cursor.sliceOf(SliceOrientation::Axial), 4L);
        QCOMPARE(cursor.sliceCount(SliceOrientation::Sagittal), 20L);
        cursor.step(SliceOrientation::Sagittal, -3);
        QCOMPARE(cursor.position(), (Index3{7, 5, 4}));
        cursor.setPosition({-5, 50, 1});
        QCOMPARE(cursor.position(), (Index3{0, 9, 1}));
        QCOMPARE(calls, 4);
        cursor.setPosition({0, 9, 1});  // no change, no notice
        QCOMPARE(calls, 4);
        cursor.removeListener(id);
        cursor.setPosition({1, 1, 1});
        QCOMPARE(calls, 4);
    }

    void viewsFindTheirAxisInAnyStorageOrder() {
        ImageGeometry g;
        // Voxel axis 0 runs head to foot (-z), axis 1 left-right (+x), axis 2 front-back (+y).
        g.direction = {0, 1, 0,
                       0, 0, 1,
                       -1, 0, 0};
        QCOMPARE(voxelAxisOf(SliceOrientation::Axial, g), 0);
        QCOMPARE(voxelAxisOf(SliceOrientation::Sagittal, g), 1);
        QCOMPARE(voxelAxisOf(SliceOrientation::Coronal, g), 2);
        QCOMPARE(anatomicalLetter({1, 0, 0}), 'L');
        QCOMPARE(anatomicalLetter({-1, 0.2, 0}), 'R');
        QCOMPARE(anatomicalLetter({0.1, -0.9, 0.3}), 'A');
        QCOMPARE(anatomicalLetter({0, 0, -1}), 'I');
        QCOMPARE(QString(edgeLabelsOf(SliceOrientation::Axial).left), QString("R"));
        QCOMPARE(QString(edgeLabelsOf(SliceOrientation::Sagittal).right), QString("P"));
    }

    void reviewQueueOrdersNavigatesAndRemoves() {
        ReviewQueue queue;
        auto item = [](std::int64_t id, double dice, bool absent = false) {
            ReviewItem r;
            r.candidateId = id;
            r.dice = dice;
            r.absent = absent;
            return r;
        };
        queue.setItems({item(1, 0.9), item(2, 0.5), item(3, 0, true), item(4, 0.7), item(5, 0.95)});
        auto ids = [&] {
            std::vector<std::int64_t> out;
            for (const auto& r : queue.items()) out.push_back(r.candidateId);
            return out;
        };
        QCOMPARE(ids(), (std::vector<std::int64_t>{3, 2, 4, 1, 5}));  // worst first, absent first
        QCOMPARE(queue.current()->candidateId, std::int64_t(3));
        queue.next();
        queue.next();
        QCOMPARE(queue.current()->candidateId, std::int64_t(4));
        queue.setOrder(ReviewOrder::BestFirst);
        QCOMPARE(ids(), (std::vector<std::int64_t>{5, 1, 4, 2, 3}));
        QCOMPARE(queue.current()->candidateId, std::int64_t(4));  // the same candidate stays under review
        queue.remove(4);                                           // decided: the next one comes up
        QCOMPARE(queue.current()->candidateId, std::int64_t(2));
        queue.remove(3);
        queue.remove(2);                                           // the last one: back to the previous
        QCOMPARE(queue.current()->candidateId, std::int64_t(1));
        queue.previous();
        queue.previous();
        QCOMPARE(queue.current()->candidateId, std::int64_t(5));
        QCOMPARE(queue.countAtOrAbove(0.9), std::size_t(2));
        QCOMPARE(queue.countAtOrAbove(0.91), std::size_t(1));
        queue.remove(5);
        queue.remove(1);
        QVERIFY(queue.empty());
        QVERIFY(!queue.current());
    }

    void pendingLabelsAreOutlinedAndHatched() {
        ImageGeometry g;
        g.size = {7, 7, 3};
        LabelMap pending(g, 0);
        for (std::size_t k = 0; k < 3; ++k)
            for (std::size_t j = 1; j < 6; ++j)
                for (std::size_t i = 1; i < 6; ++i) pending.at(i, j, k) = 4;
        const LabelMap shown = pendingDisplayPattern(pending, 4);
        // Middle slice k = 1: the 5x5 square's border is drawn; inside (i, j in 2..4) only where
        // (i + j + 1) % 4 == 0, i.e. i + j = 7: (4, 3) and (3, 4).
        std::vector<std::pair<int, int>> interior;
        for (int j = 2; j <= 4; ++j)
            for (int i = 2; i <= 4; ++i)
                if (shown.at(std::size_t(i), std::size_t(j), 1) != 0) interior.emplace_back(i, j);
        QCOMPARE(interior, (std::vector<std::pair<int, int>>{{4, 3}, {3, 4}}));
        for (int i = 1; i < 6; ++i) {
            QCOMPARE(int(shown.at(std::size_t(i), 1, 1)), 4);
            QCOMPARE(int(shown.at(1, std::size_t(i), 1)), 4);
        }
        QCOMPARE(int(shown.at(0, 0, 1)), 0);  // outside stays empty
        // Slices 0 and 2 touch the grid's edge: every voxel of the square is surface there.
        QCOMPARE(int(shown.at(3, 3, 0)), 4);
    }
};

QTEST_GUILESS_MAIN(UiStateTest)
#include "UiStateTest.moc"
