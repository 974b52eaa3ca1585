#include "LabelMaskOps.h"

#include <algorithm>
#include <limits>

namespace ipnp {

std::vector<LabelExtent> labelExtents(const LabelMap& labels) {
    constexpr long kFar = std::numeric_limits<long>::max();
    std::array<LabelExtent, 256> all{};
    for (int value = 0; value < 256; ++value) {
        all[value].label = value;
        all[value].first = {kFar, kFar, kFar};
        all[value].last = {-1, -1, -1};
    }
    const auto& size = labels.size();
    const std::uint8_t* voxel = labels.data();
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i, ++voxel) {
                if (*voxel == 0) continue;
                LabelExtent& extent = all[*voxel];
                ++extent.voxelCount;
                const Index3 at{long(i), long(j), long(k)};
                for (int axis = 0; axis < 3; ++axis) {
                    extent.first[axis] = std::min(extent.first[axis], at[axis]);
                    extent.last[axis] = std::max(extent.last[axis], at[axis]);
                }
            }
    std::vector<LabelExtent> present;
    for (int value = 1; value < 256; ++value)
        if (all[value].voxelCount > 0) present.push_back(all[value]);
    return present;
}

Mask cropMask(const LabelMap& labels, const LabelExtent& extent) {
    const auto boxSize = extent.boxSize();
    Mask mask(labels.geometry().region(extent.first, boxSize));
    for (std::size_t k = 0; k < boxSize[2]; ++k)
        for (std::size_t j = 0; j < boxSize[1]; ++j)
            for (std::size_t i = 0; i < boxSize[0]; ++i)
                mask.at(i, j, k) = labels.at(i + extent.first[0], j + extent.first[1], k + extent.first[2]) ==
                                   extent.label;
    return mask;
}

void pasteMask(LabelMap& target, const Mask& mask, const Index3& first, std::uint8_t label) {
    const auto& size = mask.size();
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i) {
                if (!mask.at(i, j, k)) continue;
                const Index3 at{long(i) + first[0], long(j) + first[1], long(k) + first[2]};
                if (target.geometry().contains(at)) target.at(at[0], at[1], at[2]) = label;
            }
}

}  // namespace ipnp
