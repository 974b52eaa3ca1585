// The UI's plain C++ models, without any widget: window/level arithmetic, the linked cursor and
// orientation letters, the review queue's order and navigation, the pending-label hatching.
#include <algorithm>

#include <QFile>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include "EditJournal.h"
#include "MaskEditor.h"
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
        QCOMPARE(queue.countAtOrAbove(0.0), std::size_t(2));  // 5 and 1 left
        ReviewQueue withEmpty;
        ReviewItem empty = item(6, 0.95);
        empty.emptyMask = true;
        withEmpty.setItems({item(7, 0.5), empty});
        QCOMPARE(withEmpty.countAtOrAbove(0.0), std::size_t(1));  // an empty mask is never bulk-accepted
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

    void brushPaintsDisksAndBallsInMillimetres() {
        ImageGeometry g;
        g.size = {11, 11, 5};
        MaskEditor editor(Mask(g, 0));
        editor.brush().radiusMm = 2.0;
        // 2D disk of radius 2 mm at 1 mm voxels: lattice points with x^2 + y^2 <= 4: 1 + 4 + 4 + 4 = 13.
        editor.beginStroke(SliceOrientation::Axial);
        editor.dab({5, 5, 2});
        editor.endStroke();
        QCOMPARE(editor.voxelCount(), std::size_t(13));
        QCOMPARE(int(editor.mask().at(7, 5, 2)), 1);
        QCOMPARE(int(editor.mask().at(7, 6, 2)), 0);   // 4 + 1 > 4
        QCOMPARE(int(editor.mask().at(5, 5, 1)), 0);   // a disk stays in its slice
        // Erase with radius 1 at the centre: the centre and its 4 neighbours go.
        editor.brush().erase = true;
        editor.brush().radiusMm = 1.0;
        editor.beginStroke(SliceOrientation::Axial);
        editor.dab({5, 5, 2});
        editor.endStroke();
        QCOMPARE(editor.voxelCount(), std::size_t(8));
        // Undo, undo, redo; a new stroke after an undo drops the redo step.
        QVERIFY(editor.undo());
        QCOMPARE(editor.voxelCount(), std::size_t(13));
        QVERIFY(editor.undo());
        QCOMPARE(editor.voxelCount(), std::size_t(0));
        QVERIFY(!editor.undo());
        QVERIFY(editor.redo());
        QCOMPARE(editor.voxelCount(), std::size_t(13));
        QCOMPARE(editor.history().redoCount(), std::size_t(1));
        // A 3D ball of radius 2: 1 + 6 + 12 + 8 + 6 = 33 points with x^2 + y^2 + z^2 <= 4, minus
        // the 13 of the disk already painted in its middle slice: 20 more.
        editor.brush().erase = false;
        editor.brush().threeD = true;
        editor.brush().radiusMm = 2.0;
        editor.beginStroke(SliceOrientation::Coronal);
        editor.dab({5, 5, 2});
        editor.endStroke();
        QCOMPARE(editor.voxelCount(), std::size_t(33));
        QCOMPARE(editor.history().redoCount(), std::size_t(0));
        QCOMPARE(editor.history().undoCount(), std::size_t(2));

        // Anisotropic voxels: 3 mm slices put the ball's poles (2 mm away) between slices.
        ImageGeometry thick = g;
        thick.spacing = {1, 1, 3};
        MaskEditor ball(Mask(thick, 0));
        ball.brush().threeD = true;
        ball.brush().radiusMm = 2.0;
        ball.beginStroke(SliceOrientation::Axial);
        ball.dab({5, 5, 2});
        ball.endStroke();
        QCOMPARE(ball.voxelCount(), std::size_t(13));
    }

    void theJournalIsGivenTheBoxOfEveryChangeSinceItsLastRecord() {
        // Unit spacing, radius 1 mm in 2D: a dab covers its voxel and the 4 in-slice neighbours,
        // box [c - 1, c + 2) in i and j, [c, c + 1) in k.
        ImageGeometry g;
        g.size = {20, 20, 5};
        MaskEditor editor(Mask(g, 0));
        editor.brush().radiusMm = 1.0;
        QVERIFY(!editor.changedSinceMark());
        editor.beginStroke(SliceOrientation::Axial);
        editor.dab({3, 4, 1});
        editor.endStroke();
        using Box = std::pair<Index3, Index3>;
        QCOMPARE(*editor.changedSinceMark(), (Box{{2, 3, 1}, {5, 6, 2}}));
        editor.markJournaled();
        QVERIFY(!editor.changedSinceMark());
        // Two strokes before the next record (the second press ended the first stroke): one box
        // around both, the first's dabs [2..5) x [3..12) x [1..2), the second's [14..17) x [9..12) x [3..4).
        editor.beginStroke(SliceOrientation::Axial);
        editor.dab({3, 4, 1});  // already painted: no change
        editor.dab({3, 10, 1});
        editor.beginStroke(SliceOrientation::Axial);
        editor.dab({15, 10, 3});
        editor.endStroke();
        QCOMPARE(*editor.changedSinceMark(), (Box{{2, 3, 1}, {17, 12, 4}}));
        editor.markJournaled();
        // An undo's box is the undone stroke's: [14..17) x [9..12) x [3..4).
        QVERIFY(editor.undo());
        QCOMPARE(*editor.changedSinceMark(), (Box{{14, 9, 3}, {17, 12, 4}}));
    }

    void aDragIsOneUndoStepAndTheHistoryStaysUnderItsCap() {
        ImageGeometry g;
        g.size = {512, 512, 1};
        MaskEditor editor(Mask(g, 0));
        editor.brush().radiusMm = 3.0;
        editor.beginStroke(SliceOrientation::Axial);
        for (long i = 10; i < 500; i += 2) editor.dab({i, 100, 0});
        editor.endStroke();
        QCOMPARE(editor.history().undoCount(), std::size_t(1));
        QVERIFY(editor.undo());
        QCOMPARE(editor.voxelCount(), std::size_t(0));

        // 60 strokes that each sweep the whole 512^2 slice (dabs of 8 mm every 4 voxels leave no
        // gap, even in the corners), painting and erasing in turn: each
        // keeps a 512 x 512 box twice (before, after) = 512 KiB; 60 of them are 30 MiB, all within
        // the default 256 MiB cap.
        MaskEditor sweeps(Mask(g, 0));
        sweeps.brush().radiusMm = 8.0;
        for (int stroke = 0; stroke < 60; ++stroke) {
            sweeps.brush().erase = stroke % 2 == 1;
            sweeps.beginStroke(SliceOrientation::Axial);
            for (long j = 0; j < 512; j += 4)
                for (long i = 0; i < 512; i += 4) sweeps.dab({i, j, 0});
            sweeps.endStroke();
        }
        QCOMPARE(sweeps.history().undoCount(), std::size_t(60));
        QCOMPARE(sweeps.history().bytes(), std::size_t(60) * 2 * 512 * 512);
        QCOMPARE(sweeps.voxelCount(), std::size_t(0));     // the 60th stroke erased
        QVERIFY(sweeps.undo());
        QCOMPARE(sweeps.voxelCount(), std::size_t(512 * 512));
        // A 2 MiB cap keeps the newest 4 strokes (4 x 512 KiB) and drops the older ones.
        MaskEditor capped(Mask(g, 0), 2u << 20);
        capped.brush().radiusMm = 8.0;
        for (int stroke = 0; stroke < 10; ++stroke) {
            capped.brush().erase = stroke % 2 == 1;
            capped.beginStroke(SliceOrientation::Axial);
            for (long j = 0; j < 512; j += 4)
                for (long i = 0; i < 512; i += 4) capped.dab({i, j, 0});
            capped.endStroke();
        }
        QCOMPARE(capped.history().undoCount(), std::size_t(4));
        QVERIFY(capped.history().bytes() <= capped.history().capBytes());
    }

    void theEditJournalReplaysWhatWasKeptAndNothingElse() {
        QTemporaryDir dir;
        ImageGeometry g;
        g.size = {4, 3, 2};
        const std::string path = EditJournal::pathFor(dir.path().toStdString(), 7);
        const EditJournalKey key{7, "2026-11-28T07:00:00Z abc"};
        QVERIFY(path.find("/drafts/edit-7.journal") != std::string::npos);
        Mask mask(g, 0);
        {
            EditJournal journal(path, key, mask);
            mask.at(1, 1, 0) = 1;
            mask.at(2, 1, 0) = 1;
            journal.append(mask, {1, 1, 0}, {3, 2, 1});  // the two voxels: record 1
            mask.at(3, 2, 1) = 1;
            mask.at(1, 1, 0) = 0;
            journal.append(mask, {1, 1, 0}, {4, 3, 2});  // a 3 x 2 x 2 box: record 2
        }
        // Onto the candidate's own (empty) mask: exactly (2,1,0) and (3,2,1) set, by hand.
        Mask replayed(g, 0);
        QCOMPARE(EditJournal::replay(path, key, replayed), std::size_t(2));
        std::vector<std::uint8_t> expected(24, 0);
        expected[2 + 4 * 1] = 1;               // (2, 1, 0)
        expected[3 + 4 * 2 + 12 * 1] = 1;      // (3, 2, 1)
        QCOMPARE(replayed.voxels(), expected);
        // Another candidate's or grid's journal is not replayed, nor one of a candidate with the same
        // id and another stamp (a project re-created in the same folder).
        Mask other(g, 0);
        QCOMPARE(EditJournal::replay(path, {8, key.stamp}, other), std::size_t(0));
        QCOMPARE(EditJournal::replay(path, {7, "2026-11-29T08:00:00Z abc"}, other), std::size_t(0));
        QCOMPARE(other.voxels(), std::vector<std::uint8_t>(24, 0));
        ImageGeometry bigger = g;
        bigger.size = {4, 3, 3};
        Mask larger(bigger, 0);
        QCOMPARE(EditJournal::replay(path, key, larger), std::size_t(0));
        // Reopened for the same candidate, it keeps its records and goes on.
        {
            EditJournal journal(path, key, replayed);
            replayed.at(0, 0, 0) = 1;
            journal.append(replayed, {0, 0, 0}, {1, 1, 1});
        }
        // The three records take 50 + 60 + 49 = 159 bytes, more than twice one record of the box they
        // lie in (the whole grid: 2 x 72): the journal is that one record now.
        Mask third(g, 0);
        QCOMPARE(EditJournal::replay(path, key, third), std::size_t(1));
        expected[0] = 1;  // (0, 0, 0)
        QCOMPARE(third.voxels(), expected);
        // A record cut short (the app died while writing it) is ignored; those before it stay.
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::Append));
        const std::int64_t box[6] = {0, 0, 0, 4, 3, 2};
        file.write(reinterpret_cast<const char*>(box), sizeof box);
        file.write("\x01\x01\x01", 3);  // 3 of the box's 24 voxels
        file.close();
        Mask cut(g, 0);
        QCOMPARE(EditJournal::replay(path, key, cut), std::size_t(1));
        QCOMPARE(cut.voxels(), third.voxels());
        // Going on after it: the cut record is dropped first, so the new one is read back.
        {
            EditJournal journal(path, key, cut);
            cut.at(3, 0, 1) = 1;
            journal.append(cut, {3, 0, 1}, {4, 1, 2});
        }
        Mask fourth(g, 0);
        QCOMPARE(EditJournal::replay(path, key, fourth), std::size_t(2));  // 72 + 49 bytes: no compaction
        QCOMPARE(fourth.voxels(), cut.voxels());
        QCOMPARE(fourth.at(3, 0, 1), std::uint8_t(1));
        EditJournal::discard(path);
        QVERIFY(!QFile::exists(QString::fromStdString(path)));
        QCOMPARE(EditJournal::replay(path, key, cut), std::size_t(0));
    }

    void aFormatOneJournalStillComesBack() {
        // Written here as the previous version wrote it: "IPNPEDIT1\n", the id, the grid, then one
        // record setting (1, 2, 0). Any stamp matches it (it has none); a stale rewrite left by a
        // crash next to it is deleted when the journal goes on.
        QTemporaryDir dir;
        ImageGeometry g;
        g.size = {4, 3, 2};
        const std::string path = EditJournal::pathFor(dir.path().toStdString(), 5);
        QVERIFY(QDir().mkpath(dir.filePath("drafts")));
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::WriteOnly));
        const std::int64_t header[4] = {5, 4, 3, 2};
        const std::int64_t box[6] = {1, 2, 0, 2, 3, 1};
        file.write("IPNPEDIT1\n", 10);
        file.write(reinterpret_cast<const char*>(header), sizeof header);
        file.write(reinterpret_cast<const char*>(box), sizeof box);
        file.write("\x01", 1);
        file.close();
        // The name temporarySiblingPath gives a rewrite of edit-5.journal (by its documented rule).
        const QString stale = dir.filePath("drafts/.edit-5.tmp-123-0.journal");
        QFile staleFile(stale);
        QVERIFY(staleFile.open(QIODevice::WriteOnly));
        staleFile.close();
        // Candidate 50's rewrite is not candidate 5's: it stays.
        const QString otherRewrite = dir.filePath("drafts/.edit-50.tmp-123-0.journal");
        QFile otherFile(otherRewrite);
        QVERIFY(otherFile.open(QIODevice::WriteOnly));
        otherFile.close();

        const EditJournalKey key{5, "any stamp"};
        Mask mask(g, 0);
        QCOMPARE(EditJournal::replay(path, key, mask), std::size_t(1));
        QCOMPARE(mask.at(1, 2, 0), std::uint8_t(1));
        QCOMPARE(std::count(mask.voxels().begin(), mask.voxels().end(), 1), 1L);
        {
            EditJournal journal(path, key, mask);
            QVERIFY(!QFile::exists(stale));
            QVERIFY(QFile::exists(otherRewrite));
            mask.at(0, 0, 1) = 1;
            journal.append(mask, {0, 0, 1}, {1, 1, 2});
        }
        Mask again(g, 0);
        QCOMPARE(EditJournal::replay(path, key, again), std::size_t(2));
        QCOMPARE(again.voxels(), mask.voxels());
        Mask otherCandidate(g, 0);
        QCOMPARE(EditJournal::replay(path, {6, "any stamp"}, otherCandidate), std::size_t(0));
    }

    void aLongEditsJournalIsCompacted() {
        // Ten strokes of one voxel each, every one a different voxel (n % 4, n % 3, n % 2): together
        // they touch the whole 4 x 3 x 2 grid, so one record of it takes 48 + 24 = 72 bytes, and the
        // records never take more than twice that (ten single-voxel records would be 490 bytes).
        QTemporaryDir dir;
        ImageGeometry g;
        g.size = {4, 3, 2};
        const std::string path = EditJournal::pathFor(dir.path().toStdString(), 3);
        const EditJournalKey key{3, "s"};
        const long header = 10 + 8 + 8 + 1 + 24;  // magic, id, stamp length, stamp, grid size
        Mask mask(g, 0);
        std::vector<std::uint8_t> expected(24, 0);
        {
            EditJournal journal(path, key, mask);
            QCOMPARE(journal.bytes(), header);
            for (long n = 0; n < 10; ++n) {
                const long i = n % 4, j = n % 3, k = n % 2;
                mask.at(std::size_t(i), std::size_t(j), std::size_t(k)) = 1;
                expected[std::size_t(i + 4 * j + 12 * k)] = 1;
                journal.append(mask, {i, j, k}, {i + 1, j + 1, k + 1});
                QVERIFY2(journal.bytes() <= header + 2 * 72, qPrintable(QString::number(journal.bytes())));
                QCOMPARE(long(QFileInfo(QString::fromStdString(path)).size()), journal.bytes());
            }
        }
        QCOMPARE(std::count(expected.begin(), expected.end(), 1), 10L);
        Mask replayed(g, 0);
        QVERIFY(EditJournal::replay(path, key, replayed) >= 1);
        QCOMPARE(replayed.voxels(), expected);
        // It goes on after a compaction like any journal.
        {
            EditJournal journal(path, key, replayed);
            replayed.at(3, 2, 1) = 1;
            expected[3 + 4 * 2 + 12 * 1] = 1;
            journal.append(replayed, {3, 2, 1}, {4, 3, 2});
        }
        Mask again(g, 0);
        EditJournal::replay(path, key, again);
        QCOMPARE(again.voxels(), expected);
    }
};

QTEST_GUILESS_MAIN(UiStateTest)
#include "UiStateTest.moc"
