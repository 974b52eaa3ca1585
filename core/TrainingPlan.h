#pragma once
// What a trained specialist needs to be used again, decided once from the training data and
// stored with every checkpoint (nnU-Net's "plans"): the spacing scans are resampled to, the
// intensity normalisation, the patch size, the organs behind the output channels, and the
// network's shape.
#include <array>
#include <string>
#include <vector>

#include "ImageGeometry.h"
#include "Preprocessing.h"

namespace ipnp {

struct NetworkShape {
    int stages = 4;                // resolution levels; the patch must be divisible by 2^(stages-1)
    int baseWidth = 16;            // feature maps at full resolution (nnU-Net uses 32; 16 suits CPUs)
    int maxWidth = 256;            // cap on the feature maps of deep stages
    bool deepSupervision = true;   // extra segmentation heads on the coarser decoder stages
};

struct TrainingPlan {
    Vec3 targetSpacing{1, 1, 1};
    std::array<int, 3> patchSize{64, 64, 64};  // voxels along i, j, k at targetSpacing
    IntensityNormalization normalization;
    std::vector<int> organs;  // output channel c (c >= 1) is organ organs[c - 1]; channel 0 background
    NetworkShape network;
    std::string modality = "CT";

    int channels() const { return static_cast<int>(organs.size()) + 1; }
    // Output channel of an organ index, or 0 when the network has no channel for it.
    int channelOf(int organIndex) const;
    // The plan as JSON text (exported beside a model, for use without this app).
    std::string toJson() const;
};

// Smallest multiple of `divisor` that is >= value.
int roundUpToMultiple(int value, int divisor);

}  // namespace ipnp
