// The time-lapse of a scan's labels on a real project: two hand-made rounds whose candidates are
// 4x4x4 boxes, so that what each frame holds follows from the decisions by hand.
#include <QTemporaryDir>
#include <QtTest>

#include "ProjectFixtures.h"
#include "ProjectRounds.h"
#include "RoundTimeLapse.h"
#include "ScanDisplayData.h"

using namespace ipnp;

using test::boxCandidate;

class RoundTimeLapseTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void framesFollowTheDecisions() {
        QTemporaryDir dir;
        auto store = test::makePhantomProject(dir.path().toStdString());
        const ScanRecord scan = test::trainingScans(*store).back();
        const std::vector<int> unknown = test::organsInState(*store, scan.id, "unknown");
        QVERIFY(unknown.size() >= 2);
        const int a = unknown[0], b = unknown[1];

        ProjectRounds rounds(*store, "tester");
        const GeneralistIdentity generalist = test::handMadeCandidates();
        // Round 1: organ a in box (2..5)^3, accepted; organ b in box (12..15)^3, left pending.
        RoundInfo one = rounds.beginRound(RoundSettings{}, generalist, false);
        ScanCandidates first;
        first.target = {scan.id, scan.name, {a, b}};
        first.candidates = {boxCandidate(scan, a, {2, 2, 2}, 0.9), boxCandidate(scan, b, {12, 12, 12}, 0.7)};
        for (std::size_t v = 0; v < 5; ++v) first.candidates[1].selection.data()[v] = 0;
        first.autoAccepted = {false, false};
        rounds.saveCandidates(one, generalist, first);
        rounds.finishPrompting(one);
        for (const CandidateRecord& c : rounds.candidates("pending"))
            if (c.organIndex == a) rounds.accept(c.id);
        // What the views load for the scan now: b pending, 5 voxels of its region in disagreement
        // (its selection mask is 0 at the first 5 voxels in memory order: (12..15, 12, 12) and (12, 13, 12)).
        {
            const ScanDisplayData shown = loadScanForDisplay(store->folder(), scan.id);
            QCOMPARE(std::count(shown.pending.voxels().begin(), shown.pending.voxels().end(), std::uint8_t(b)), std::ptrdiff_t(64));
            QCOMPARE(std::count(shown.disagreement.voxels().begin(), shown.disagreement.voxels().end(), std::uint8_t(b)),
                     std::ptrdiff_t(5));
            QCOMPARE(int(shown.disagreement.at(15, 12, 12)), b);
            QCOMPARE(int(shown.disagreement.at(12, 13, 12)), b);
            QCOMPARE(int(shown.disagreement.at(13, 13, 12)), 0);
            QCOMPARE(shown.pendingCandidates.size(), std::size_t(1));
        }
        // Round 2: organ b again, now in box (16..19)^3, accepted.
        RoundInfo two = rounds.beginRound(RoundSettings{}, generalist, false);
        ScanCandidates second;
        second.target = {scan.id, scan.name, {b}};
        second.candidates = {boxCandidate(scan, b, {16, 16, 16}, 0.95)};
        second.autoAccepted = {false};
        rounds.saveCandidates(two, generalist, second);
        rounds.finishPrompting(two);
        for (const CandidateRecord& c : rounds.candidates("pending"))
            if (c.organIndex == b && c.round == 2) rounds.accept(c.id);

        QCOMPARE(reviewedRounds(*store), (std::vector<int>{1, 2}));
        const LabelsAtRound r0 = labelsAfterRound(*store, scan, 0), r1 = labelsAfterRound(*store, scan, 1),
                            r2 = labelsAfterRound(*store, scan, 2);
        // Before the rounds: neither organ anywhere (both were unknown in this scan).
        for (const LabelMap* map : {&r0.labels, &r0.pending})
            for (std::uint8_t v : map->voxels()) QVERIFY(v != a && v != b);
        // Manual labels win over candidates (real rounds never overlap them; these boxes may).
        const auto manualIn = [&](long first) {
            std::ptrdiff_t n = 0;
            for (long k = first; k < first + 4; ++k)
                for (long j = first; j < first + 4; ++j)
                    for (long i = first; i < first + 4; ++i) n += r0.labels.at(std::size_t(i), std::size_t(j), std::size_t(k)) != 0;
            return n;
        };
        // After round 1: a solid in its box, b pending in its box, nothing of b solid.
        QCOMPARE(std::count(r1.labels.voxels().begin(), r1.labels.voxels().end(), std::uint8_t(a)), 64 - manualIn(2));
        QCOMPARE(std::count(r1.pending.voxels().begin(), r1.pending.voxels().end(), std::uint8_t(b)), std::ptrdiff_t(64));
        QCOMPARE(std::count(r1.labels.voxels().begin(), r1.labels.voxels().end(), std::uint8_t(b)), std::ptrdiff_t(0));
        // After round 2: b solid in its new box only, nothing pending; a unchanged.
        QCOMPARE(std::count(r2.labels.voxels().begin(), r2.labels.voxels().end(), std::uint8_t(b)), 64 - manualIn(16));
        QCOMPARE(std::count(r2.pending.voxels().begin(), r2.pending.voxels().end(), std::uint8_t(b)), std::ptrdiff_t(0));
        QCOMPARE(std::count(r2.labels.voxels().begin(), r2.labels.voxels().end(), std::uint8_t(a)), 64 - manualIn(2));
        // Manual labels are the same in every frame.
        for (std::size_t v = 0; v < r0.labels.voxelCount(); ++v)
            if (r0.labels.voxels()[v] != 0) QCOMPARE(r2.labels.voxels()[v], r0.labels.voxels()[v]);

        // A rolled-back round leaves the time-lapse.
        rounds.rollback(2);
        QCOMPARE(reviewedRounds(*store), (std::vector<int>{1}));
        const LabelsAtRound after = labelsAfterRound(*store, scan, 2);
        QCOMPARE(after.labels.voxels(), r1.labels.voxels());
        QCOMPARE(after.pending.voxels(), r1.pending.voxels());
    }
};

QTEST_GUILESS_MAIN(RoundTimeLapseTest)
#include "RoundTimeLapseTest.moc"
