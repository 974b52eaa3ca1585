// The time-lapse of a scan's labels on a real project: two hand-made rounds whose candidates are
// 4x4x4 boxes, so that what each frame holds follows from the decisions by hand.
#include <QTemporaryDir>
#include <QtTest>

#include "BuiltinSchemas.h"
#include "DatasetDescription.h"
#include "DatasetImporter.h"
#include "OrganSchemaFile.h"
#include "PartialLabelSimulator.h"
#include "PhantomDataset.h"
#include "ProjectRounds.h"
#include "RoundTimeLapse.h"
#include "ScanDisplayData.h"
#include "ScanImporter.h"
#include "SqliteDatabase.h"

using namespace ipnp;

namespace {

Candidate boxCandidate(const ScanRecord& scan, int organ, Index3 first, double dice) {
    Candidate c;
    c.prompt.organ = organ;
    c.prompt.box = {first, {first[0] + 4, first[1] + 4, first[2] + 4}};
    c.prompt.region = c.prompt.box;
    const ImageGeometry g = scan.geometry.region(first, {4, 4, 4});
    c.mask = Mask(g, 1);
    c.selection = Mask(g, 1);
    c.scores.specialistGeneralistDice = dice;
    c.scores.volumeMl = 64 * 6 * 6 * 6 / 1000.0;
    return c;
}

}  // namespace

class RoundTimeLapseTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void framesFollowTheDecisions() {
        QTemporaryDir dir;
        const std::string phantoms = dir.filePath("phantoms").toStdString();
        PhantomDatasetOptions options;
        options.count = 4;
        options.phantom.size = {24, 24, 24};
        options.phantom.spacing = {6, 6, 6};
        writePhantomDataset(phantoms, options);
        auto store = ProjectStore::create(dir.filePath("project").toStdString(),
                                          organSchemaFromJson(builtinSchemaJson().at("amos15"), "amos15"));
        ScanImporter(*store).importScans(requestsForDataset(readDatasetDescription(phantoms), store->schema()), {});
        PartialLabelOptions partial;
        partial.testFraction = 0.25;
        partial.keepFraction = 0.5;
        partial.seed = 3;
        PartialLabelSimulator(*store).apply(partial);
        ScanRecord scan;
        for (const ScanRecord& s : store->scans())
            if (s.split == "train") scan = s;
        std::vector<int> unknown;
        for (int organ = 1; organ <= 15; ++organ) {
            SqliteStatement row(store->database(), "SELECT state FROM coverage WHERE scan_id = ?1 AND organ_id = ?2");
            row.bind(1, scan.id).bind(2, organ);
            if (row.step() && row.columnText(0) == "unknown") unknown.push_back(organ);
        }
        QVERIFY(unknown.size() >= 2);
        const int a = unknown[0], b = unknown[1];

        ProjectRounds rounds(*store, "tester");
        const GeneralistIdentity generalist{"builtin-growcut", "builtin-growcut-v2", "builtin"};
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
