#include "TrainingData.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "Error.h"
#include "Preprocessing.h"

namespace ipnp {

namespace F = torch::nn::functional;

namespace {
constexpr std::size_t kForegroundSamplesPerCase = 20000;
constexpr double kPi = 3.14159265358979323846;

// nnU-Net's augmentation probabilities, with smaller rotations and scalings ("small").
constexpr double kSpatialProbability = 0.2;
constexpr double kMaxRotationRadians = 15.0 * kPi / 180.0;
constexpr double kMinScale = 0.85, kMaxScale = 1.15;
constexpr double kMultiplyProbability = 0.15, kShiftProbability = 0.15, kGammaProbability = 0.3;

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}
}  // namespace

torch::Tensor toTensor(const FloatVolume& volume) {
    const auto& s = volume.size();
    return torch::from_blob(const_cast<float*>(volume.data()), {long(s[2]), long(s[1]), long(s[0])}, torch::kFloat32)
        .clone();
}

torch::Tensor toTensor(const LabelMap& labels) {
    const auto& s = labels.size();
    return torch::from_blob(const_cast<std::uint8_t*>(labels.data()), {long(s[2]), long(s[1]), long(s[0])}, torch::kUInt8)
        .clone();
}

TrainingPlan planTraining(const std::vector<SpecialistTrainingCase>& cases, const SpecialistSettings& settings,
                          const std::string& modality, const std::function<void(const std::string&)>& warn) {
    if (cases.empty()) throw Error("there is no training scan (import scans, and keep some out of the test split)");
    std::set<int> withVoxels, declared;
    std::vector<ImageGeometry> geometries;
    for (const SpecialistTrainingCase& item : cases) {
        geometries.push_back(item.image.geometry());
        declared.insert(item.labeledOrgans.begin(), item.labeledOrgans.end());
        std::array<bool, 256> present{};
        for (std::uint8_t value : item.labels.voxels()) present[value] = true;
        for (int value = 1; value < 256; ++value)
            if (present[value]) withVoxels.insert(value);
    }
    if (withVoxels.empty())
        throw Error("no training scan has a labeled voxel: the specialist needs some labels to learn from "
                    "(import label maps, or accept pseudo-labels)");
    for (int organ : declared)
        if (!withVoxels.count(organ) && warn)
            warn("organ " + std::to_string(organ) + " has no labeled voxel in any scan; it gets no output channel");

    TrainingPlan plan;
    plan.organs.assign(withVoxels.begin(), withVoxels.end());
    plan.network = settings.network;
    plan.modality = modality;
    plan.targetSpacing = medianSpacing(geometries);
    if (modality == "MR") {
        plan.normalization.mode = IntensityNormalization::Mode::PerScanZScore;
    } else {
        std::vector<const FloatVolume*> images;
        std::vector<const LabelMap*> labels;
        for (const SpecialistTrainingCase& item : cases) {
            images.push_back(&item.image);
            labels.push_back(&item.labels);
        }
        plan.normalization = planCtNormalization(images, labels);
    }
    // The patch: the requested one, but no larger than the median scan (rounded up to what the
    // network's downsampling needs).
    const int divisor = 1 << (plan.network.stages - 1);
    for (int axis = 0; axis < 3; ++axis) {
        std::vector<double> sizes;
        for (const ImageGeometry& g : geometries) sizes.push_back(g.size[axis] * g.spacing[axis] / plan.targetSpacing[axis]);
        const int medianSize = roundUpToMultiple(static_cast<int>(std::lround(median(sizes))), divisor);
        plan.patchSize[axis] = std::max(divisor, std::min(roundUpToMultiple(settings.patchSize[axis], divisor), medianSize));
    }
    return plan;
}

FloatVolume preprocessImage(const FloatVolume& image, const TrainingPlan& plan) {
    FloatVolume resampled = resampleLinear(image, resampledGeometry(image.geometry(), plan.targetSpacing));
    normalizeIntensities(resampled, plan.normalization);
    return resampled;
}

PreparedCase prepareCase(const SpecialistTrainingCase& item, const TrainingPlan& plan, bool marginalLoss) {
    const ImageGeometry grid = resampledGeometry(item.image.geometry(), plan.targetSpacing);
    PreparedCase prepared;
    prepared.image = toTensor(preprocessImage(item.image, plan));

    LabelMap channels = resampleNearest(item.labels, grid);
    std::array<std::uint8_t, 256> channelOf{};
    for (int value = 1; value < 256; ++value) channelOf[value] = static_cast<std::uint8_t>(plan.channelOf(value));
    for (std::uint8_t& voxel : channels.voxels()) voxel = channelOf[voxel];
    prepared.target = toTensor(channels);
    if (item.valid.voxelCount() > 0) prepared.valid = toTensor(resampleNearest(item.valid, grid));

    prepared.labeled = torch::zeros({plan.channels()}, torch::kBool);
    prepared.labeled[0] = true;
    for (int organ : item.labeledOrgans)
        if (const int channel = plan.channelOf(organ)) prepared.labeled[channel] = true;
    if (!marginalLoss) prepared.labeled.fill_(true);  // baseline: unlabeled organs count as background

    // Foreground positions for oversampling, evenly thinned so memory stays small.
    const auto& size = grid.size;
    std::size_t count = 0;
    for (std::uint8_t voxel : channels.voxels()) count += voxel != 0;
    const std::size_t stride = std::max<std::size_t>(1, count / kForegroundSamplesPerCase);
    std::size_t seen = 0, linear = 0;
    for (std::uint8_t voxel : channels.voxels()) {
        if (voxel != 0 && seen++ % stride == 0)
            prepared.foreground.push_back({long(linear / (size[0] * size[1])), long(linear / size[0] % size[1]),
                                           long(linear % size[0])});
        ++linear;
    }
    return prepared;
}

PatchSampler::PatchSampler(const std::vector<PreparedCase>& cases, const TrainingPlan& plan,
                           const SpecialistSettings& settings)
    : cases_(cases), patch_{plan.patchSize[2], plan.patchSize[1], plan.patchSize[0]}, settings_(settings) {}

void PatchSampler::extract(const PreparedCase& item, const std::array<long, 3>& start, torch::Tensor& image,
                           torch::Tensor& target, torch::Tensor& valid) const {
    image = torch::zeros({patch_[0], patch_[1], patch_[2]}, torch::kFloat32);
    target = torch::zeros({patch_[0], patch_[1], patch_[2]}, torch::kUInt8);
    valid = torch::zeros({patch_[0], patch_[1], patch_[2]}, torch::kUInt8);  // padding never counts
    torch::Tensor source = item.image, sourceTarget = item.target, sourceValid = item.valid;
    torch::Tensor destination = image, destinationTarget = target, destinationValid = valid;
    for (int axis = 0; axis < 3; ++axis) {
        const long size = item.image.size(axis);
        const long from = std::max(0L, start[axis]), to = std::min(size, start[axis] + patch_[axis]);
        source = source.narrow(axis, from, to - from);
        sourceTarget = sourceTarget.narrow(axis, from, to - from);
        if (sourceValid.defined()) sourceValid = sourceValid.narrow(axis, from, to - from);
        destination = destination.narrow(axis, from - start[axis], to - from);
        destinationTarget = destinationTarget.narrow(axis, from - start[axis], to - from);
        destinationValid = destinationValid.narrow(axis, from - start[axis], to - from);
    }
    destination.copy_(source);
    destinationTarget.copy_(sourceTarget);
    if (sourceValid.defined())
        destinationValid.copy_(sourceValid);
    else
        destinationValid.fill_(1);
}

void PatchSampler::augment(torch::Tensor& image, torch::Tensor& target, torch::Tensor& valid,
                           SeededRandom& random) const {
    // Every draw is made whether or not its branch applies, so the sequence does not depend on data.
    const double spatial = random.uniform();
    const double angles[3] = {random.uniform(-1, 1) * kMaxRotationRadians, random.uniform(-1, 1) * kMaxRotationRadians,
                              random.uniform(-1, 1) * kMaxRotationRadians};
    const double scale = random.uniform(kMinScale, kMaxScale);
    if (spatial < kSpatialProbability) {
        const double c[3] = {std::cos(angles[0]), std::cos(angles[1]), std::cos(angles[2])};
        const double s[3] = {std::sin(angles[0]), std::sin(angles[1]), std::sin(angles[2])};
        // R = Rz * Ry * Rx, in affine_grid's normalised (x, y, z) = (w, h, d) coordinates.
        const torch::Tensor rx = torch::tensor({1.0, 0.0, 0.0, 0.0, c[0], -s[0], 0.0, s[0], c[0]}).view({3, 3});
        const torch::Tensor ry = torch::tensor({c[1], 0.0, s[1], 0.0, 1.0, 0.0, -s[1], 0.0, c[1]}).view({3, 3});
        const torch::Tensor rz = torch::tensor({c[2], -s[2], 0.0, s[2], c[2], 0.0, 0.0, 0.0, 1.0}).view({3, 3});
        const torch::Tensor rotation = torch::matmul(rz, torch::matmul(ry, rx)) / scale;
        const torch::Tensor theta = torch::cat({rotation, torch::zeros({3, 1}, torch::kFloat64)}, 1)
                                        .to(torch::kFloat32)
                                        .unsqueeze(0);
        const std::vector<int64_t> shape{1, 1, patch_[0], patch_[1], patch_[2]};
        const torch::Tensor grid = F::affine_grid(theta, shape, false);
        auto sample = [&](const torch::Tensor& volume, bool nearest) {
            auto options = F::GridSampleFuncOptions().padding_mode(torch::kZeros).align_corners(false);
            if (nearest)
                options.mode(torch::kNearest);
            else
                options.mode(torch::kBilinear);
            return F::grid_sample(volume.to(torch::kFloat32).view(shape), grid, options)
                .view({patch_[0], patch_[1], patch_[2]});
        };
        image = sample(image, false);
        target = sample(target, true).round().to(torch::kUInt8);
        valid = sample(valid, true).round().to(torch::kUInt8);
    }
    for (int axis = 0; axis < 3; ++axis)
        if (random.uniform() < 0.5) {
            image = image.flip({axis});
            target = target.flip({axis});
            valid = valid.flip({axis});
        }
    const double multiply = random.uniform(), factor = random.uniform(0.75, 1.25);
    const double shift = random.uniform(), offset = random.uniform(-0.1, 0.1);
    const double gamma = random.uniform(), exponent = random.uniform(0.7, 1.5);
    if (multiply < kMultiplyProbability) image = image * factor;
    if (shift < kShiftProbability) image = image + offset;
    if (gamma < kGammaProbability) {
        const torch::Tensor low = image.min(), range = image.max() - low + 1e-7;
        image = ((image - low) / range).pow(exponent) * range + low;
    }
}

TrainingBatch PatchSampler::next(SeededRandom& random) const {
    std::vector<torch::Tensor> images, targets, valids, labeled;
    for (int b = 0; b < settings_.batchSize; ++b) {
        const PreparedCase& item = cases_[random.below(cases_.size())];
        const bool foreground = random.uniform() < settings_.foregroundFraction && !item.foreground.empty();
        const std::size_t pick = item.foreground.empty() ? 0 : random.below(item.foreground.size());
        std::array<long, 3> start{};
        for (int axis = 0; axis < 3; ++axis) {
            const long size = item.image.size(axis);
            const long low = std::min(0L, size - patch_[axis]), high = std::max(0L, size - patch_[axis]);
            const long uniform = low + static_cast<long>(random.below(static_cast<std::size_t>(high - low + 1)));
            start[axis] = foreground ? std::clamp(item.foreground[pick][axis] - patch_[axis] / 2, low, high) : uniform;
        }
        torch::Tensor image, target, valid;
        extract(item, start, image, target, valid);
        if (settings_.augment) augment(image, target, valid, random);
        images.push_back(image);
        targets.push_back(target);
        valids.push_back(valid);
        labeled.push_back(item.labeled);
    }
    TrainingBatch batch;
    batch.image = torch::stack(images).unsqueeze(1);
    batch.targets.target = torch::stack(targets).to(torch::kInt64);
    batch.targets.valid = torch::stack(valids).to(torch::kFloat32);
    batch.targets.labeled = torch::stack(labeled);
    return batch;
}

}  // namespace ipnp
