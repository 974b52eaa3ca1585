#include "PromptBuilder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "MaskMorphology.h"

namespace ipnp {

namespace {

double squaredDistanceMm(const Index3& a, const Index3& b, const Vec3& spacing) {
    double sum = 0;
    for (int axis = 0; axis < 3; ++axis) {
        const double d = double(a[axis] - b[axis]) * spacing[axis];
        sum += d * d;
    }
    return sum;
}

Index3 indexOf(std::size_t linear, const std::array<std::size_t, 3>& size) {
    return {long(linear % size[0]), long((linear / size[0]) % size[1]), long(linear / (size[0] * size[1]))};
}

Index3 plus(const Index3& a, const Index3& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }

}  // namespace

std::optional<LabelMap> withWeakDetection(const LabelMap& predicted, const Volume<std::uint8_t>& probability, int organ,
                                          double floor) {
    const std::size_t n = predicted.voxelCount();
    std::uint8_t peak = 0;
    for (std::size_t v = 0; v < n; ++v) {
        if (predicted.data()[v] == organ) return std::nullopt;  // detected by the argmax: nothing to add
        peak = std::max(peak, probability.data()[v]);
    }
    if (floor <= 0 || peak < floor * 255.0) return std::nullopt;
    LabelMap out = predicted;
    const int half = (peak + 1) / 2;
    for (std::size_t v = 0; v < n; ++v)
        if (out.data()[v] == 0 && probability.data()[v] >= half) out.data()[v] = std::uint8_t(organ);
    return out;
}

void pasteRegion(LabelMap& target, const Mask& mask, const VoxelRegion& region, std::uint8_t value) {
    const auto size = region.size();
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i)
                if (mask.at(i, j, k)) target.at(region.first[0] + i, region.first[1] + j, region.first[2] + k) = value;
}

PromptSet PromptBuilder::build(const LabelMap& predicted, const LabelMap& locked, int organ) const {
    PromptSet prompt;
    prompt.organ = organ;
    const Mask component = largestComponent(organMask(predicted, organ));
    prompt.box = boundingBox(component);
    if (prompt.box.empty()) {
        prompt.absent = true;
        return prompt;
    }
    const ImageGeometry& grid = predicted.geometry();
    Index3 margin{};
    for (int axis = 0; axis < 3; ++axis) {
        margin[axis] = std::max<long>(settings_.minMarginVoxels, long(std::ceil(settings_.marginMm / grid.spacing[axis])));
        prompt.region.first[axis] = std::max<long>(0, prompt.box.first[axis] - margin[axis]);
        prompt.region.end[axis] = std::min<long>(long(grid.size[axis]), prompt.box.end[axis] + margin[axis]);
    }
    const VoxelRegion& region = prompt.region;
    prompt.coarse = cropToRegion(component, region);
    const LabelMap predictedCrop = cropToRegion(predicted, region);
    const LabelMap lockedCrop = cropToRegion(locked, region);
    prompt.others = Mask(prompt.coarse.geometry(), 0);
    const std::size_t n = prompt.coarse.voxelCount();
    for (std::size_t v = 0; v < n; ++v) {
        const int l = lockedCrop.data()[v], p = predictedCrop.data()[v];
        prompt.others.data()[v] = (l != 0 && l != organ) || (l == 0 && p != 0 && p != organ);
    }

    // Positive points: the deepest voxels of the component, each at least the deepest depth
    // away from those already chosen, so that they spread over an elongated organ.
    const FloatVolume depth = distanceInside(prompt.coarse);
    std::vector<std::size_t> order;
    for (std::size_t v = 0; v < n; ++v)
        if (prompt.coarse.data()[v]) order.push_back(v);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return depth.data()[a] > depth.data()[b]; });
    const double separation = order.empty() ? 0 : depth.data()[order.front()];
    const auto& cropSize = prompt.coarse.size();
    for (std::size_t v : order) {
        if (int(prompt.positivePoints.size()) >= settings_.positivePoints) break;
        const Index3 p = plus(indexOf(v, cropSize), region.first);
        bool farEnough = true;
        for (const Index3& q : prompt.positivePoints)
            farEnough = farEnough && squaredDistanceMm(p, q, grid.spacing) >= separation * separation;
        if (farEnough) prompt.positivePoints.push_back(p);
    }

    // Negative points: the deepest voxel of each neighbouring organ in the region (nearest organs
    // first), then the background voxel of the region farthest from the component.
    const FloatVolume fromComponent = distanceToSites(prompt.coarse);
    std::map<int, std::pair<float, std::size_t>> nearestOfOrgan;  // organ -> (distance, voxel)
    std::size_t farthestBackground = n;
    for (std::size_t v = 0; v < n; ++v) {
        if (prompt.coarse.data()[v]) continue;
        const int other = prompt.others.data()[v] ? (lockedCrop.data()[v] ? lockedCrop.data()[v] : predictedCrop.data()[v]) : 0;
        const float d = fromComponent.data()[v];
        if (other) {
            auto it = nearestOfOrgan.find(other);
            if (it == nearestOfOrgan.end() || d < it->second.first) nearestOfOrgan[other] = {d, v};
        } else if (farthestBackground == n || d > fromComponent.data()[farthestBackground]) {
            farthestBackground = v;
        }
    }
    // The point of a neighbouring organ sits one voxel-distance inside it from its nearest voxel,
    // i.e. at its nearest voxel: what matters to the generalist is the boundary between them.
    std::vector<std::pair<float, std::size_t>> neighbours;
    for (const auto& entry : nearestOfOrgan) neighbours.push_back(entry.second);
    std::sort(neighbours.begin(), neighbours.end());
    for (std::size_t m = 0; m < neighbours.size() && int(m) < settings_.maxNegativeOrganPoints; ++m)
        prompt.negativePoints.push_back(plus(indexOf(neighbours[m].second, cropSize), region.first));
    if (farthestBackground != n) prompt.negativePoints.push_back(plus(indexOf(farthestBackground, cropSize), region.first));

    // Per-slice boxes (axial), each the component's slice box plus the in-plane margin.
    for (long k = prompt.box.first[2]; k < prompt.box.end[2]; ++k) {
        SliceBox slice{k, std::numeric_limits<long>::max(), std::numeric_limits<long>::max(), -1, -1};
        const std::size_t kc = std::size_t(k - region.first[2]);
        for (std::size_t j = 0; j < cropSize[1]; ++j)
            for (std::size_t i = 0; i < cropSize[0]; ++i)
                if (prompt.coarse.at(i, j, kc)) {
                    slice.i0 = std::min(slice.i0, long(i) + region.first[0]);
                    slice.j0 = std::min(slice.j0, long(j) + region.first[1]);
                    slice.i1 = std::max(slice.i1, long(i) + region.first[0] + 1);
                    slice.j1 = std::max(slice.j1, long(j) + region.first[1] + 1);
                }
        if (slice.i1 < 0) continue;
        slice.i0 = std::max(region.first[0], slice.i0 - margin[0]);
        slice.j0 = std::max(region.first[1], slice.j0 - margin[1]);
        slice.i1 = std::min(region.end[0], slice.i1 + margin[0]);
        slice.j1 = std::min(region.end[1], slice.j1 + margin[1]);
        prompt.sliceBoxes.push_back(slice);
    }
    return prompt;
}

}  // namespace ipnp
