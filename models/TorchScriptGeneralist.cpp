#include "TorchScriptGeneralist.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include "Error.h"
#include "TorchErrorText.h"

namespace ipnp {

namespace {

std::string shapeText(const std::vector<int64_t>& shape) {
    std::ostringstream s;
    s << '[';
    for (std::size_t a = 0; a < shape.size(); ++a) s << (a ? ", " : "") << shape[a];
    s << ']';
    return s.str();
}

// Normalises `values` in place as the contract says (GeneralistContract::Normalization).
void normalize(std::vector<float>& values, const GeneralistContract& contract) {
    using N = GeneralistContract::Normalization;
    if (values.empty()) return;
    switch (contract.normalization) {
        case N::None:
            return;
        case N::ZScore:
        case N::ZScorePositive: {
            // Statistics over every value, or (ZScorePositive) over the values > 0 when there are any.
            bool positiveOnly = false;
            if (contract.normalization == N::ZScorePositive)
                positiveOnly = std::any_of(values.begin(), values.end(), [](float v) { return v > 0; });
            double sum = 0, count = 0;
            for (float v : values)
                if (!positiveOnly || v > 0) sum += v, count += 1;
            const double mean = sum / count;
            double squares = 0;
            for (float v : values)
                if (!positiveOnly || v > 0) squares += (v - mean) * (v - mean);
            const double sd = std::sqrt(squares / count);
            const double scale = sd < 1e-6 ? 1.0 : 1.0 / sd;
            for (float& v : values) v = float((v - mean) * scale);
            return;
        }
        case N::MinMax: {
            const auto [low, high] = std::minmax_element(values.begin(), values.end());
            const double lo = *low, range = double(*high) - lo;
            for (float& v : values) v = range > 0 ? float((v - lo) / range) : 0.0f;
            return;
        }
        case N::CtWindow: {
            const double lo = contract.window[0], hi = contract.window[1];
            for (float& v : values) v = float((std::clamp(double(v), lo, hi) - lo) / (hi - lo));
            return;
        }
    }
}

// Linear interpolation along one axis: a position maps to two source indices and a weight.
struct LinearTap {
    long low = 0, high = 0;
    float weight = 0;  // of `high`
};

// Sampling at continuous index x of an axis of n voxels; outside, the edge voxel's value.
LinearTap linearTapAt(double x, long n) {
    const double base = std::floor(x);
    LinearTap tap;
    tap.low = std::clamp(long(base), 0L, n - 1);
    tap.high = std::clamp(long(base) + 1, 0L, n - 1);
    tap.weight = float(x - base);
    return tap;
}

// PyTorch's bilinear resize (F.interpolate, align_corners=False, no antialias) from n to m
// samples: output x reads the source at (x + 0.5) * n / m - 0.5, negative positions clamped to 0.
std::vector<LinearTap> resizeTaps(long n, long m) {
    std::vector<LinearTap> taps(static_cast<std::size_t>(m));
    const double scale = double(n) / double(m);
    for (long x = 0; x < m; ++x) {
        const double source = std::max(0.0, (x + 0.5) * scale - 0.5);
        LinearTap& tap = taps[std::size_t(x)];
        tap.low = std::min(long(std::floor(source)), n - 1);
        tap.high = std::min(tap.low + 1, n - 1);
        tap.weight = float(std::clamp(source - double(tap.low), 0.0, 1.0));
    }
    return taps;
}

}  // namespace

struct TorchScriptGeneralist::State {
    std::string path;
    std::string name;
    std::string sha256;
    GeneralistContract contract;
    torch::jit::Module module;
    torch::Device device = torch::kCPU;  // where segment runs the model
    bool moduleOnCpu = true;             // it loads there; segment moves it to `device`

    // The module where segment runs it.
    void place() {
        if (moduleOnCpu == device.is_cpu()) return;
        try {
            module.to(device);
        } catch (const std::exception& error) {
            throw Error(path, "cannot move the model to " + device.str() + ": " + torchErrorText(error));
        }
        moduleOnCpu = device.is_cpu();
    }

    // Runs forward under the frozen regime and checks the single output's shape.
    torch::Tensor run(std::vector<torch::jit::IValue> inputs, const std::vector<int64_t>& expected) {
        torch::NoGradGuard noGrad;
        torch::jit::IValue output;
        try {
            output = module.forward(std::move(inputs));
        } catch (const std::exception& error) {
            throw Error(path, std::string("the ") + contractName(contract.kind) +
                                  " model failed: " + torchErrorText(error));
        }
        if (!output.isTensor())
            throw Error(path, std::string("breaks the ") + contractName(contract.kind) + " contract: output expected a tensor " +
                                  shapeText(expected) + ", got a " + output.tagKind());
        torch::Tensor logits = output.toTensor();
        const std::vector<int64_t> got = logits.sizes().vec();
        if (got != expected)
            throw Error(path, std::string("breaks the ") + contractName(contract.kind) + " contract: output shape expected " +
                                  shapeText(expected) + ", got " + shapeText(got));
        if (!logits.is_floating_point())
            throw Error(path, std::string("breaks the ") + contractName(contract.kind) +
                                  " contract: output expected floating-point logits, got " +
                                  std::string(c10::toString(logits.scalar_type())));
        return logits.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    }
};

TorchScriptGeneralist::TorchScriptGeneralist(const std::string& modelPath, const GeneralistContract& contract,
                                             std::string sha256)
    : state_(std::make_unique<State>()) {
    state_->path = modelPath;
    state_->name = std::filesystem::path(modelPath).filename().string();
    state_->sha256 = std::move(sha256);
    state_->contract = contract;
    if (!std::ifstream(modelPath)) throw Error(modelPath, "cannot open the generalist model");
    try {
        state_->module = torch::jit::load(modelPath, torch::Device(torch::kCPU));
    } catch (const std::exception& error) {
        throw Error(modelPath, "not a TorchScript model: " + torchErrorText(error));
    }
    state_->module.eval();

    // The contract's inputs: point3d (image, points, labels[, box]), box2d (image, box).
    const auto forward = state_->module.find_method("forward");
    if (!forward) throw Error(modelPath, "the TorchScript model has no forward method");
    const std::size_t passed = contract.kind == GeneralistContract::Kind::Box2d ? 2 : contract.boxInput ? 4 : 3;
    const auto& arguments = forward->function().getSchema().arguments();
    std::size_t total = arguments.empty() ? 0 : arguments.size() - 1;  // without self
    std::size_t required = 0;
    for (std::size_t a = 1; a < arguments.size(); ++a)
        if (!arguments[a].default_value()) ++required;
    if (passed < required || passed > total) {
        const char* inputs = contract.kind == GeneralistContract::Kind::Box2d ? "(image, box)"
                             : contract.boxInput                             ? "(image, points, labels, box)"
                                                                             : "(image, points, labels)";
        throw Error(modelPath, std::string("breaks the ") + contractName(contract.kind) + " contract: forward takes " +
                                   std::to_string(total) + " inputs, the contract passes " + std::to_string(passed) + " " +
                                   inputs);
    }
}

TorchScriptGeneralist::~TorchScriptGeneralist() = default;

GeneralistIdentity TorchScriptGeneralist::identity() const {
    return {state_->name, state_->sha256, contractName(state_->contract.kind)};
}

const GeneralistContract& TorchScriptGeneralist::contract() const { return state_->contract; }

void TorchScriptGeneralist::setDevice(const std::string& device) {
    if (device == "cpu") {
        state_->device = torch::kCPU;
    } else if (device == "cuda") {
        if (!torch::cuda::is_available())
            throw Error(state_->path,
                        "--device cuda: this LibTorch has no CUDA support or no GPU is visible; use --device cpu");
        state_->device = torch::Device(torch::kCUDA);
    } else {
        throw Error(state_->path, "unknown device '" + device + "' (cpu or cuda)");
    }
}

void TorchScriptGeneralist::release() {
    if (state_->moduleOnCpu) return;
    try {
        state_->module.to(torch::kCPU);
        state_->moduleOnCpu = true;
    } catch (const std::exception&) {  // still on the device: the next segment finds it there
    }
}

Mask TorchScriptGeneralist::segment(const FloatVolume& image, const PromptSet& prompt) {
    if (prompt.absent) throw Error(state_->name, "a generalist cannot segment an absent prompt");
    if (prompt.region.empty()) throw Error(state_->name, "the prompt's region is empty");
    for (int a = 0; a < 3; ++a)
        if (prompt.region.first[a] < 0 || prompt.region.end[a] > long(image.size()[std::size_t(a)]))
            throw Error(state_->name, "the prompt's region lies outside the scan (" + image.geometry().summary() + ")");
    state_->place();
    return state_->contract.kind == GeneralistContract::Kind::Point3d ? segmentPoint3d(image, prompt)
                                                                       : segmentBox2d(image, prompt);
}

// point3d (docs/generalists.md): crop voxel u (per scan axis a) sits at continuous scan index
//   x = c + (u - (n - 1) / 2) * cropSpacing / scanSpacing,   c = (box.first + box.end - 1) / 2,
// i.e. crop and scan share their axes' directions, and the crop's centre is the box's centre.
Mask TorchScriptGeneralist::segmentPoint3d(const FloatVolume& image, const PromptSet& prompt) {
    const GeneralistContract& contract = state_->contract;
    const ImageGeometry& geometry = image.geometry();
    if (prompt.box.empty()) throw Error(state_->name, "the prompt's box is empty");

    // Per scan axis a = i, j, k (the contract lists them as D, H, W = k, j, i).
    std::array<long, 3> n{};
    std::array<double, 3> centre{}, cropPerScan{}, middle{};
    for (int a = 0; a < 3; ++a) {
        n[a] = contract.cropSize[std::size_t(2 - a)];
        centre[a] = (prompt.box.first[a] + prompt.box.end[a] - 1) / 2.0;
        cropPerScan[a] = geometry.spacing[a] / contract.cropSpacingMm[std::size_t(2 - a)];
        middle[a] = (n[a] - 1) / 2.0;
    }
    const auto toCrop = [&](int a, double x) { return middle[a] + (x - centre[a]) * cropPerScan[a]; };
    const auto toScan = [&](int a, double u) { return centre[a] + (u - middle[a]) / cropPerScan[a]; };
    const auto insideCrop = [&](const Index3& p) {
        for (int a = 0; a < 3; ++a) {
            const double u = toCrop(a, double(p[a]));
            if (!(u >= -0.5 && u < n[a] - 0.5)) return false;
        }
        return true;
    };

    // The image crop, trilinear (separable taps, since the axes are shared).
    std::array<std::vector<LinearTap>, 3> taps;
    for (int a = 0; a < 3; ++a) {
        taps[a].resize(std::size_t(n[a]));
        for (long u = 0; u < n[a]; ++u) taps[a][std::size_t(u)] = linearTapAt(toScan(a, double(u)), long(image.size()[std::size_t(a)]));
    }
    std::vector<float> crop(std::size_t(n[0] * n[1] * n[2]));
    std::size_t at = 0;
    for (long w = 0; w < n[2]; ++w)
        for (long v = 0; v < n[1]; ++v)
            for (long u = 0; u < n[0]; ++u) {
                const LinearTap &ti = taps[0][std::size_t(u)], &tj = taps[1][std::size_t(v)], &tk = taps[2][std::size_t(w)];
                const auto row = [&](long j, long k) {
                    return (1 - ti.weight) * image.at(std::size_t(ti.low), std::size_t(j), std::size_t(k)) +
                           ti.weight * image.at(std::size_t(ti.high), std::size_t(j), std::size_t(k));
                };
                const float low = (1 - tj.weight) * row(tj.low, tk.low) + tj.weight * row(tj.high, tk.low);
                const float high = (1 - tj.weight) * row(tj.low, tk.high) + tj.weight * row(tj.high, tk.high);
                crop[at++] = (1 - tk.weight) * low + tk.weight * high;
            }
    normalize(crop, contract);

    // Points: positives, then negatives, inside the crop, at most max_points.
    std::vector<Index3> positives, negatives;
    for (const Index3& p : prompt.positivePoints)
        if (insideCrop(p)) positives.push_back(p);
    if (positives.empty()) {
        // Every positive point lies outside the crop (an organ larger than the crop): the voxel of
        // the specialist's component nearest (in mm) to the crop's centre stands in for them.
        double best = std::numeric_limits<double>::infinity();
        const auto& size = prompt.coarse.size();
        for (std::size_t k = 0; k < size[2]; ++k)
            for (std::size_t j = 0; j < size[1]; ++j)
                for (std::size_t i = 0; i < size[0]; ++i) {
                    if (!prompt.coarse.at(i, j, k)) continue;
                    const Index3 p{prompt.region.first[0] + long(i), prompt.region.first[1] + long(j),
                                   prompt.region.first[2] + long(k)};
                    if (!insideCrop(p)) continue;
                    double d = 0;
                    for (int a = 0; a < 3; ++a) d += std::pow((p[a] - centre[a]) * geometry.spacing[a], 2);
                    if (d < best) {
                        best = d;
                        positives.assign(1, p);
                    }
                }
        if (positives.empty())
            throw Error(state_->name, "no positive point of the prompt lies inside the point3d crop, and no voxel of the "
                                      "specialist's component does either");
    }
    for (const Index3& p : prompt.negativePoints)
        if (insideCrop(p)) negatives.push_back(p);
    std::vector<float> pointData;
    std::vector<int64_t> labelData;
    for (const auto* list : {&positives, &negatives})
        for (const Index3& p : *list) {
            if (long(labelData.size()) >= contract.maxPoints) break;
            for (int a = 2; a >= 0; --a) pointData.push_back(float(toCrop(a, double(p[a]))));  // z, y, x
            labelData.push_back(list == &positives ? 1 : 0);
        }
    if (contract.padPoints)
        while (long(labelData.size()) < contract.maxPoints) {
            pointData.insert(pointData.end(), {0.0f, 0.0f, 0.0f});
            labelData.push_back(-1);
        }
    const auto count = int64_t(labelData.size());

    const torch::Device device = state_->device;
    std::vector<torch::jit::IValue> inputs;
    inputs.emplace_back(torch::from_blob(crop.data(), {1, 1, n[2], n[1], n[0]}, torch::kFloat32).to(device, false, true));
    inputs.emplace_back(torch::from_blob(pointData.data(), {1, count, 3}, torch::kFloat32).to(device, false, true));
    inputs.emplace_back(torch::from_blob(labelData.data(), {1, count}, torch::kInt64).to(device, false, true));
    if (contract.boxInput) {
        // (z0, y0, x0, z1, y1, x1): the crop coordinates of the box's first and last voxel centres,
        // clipped to the crop.
        std::array<float, 6> box{};
        for (int a = 0; a < 3; ++a) {
            box[std::size_t(2 - a)] = float(std::clamp(toCrop(a, double(prompt.box.first[a])), 0.0, double(n[a] - 1)));
            box[std::size_t(5 - a)] = float(std::clamp(toCrop(a, double(prompt.box.end[a] - 1)), 0.0, double(n[a] - 1)));
        }
        inputs.emplace_back(torch::from_blob(box.data(), {1, 6}, torch::kFloat32).to(device, false, true));
    }
    const torch::Tensor logits = state_->run(std::move(inputs), {1, 1, n[2], n[1], n[0]});
    const float* out = logits.data_ptr<float>();

    // Back: each scan voxel of the region takes its nearest crop voxel (round half up); outside
    // the crop, 0.
    Mask mask(geometry.region(prompt.region.first, prompt.region.size()));
    const auto regionSize = prompt.region.size();
    std::array<std::vector<long>, 3> nearest;
    for (int a = 0; a < 3; ++a) {
        nearest[a].resize(regionSize[std::size_t(a)]);
        for (std::size_t l = 0; l < regionSize[std::size_t(a)]; ++l) {
            const long u = long(std::floor(toCrop(a, double(prompt.region.first[a] + long(l))) + 0.5));
            nearest[a][l] = u >= 0 && u < n[a] ? u : -1;
        }
    }
    const float threshold = float(contract.threshold);
    for (std::size_t k = 0; k < regionSize[2]; ++k) {
        if (nearest[2][k] < 0) continue;
        for (std::size_t j = 0; j < regionSize[1]; ++j) {
            if (nearest[1][j] < 0) continue;
            const float* line = out + (nearest[2][k] * n[1] + nearest[1][j]) * n[0];
            for (std::size_t i = 0; i < regionSize[0]; ++i)
                if (nearest[0][i] >= 0 && line[nearest[0][i]] > threshold) mask.at(i, j, k) = 1;
        }
    }
    return mask;
}

// box2d (docs/generalists.md): each axial slice k of the region that has a SliceBox, resized to
// the model's input; the logits resized back to the slice; slices without a box stay 0.
Mask TorchScriptGeneralist::segmentBox2d(const FloatVolume& image, const PromptSet& prompt) {
    const GeneralistContract& contract = state_->contract;
    const ImageGeometry& geometry = image.geometry();
    const long ni = long(geometry.size[0]), nj = long(geometry.size[1]);
    const long height = contract.inputSize[0], width = contract.inputSize[1];
    const long outHeight = contract.outputSize[0], outWidth = contract.outputSize[1];
    const std::vector<LinearTap> inI = resizeTaps(ni, width), inJ = resizeTaps(nj, height);
    const std::vector<LinearTap> backI = resizeTaps(outWidth, ni), backJ = resizeTaps(outHeight, nj);
    const VoxelRegion& region = prompt.region;
    Mask mask(geometry.region(region.first, region.size()));
    const float threshold = float(contract.threshold);

    std::vector<float> plane(std::size_t(height * width));
    std::vector<float> input(std::size_t(contract.channels * height * width));
    for (const SliceBox& sliceBox : prompt.sliceBoxes) {
        const long k = sliceBox.k;
        if (k < region.first[2] || k >= region.end[2]) continue;
        const auto value = [&](long i, long j) { return image.at(std::size_t(i), std::size_t(j), std::size_t(k)); };
        for (long y = 0; y < height; ++y) {
            const LinearTap& tj = inJ[std::size_t(y)];
            for (long x = 0; x < width; ++x) {
                const LinearTap& ti = inI[std::size_t(x)];
                const float low = (1 - ti.weight) * value(ti.low, tj.low) + ti.weight * value(ti.high, tj.low);
                const float high = (1 - ti.weight) * value(ti.low, tj.high) + ti.weight * value(ti.high, tj.high);
                plane[std::size_t(y * width + x)] = (1 - tj.weight) * low + tj.weight * high;
            }
        }
        normalize(plane, contract);
        for (long c = 0; c < contract.channels; ++c) std::copy(plane.begin(), plane.end(), input.begin() + c * height * width);

        // (x0, y0, x1, y1) in model pixels, edges: pixel x covers [x, x + 1).
        const double sx = double(width) / double(ni), sy = double(height) / double(nj);
        std::array<float, 4> box{float(std::clamp(sliceBox.i0, 0L, ni) * sx), float(std::clamp(sliceBox.j0, 0L, nj) * sy),
                                 float(std::clamp(sliceBox.i1, 0L, ni) * sx), float(std::clamp(sliceBox.j1, 0L, nj) * sy)};

        std::vector<torch::jit::IValue> inputs;
        inputs.emplace_back(torch::from_blob(input.data(), {1, contract.channels, height, width}, torch::kFloat32)
                                .to(state_->device, false, true));
        inputs.emplace_back(torch::from_blob(box.data(), {1, 4}, torch::kFloat32).to(state_->device, false, true));
        const torch::Tensor logits = state_->run(std::move(inputs), {1, 1, outHeight, outWidth});
        const float* out = logits.data_ptr<float>();
        const auto logit = [&](long x, long y) { return out[y * outWidth + x]; };

        for (long j = region.first[1]; j < region.end[1]; ++j) {
            const LinearTap& tj = backJ[std::size_t(j)];
            for (long i = region.first[0]; i < region.end[0]; ++i) {
                const LinearTap& ti = backI[std::size_t(i)];
                const float low = (1 - ti.weight) * logit(ti.low, tj.low) + ti.weight * logit(ti.high, tj.low);
                const float high = (1 - ti.weight) * logit(ti.low, tj.high) + ti.weight * logit(ti.high, tj.high);
                if ((1 - tj.weight) * low + tj.weight * high > threshold)
                    mask.at(std::size_t(i - region.first[0]), std::size_t(j - region.first[1]),
                            std::size_t(k - region.first[2])) = 1;
            }
        }
    }
    return mask;
}

}  // namespace ipnp
