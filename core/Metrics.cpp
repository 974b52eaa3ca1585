#include "Metrics.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "Error.h"
#include "MaskMorphology.h"

namespace ipnp {

double dice(const LabelMap& a, const LabelMap& b, int organ) {
    if (a.voxelCount() != b.voxelCount()) throw Error("Dice: the label maps have different sizes");
    std::size_t inA = 0, inB = 0, both = 0;
    const std::uint8_t* pa = a.data();
    const std::uint8_t* pb = b.data();
    for (std::size_t n = 0; n < a.voxelCount(); ++n) {
        const bool x = pa[n] == organ, y = pb[n] == organ;
        inA += x;
        inB += y;
        both += x && y;
    }
    return inA + inB == 0 ? 1.0 : 2.0 * double(both) / double(inA + inB);
}

double dice(const Mask& a, const Mask& b) {
    if (a.size() != b.size()) throw Error("Dice: the masks have different sizes");
    std::size_t inA = 0, inB = 0, both = 0;
    const std::uint8_t* pa = a.data();
    const std::uint8_t* pb = b.data();
    for (std::size_t n = 0; n < a.voxelCount(); ++n) {
        const bool x = pa[n] != 0, y = pb[n] != 0;
        inA += x;
        inB += y;
        both += x && y;
    }
    return inA + inB == 0 ? 1.0 : 2.0 * double(both) / double(inA + inB);
}

namespace {

// Copies [first, first + size) of `mask` onto its own sub-grid.
Mask crop(const Mask& mask, const Index3& first, const std::array<std::size_t, 3>& size) {
    Mask result(mask.geometry().region(first, size), 0);
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j) {
            const std::uint8_t* from =
                &mask.at(std::size_t(first[0]), std::size_t(first[1]) + j, std::size_t(first[2]) + k);
            std::copy(from, from + size[0], &result.at(0, j, k));
        }
    return result;
}

}  // namespace

std::optional<double> hausdorff95(const Mask& a, const Mask& b) {
    if (a.size() != b.size()) throw Error("HD95: the masks have different sizes");
    // Both masks' common bounding box: the surfaces and every distance between them lie inside it,
    // so the distance transforms need not cover the whole scan.
    const auto& size = a.size();
    Index3 low{long(size[0]), long(size[1]), long(size[2])}, high{-1, -1, -1};
    bool anyA = false, anyB = false;
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i) {
                const bool x = a.at(i, j, k) != 0, y = b.at(i, j, k) != 0;
                if (!x && !y) continue;
                anyA = anyA || x;
                anyB = anyB || y;
                const Index3 p{long(i), long(j), long(k)};
                for (int axis = 0; axis < 3; ++axis) {
                    low[axis] = std::min(low[axis], p[axis]);
                    high[axis] = std::max(high[axis], p[axis]);
                }
            }
    if (!anyA || !anyB) return std::nullopt;
    const std::array<std::size_t, 3> boxSize{std::size_t(high[0] - low[0] + 1), std::size_t(high[1] - low[1] + 1),
                                            std::size_t(high[2] - low[2] + 1)};
    // The crop keeps the surfaces: a mask voxel on the box's face has a neighbour outside both
    // masks in the full grid, and beyond the crop's edge counts as outside, so it is a surface
    // voxel either way.
    const Mask surfaceA = surfaceOf(crop(a, low, boxSize));
    const Mask surfaceB = surfaceOf(crop(b, low, boxSize));
    const FloatVolume toA = distanceToSites(surfaceA);
    const FloatVolume toB = distanceToSites(surfaceB);
    std::vector<double> pooled;
    for (std::size_t n = 0; n < surfaceA.voxelCount(); ++n) {
        if (surfaceA.data()[n]) pooled.push_back(double(toB.data()[n]));
        if (surfaceB.data()[n]) pooled.push_back(double(toA.data()[n]));
    }
    // numpy.percentile(..., 95) with its default linear interpolation: rank 0.95 (n - 1).
    const double rank = 0.95 * double(pooled.size() - 1);
    const std::size_t below = std::size_t(std::floor(rank));
    const std::size_t above = std::min(below + 1, pooled.size() - 1);
    std::nth_element(pooled.begin(), pooled.begin() + std::ptrdiff_t(below), pooled.end());
    const double lower = pooled[below];
    double upper = lower;
    if (above != below) upper = *std::min_element(pooled.begin() + std::ptrdiff_t(below) + 1, pooled.end());
    return lower + (upper - lower) * (rank - double(below));
}

std::optional<double> hausdorff95(const LabelMap& a, const LabelMap& b, int organ) {
    if (a.size() != b.size()) throw Error("HD95: the label maps have different sizes");
    return hausdorff95(organMask(a, organ), organMask(b, organ));
}

}  // namespace ipnp
