// The built-in generalist (core/BuiltinGeneralist): on phantoms it must improve on the coarse
// prompt it is given, organ by organ; and it is deterministic and refuses bad prompts.
//
// The coarse prompt imitates a coarse specialist: the truth of one organ downsampled x4 (block
// majority: a 4 x 4 x 4 block is in when more than half of its voxels are), upsampled by nearest
// neighbour, its largest component. Its boundary is off by up to 2 voxels everywhere. At 6 mm
// (the demo's phantoms, where the generalist segments the region resampled 3x finer) the blocks
// are 2 x 2 x 2 (12 mm, as many mm as x4 at 3 mm): x4 would be 24 mm blocks, coarser than the
// gall bladder. The prompt is built from it as PromptBuilder would: the tight box, the box plus 3
// voxels (clipped to the scan) as the region, a positive point at the deepest voxel, the other
// organs' coarse masks as `others`.
#include <QtTest>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "BuiltinGeneralist.h"
#include "PromptBuilder.h"
#include "Error.h"
#include "MaskMorphology.h"
#include "Metrics.h"
#include "PhantomGenerator.h"

using namespace ipnp;

namespace {

constexpr long kMargin = 3;
constexpr int kLiver = 6;
constexpr int kPostcava = 9;



Mask paste(const Mask& part, const VoxelRegion& region, const ImageGeometry& whole) {
    Mask result(whole, 0);
    const auto size = region.size();
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i)
                result.at(std::size_t(region.first[0]) + i, std::size_t(region.first[1]) + j,
                          std::size_t(region.first[2]) + k) = part.at(i, j, k);
    return result;
}

FloatVolume asFloat(const ScanVolume& scan) {
    FloatVolume image(scan.geometry());
    std::copy(scan.voxels().begin(), scan.voxels().end(), image.voxels().begin());
    return image;
}

// The prompt a coarse specialist mask gives (empty `box` when the mask is empty).
PromptSet promptFrom(const Mask& coarse, const Mask& others, int organ) {
    PromptSet prompt;
    prompt.organ = organ;
    const auto& size = coarse.size();
    Index3 low{long(size[0]), long(size[1]), long(size[2])}, high{-1, -1, -1};
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i)
                if (coarse.at(i, j, k)) {
                    const Index3 p{long(i), long(j), long(k)};
                    for (int a = 0; a < 3; ++a) {
                        low[a] = std::min(low[a], p[a]);
                        high[a] = std::max(high[a], p[a]);
                    }
                }
    if (high[0] < 0) {
        prompt.absent = true;
        return prompt;
    }
    for (int a = 0; a < 3; ++a) {
        prompt.box.first[a] = low[a];
        prompt.box.end[a] = high[a] + 1;
        prompt.region.first[a] = std::max(0L, low[a] - kMargin);
        prompt.region.end[a] = std::min(long(size[std::size_t(a)]), high[a] + 1 + kMargin);
    }
    prompt.coarse = cropToRegion(coarse, prompt.region);
    prompt.others = cropToRegion(others, prompt.region);
    const FloatVolume depth = distanceInside(prompt.coarse);
    const auto deepest =
        std::size_t(std::max_element(depth.voxels().begin(), depth.voxels().end()) - depth.voxels().begin());
    const auto rs = prompt.region.size();
    prompt.positivePoints.push_back({prompt.region.first[0] + long(deepest % rs[0]),
                                     prompt.region.first[1] + long(deepest / rs[0] % rs[1]),
                                     prompt.region.first[2] + long(deepest / (rs[0] * rs[1]))});
    return prompt;
}

struct Score {
    double coarseDice = 0, dice = 0, coarseHd95 = 0, hd95 = 0;
    double volumeRatio = 0;  // the result's voxels / the truth's
    double recall = 0;       // the share of the truth's voxels that the result covers
    double shellRatio = 0;   // (the truth + a shell a third of a voxel thick on its exposed faces) / the truth
};

// The truth's volume grown by a shell `thickness` voxels thick over each of its voxel faces that
// borders a voxel outside it or the scan's edge, relative to the truth's volume: 1 + thickness x faces / voxels.
// Voxel faces overstate a smooth surface (by about 1.5x for a ball), so this errs on the large side.
double shellRatio(const Mask& truth, double thickness) {
    const auto& size = truth.size();
    std::size_t voxels = 0, faces = 0;
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i) {
                if (!truth.at(i, j, k)) continue;
                ++voxels;
                const std::size_t at[3] = {i, j, k};
                for (std::size_t a = 0; a < 3; ++a) {
                    std::size_t low[3] = {i, j, k}, high[3] = {i, j, k};
                    faces += at[a] == 0 || !truth.at(low[0] - (a == 0), low[1] - (a == 1), low[2] - (a == 2));
                    faces += at[a] + 1 == size[a] || !truth.at(high[0] + (a == 0), high[1] + (a == 1), high[2] + (a == 2));
                }
            }
    return 1.0 + thickness * double(faces) / double(voxels);
}

// Every organ of one phantom case: the coarse mask's and the generalist's Dice and HD95 against
// the truth, on the whole scan's grid.
std::vector<std::pair<int, Score>> scoreCase(const PhantomOptions& options, int caseIndex, std::size_t block = 4) {
    const PhantomCase phantom = PhantomGenerator(options).generate(caseIndex);
    const FloatVolume image = asFloat(phantom.image);
    std::vector<std::pair<int, Mask>> coarse;
    for (const auto& organ : PhantomGenerator::organs())
        coarse.emplace_back(organ.first, largestComponent(coarsenByBlocks(organMask(phantom.truth, organ.first), block)));
    BuiltinGeneralist generalist;
    std::vector<std::pair<int, Score>> scores;
    for (const auto& [organ, coarseMask] : coarse) {
        Mask others(phantom.truth.geometry(), 0);
        for (const auto& [other, otherMask] : coarse)
            if (other != organ)
                for (std::size_t n = 0; n < others.voxelCount(); ++n) others.data()[n] |= otherMask.data()[n];
        const PromptSet prompt = promptFrom(coarseMask, others, organ);
        if (prompt.absent) continue;  // none of the cases below loses an organ; checked by the caller
        const Mask result = paste(generalist.segment(image, prompt), prompt.region, phantom.truth.geometry());
        const Mask truth = organMask(phantom.truth, organ);
        Score score;
        score.coarseDice = dice(coarseMask, truth);
        score.dice = dice(result, truth);
        score.coarseHd95 = hausdorff95(coarseMask, truth).value_or(1e9);
        score.hd95 = hausdorff95(result, truth).value_or(1e9);
        const double truthVoxels = double(std::count(truth.voxels().begin(), truth.voxels().end(), 1));
        score.volumeRatio = double(std::count(result.voxels().begin(), result.voxels().end(), 1)) / truthVoxels;
        std::size_t covered = 0;
        for (std::size_t n = 0; n < truth.voxelCount(); ++n) covered += truth.data()[n] && result.data()[n];
        score.recall = double(covered) / truthVoxels;
        score.shellRatio = shellRatio(truth, 1.0 / 3.0);
        scores.emplace_back(organ, score);
    }
    return scores;
}

std::string organName(int organ) {
    for (const auto& [index, name] : PhantomGenerator::organs())
        if (index == organ) return name;
    return std::to_string(organ);
}

// A synthetic scan: two overlapping balls of the same intensity (no edge between them) in darker
// tissue, with noise; used for the box-and-points-only path.
struct TwoBalls {
    FloatVolume image;
    Mask left, right;
};
TwoBalls twoBalls(const Vec3& spacing = {1.5, 1.5, 2.0}) {
    ImageGeometry g;
    g.size = {48, 32, 32};
    g.spacing = spacing;
    TwoBalls scene{FloatVolume(g, -100.0f), Mask(g, 0), Mask(g, 0)};
    std::uint64_t state = 7;
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i) {
                // Balls of radius 12 mm centred at i = 16 and i = 30 (21 mm apart: they overlap, and
                // the overlap belongs to the left one).
                const double y = (double(j) - 16) * 1.5, z = (double(k) - 16) * 2.0;
                const double xl = (double(i) - 16) * 1.5, xr = (double(i) - 30) * 1.5;
                const bool inLeft = xl * xl + y * y + z * z <= 144.0, inRight = !inLeft && xr * xr + y * y + z * z <= 144.0;
                scene.left.at(i, j, k) = inLeft;
                scene.right.at(i, j, k) = inRight;
                // Noise of SD ~10 from a sum of 4 uniforms (an LCG: independent of the code under test).
                double noise = 0;
                for (int u = 0; u < 4; ++u) {
                    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                    noise += double(state >> 11) / double(1ULL << 53) - 0.5;
                }
                scene.image.at(i, j, k) = float((inLeft || inRight ? 60.0 : -100.0) + noise * 17.3);
            }
    return scene;
}

}  // namespace

class BuiltinGeneralistTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void identityIsTheBuiltinOne() {
        const GeneralistIdentity id = BuiltinGeneralist().identity();
        QCOMPARE(QString::fromStdString(id.name), QString("builtin-growcut"));
        QCOMPARE(QString::fromStdString(id.contract), QString("builtin"));
        QCOMPARE(QString::fromStdString(id.sha256), QString("builtin-growcut-v4"));
    }

    void improvesOnTheCoarsePromptOrganByOrgan() {
        // Three phantom cases: two at 3 mm isotropic (384 x 288 x 192 mm: the anatomy at full size)
        // and one with 5 mm slices (2 x 2 x 5 mm), seed 1. 9 organs each.
        struct Setting {
            PhantomOptions options;
            int caseIndex;
        };
        std::vector<Setting> settings;
        PhantomOptions iso;
        iso.size = {128, 96, 64};
        iso.spacing = {3.0, 3.0, 3.0};
        PhantomOptions thick;
        thick.size = {160, 120, 40};
        thick.spacing = {2.0, 2.0, 5.0};
        settings.push_back({iso, 0});
        settings.push_back({iso, 1});
        settings.push_back({thick, 0});

        double sumCoarseDice = 0, sumDice = 0, sumCoarseHd = 0, sumHd = 0;
        int organs = 0;
        for (const Setting& setting : settings) {
            const auto scores = scoreCase(setting.options, setting.caseIndex);
            QCOMPARE(scores.size(), PhantomGenerator::organs().size());
            const double voxel = std::max({setting.options.spacing[0], setting.options.spacing[1], setting.options.spacing[2]});
            for (const auto& [organ, s] : scores) {
                qInfo("%4.0fx%.0fx%.0f mm case %d %-13s Dice %.3f -> %.3f  HD95 %5.2f -> %5.2f mm",
                      setting.options.spacing[0], setting.options.spacing[1], setting.options.spacing[2],
                      setting.caseIndex, organName(organ).c_str(), s.coarseDice, s.dice, s.coarseHd95, s.hd95);
                const QString what = QString("case %1, %2").arg(setting.caseIndex).arg(QString::fromStdString(organName(organ)));
                // Dice: higher for every organ.
                QVERIFY2(s.dice > s.coarseDice, qPrintable(what + ": Dice did not improve"));
                // HD95: lower for every organ but the two that share a boundary no edge shows
                // (PhantomGenerator's contract: liver/postcava touch with mean HU < 20 apart, under
                // CT noise of SD 15; measured 4-10 HU). Along that boundary the generalist can only
                // keep near the coarse one (it stays between the two organs' seed cores), which is
                // 2 voxels off in places, and that boundary is more than 5 % of the postcava's
                // surface, so its HD95 can tie the coarse one (it did on the 2 x 2 x 5 mm case:
                // 4.00 -> 4.00 mm). For those two: not worse than the coarse HD95 plus half a voxel.
                if (organ == kLiver || organ == kPostcava)
                    QVERIFY2(s.hd95 <= s.coarseHd95 + 0.5 * voxel, qPrintable(what + ": HD95 got worse"));
                else
                    QVERIFY2(s.hd95 < s.coarseHd95, qPrintable(what + ": HD95 did not improve"));
                sumCoarseDice += s.coarseDice;
                sumDice += s.dice;
                sumCoarseHd += s.coarseHd95;
                sumHd += s.hd95;
                ++organs;
            }
        }
        qInfo("mean over %d organs: Dice %.3f -> %.3f, HD95 %.2f -> %.2f mm", organs, sumCoarseDice / organs,
              sumDice / organs, sumCoarseHd / organs, sumHd / organs);
        // The means improve clearly.
        QVERIFY(sumDice / organs > sumCoarseDice / organs + 0.05);
        QVERIFY(sumHd / organs < sumCoarseHd / organs - 1.0);
    }

    void followsEdgesFromPointsAndBoxAlone() { checkPointsAndBoxAlone({1.5, 1.5, 2.0}); }

    void followsEdgesFromPointsAndBoxAloneAtCoarseSpacing() {
        // The same scene on 6 x 6 x 8 mm voxels: segmented on a grid 3x finer, then back.
        checkPointsAndBoxAlone({6.0, 6.0, 8.0});
    }

    void improvesOnTheCoarsePromptAtSixMillimetres() {
        // Two phantom cases at 6 mm (the demo's spacing; 384 x 288 x 192 mm as above), prompts
        // from 2 x 2 x 2 blocks (see the file's head).
        PhantomOptions coarse;
        coarse.size = {64, 48, 32};
        coarse.spacing = {6.0, 6.0, 6.0};
        double sumCoarseDice = 0, sumDice = 0, sumCoarseHd = 0, sumHd = 0;
        int organs = 0, diceBetter = 0;
        for (int caseIndex : {0, 1}) {
            const auto scores = scoreCase(coarse, caseIndex, 2);
            QCOMPARE(scores.size(), PhantomGenerator::organs().size());
            for (const auto& [organ, s] : scores) {
                qInfo("6 mm case %d %-13s Dice %.3f -> %.3f  HD95 %5.2f -> %5.2f mm", caseIndex,
                      organName(organ).c_str(), s.coarseDice, s.dice, s.coarseHd95, s.hd95);
                sumCoarseDice += s.coarseDice;
                sumDice += s.dice;
                sumCoarseHd += s.coarseHd95;
                sumHd += s.hd95;
                diceBetter += s.dice > s.coarseDice;
                QVERIFY2(s.dice > s.coarseDice - 0.01,
                         qPrintable(QString("case %1, %2: Dice lost more than a point").arg(caseIndex).arg(
                             QString::fromStdString(organName(organ)))));
                ++organs;
            }
        }
        qInfo("6 mm, mean over %d organs: Dice %.3f -> %.3f, HD95 %.2f -> %.2f mm; Dice better for %d", organs,
              sumCoarseDice / organs, sumDice / organs, sumCoarseHd / organs, sumHd / organs, diceBetter);
        // On average better in Dice, no worse in HD95 (at 6 mm the coarse prompt's HD95 is one
        // voxel already), and no organ loses more than a point of Dice. (Segmenting on the 6 mm
        // grid itself, as before the resampling, made it worse: Dice 0.838 -> 0.762, HD95 6 -> 25.6 mm;
        // v3, with the background seeds 2 fine voxels out: 0.860; v4: 0.901.)
        QVERIFY(sumDice / organs > sumCoarseDice / organs + 0.01);
        QVERIFY(sumHd / organs <= sumCoarseHd / organs + 1e-9);
    }

    void resamplesLessWhereARegionIsLarge() {
        // The factor by hand: 3x below 3 mm never happens (1); 6 mm asks for ceil(6 / 2) = 3x, kept
        // while region voxels x 27 <= 4,096,000 (151,703 voxels), 2x up to 512,000, else 1.
        auto region = [](std::size_t edge, double spacing) {
            ImageGeometry g;
            g.size = {edge, edge, edge};
            g.spacing = {spacing, spacing, spacing};
            return g;
        };
        QCOMPARE(BuiltinGeneralist::upsamplingFor(region(200, 3.0)), 1);
        QCOMPARE(BuiltinGeneralist::upsamplingFor(region(53, 6.0)), 3);  // 148,877 voxels
        QCOMPARE(BuiltinGeneralist::upsamplingFor(region(54, 6.0)), 2);  // 157,464
        QCOMPARE(BuiltinGeneralist::upsamplingFor(region(80, 6.0)), 2);  // 512,000
        QCOMPARE(BuiltinGeneralist::upsamplingFor(region(81, 6.0)), 1);
        QCOMPARE(BuiltinGeneralist::upsamplingFor(region(20, 4.5)), 3);  // ceil(2.25)

        // A large organ on a 6 mm grid (a ball of radius 168 mm: its region, 62^3 voxels, is
        // segmented 2x finer, not 3x) still improves on a coarse prompt of 2 x 2 x 2 blocks.
        ImageGeometry g = region(72, 6.0);
        FloatVolume image(g, 0.0f);
        Mask truth(g, 0);
        std::uint64_t state = 11;
        for (std::size_t k = 0; k < 72; ++k)
            for (std::size_t j = 0; j < 72; ++j)
                for (std::size_t i = 0; i < 72; ++i) {
                    const double x = (double(i) - 35.5) * 6, y = (double(j) - 35.5) * 6, z = (double(k) - 35.5) * 6;
                    const bool inside = x * x + y * y + z * z <= 168.0 * 168.0;
                    truth.at(i, j, k) = inside;
                    double noise = 0;  // SD ~10 (a sum of 4 uniforms from an LCG, as in twoBalls)
                    for (int u = 0; u < 4; ++u) {
                        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                        noise += double(state >> 11) / double(1ULL << 53) - 0.5;
                    }
                    image.at(i, j, k) = float((inside ? 60.0 : -100.0) + noise * 17.3);
                }
        const Mask coarse = largestComponent(coarsenByBlocks(truth, 2));
        const PromptSet prompt = promptFrom(coarse, Mask(g, 0), 1);
        QVERIFY(!prompt.absent);
        QCOMPARE(BuiltinGeneralist::upsamplingFor(g.region(prompt.region.first, prompt.region.size())), 2);
        const Mask result = paste(BuiltinGeneralist().segment(image, prompt), prompt.region, g);
        const double coarseDice = dice(coarse, truth), resultDice = dice(result, truth);
        const double coarseHd = hausdorff95(coarse, truth).value_or(1e9);
        const double resultHd = hausdorff95(result, truth).value_or(1e9);
        qInfo("6 mm ball of radius 168 mm, region %zu voxels, 2x: Dice %.4f -> %.4f, HD95 %.2f -> %.2f mm",
              prompt.region.size()[0] * prompt.region.size()[1] * prompt.region.size()[2], coarseDice, resultDice,
              coarseHd, resultHd);
        QVERIFY(resultDice > coarseDice);
        QVERIFY(resultHd <= coarseHd);
    }

    void keepsAnExactPromptAtSixMillimetres() {
        // The truth itself as the prompt (blocks of 1). Less than a tenth of it may be lost (where
        // organs touch, the other organs' seeds compete for the shared boundary): a generalist that
        // shrinks what the specialist gives it shrinks the pseudo-labels further every round (the
        // tissue term tried for v3 did: the demo's pancreas at 0.63, 0.59, 0.57 of its volume). It may
        // grow by about the shell its free band allows: at 6 mm the segmentation runs 3x finer, with
        // the background seeds 4 fine voxels out and the foreground 2 in, and the fronts meet near
        // the middle of that band, one fine voxel (a third of a voxel, 2 mm) outside the truth.
        // Bound: the truth plus a third of a voxel over each exposed face (hand-derived; faces
        // overstate a smooth surface, so it is generous); the shell's voxels are ones where the
        // generalist and an exact specialist disagree, which the selection mask keeps out of training.
        // Full-size anatomy, and the demo's 32^3 scans (the anatomy scaled down to fit 192 mm:
        // smaller organs, in fewer voxels, so the shell is a larger share of them).
        PhantomOptions full, demo;
        full.size = {64, 48, 32};
        full.spacing = demo.spacing = {6.0, 6.0, 6.0};
        demo.size = {32, 32, 32};
        for (const PhantomOptions& coarse : {full, demo})
            for (int caseIndex : {0, 1})
                for (const auto& [organ, s] : scoreCase(coarse, caseIndex, 1)) {
                    qInfo("6 mm, %zu voxels across, exact prompt, case %d %-13s Dice %.3f, covers %.3f of it, "
                          "volume %.2f x the truth's (bound %.2f)",
                          coarse.size[0], caseIndex, organName(organ).c_str(), s.dice, s.recall, s.volumeRatio,
                          s.shellRatio);
                    const QString what = QString("case %1, %2").arg(caseIndex).arg(QString::fromStdString(organName(organ)));
                    QVERIFY2(s.recall > 0.9, qPrintable(what + ": lost 10 % or more of the truth"));
                    QVERIFY2(s.volumeRatio < s.shellRatio, qPrintable(what + ": grew by more than a third of a voxel"));
                }
    }

    void isDeterministic() {
        PhantomOptions options;
        options.size = {64, 64, 48};
        options.spacing = {3.0, 3.0, 3.0};
        const PhantomCase phantom = PhantomGenerator(options).generate(2);
        const FloatVolume image = asFloat(phantom.image);
        Mask others(phantom.truth.geometry(), 0);
        const Mask coarse = largestComponent(coarsenByBlocks(organMask(phantom.truth, 1), 4));
        for (const auto& organ : PhantomGenerator::organs())
            if (organ.first != 1) {
                const Mask other = largestComponent(coarsenByBlocks(organMask(phantom.truth, organ.first), 4));
                for (std::size_t n = 0; n < others.voxelCount(); ++n) others.data()[n] |= other.data()[n];
            }
        const PromptSet prompt = promptFrom(coarse, others, 1);
        QVERIFY(!prompt.absent);
        BuiltinGeneralist first, second;
        const Mask a = first.segment(image, prompt);
        QVERIFY(a.voxels() == first.segment(image, prompt).voxels());
        QVERIFY(a.voxels() == second.segment(image, prompt).voxels());
        QVERIFY(std::count(a.voxels().begin(), a.voxels().end(), 1) > 0);
    }

    void refusesBadPrompts() {
        const TwoBalls scene = twoBalls();
        PromptSet good;
        good.organ = 1;
        good.box = {{6, 6, 9}, {26, 26, 23}};
        good.region = {{2, 2, 4}, {46, 30, 28}};
        good.positivePoints = {{16, 16, 16}};
        BuiltinGeneralist generalist;
        auto errorFor = [&](const PromptSet& prompt) -> QString {
            try {
                generalist.segment(scene.image, prompt);
            } catch (const Error& error) {
                return QString::fromStdString(error.what());
            }
            return {};
        };
        QVERIFY(errorFor(good).isEmpty());

        PromptSet absent = good;
        absent.absent = true;
        QVERIFY(errorFor(absent).contains("absent"));

        PromptSet outside = good;
        outside.region.end = {49, 30, 28};  // the image is 48 voxels along i
        QVERIFY(errorFor(outside).contains("outside the image"));

        PromptSet empty = good;
        empty.region.end = empty.region.first;
        QVERIFY(errorFor(empty).contains("empty"));

        PromptSet wrongGrid = good;
        wrongGrid.coarse = Mask(scene.image.geometry(), 0);  // the whole scan's grid, not the region's
        QVERIFY(errorFor(wrongGrid).contains("coarse mask is not on the region's grid"));

        PromptSet farPoint = good;
        farPoint.negativePoints = {{0, 0, 0}};
        QVERIFY(errorFor(farPoint).contains("negative point (0, 0, 0) lies outside"));

        PromptSet nothing = good;
        nothing.positivePoints.clear();
        QVERIFY(errorFor(nothing).contains("no foreground"));
    }

private:
    // No coarse mask: a positive point in the left ball, a negative point in the right one (same
    // intensity, overlapping, no edge between them), the region around both.
    static void checkPointsAndBoxAlone(const Vec3& spacing) {
        const TwoBalls scene = twoBalls(spacing);
        PromptSet prompt;
        prompt.organ = 1;
        prompt.box = {{6, 6, 9}, {26, 26, 23}};
        prompt.region = {{2, 2, 4}, {46, 30, 28}};
        prompt.positivePoints = {{16, 16, 16}};
        prompt.negativePoints = {{30, 16, 16}};
        const Mask result = BuiltinGeneralist().segment(scene.image, prompt);
        QCOMPARE(result.size(), prompt.region.size());
        QVERIFY(result.geometry().sameGrid(scene.image.geometry().region(prompt.region.first, prompt.region.size())));
        const Mask full = paste(result, prompt.region, scene.image.geometry());
        const double d = dice(full, scene.left);
        qInfo("box and points only, %.1f x %.1f x %.1f mm: Dice %.3f against the left ball", spacing[0], spacing[1],
              spacing[2], d);
        QVERIFY2(d > 0.85, qPrintable(QString("Dice %1").arg(d)));
        QCOMPARE(int(full.at(16, 16, 16)), 1);
        QCOMPARE(int(full.at(30, 16, 16)), 0);
        for (std::uint8_t v : result.voxels()) QVERIFY(v == 0 || v == 1);
    }
};

QTEST_APPLESS_MAIN(BuiltinGeneralistTest)
#include "BuiltinGeneralistTest.moc"
