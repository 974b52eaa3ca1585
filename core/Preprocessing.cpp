#include "Preprocessing.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "Error.h"

namespace ipnp {

namespace {

// Off-diagonal terms of the target-to-source index map below this count as zero. Grids derived
// from the same scan share their direction exactly, so their cross terms are rounding noise; the
// residual error over 1000 voxels stays under 1e-6 voxel.
constexpr double kAxisAlignedTolerance = 1e-9;
// A sample this close to a source voxel centre takes that voxel's value exactly instead of
// blending in 1e-16 of a neighbour (identity and integer-factor resampling stay exact).
constexpr double kSnapTolerance = 1e-9;
// Floor for the SD when normalising: a constant scan or foreground must not divide by zero.
constexpr double kMinSd = 1e-8;

template <std::size_t N>
bool allFinite(const std::array<double, N>& values) {
    return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

void requireValidGrid(const ImageGeometry& geometry, const char* role) {
    for (int axis = 0; axis < 3; ++axis)
        if (!(geometry.spacing[axis] > 0) || !std::isfinite(geometry.spacing[axis])) {
            std::ostringstream out;
            out << "resampling: " << role << " spacing " << geometry.spacing[0] << "x" << geometry.spacing[1]
                << "x" << geometry.spacing[2] << " mm is not positive and finite";
            throw Error(out.str());
        }
    // A NaN origin or direction would turn into a NaN source index, which no voxel lookup survives.
    if (!allFinite(geometry.origin) || !allFinite(geometry.direction))
        throw Error(std::string("resampling: ") + role + " origin or direction is not finite");
}

// source continuous index = offset + linear * target index (row-major 3x3), i.e.
// S_s^-1 D_s^T (D_t S_t t + o_t - o_s) for orthonormal directions.
struct IndexMap {
    Vec3 offset{0, 0, 0};
    Mat3 linear{};
    bool axisAligned = false;  // linear is diagonal: each source axis depends on one target axis

    Vec3 apply(double i, double j, double k) const {
        Vec3 out = offset;
        for (int row = 0; row < 3; ++row)
            out[row] += linear[row * 3] * i + linear[row * 3 + 1] * j + linear[row * 3 + 2] * k;
        return out;
    }
};

IndexMap targetToSourceIndex(const ImageGeometry& source, const ImageGeometry& target) {
    IndexMap map;
    const Vec3 originOffset{target.origin[0] - source.origin[0], target.origin[1] - source.origin[1],
                            target.origin[2] - source.origin[2]};
    for (int a = 0; a < 3; ++a) {
        double projected = 0;
        for (int row = 0; row < 3; ++row) projected += source.direction[row * 3 + a] * originOffset[row];
        map.offset[a] = projected / source.spacing[a];
        for (int c = 0; c < 3; ++c) {
            double dot = 0;
            for (int row = 0; row < 3; ++row) dot += source.direction[row * 3 + a] * target.direction[row * 3 + c];
            map.linear[a * 3 + c] = dot * target.spacing[c] / source.spacing[a];
        }
    }
    map.axisAligned = true;
    for (int a = 0; a < 3; ++a)
        for (int c = 0; c < 3; ++c)
            if (a != c && std::abs(map.linear[a * 3 + c]) > kAxisAlignedTolerance) map.axisAligned = false;
    return map;
}

// One axis of a trilinear sample: the two neighbouring voxels and the weight of the upper one.
struct LinearSample {
    std::size_t low = 0, high = 0;
    double weight = 0;
};

// Clamping the continuous index gives the edge voxel's value outside the source.
LinearSample linearSample(double x, std::size_t n) {
    const double last = double(n - 1);
    x = std::clamp(x, 0.0, last);
    const double nearest = std::round(x);
    if (std::abs(x - nearest) < kSnapTolerance) x = nearest;
    LinearSample sample;
    sample.low = std::size_t(std::floor(x));
    if (sample.low >= n - 1) {
        sample.low = sample.high = n - 1;
        return sample;
    }
    sample.high = sample.low + 1;
    sample.weight = x - double(sample.low);
    return sample;
}

// Ties (exactly half way between two centres) go to the upper voxel.
std::size_t nearestSample(double x, std::size_t n) {
    x = std::clamp(x, 0.0, double(n - 1));
    return std::min(std::size_t(std::floor(x + 0.5)), n - 1);
}

template <typename Sample, typename SampleFn>
std::vector<Sample> axisTable(const IndexMap& map, int axis, std::size_t targetCount, std::size_t sourceCount,
                              SampleFn sampleFn) {
    std::vector<Sample> table(targetCount);
    for (std::size_t t = 0; t < targetCount; ++t)
        table[t] = sampleFn(map.offset[axis] + map.linear[axis * 3 + axis] * double(t), sourceCount);
    return table;
}

double lerp(double a, double b, double w) { return a + w * (b - a); }

void resampleLinearSeparable(const FloatVolume& image, const IndexMap& map, FloatVolume& out) {
    const auto& src = image.size();
    const auto& dst = out.size();
    const auto xs = axisTable<LinearSample>(map, 0, dst[0], src[0], linearSample);
    const auto ys = axisTable<LinearSample>(map, 1, dst[1], src[1], linearSample);
    const auto zs = axisTable<LinearSample>(map, 2, dst[2], src[2], linearSample);
    const float* voxels = image.data();
    float* target = out.data();
    const auto row = [&](std::size_t j, std::size_t k) { return voxels + src[0] * (j + src[1] * k); };
    for (std::size_t k = 0; k < dst[2]; ++k) {
        const LinearSample z = zs[k];
        for (std::size_t j = 0; j < dst[1]; ++j) {
            const LinearSample y = ys[j];
            const float* r00 = row(y.low, z.low);
            const float* r10 = row(y.high, z.low);
            const float* r01 = row(y.low, z.high);
            const float* r11 = row(y.high, z.high);
            for (std::size_t i = 0; i < dst[0]; ++i) {
                const LinearSample x = xs[i];
                const double lowZ = lerp(lerp(r00[x.low], r00[x.high], x.weight),
                                         lerp(r10[x.low], r10[x.high], x.weight), y.weight);
                const double highZ = lerp(lerp(r01[x.low], r01[x.high], x.weight),
                                          lerp(r11[x.low], r11[x.high], x.weight), y.weight);
                *target++ = float(lerp(lowZ, highZ, z.weight));
            }
        }
    }
}

float trilinearAt(const FloatVolume& image, const Vec3& index) {
    const auto& n = image.size();
    const LinearSample x = linearSample(index[0], n[0]);
    const LinearSample y = linearSample(index[1], n[1]);
    const LinearSample z = linearSample(index[2], n[2]);
    const auto along = [&](std::size_t j, std::size_t k) {
        return lerp(image.at(x.low, j, k), image.at(x.high, j, k), x.weight);
    };
    const double lowZ = lerp(along(y.low, z.low), along(y.high, z.low), y.weight);
    const double highZ = lerp(along(y.low, z.high), along(y.high, z.high), y.weight);
    return float(lerp(lowZ, highZ, z.weight));
}

template <typename T, typename SampleAt>
void resampleGeneral(const IndexMap& map, Volume<T>& out, SampleAt sampleAt) {
    const auto& dst = out.size();
    T* target = out.data();
    for (std::size_t k = 0; k < dst[2]; ++k)
        for (std::size_t j = 0; j < dst[1]; ++j)
            for (std::size_t i = 0; i < dst[0]; ++i) *target++ = sampleAt(map.apply(double(i), double(j), double(k)));
}

template <typename T>
void requireResamplable(const Volume<T>& image, const ImageGeometry& target) {
    if (image.voxelCount() == 0) throw Error("resampling: the source volume is empty");
    requireValidGrid(image.geometry(), "source");
    requireValidGrid(target, "target");
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

struct MeanSd {
    double mean = 0, sd = 0;
};

// Two passes (mean, then squared deviations) for accuracy; population SD like numpy's std().
template <typename Values, typename Transform>
MeanSd meanAndSd(const Values& values, Transform transform) {
    MeanSd result;
    if (values.empty()) return result;
    double sum = 0;
    for (const auto v : values) sum += transform(v);
    result.mean = sum / double(values.size());
    double squares = 0;
    for (const auto v : values) {
        const double d = transform(v) - result.mean;
        squares += d * d;
    }
    result.sd = std::sqrt(squares / double(values.size()));
    return result;
}

// Appends at most `limit` labeled voxels' intensities: all of them when there are few enough,
// otherwise those with ordinal floor(s * count / limit), s = 0..limit-1, among the labeled voxels.
void sampleForeground(const FloatVolume& image, const LabelMap& labels, std::size_t limit, std::vector<float>& pooled) {
    const auto& label = labels.voxels();
    const std::size_t count = std::size_t(std::count_if(label.begin(), label.end(), [](auto l) { return l != 0; }));
    const std::size_t take = std::min(count, limit);
    std::size_t ordinal = 0, taken = 0;
    for (std::size_t n = 0; n < label.size() && taken < take; ++n) {
        if (label[n] == 0) continue;
        if (ordinal == taken * count / take) {
            pooled.push_back(image.voxels()[n]);
            ++taken;
        }
        ++ordinal;
    }
}

}  // namespace

ImageGeometry resampledGeometry(const ImageGeometry& source, const Vec3& targetSpacing) {
    ImageGeometry target = source;
    target.spacing = targetSpacing;
    requireValidGrid(target, "target");
    for (int a = 0; a < 3; ++a) {
        // std::lround: half away from zero, so 3.5 voxels become 4.
        const long rounded = std::lround(double(source.size[a]) * source.spacing[a] / targetSpacing[a]);
        target.size[a] = std::size_t(std::max(1L, rounded));
    }
    return target;
}

FloatVolume resampleLinear(const FloatVolume& image, const ImageGeometry& target) {
    requireResamplable(image, target);
    FloatVolume out(target);
    const IndexMap map = targetToSourceIndex(image.geometry(), target);
    if (map.axisAligned)
        resampleLinearSeparable(image, map, out);
    else
        resampleGeneral(map, out, [&](const Vec3& index) { return trilinearAt(image, index); });
    return out;
}

LabelMap resampleNearest(const LabelMap& labels, const ImageGeometry& target) {
    requireResamplable(labels, target);
    LabelMap out(target);
    const IndexMap map = targetToSourceIndex(labels.geometry(), target);
    const auto& src = labels.size();
    if (!map.axisAligned) {
        resampleGeneral(map, out, [&](const Vec3& index) {
            return labels.at(nearestSample(index[0], src[0]), nearestSample(index[1], src[1]),
                             nearestSample(index[2], src[2]));
        });
        return out;
    }
    const auto& dst = target.size;
    const auto xs = axisTable<std::size_t>(map, 0, dst[0], src[0], nearestSample);
    const auto ys = axisTable<std::size_t>(map, 1, dst[1], src[1], nearestSample);
    const auto zs = axisTable<std::size_t>(map, 2, dst[2], src[2], nearestSample);
    std::uint8_t* voxel = out.data();
    for (std::size_t k = 0; k < dst[2]; ++k)
        for (std::size_t j = 0; j < dst[1]; ++j) {
            const std::uint8_t* row = &labels.at(0, ys[j], zs[k]);
            for (std::size_t i = 0; i < dst[0]; ++i) *voxel++ = row[xs[i]];
        }
    return out;
}

Vec3 medianSpacing(const std::vector<ImageGeometry>& geometries) {
    if (geometries.empty()) throw Error("median spacing: no scans");
    Vec3 result{0, 0, 0};
    for (int a = 0; a < 3; ++a) {
        std::vector<double> spacings;
        spacings.reserve(geometries.size());
        for (const auto& g : geometries) spacings.push_back(g.spacing[a]);
        result[a] = median(std::move(spacings));
    }
    return result;
}

double percentile(std::vector<float>& values, double p) {
    if (values.empty()) throw Error("percentile of no values");
    if (!(p >= 0 && p <= 100)) throw Error("percentile " + std::to_string(p) + " is outside [0, 100]");
    // numpy's "linear" method: rank (n - 1) * p / 100 between the order statistics around it.
    const double rank = double(values.size() - 1) * (p / 100);
    const std::size_t low = std::min(std::size_t(std::floor(rank)), values.size() - 1);
    std::nth_element(values.begin(), values.begin() + long(low), values.end());
    const double lowValue = values[low];
    if (low + 1 >= values.size()) return lowValue;
    // After nth_element everything past `low` is >= it, so the next order statistic is their minimum.
    const double highValue = *std::min_element(values.begin() + long(low) + 1, values.end());
    const double t = rank - double(low);
    // numpy interpolates from the nearer end (b - (b - a)(1 - t) for t >= 0.5); same here, same rounding.
    return t < 0.5 ? lowValue + (highValue - lowValue) * t : highValue - (highValue - lowValue) * (1 - t);
}

IntensityNormalization planCtNormalization(const std::vector<const FloatVolume*>& images,
                                           const std::vector<const LabelMap*>& labels, std::size_t samplesPerScan) {
    if (images.size() != labels.size())
        throw Error("CT normalisation: " + std::to_string(images.size()) + " images but " +
                    std::to_string(labels.size()) + " label maps");
    if (samplesPerScan == 0) throw Error("CT normalisation: samplesPerScan must be positive");
    std::vector<float> pooled;
    for (std::size_t n = 0; n < images.size(); ++n) {
        if (!images[n] || !labels[n]) throw Error("CT normalisation: scan " + std::to_string(n) + " is missing");
        if (images[n]->size() != labels[n]->size())
            throw Error("CT normalisation: scan " + std::to_string(n) + " has a label map of another size");
        sampleForeground(*images[n], *labels[n], samplesPerScan, pooled);
    }
    if (pooled.empty()) throw Error("CT normalisation: no scan has a labeled voxel");

    IntensityNormalization result;
    result.mode = IntensityNormalization::Mode::CtForeground;
    result.clipLow = percentile(pooled, 0.5);
    result.clipHigh = percentile(pooled, 99.5);
    const double low = result.clipLow, high = result.clipHigh;
    const MeanSd stats = meanAndSd(pooled, [low, high](float v) { return std::clamp(double(v), low, high); });
    result.mean = stats.mean;
    result.sd = stats.sd;
    return result;
}

void normalizeIntensities(FloatVolume& image, const IntensityNormalization& normalization) {
    auto& voxels = image.voxels();
    if (normalization.mode == IntensityNormalization::Mode::PerScanZScore) {
        const MeanSd stats = meanAndSd(voxels, [](float v) { return double(v); });
        const double sd = std::max(stats.sd, kMinSd);
        for (float& v : voxels) v = float((double(v) - stats.mean) / sd);
        return;
    }
    const double low = normalization.clipLow, high = normalization.clipHigh;
    if (!(low <= high)) throw Error("CT normalisation: clip range is empty");
    const double sd = std::max(normalization.sd, kMinSd);
    for (float& v : voxels) v = float((std::clamp(double(v), low, high) - normalization.mean) / sd);
}

}  // namespace ipnp
