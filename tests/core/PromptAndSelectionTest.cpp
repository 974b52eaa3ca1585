// Prompts from a specialist prediction and the selection/fusion of DESIGN.md step 4, on label maps
// small enough to check every expected voxel by hand.
#include <QtTest>

#include "CandidateSelection.h"
#include "PromptBuilder.h"

using namespace ipnp;

namespace {

ImageGeometry grid(std::size_t nx, std::size_t ny, std::size_t nz, Vec3 spacing = {1, 1, 1}) {
    ImageGeometry g;
    g.size = {nx, ny, nz};
    g.spacing = spacing;
    return g;
}

void fillBox(LabelMap& map, Index3 first, Index3 end, std::uint8_t value) {
    for (long k = first[2]; k < end[2]; ++k)
        for (long j = first[1]; j < end[1]; ++j)
            for (long i = first[0]; i < end[0]; ++i) map.at(i, j, k) = value;
}

std::size_t count(const Mask& m) {
    std::size_t n = 0;
    for (auto v : m.voxels()) n += v != 0;
    return n;
}

}  // namespace

class PromptAndSelectionTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void promptsFromTheLargestComponent() {
        // 20x20x10 voxels of 1 mm. Organ 5 predicted as a 5x5x5 block at i 6..10, j 6..10, k 3..7
        // plus a stray voxel far away (not the largest component: it must not widen the box).
        LabelMap predicted(grid(20, 20, 10), 0);
        fillBox(predicted, {6, 6, 3}, {11, 11, 8}, 5);
        predicted.at(18, 18, 9) = 5;
        // Organ 2 (locked, manual) touches the block on its +i side: i 11..13.
        LabelMap locked(predicted.geometry(), 0);
        fillBox(locked, {11, 6, 3}, {14, 11, 6}, 2);
        PromptSettings settings;
        settings.marginMm = 2.0;  // 2 voxels
        settings.positivePoints = 1;
        const PromptSet p = PromptBuilder(settings).build(predicted, locked, 5);
        QVERIFY(!p.absent);
        QCOMPARE(p.box.first, (Index3{6, 6, 3}));
        QCOMPARE(p.box.end, (Index3{11, 11, 8}));
        // Box +- 2 voxels: i 4..12, j 4..12, k 1..9 (end exclusive 13, 13, 10).
        QCOMPARE(p.region.first, (Index3{4, 4, 1}));
        QCOMPARE(p.region.end, (Index3{13, 13, 10}));
        QCOMPARE(p.coarse.size(), (std::array<std::size_t, 3>{9, 9, 9}));
        QCOMPARE(count(p.coarse), std::size_t(125));  // the block only
        // Organ 2 inside the region: i 11..12 (2) x j 6..10 (5) x k 3..5 (3) = 30 voxels.
        QCOMPARE(count(p.others), std::size_t(30));
        // The deepest voxel of a 5x5x5 block is its centre (8, 8, 5): 3 voxels from the nearest
        // outside voxel along every axis; every other block voxel is at most 2 from outside.
        QCOMPARE(p.positivePoints.size(), std::size_t(1));
        QCOMPARE(p.positivePoints[0], (Index3{8, 8, 5}));
        // Negative points: organ 2's voxel nearest to the block: (11, j, k) at distance 1 - the
        // first in memory order among the ties is (11, 6, 3); then the background voxel of the
        // region farthest from the block: a corner, the first of the farthest in memory order.
        QCOMPARE(p.negativePoints.size(), std::size_t(2));
        QCOMPARE(p.negativePoints[0], (Index3{11, 6, 3}));
        // The region's 8 corners are all background and sqrt(2^2 + 2^2 + 2^2) mm from the block,
        // farther than any other region voxel; the first in memory order is (4, 4, 1).
        QCOMPARE(p.negativePoints[1], (Index3{4, 4, 1}));
        // Slice boxes: k 3..7, each i 4..12 (6 - 2 and 10 + 1 + 2 = 13, end exclusive), j likewise.
        QCOMPARE(p.sliceBoxes.size(), std::size_t(5));
        for (const SliceBox& s : p.sliceBoxes) {
            QCOMPARE(s.i0, 4L);
            QCOMPARE(s.j0, 4L);
            QCOMPARE(s.i1, 13L);
            QCOMPARE(s.j1, 13L);
        }
        QCOMPARE(p.sliceBoxes[0].k, 3L);
        QCOMPARE(p.sliceBoxes[4].k, 7L);
    }

    void marginIsInMillimetresAndClipped() {
        // Spacing 1 x 1 x 4 mm, margin 6 mm: 6 voxels in-plane, ceil(6/4) = 2 slices; the organ sits
        // at the grid's low corner, so the region is clipped at 0.
        LabelMap predicted(grid(16, 16, 8, {1, 1, 4}), 0);
        fillBox(predicted, {0, 1, 0}, {3, 4, 2}, 7);
        LabelMap locked(predicted.geometry(), 0);
        const PromptSet p = PromptBuilder().build(predicted, locked, 7);
        QCOMPARE(p.region.first, (Index3{0, 0, 0}));
        QCOMPARE(p.region.end, (Index3{9, 10, 4}));
    }

    void noComponentMeansAbsent() {
        LabelMap predicted(grid(8, 8, 8), 0);
        predicted.at(2, 2, 2) = 3;  // another organ
        const PromptSet p = PromptBuilder().build(predicted, LabelMap(predicted.geometry(), 0), 9);
        QVERIFY(p.absent);
        QVERIFY(p.positivePoints.empty());
        QCOMPARE(makeAbsentCandidate(p).prompt.absent, true);
    }

    void weakDetectionStandsInForAMissedOrgan() {
        // 4 x 1 x 1: organ 3 never wins the argmax (labels 0 2 0 0); its probability 0 90 60 30
        // (of 255) peaks at 90 >= 0.2 * 255 = 51, so voxels >= (90 + 1) / 2 = 45 on background
        // become organ 3: voxel 2 only (voxel 1 belongs to organ 2, voxel 3 is below half).
        ImageGeometry g = grid(4, 1, 1);
        LabelMap labels(g, 0);
        labels.at(1, 0, 0) = 2;
        Volume<std::uint8_t> probability(g, 0);
        probability.at(1, 0, 0) = 90;
        probability.at(2, 0, 0) = 60;
        probability.at(3, 0, 0) = 30;
        const std::optional<LabelMap> weak = withWeakDetection(labels, probability, 3, 0.2);
        QVERIFY(weak.has_value());
        QCOMPARE(std::vector<int>(weak->voxels().begin(), weak->voxels().end()), (std::vector<int>{0, 2, 3, 0}));
        // A peak under the floor (0.4 * 255 = 102 > 90), or the floor 0 (off): unchanged (no copy).
        QVERIFY(!withWeakDetection(labels, probability, 3, 0.4).has_value());
        QVERIFY(!withWeakDetection(labels, probability, 3, 0.0).has_value());
        // An organ the argmax has somewhere keeps its prediction as it is.
        LabelMap detected = labels;
        detected.at(0, 0, 0) = 3;
        QVERIFY(!withWeakDetection(detected, probability, 3, 0.2).has_value());
    }

    void selectionMaskAndScores() {
        // Region of 4x1x1 voxels of 10 x 10 x 10 mm (1 ml each).
        // S (specialist)  = 1 1 0 0
        // G (generalist)  = 1 0 1 0
        // M = not (G xor S) = 1 0 0 1 ; Dice(S, G) = 2*1/(2+2) = 0.5
        // probability     = 255 0 51 0 -> mean over G's voxels = (1.0 + 0.2) / 2 = 0.6
        ImageGeometry g = grid(4, 1, 1, {10, 10, 10});
        PromptSet prompt;
        prompt.organ = 4;
        prompt.region = {{0, 0, 0}, {4, 1, 1}};
        Mask s(g, 0), gen(g, 0);
        Volume<std::uint8_t> probability(g, 0);
        s.at(0, 0, 0) = s.at(1, 0, 0) = 1;
        gen.at(0, 0, 0) = 1;
        gen.at(2, 0, 0) = 7;  // any non-zero value means "organ"
        probability.at(0, 0, 0) = 255;
        probability.at(2, 0, 0) = 51;
        const VolumeRange range{1.0, 1.5, 3};
        const Candidate c = makeCandidate(prompt, gen, s, probability, range);
        QCOMPARE(std::vector<int>(c.selection.voxels().begin(), c.selection.voxels().end()), (std::vector<int>{1, 0, 0, 1}));
        QCOMPARE(std::vector<int>(c.mask.voxels().begin(), c.mask.voxels().end()), (std::vector<int>{1, 0, 1, 0}));
        QCOMPARE(c.scores.specialistGeneralistDice, 0.5);
        QVERIFY(qAbs(c.scores.meanConfidence - 0.6) < 1e-12);
        QCOMPARE(c.scores.volumeMl, 2.0);
        // 2 ml above the range [1, 1.5]: plausibility 1.5 / 2 = 0.75.
        QCOMPARE(*c.scores.volumePlausibility, 0.75);
        // Policy: Dice 0.5 < 0.8 fails; with 0.5 it passes (2 ml within [0.5, 2.25]).
        AutoAcceptPolicy policy;
        QVERIFY(!passesAutoAccept(c, policy, range));
        policy.minimumDice = 0.5;
        QVERIFY(passesAutoAccept(c, policy, range));
        // Volume 2 ml against a range [3, 5] widened by 50 %: [1.5, 7.5] passes; [5, 8] -> [2.5, 12] fails.
        QVERIFY(passesAutoAccept(c, policy, VolumeRange{3, 5, 2}));
        QVERIFY(!passesAutoAccept(c, policy, VolumeRange{5, 8, 2}));
        // No labeled volume anywhere: the volume check has nothing to say.
        QVERIFY(passesAutoAccept(c, policy, std::nullopt));
        // An absent candidate always waits for a person.
        QVERIFY(!passesAutoAccept(makeAbsentCandidate(prompt), policy, range));
        // An empty generalist mask never passes, even with no Dice floor and no volume to compare:
        // Dice(empty, S) = 0 >= 0, and nothing else would stop it.
        policy.minimumDice = 0.0;
        const Candidate empty = makeCandidate(prompt, Mask(g, 0), s, probability, std::nullopt);
        QCOMPARE(empty.scores.volumeMl, 0.0);
        QVERIFY(!passesAutoAccept(empty, policy, std::nullopt));
    }

    void overlapsGoToTheMostProbableOrganAndNeverOverManual() {
        // A 1-D row of 6 voxels. Manual organ 1 at voxel 0. Candidate A (organ 2) claims 0..3,
        // candidate B (organ 3) claims 2..5. Probabilities: organ 2 = 200 at voxel 2, 100 at 3;
        // organ 3 = 150 at voxel 2, 150 at 3. So voxel 0 leaves A (manual), voxel 2 stays with A,
        // voxel 3 goes to B.
        ImageGeometry g = grid(6, 1, 1);
        LabelMap locked(g, 0);
        locked.at(0, 0, 0) = 1;
        auto candidateOf = [&](int organ, long first, long end) {
            Candidate c;
            c.prompt.organ = organ;
            c.prompt.region = {{0, 0, 0}, {6, 1, 1}};
            c.mask = Mask(g, 0);
            c.selection = Mask(g, 1);
            for (long i = first; i < end; ++i) c.mask.at(i, 0, 0) = 1;
            return c;
        };
        std::vector<Candidate> candidates{candidateOf(2, 0, 4), candidateOf(3, 2, 6)};
        Volume<std::uint8_t> p2(g, 0), p3(g, 0);
        p2.at(2, 0, 0) = 200;
        p2.at(3, 0, 0) = 100;
        p3.at(2, 0, 0) = 150;
        p3.at(3, 0, 0) = 150;
        // The specialist saw organ 3 at voxels 3 and 4: before the overlaps, Dice(S, G_B) with
        // G_B = 2..5 is 2*2 / (2 + 4) = 0.667.
        Mask specialist3(g, 0);
        specialist3.at(3, 0, 0) = specialist3.at(4, 0, 0) = 1;
        QVERIFY(qAbs(scoreCandidate(candidates[1].mask, specialist3, p3, std::nullopt).specialistGeneralistDice - 4.0 / 6.0) < 1e-12);
        resolveOverlaps(candidates, locked, {&p2, &p3});
        QCOMPARE(std::vector<int>(candidates[0].mask.voxels().begin(), candidates[0].mask.voxels().end()),
                 (std::vector<int>{0, 1, 1, 0, 0, 0}));
        QCOMPARE(std::vector<int>(candidates[1].mask.voxels().begin(), candidates[1].mask.voxels().end()),
                 (std::vector<int>{0, 0, 0, 1, 1, 1}));
        // The voxels a candidate lost to another candidate are no longer "agreed on" for it; the
        // manual voxel 0 stays selected for both (known truth must stay in the loss).
        QCOMPARE(std::vector<int>(candidates[0].selection.voxels().begin(), candidates[0].selection.voxels().end()),
                 (std::vector<int>{1, 1, 1, 0, 1, 1}));
        QCOMPARE(std::vector<int>(candidates[1].selection.voxels().begin(), candidates[1].selection.voxels().end()),
                 (std::vector<int>{1, 1, 0, 1, 1, 1}));
        // Rescored on what it keeps (3..5): Dice 2*2 / (2 + 3) = 0.8, confidence (150/255 + 0 + 0) / 3,
        // volume 3 voxels of 1 mm^3 = 0.003 ml.
        const CandidateScores rescored = scoreCandidate(candidates[1].mask, specialist3, p3, std::nullopt);
        QVERIFY(qAbs(rescored.specialistGeneralistDice - 0.8) < 1e-12);
        QVERIFY(qAbs(rescored.meanConfidence - 150.0 / 255.0 / 3.0) < 1e-12);
        QVERIFY(qAbs(rescored.volumeMl - 0.003) < 1e-12);
        QVERIFY(!rescored.volumePlausibility.has_value());
    }
};

QTEST_APPLESS_MAIN(PromptAndSelectionTest)
#include "PromptAndSelectionTest.moc"
