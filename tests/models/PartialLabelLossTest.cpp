#include <torch/torch.h>

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "PartialLabelLoss.h"

using namespace ipnp;

namespace {

const double kLn2 = std::log(2.0);

// Logits [1, C, 1, 1, W] written voxel by voxel, so the hand-chosen softmax of each voxel reads in one row.
torch::Tensor voxelLogits(const std::vector<std::vector<double>>& voxels) {
    std::vector<double> flat;
    for (const auto& voxel : voxels) {
        flat.insert(flat.end(), voxel.begin(), voxel.end());
    }
    const auto width = static_cast<int64_t>(voxels.size());
    const auto channels = static_cast<int64_t>(voxels.front().size());
    return torch::tensor(flat, torch::kFloat).view({width, channels}).t().contiguous().view({1, channels, 1, 1, width});
}

// The two-voxel example most tests share (C = 3, W = 2):
//   voxel 0: logits [0, ln 2, 0]     -> exp [1, 2, 1] / 4 -> p = [1/4, 1/2, 1/4]
//   voxel 1: logits [ln 3, 0, ln 4]  -> exp [3, 1, 4] / 8 -> p = [3/8, 1/8, 1/2]
std::vector<std::vector<double>> exampleVoxels() {
    return {{0.0, kLn2, 0.0}, {std::log(3.0), 0.0, std::log(4.0)}};
}

torch::Tensor labeledRow(std::vector<int64_t> flags) {
    const auto channels = static_cast<int64_t>(flags.size());
    return torch::tensor(flags, torch::kLong).to(torch::kBool).view({1, channels});
}

torch::Tensor targetRow(std::vector<int64_t> channels) {
    const auto width = static_cast<int64_t>(channels.size());
    return torch::tensor(channels, torch::kLong).view({1, 1, 1, width});
}

PartialLabelTargets targets(torch::Tensor target, torch::Tensor labeled, torch::Tensor valid = {}) {
    PartialLabelTargets t;
    t.target = std::move(target);
    t.labeled = std::move(labeled);
    t.valid = std::move(valid);
    return t;
}

// smooth = 0 keeps the hand-computed Dice ratios exact fractions.
PartialLabelLossWeights noSmoothing() {
    PartialLabelLossWeights w;
    w.smooth = 0.0;
    return w;
}

double value(const torch::Tensor& scalar) {
    return scalar.item<double>();
}

bool isNear(double actual, double expected, double tolerance = 1e-5) {
    return std::abs(actual - expected) <= tolerance * std::max(1.0, std::abs(expected));
}

QByteArray mismatch(double actual, double expected) {
    return QByteArray("actual ") + QByteArray::number(actual, 'g', 10) + " expected " +
           QByteArray::number(expected, 'g', 10);
}

bool allFinite(const torch::Tensor& t) {
    return torch::isfinite(t).all().item<bool>();
}

}  // namespace

// Not CHECK_NEAR: glog, pulled in by LibTorch, defines that.
#define COMPARE_NEAR(actual, expected)                        \
    do {                                                      \
        const double a_ = (actual);                           \
        const double e_ = (expected);                         \
        QVERIFY2(isNear(a_, e_), mismatch(a_, e_).constData()); \
    } while (false)

class PartialLabelLossTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Channel 2 unlabeled: p'(bg) = p0 + p2 = [1/4 + 1/4, 3/8 + 1/2] = [1/2, 7/8];
    // p'(1) = p1 = [1/2, 1/8]; channel 2 is -inf.
    void marginalLogProbabilitiesMergeUnlabeledIntoBackground() {
        const torch::Tensor marginal = marginalLogProbabilities(voxelLogits(exampleVoxels()), labeledRow({1, 1, 0}));
        QCOMPARE(marginal.sizes().vec(), (std::vector<int64_t>{1, 3, 1, 1, 2}));
        QCOMPARE(marginal.scalar_type(), torch::kFloat);
        const torch::Tensor p = marginal.exp().view({3, 2});
        COMPARE_NEAR(value(p[0][0]), 0.5);
        COMPARE_NEAR(value(p[0][1]), 7.0 / 8.0);
        COMPARE_NEAR(value(p[1][0]), 0.5);
        COMPARE_NEAR(value(p[1][1]), 1.0 / 8.0);
        const torch::Tensor unlabeled = marginal.view({3, 2})[2];
        QVERIFY(torch::isinf(unlabeled).all().item<bool>());
        QVERIFY(unlabeled.lt(0).all().item<bool>());

        // Background is labeled by definition: a caller's false in channel 0 changes nothing.
        const torch::Tensor again = marginalLogProbabilities(voxelLogits(exampleVoxels()), labeledRow({0, 1, 0}));
        QVERIFY(torch::equal(again, marginal));
    }

    // All labeled: the marginal is the plain softmax, [1/4, 1/2, 1/4] and [3/8, 1/8, 1/2].
    void marginalLogProbabilitiesAllLabeledArePlainSoftmax() {
        const torch::Tensor p = marginalLogProbabilities(voxelLogits(exampleVoxels()), labeledRow({1, 1, 1})).exp();
        const torch::Tensor expected = torch::tensor({0.25, 0.375, 0.5, 0.125, 0.25, 0.5}, torch::kFloat);
        QVERIFY(torch::allclose(p.view({6}), expected, 1e-6, 1e-7));
    }

    // Target [0, 1], channel 2 unlabeled: -(ln p'(bg)@0 + ln p'(1)@1) / 2 = -(ln 1/2 + ln 1/8) / 2 = 2 ln 2.
    // Target [1, 0]: -(ln 1/2 + ln 7/8) / 2 = (ln 2 + ln 8/7) / 2.
    void marginalCrossEntropyByHand() {
        const torch::Tensor logits = voxelLogits(exampleVoxels());
        const auto first = partialLabelLoss(logits, targets(targetRow({0, 1}), labeledRow({1, 1, 0})));
        COMPARE_NEAR(value(first.crossEntropy), 2.0 * kLn2);
        const auto second = partialLabelLoss(logits, targets(targetRow({1, 0}), labeledRow({1, 1, 0})));
        COMPARE_NEAR(value(second.crossEntropy), (kLn2 + std::log(8.0 / 7.0)) / 2.0);
    }

    // Labeled organ 1 only, target [0, 1]: p1 = [1/2, 1/8], g1 = [0, 1].
    //   sum p g = 1/8, sum p = 5/8, sum g = 1.
    //   smooth 0: ratio = (2/8) / (13/8) = 2/13, Dice = 11/13.
    //   smooth 1: ratio = (1/4 + 1) / (13/8 + 1) = 10/21, Dice = 11/21.
    // All labeled: organ 2 has p2 = [1/4, 1/2], g2 = [0, 0]: ratio = 0 / (3/4) = 0,
    //   Dice = 1 - (2/13 + 0) / 2 = 12/13.
    void marginalDiceByHand() {
        const torch::Tensor logits = voxelLogits(exampleVoxels());
        const auto sparse = partialLabelLoss(logits, targets(targetRow({0, 1}), labeledRow({1, 1, 0})), noSmoothing());
        COMPARE_NEAR(value(sparse.dice), 11.0 / 13.0);

        PartialLabelLossWeights smoothOne;
        smoothOne.smooth = 1.0;
        const auto smoothed = partialLabelLoss(logits, targets(targetRow({0, 1}), labeledRow({1, 1, 0})), smoothOne);
        COMPARE_NEAR(value(smoothed.dice), 11.0 / 21.0);

        const auto full = partialLabelLoss(logits, targets(targetRow({0, 1}), labeledRow({1, 1, 1})), noSmoothing());
        COMPARE_NEAR(value(full.dice), 12.0 / 13.0);
    }

    // Unlabeled organ 2, union of labeled organs e = [0, 1] (target [0, 1]), p2 = [1/4, 1/2]:
    //   sum p2 e = 1/2, sum p2 = 3/4, sum e = 1.
    //   smooth 0: (2 * 1/2) / (7/4) = 4/7;  smooth 1: (1 + 1) / (7/4 + 1) = 8/11.
    // All labeled: no unlabeled organ, 0.
    void exclusionByHand() {
        const torch::Tensor logits = voxelLogits(exampleVoxels());
        const auto plain = partialLabelLoss(logits, targets(targetRow({0, 1}), labeledRow({1, 1, 0})), noSmoothing());
        COMPARE_NEAR(value(plain.exclusion), 4.0 / 7.0);

        PartialLabelLossWeights smoothOne;
        smoothOne.smooth = 1.0;
        const auto smoothed = partialLabelLoss(logits, targets(targetRow({0, 1}), labeledRow({1, 1, 0})), smoothOne);
        COMPARE_NEAR(value(smoothed.exclusion), 8.0 / 11.0);

        const auto full = partialLabelLoss(logits, targets(targetRow({0, 1}), labeledRow({1, 1, 1})));
        QCOMPARE(value(full.exclusion), 0.0);
    }

    // Target [0, 0] with organ 1 labeled and smooth 1: e is empty, so exclusion is exactly 0 (the raw
    // ratio would be 1 / (3/4 + 1) = 4/7). Dice: sum p1 g1 = 0, sum p1 = 5/8, sum g1 = 0:
    // ratio = 1 / (5/8 + 1) = 8/13, Dice = 5/13.
    void emptyUnionGivesNoExclusion() {
        PartialLabelLossWeights smoothOne;
        smoothOne.smooth = 1.0;
        const auto terms = partialLabelLoss(voxelLogits(exampleVoxels()),
                                            targets(targetRow({0, 0}), labeledRow({1, 1, 0})), smoothOne);
        QCOMPARE(value(terms.exclusion), 0.0);
        COMPARE_NEAR(value(terms.dice), 5.0 / 13.0);
    }

    // No labeled organ: every channel merges into background, p'(bg) = 1, so CE = -ln 1 = 0;
    // Dice contributes 0 by definition, exclusion is 0 (e empty).
    void sampleWithoutLabeledOrgans() {
        const auto terms = partialLabelLoss(voxelLogits(exampleVoxels()),
                                            targets(targetRow({0, 0}), labeledRow({1, 0, 0})), noSmoothing());
        COMPARE_NEAR(value(terms.crossEntropy), 0.0);
        QCOMPARE(value(terms.dice), 0.0);
        QCOMPARE(value(terms.exclusion), 0.0);
    }

    // Hand values above (smooth 0): CE 2 ln 2, Dice 11/13, exclusion 4/7.
    // Weights 2, 0.5, 3: total = 4 ln 2 + 11/26 + 12/7.
    void totalIsWeightedSum() {
        PartialLabelLossWeights w = noSmoothing();
        w.crossEntropy = 2.0;
        w.dice = 0.5;
        w.exclusion = 3.0;
        const auto terms =
            partialLabelLoss(voxelLogits(exampleVoxels()), targets(targetRow({0, 1}), labeledRow({1, 1, 0})), w);
        COMPARE_NEAR(value(terms.total), 4.0 * kLn2 + 11.0 / 26.0 + 12.0 / 7.0);
        QCOMPARE(terms.total.dim(), int64_t(0));
    }

    // A third voxel with valid = 0 is appended with two unrelated logits/targets (the second names the
    // unlabeled channel 2, allowed where nothing counts). Both calls must agree exactly and give the
    // two-voxel hand values: CE 2 ln 2, Dice 11/13, exclusion 4/7; that voxel gets no gradient.
    void invalidVoxelsContributeNothing() {
        auto voxelsA = exampleVoxels();
        auto voxelsB = exampleVoxels();
        voxelsA.push_back({5.0, -3.0, 7.0});
        voxelsB.push_back({-2.0, 4.0, 0.0});
        const torch::Tensor valid = torch::tensor({1.0, 1.0, 0.0}, torch::kFloat).view({1, 1, 1, 3});
        const torch::Tensor logitsA = voxelLogits(voxelsA).requires_grad_(true);
        const torch::Tensor logitsB = voxelLogits(voxelsB);

        const auto a = partialLabelLoss(logitsA, targets(targetRow({0, 1, 1}), labeledRow({1, 1, 0}), valid),
                                        noSmoothing());
        const auto b = partialLabelLoss(logitsB, targets(targetRow({0, 1, 2}), labeledRow({1, 1, 0}), valid),
                                        noSmoothing());
        QVERIFY(torch::equal(a.crossEntropy, b.crossEntropy));
        QVERIFY(torch::equal(a.dice, b.dice));
        QVERIFY(torch::equal(a.exclusion, b.exclusion));
        QVERIFY(torch::equal(a.total, b.total));
        COMPARE_NEAR(value(a.crossEntropy), 2.0 * kLn2);
        COMPARE_NEAR(value(a.dice), 11.0 / 13.0);
        COMPARE_NEAR(value(a.exclusion), 4.0 / 7.0);

        a.total.backward();
        const torch::Tensor masked = logitsA.grad().view({3, 3}).select(1, 2);
        QVERIFY(torch::equal(masked, torch::zeros({3})));
    }

    // Every channel labeled: p'(t) = p(t), so the marginal CE is plain cross-entropy. By hand,
    // target [0, 1]: -(ln 1/4 + ln 1/8) / 2 = 5/2 ln 2; on random data, torch's cross_entropy.
    void allLabeledIsPlainCrossEntropy() {
        const auto hand = partialLabelLoss(voxelLogits(exampleVoxels()),
                                           targets(targetRow({0, 1}), labeledRow({1, 1, 1})));
        COMPARE_NEAR(value(hand.crossEntropy), 2.5 * kLn2);

        torch::manual_seed(7);
        const torch::Tensor logits = 3.0 * torch::randn({2, 4, 2, 3, 2});
        const torch::Tensor target = torch::randint(0, 4, {2, 2, 3, 2}, torch::kLong);
        const torch::Tensor labeled = torch::ones({2, 4}, torch::kBool);
        const auto terms = partialLabelLoss(logits, targets(target, labeled));
        const torch::Tensor reference = torch::nn::functional::cross_entropy(logits, target);
        COMPARE_NEAR(value(terms.crossEntropy), value(reference));
    }

    // CE gradient by hand (Dice and exclusion weighted 0), per voxel divided by the 2 voxels:
    //   dL/dz_k = p_k - [k in S] p_k / p'(S), S the target's merged set.
    //   voxel 0, target bg, S = {0, 2}, p'(S) = 1/2: [1/4 - 1/2, 1/2, 1/4 - 1/2] / 2 = [-1/8, 1/4, -1/8].
    //   voxel 1, target 1,  S = {1}:                 [3/8, 1/8 - 1, 1/2] / 2      = [3/16, -7/16, 1/4].
    void crossEntropyGradientByHand() {
        PartialLabelLossWeights ceOnly;
        ceOnly.dice = 0.0;
        ceOnly.exclusion = 0.0;
        const torch::Tensor logits = voxelLogits(exampleVoxels()).requires_grad_(true);
        partialLabelLoss(logits, targets(targetRow({0, 1}), labeledRow({1, 1, 0})), ceOnly).total.backward();
        const torch::Tensor grad = logits.grad().view({3, 2}).t();  // [voxel, channel]
        const torch::Tensor expected =
            torch::tensor({-0.125, 0.25, -0.125, 0.1875, -0.4375, 0.25}, torch::kFloat).view({2, 3});
        QVERIFY2(torch::allclose(grad, expected, 1e-5, 1e-6), "gradient differs from the hand values");
    }

    // Unlabeled channels (marginal -inf) and extreme logits must leave the loss and gradients finite.
    void gradientsFiniteWithUnlabeledChannels() {
        torch::manual_seed(3);
        torch::Tensor raw = 200.0 * torch::randn({2, 4, 2, 2, 3});
        raw.select(1, 3).fill_(-1000.0);  // an unlabeled organ that is never predicted
        const torch::Tensor logits = raw.requires_grad_(true);
        const torch::Tensor target = torch::randint(0, 2, {2, 2, 2, 3}, torch::kLong);  // organ 1 or background
        const torch::Tensor labeled =
            torch::tensor({1, 1, 0, 0, 1, 1, 1, 0}, torch::kLong).to(torch::kBool).view({2, 4});
        const torch::Tensor valid = torch::randint(0, 2, {2, 2, 2, 3}).to(torch::kFloat);
        const auto terms = partialLabelLoss(logits, targets(target, labeled, valid));
        QVERIFY(allFinite(terms.total));
        terms.total.backward();
        QVERIFY(allFinite(logits.grad()));

        PartialLabelLossWeights ceOnly;
        ceOnly.dice = 0.0;
        ceOnly.exclusion = 0.0;
        const torch::Tensor small = torch::randn({1, 3, 1, 2, 2}).requires_grad_(true);
        partialLabelLoss(small, targets(torch::zeros({1, 1, 2, 2}, torch::kLong), labeledRow({1, 0, 0})), ceOnly)
            .total.backward();
        QVERIFY(allFinite(small.grad()));
    }

    // Sample 0: the example with organ 2 unlabeled (CE 2 ln 2, Dice 11/13, exclusion 4/7); sample 1: the same
    // voxels all labeled (CE 5/2 ln 2, Dice 12/13, exclusion 0). Batch: CE 9/4 ln 2, Dice 23/26, exclusion 2/7.
    void batchAveragesSamplesWithDifferentLabeledSets() {
        const torch::Tensor logits = voxelLogits(exampleVoxels()).repeat({2, 1, 1, 1, 1});
        const torch::Tensor target = targetRow({0, 1}).repeat({2, 1, 1, 1});
        const torch::Tensor labeled = torch::cat({labeledRow({1, 1, 0}), labeledRow({1, 1, 1})});
        const auto terms = partialLabelLoss(logits, targets(target, labeled), noSmoothing());
        COMPARE_NEAR(value(terms.crossEntropy), 2.25 * kLn2);
        COMPARE_NEAR(value(terms.dice), 23.0 / 26.0);
        COMPARE_NEAR(value(terms.exclusion), 2.0 / 7.0);
    }

    // Random batch of 2 with labeled sets {0, 1, 3} and {0, 2} and a random selection mask: each term of the
    // batch is the mean of the two single-sample terms.
    void batchEqualsMeanOfSingleSamples() {
        torch::manual_seed(11);
        const torch::Tensor logits = 2.0 * torch::randn({2, 4, 2, 3, 3});
        const torch::Tensor labeled =
            torch::tensor({1, 1, 0, 1, 1, 0, 1, 0}, torch::kLong).to(torch::kBool).view({2, 4});
        // Sample 0 draws its targets from {0, 1, 3}, sample 1 from {0, 2}.
        const torch::Tensor choice0 = torch::tensor({0, 1, 3}, torch::kLong);
        const torch::Tensor choice1 = torch::tensor({0, 2}, torch::kLong);
        const torch::Tensor target = torch::stack({choice0.index_select(0, torch::randint(0, 3, {18}, torch::kLong)),
                                                   choice1.index_select(0, torch::randint(0, 2, {18}, torch::kLong))})
                                         .view({2, 2, 3, 3});
        const torch::Tensor valid = torch::randint(0, 2, {2, 2, 3, 3}).to(torch::kFloat);
        valid.view({2, 18}).select(1, 0).fill_(1.0);  // each sample keeps at least one voxel

        const auto batch = partialLabelLoss(logits, targets(target, labeled, valid));
        PartialLabelLossTerms single[2];
        for (int64_t b = 0; b < 2; ++b) {
            const auto slice = [b](const torch::Tensor& t) { return t.narrow(0, b, 1); };
            single[b] = partialLabelLoss(slice(logits), targets(slice(target), slice(labeled), slice(valid)));
        }
        COMPARE_NEAR(value(batch.crossEntropy), (value(single[0].crossEntropy) + value(single[1].crossEntropy)) / 2);
        COMPARE_NEAR(value(batch.dice), (value(single[0].dice) + value(single[1].dice)) / 2);
        COMPARE_NEAR(value(batch.exclusion), (value(single[0].exclusion) + value(single[1].exclusion)) / 2);
        COMPARE_NEAR(value(batch.total), (value(single[0].total) + value(single[1].total)) / 2);
        QVERIFY(value(single[0].exclusion) > 0.0);  // the exclusion term is exercised, not trivially 0
    }

    // bf16 logits of 0 are exact: p = 1/3 everywhere. Organ 2 unlabeled, target [0, 1]:
    //   CE = -(ln 2/3 + ln 1/3) / 2 = (ln 3/2 + ln 3) / 2;
    //   Dice: sum p1 g1 = 1/3, sum p1 = 2/3, sum g1 = 1 -> ratio (2/3) / (5/3) = 2/5, Dice 3/5;
    //   exclusion: sum p2 e = 1/3, sum p2 = 2/3, sum e = 1 -> 2/5.
    void reducedPrecisionLogitsComputeInFloat() {
        const torch::Tensor logits = torch::zeros({1, 3, 1, 1, 2}, torch::kBFloat16).requires_grad_(true);
        const auto terms =
            partialLabelLoss(logits, targets(targetRow({0, 1}), labeledRow({1, 1, 0})), noSmoothing());
        QCOMPARE(terms.total.scalar_type(), torch::kFloat);
        COMPARE_NEAR(value(terms.crossEntropy), (std::log(1.5) + std::log(3.0)) / 2.0);
        COMPARE_NEAR(value(terms.dice), 3.0 / 5.0);
        COMPARE_NEAR(value(terms.exclusion), 2.0 / 5.0);
        terms.total.backward();
        QCOMPARE(logits.grad().scalar_type(), torch::kBFloat16);
        QVERIFY(allFinite(logits.grad().to(torch::kFloat)));
    }

    // A valid voxel naming an unlabeled channel has marginal probability 0 (infinite loss): refused.
    void unlabeledTargetAtValidVoxelIsRejected() {
        bool threw = false;
        try {
            partialLabelLoss(voxelLogits(exampleVoxels()), targets(targetRow({0, 2}), labeledRow({1, 1, 0})));
        } catch (const c10::Error&) {
            threw = true;
        }
        QVERIFY(threw);
    }
};

QTEST_APPLESS_MAIN(PartialLabelLossTest)
#include "PartialLabelLossTest.moc"
