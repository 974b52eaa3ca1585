#include "PartialLabelLoss.h"

#include <limits>

namespace ipnp {

namespace {

// Denominators are clamped rather than guarded with torch::where: a where() leaves the
// unselected branch in the graph, and its 0/0 would still poison the gradient with NaN.
constexpr double kTinyDenominator = 1e-12;

torch::Tensor safeDivide(const torch::Tensor& numerator, const torch::Tensor& denominator) {
    return numerator / denominator.clamp_min(kTinyDenominator);
}

// Sums [B, C, D, H, W] over the voxels, giving [B, C].
torch::Tensor sumVoxels(const torch::Tensor& x) {
    return x.sum({2, 3, 4});
}

// The labeled set with channel 0 forced in: background is labeled by definition, whatever the caller passed.
torch::Tensor labeledWithBackground(const torch::Tensor& labeled, const torch::Tensor& logits) {
    TORCH_CHECK(labeled.dim() == 2 && labeled.size(0) == logits.size(0) && labeled.size(1) == logits.size(1),
                "partial-label loss: labeled must be [B, C] matching the logits");
    torch::Tensor result = labeled.to(logits.device(), torch::kBool).clone();
    result.select(1, 0).fill_(true);
    return result;
}

// The marginal of marginalLogProbabilities, from a plain log-softmax and a labeled set that has channel 0.
torch::Tensor marginalFromLogProbabilities(const torch::Tensor& logProbabilities, const torch::Tensor& isLabeled) {
    const torch::Tensor labeled5 = isLabeled.view({isLabeled.size(0), isLabeled.size(1), 1, 1, 1});
    const double negInf = -std::numeric_limits<double>::infinity();

    // Background merges channel 0 with every unlabeled organ. Channel 0 is always in the set, so the
    // logsumexp is finite and its backward (exp(x - result)) sends exactly 0 to the -inf entries.
    torch::Tensor mergedSet = isLabeled.logical_not();
    mergedSet.select(1, 0).fill_(true);
    const torch::Tensor merged5 = mergedSet.view_as(labeled5);
    const torch::Tensor background =
        torch::logsumexp(logProbabilities.masked_fill(merged5.logical_not(), negInf), {1}, true);

    const torch::Tensor organs = logProbabilities.masked_fill(labeled5.logical_not(), negInf);
    return torch::cat({background, organs.slice(1, 1)}, 1);
}

// The inputs brought to float32 on the logits' device, with the derived masks the terms share.
struct Prepared {
    torch::Tensor logProbabilities;  // [B, C, D, H, W] plain log-softmax
    torch::Tensor probabilities;     // [B, C, D, H, W] plain softmax
    torch::Tensor marginal;          // [B, C, D, H, W] marginal log-probabilities
    torch::Tensor target;            // [B, 1, D, H, W] int64, 0 at invalid voxels
    torch::Tensor valid;             // [B, 1, D, H, W] float
    torch::Tensor organLabeled;      // [B, C] float, channel 0 excluded
    torch::Tensor organUnlabeled;    // [B, C] float, channel 0 excluded
};

torch::Tensor validMask(const PartialLabelTargets& targets, const torch::Tensor& logits) {
    const auto options = torch::TensorOptions().dtype(torch::kFloat).device(logits.device());
    if (!targets.valid.defined()) {
        return torch::ones({logits.size(0), 1, logits.size(2), logits.size(3), logits.size(4)}, options);
    }
    TORCH_CHECK(targets.valid.sizes().equals(targets.target.sizes()), "partial-label loss: valid must match target");
    return targets.valid.to(options).unsqueeze(1);
}

// Every target must be a channel index, and a valid voxel may only name a labeled channel: an
// unlabeled one has marginal probability 0 and would make the loss infinite. Invalid voxels are
// free (they are ignored). This costs one host synchronisation per call.
void checkTargets(const torch::Tensor& target, const torch::Tensor& valid, const torch::Tensor& labeled) {
    const int64_t channels = labeled.size(1);
    const torch::Tensor inRange = target.ge(0).logical_and(target.lt(channels));
    const torch::Tensor index = target.clamp(0, channels - 1).flatten(1);
    const torch::Tensor labeledAtTarget = labeled.gather(1, index).view_as(target);
    const torch::Tensor ok = inRange.logical_and(labeledAtTarget.logical_or(valid.le(0)));
    TORCH_CHECK(ok.all().item<bool>(),
                "partial-label loss: target holds a channel out of range, or an unlabeled channel at a valid voxel");
}

Prepared prepare(const torch::Tensor& logits, const PartialLabelTargets& targets) {
    TORCH_CHECK(logits.dim() == 5, "partial-label loss: logits must be [B, C, D, H, W]");
    TORCH_CHECK(logits.size(1) >= 1, "partial-label loss: logits need a background channel");
    TORCH_CHECK(targets.target.dim() == 4 && targets.target.size(0) == logits.size(0) &&
                    targets.target.sizes().slice(1).equals(logits.sizes().slice(2)),
                "partial-label loss: target must be [B, D, H, W] matching the logits");
    const torch::Tensor logits32 = logits.to(torch::kFloat);
    const torch::Tensor labeled = labeledWithBackground(targets.labeled, logits32);

    Prepared p;
    p.valid = validMask(targets, logits32);
    const torch::Tensor target = targets.target.to(logits32.device(), torch::kLong).unsqueeze(1);
    checkTargets(target, p.valid, labeled);
    // Invalid voxels may name any channel; pointing them at background keeps every gathered
    // log-probability finite, so the 0 weight never multiplies an infinity.
    p.target = target.masked_fill(p.valid.le(0), 0);

    p.logProbabilities = torch::log_softmax(logits32, 1);
    p.probabilities = p.logProbabilities.exp();
    p.marginal = marginalFromLogProbabilities(p.logProbabilities, labeled);

    torch::Tensor organ = torch::ones_like(labeled);
    organ.select(1, 0).fill_(false);
    p.organLabeled = labeled.logical_and(organ).to(torch::kFloat);
    p.organUnlabeled = labeled.logical_not().logical_and(organ).to(torch::kFloat);
    return p;
}

// Mean over valid voxels of -log p'(target), per sample, then over the batch.
torch::Tensor crossEntropyTerm(const Prepared& p) {
    const torch::Tensor nll = -p.marginal.gather(1, p.target);
    const torch::Tensor perSample = safeDivide((nll * p.valid).sum({1, 2, 3, 4}), p.valid.sum({1, 2, 3, 4}));
    return perSample.mean();
}

// The soft Dice ratio (2 sum v a b + smooth) / (sum v a + sum v b + smooth) per sample and channel.
torch::Tensor diceRatio(const torch::Tensor& intersection, const torch::Tensor& sumA, const torch::Tensor& sumB,
                        double smooth) {
    return safeDivide(2.0 * intersection + smooth, sumA + sumB + smooth);
}

// 1 - mean over labeled organs of the Dice ratio; p'_c = p_c for labeled organs, so the plain
// softmax is used. (count - sum) / max(count, 1) gives 0 for a sample with no labeled organ.
torch::Tensor diceTerm(const Prepared& p, const torch::Tensor& probabilitySums, double smooth) {
    const int64_t channels = p.probabilities.size(1);
    const torch::Tensor oneHot =
        torch::one_hot(p.target.squeeze(1), channels).permute({0, 4, 1, 2, 3}).to(torch::kFloat);
    const torch::Tensor intersection = sumVoxels(p.valid * p.probabilities * oneHot);
    const torch::Tensor ratio = diceRatio(intersection, probabilitySums, sumVoxels(p.valid * oneHot), smooth);
    const torch::Tensor count = p.organLabeled.sum(1);
    const torch::Tensor perSample = (count - (ratio * p.organLabeled).sum(1)) / count.clamp_min(1.0);
    return perSample.mean();
}

// Mean over unlabeled organs of the overlap of their plain softmax with the union of the
// labeled organs; 0 when a sample has no unlabeled organ or no labeled voxel.
torch::Tensor exclusionTerm(const Prepared& p, const torch::Tensor& probabilitySums, double smooth) {
    const torch::Tensor unionMask = p.target.gt(0).to(torch::kFloat);
    const torch::Tensor unionSum = sumVoxels(p.valid * unionMask);  // [B, 1]
    const torch::Tensor intersection = sumVoxels(p.valid * p.probabilities * unionMask);
    const torch::Tensor ratio = diceRatio(intersection, probabilitySums, unionSum, smooth);
    const torch::Tensor count = p.organUnlabeled.sum(1);
    const torch::Tensor hasUnion = unionSum.squeeze(1).gt(0).to(torch::kFloat);
    const torch::Tensor perSample = (ratio * p.organUnlabeled).sum(1) / count.clamp_min(1.0) * hasUnion;
    return perSample.mean();
}

}  // namespace

torch::Tensor marginalLogProbabilities(const torch::Tensor& logits, const torch::Tensor& labeled) {
    TORCH_CHECK(logits.dim() == 5, "marginalLogProbabilities: logits must be [B, C, D, H, W]");
    const torch::Tensor logits32 = logits.to(torch::kFloat);
    return marginalFromLogProbabilities(torch::log_softmax(logits32, 1), labeledWithBackground(labeled, logits32));
}

PartialLabelLossTerms partialLabelLoss(const torch::Tensor& logits, const PartialLabelTargets& targets,
                                       const PartialLabelLossWeights& weights) {
    const Prepared p = prepare(logits, targets);
    const torch::Tensor probabilitySums = sumVoxels(p.valid * p.probabilities);

    PartialLabelLossTerms terms;
    terms.crossEntropy = crossEntropyTerm(p);
    terms.dice = diceTerm(p, probabilitySums, weights.smooth);
    terms.exclusion = exclusionTerm(p, probabilitySums, weights.smooth);
    terms.total = weights.crossEntropy * terms.crossEntropy + weights.dice * terms.dice +
                  weights.exclusion * terms.exclusion;
    return terms;
}

PartialLabelLossTerms deepSupervisionLoss(const std::vector<torch::Tensor>& outputs, const PartialLabelTargets& targets,
                                     const PartialLabelLossWeights& weights) {
    using torch::indexing::None;
    using torch::indexing::Slice;
    PartialLabelLossTerms sum;
    double norm = 0;
    for (std::size_t k = 0; k < outputs.size(); ++k) norm += 1.0 / (1 << k);
    for (std::size_t k = 0; k < outputs.size(); ++k) {
        const long stride = 1L << k;
        const auto every = Slice(None, None, stride);
        PartialLabelTargets scaled{targets.target.index({Slice(), every, every, every}), targets.labeled,
                                   targets.valid.index({Slice(), every, every, every})};
        const PartialLabelLossTerms terms = partialLabelLoss(outputs[k], scaled, weights);
        const double w = (1.0 / stride) / norm;
        if (k == 0) {
            sum = {terms.crossEntropy * w, terms.dice * w, terms.exclusion * w, terms.total * w};
        } else {
            sum.crossEntropy = sum.crossEntropy + terms.crossEntropy * w;
            sum.dice = sum.dice + terms.dice * w;
            sum.exclusion = sum.exclusion + terms.exclusion * w;
            sum.total = sum.total + terms.total * w;
        }
    }
    return sum;
}

}  // namespace ipnp
