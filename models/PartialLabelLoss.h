#pragma once
// The partial-label losses of DESIGN.md step 1 (models/ only: this header includes LibTorch).
// A sample b has a labeled set L(b) of organ channels; the other organ channels U(b) may be
// anywhere in its unlabeled voxels, so they are merged into background before the loss:
//   marginal log p'(background) = logsumexp over {0} u U(b) of log softmax(logits),
//   marginal log p'(c) = log softmax(logits)_c for c in L(b).
// Terms, each averaged over the batch:
//   - marginal cross-entropy: mean over valid voxels of -log p'(target);
//   - marginal soft Dice: 1 - mean over c in L(b) (background excluded) of
//     (2 sum v p'_c g_c + smooth) / (sum v p'_c + sum v g_c + smooth), v = valid mask, g = one-hot target;
//     a sample with no labeled organ contributes 0;
//   - exclusion: mean over c in U(b) of (2 sum v p_c e + smooth) / (sum v p_c + sum v e + smooth)
//     with p_c the plain softmax of organ c and e the union of the sample's labeled organs
//     (an unlabeled organ must not be predicted where a labeled organ is); 0 when U(b) or e is empty.
// Voxels with valid = 0 (outside the selection mask of an accepted pseudo-label) contribute nothing.
#include <torch/torch.h>

namespace ipnp {

struct PartialLabelTargets {
    torch::Tensor target;   // [B, D, H, W] int64: channel of the labeled organ at each voxel, 0 elsewhere
    torch::Tensor labeled;  // [B, C] bool: channel c is in L(b); channel 0 (background) is always true
    torch::Tensor valid;    // [B, D, H, W] float 0/1 selection mask; undefined = every voxel counts
};

struct PartialLabelLossWeights {
    double crossEntropy = 1.0;
    double dice = 1.0;
    double exclusion = 1.0;
    double smooth = 1e-5;
};

struct PartialLabelLossTerms {
    torch::Tensor crossEntropy, dice, exclusion, total;  // scalars; total = weighted sum
};

// logits: [B, C, D, H, W] (any float type; computed in float32).
PartialLabelLossTerms partialLabelLoss(const torch::Tensor& logits, const PartialLabelTargets& targets,
                                       const PartialLabelLossWeights& weights = {});

// Deep supervision: outputs[k] is at 1/2^k resolution (targets subsampled by stride 2^k) and
// weighs 1/2^k, normalised to sum 1, as in nnU-Net.
PartialLabelLossTerms deepSupervisionLoss(const std::vector<torch::Tensor>& outputs, const PartialLabelTargets& targets,
                                          const PartialLabelLossWeights& weights = {});

// The marginal log-probabilities [B, C, D, H, W]: channel 0 holds the merged background,
// labeled organ channels their own log-probability, unlabeled organ channels -inf.
torch::Tensor marginalLogProbabilities(const torch::Tensor& logits, const torch::Tensor& labeled);

}  // namespace ipnp
