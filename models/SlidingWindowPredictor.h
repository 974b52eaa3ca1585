#pragma once
// Sliding-window inference (models/ only: LibTorch): windows of the patch size with 50 % overlap,
// softmax weighted by a Gaussian importance map (centres count more than borders), optional mirror
// test-time augmentation. Memory-bounded: windows run row by row along k into a band of one patch
// depth of float slices; each slice is finished (argmax, quantised probabilities) as soon as no
// later window touches it, so peak memory is about two bands of C floats, not the whole volume.
#include <torch/torch.h>

#include <functional>

#include "UNet3d.h"
#include "Volume.h"

namespace ipnp {

struct SlidingWindowOptions {
    std::array<int, 3> patchSize{64, 64, 64};  // i, j, k
    double overlap = 0.5;
    bool mirror = false;           // average the 8 flips of each window
    bool probabilities = false;    // also keep per-channel probabilities (uint8, 0..255)
    torch::Device device = torch::kCPU;
    std::function<void(std::size_t done, std::size_t total)> progress;
};

struct ChannelPrediction {
    LabelMap argmax;                                  // output channel per voxel, on the input grid
    std::vector<Volume<std::uint8_t>> probabilities;  // channels 1..C-1 when asked, 0..255
};

ChannelPrediction predictSlidingWindow(UNet3d& model, const FloatVolume& image, int channels,
                                       const SlidingWindowOptions& options);

// Window start positions along one axis: evenly spread so that consecutive windows overlap by at
// least `overlap` and the last one ends at the border (nnU-Net's steps); {0} when size <= patch.
std::vector<long> windowStarts(long size, long patch, double overlap);

// The Gaussian importance map [d, h, w], sigma = patch / 8, peak 1, no zeros.
torch::Tensor gaussianImportance(const std::array<long, 3>& patch);

}  // namespace ipnp
