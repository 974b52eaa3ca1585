#pragma once
// From a project's cases to training batches (models/ only: LibTorch). Planning (nnU-Net's
// "plan": spacing, normalisation, patch, output organs), then per case a resampled, normalised
// copy as tensors, then seeded patch sampling with foreground oversampling and augmentation.
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "PartialLabelLoss.h"
#include "SeededRandom.h"
#include "Specialist.h"

namespace ipnp {

// Decides the plan from the cases. Organs with no labeled voxel in any case are left out of the
// output channels (reported through `warn`). Throws ipnp::Error when no case has a labeled voxel.
TrainingPlan planTraining(const std::vector<SpecialistTrainingCase>& cases, const SpecialistSettings& settings,
                          const std::string& modality, const std::function<void(const std::string&)>& warn);

// The scan resampled to the plan's spacing and normalised, as a [D, H, W] float tensor (k, j, i).
FloatVolume preprocessImage(const FloatVolume& image, const TrainingPlan& plan);

struct PreparedCase {
    torch::Tensor image;    // [D, H, W] float32, normalised
    torch::Tensor target;   // [D, H, W] uint8: output channel per voxel (0 background)
    torch::Tensor valid;    // [D, H, W] uint8 selection mask, or undefined when every voxel counts
    torch::Tensor labeled;  // [C] bool: channels known in this case (background always)
    std::vector<std::array<long, 3>> foreground;  // (d, h, w) of labeled voxels, evenly subsampled
};

PreparedCase prepareCase(const SpecialistTrainingCase& item, const TrainingPlan& plan, bool marginalLoss);

struct TrainingBatch {
    torch::Tensor image;  // [B, 1, D, H, W]
    PartialLabelTargets targets;
};

// Draws batches from the prepared cases with a SeededRandom: the generator's state is the whole
// state of the sampling and augmentation, so a checkpoint that stores it resumes the same sequence.
class PatchSampler {
public:
    PatchSampler(const std::vector<PreparedCase>& cases, const TrainingPlan& plan, const SpecialistSettings& settings);
    TrainingBatch next(SeededRandom& random) const;

private:
    void extract(const PreparedCase& item, const std::array<long, 3>& start, torch::Tensor& image, torch::Tensor& target,
                 torch::Tensor& valid) const;
    void augment(torch::Tensor& image, torch::Tensor& target, torch::Tensor& valid, SeededRandom& random) const;

    const std::vector<PreparedCase>& cases_;
    std::array<long, 3> patch_;  // (d, h, w)
    SpecialistSettings settings_;
};

// torch <-> Volume: a Volume is x fastest, so its tensor shape is [size k, size j, size i].
torch::Tensor toTensor(const FloatVolume& volume);
torch::Tensor toTensor(const LabelMap& labels);

}  // namespace ipnp
