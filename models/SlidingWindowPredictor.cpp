#include "SlidingWindowPredictor.h"

#include <cmath>
#include <cstring>

namespace ipnp {

std::vector<long> windowStarts(long size, long patch, double overlap) {
    if (size <= patch) return {0};
    const double step = patch * (1.0 - overlap);
    const long count = static_cast<long>(std::ceil((size - patch) / step)) + 1;
    std::vector<long> starts;
    for (long n = 0; n < count; ++n)
        starts.push_back(static_cast<long>(std::lround(double(n) * (size - patch) / double(count - 1))));
    return starts;
}

torch::Tensor gaussianImportance(const std::array<long, 3>& patch) {
    std::vector<torch::Tensor> axes;
    for (long size : patch) {
        const double sigma = size / 8.0, centre = (size - 1) / 2.0;
        const torch::Tensor x = torch::arange(size, torch::kFloat64);
        axes.push_back(torch::exp(-(x - centre).pow(2) / (2 * sigma * sigma)));
    }
    torch::Tensor map = axes[0].view({-1, 1, 1}) * axes[1].view({1, -1, 1}) * axes[2].view({1, 1, -1});
    map = map / map.max();
    // nnU-Net: no weight may be 0, or border voxels covered by one window would divide by zero.
    const double smallest = map.masked_select(map > 0).min().item<double>();
    return map.clamp_min(smallest).to(torch::kFloat32);
}

namespace {

// Softmax of one window, averaged over the mirrored copies when asked.
torch::Tensor windowProbabilities(UNet3d& model, const torch::Tensor& window, bool mirror) {
    if (!mirror) return torch::softmax(model->forward(window).front(), 1);
    torch::Tensor sum;
    int count = 0;
    for (int flips = 0; flips < 8; ++flips) {
        std::vector<int64_t> dims;
        for (int axis = 0; axis < 3; ++axis)
            if (flips & (1 << axis)) dims.push_back(axis + 2);
        const torch::Tensor input = dims.empty() ? window : window.flip(dims);
        torch::Tensor probabilities = torch::softmax(model->forward(input).front(), 1);
        if (!dims.empty()) probabilities = probabilities.flip(dims);
        sum = sum.defined() ? sum + probabilities : probabilities;
        ++count;
    }
    return sum / count;
}

}  // namespace

ChannelPrediction predictSlidingWindow(UNet3d& model, const FloatVolume& image, int channels,
                                       const SlidingWindowOptions& options) {
    torch::NoGradGuard noGrad;
    model->eval();
    const auto& size = image.size();
    const std::array<long, 3> shape{long(size[2]), long(size[1]), long(size[0])};  // d, h, w
    const std::array<long, 3> patch{options.patchSize[2], options.patchSize[1], options.patchSize[0]};
    const torch::Tensor volume =
        torch::from_blob(const_cast<float*>(image.data()), {shape[0], shape[1], shape[2]}, torch::kFloat32);
    const torch::Tensor importance = gaussianImportance(patch);

    std::array<std::vector<long>, 3> starts;
    for (int axis = 0; axis < 3; ++axis) starts[axis] = windowStarts(shape[axis], patch[axis], options.overlap);
    const std::size_t total = starts[0].size() * starts[1].size() * starts[2].size();

    ChannelPrediction result;
    result.argmax = LabelMap(image.geometry(), 0);
    if (options.probabilities)
        for (int channel = 1; channel < channels; ++channel) result.probabilities.emplace_back(image.geometry(), 0);

    // The band of slices the current row of windows (one k start) covers: [bandStart, bandStart + patch depth).
    // One add per window into it; when the next row starts, the slices before it are final and the
    // rest of the band moves down. (Per-slice adds cost 2 x patch-depth small operations per window,
    // which OpenMP's spinning threads make slow on a busy machine.)
    const long bandDepth = std::min(patch[0], shape[0]);
    long bandStart = 0;
    torch::Tensor sums = torch::zeros({channels, bandDepth, shape[1], shape[2]}, torch::kFloat32);
    torch::Tensor weights = torch::zeros({bandDepth, shape[1], shape[2]}, torch::kFloat32);
    const long sliceVoxels = shape[1] * shape[2];
    auto finishSlice = [&](long d) {
        const torch::Tensor probabilities = sums.select(1, d - bandStart) / weights[d - bandStart].unsqueeze(0);
        const torch::Tensor best = probabilities.argmax(0).to(torch::kUInt8).contiguous();
        std::memcpy(result.argmax.data() + d * sliceVoxels, best.data_ptr<std::uint8_t>(), sliceVoxels);
        for (int channel = 1; channel < channels && options.probabilities; ++channel) {
            const torch::Tensor quantised = (probabilities[channel] * 255.0f).round().clamp(0, 255).to(torch::kUInt8).contiguous();
            std::memcpy(result.probabilities[channel - 1].data() + d * sliceVoxels, quantised.data_ptr<std::uint8_t>(), sliceVoxels);
        }
    };

    std::size_t done = 0;
    for (std::size_t zi = 0; zi < starts[0].size(); ++zi) {
        const long z0 = starts[0][zi];
        for (long y0 : starts[1])
            for (long x0 : starts[2]) {
                // The window, zero-padded where it reaches past the volume (small scans).
                const long dz = std::min(patch[0], shape[0] - z0), dy = std::min(patch[1], shape[1] - y0),
                           dx = std::min(patch[2], shape[2] - x0);
                torch::Tensor window = torch::zeros({1, 1, patch[0], patch[1], patch[2]}, torch::kFloat32);
                window[0][0].narrow(0, 0, dz).narrow(1, 0, dy).narrow(2, 0, dx).copy_(
                    volume.narrow(0, z0, dz).narrow(1, y0, dy).narrow(2, x0, dx));
                const torch::Tensor probabilities =
                    (windowProbabilities(model, window.to(options.device), options.mirror)[0].to(torch::kCPU, torch::kFloat32) *
                     importance.unsqueeze(0));
                sums.narrow(1, z0 - bandStart, dz).narrow(2, y0, dy).narrow(3, x0, dx) +=
                    probabilities.narrow(1, 0, dz).narrow(2, 0, dy).narrow(3, 0, dx);
                weights.narrow(0, z0 - bandStart, dz).narrow(1, y0, dy).narrow(2, x0, dx) +=
                    importance.narrow(0, 0, dz).narrow(1, 0, dy).narrow(2, 0, dx);
                if (options.progress) options.progress(++done, total);
            }
        // Slices no later window reaches are final; the band then starts at the next row.
        const long nextStart = zi + 1 < starts[0].size() ? starts[0][zi + 1] : shape[0];
        for (long d = bandStart; d < nextStart; ++d) finishSlice(d);
        if (zi + 1 < starts[0].size()) {
            const long kept = bandStart + bandDepth - nextStart;  // slices the next row shares with this one
            torch::Tensor nextSums = torch::zeros_like(sums), nextWeights = torch::zeros_like(weights);
            if (kept > 0) {
                nextSums.narrow(1, 0, kept).copy_(sums.narrow(1, nextStart - bandStart, kept));
                nextWeights.narrow(0, 0, kept).copy_(weights.narrow(0, nextStart - bandStart, kept));
            }
            sums = nextSums;
            weights = nextWeights;
            bandStart = nextStart;
        }
    }
    return result;
}

}  // namespace ipnp
