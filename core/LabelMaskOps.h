#pragma once
// Moving between a full label map and the per-organ masks the project stores (each cropped to
// the organ's bounding box, so a small organ costs a small file).
#include <array>
#include <vector>

#include "Volume.h"

namespace ipnp {

struct LabelExtent {
    int label = 0;
    std::size_t voxelCount = 0;
    Index3 first{0, 0, 0};  // inclusive
    Index3 last{0, 0, 0};   // inclusive
    std::array<std::size_t, 3> boxSize() const {
        return {std::size_t(last[0] - first[0] + 1), std::size_t(last[1] - first[1] + 1),
                std::size_t(last[2] - first[2] + 1)};
    }
};

// Voxel count and bounding box of every non-zero label present, ascending by label; one pass.
std::vector<LabelExtent> labelExtents(const LabelMap& labels);

// 0/1 mask of `label` over the extent's box, on the matching sub-grid of the label map.
Mask cropMask(const LabelMap& labels, const LabelExtent& extent);

// Writes `label` into `target` wherever the mask (placed with its first voxel at `first`) is set.
// Voxels of the mask outside the target are ignored.
void pasteMask(LabelMap& target, const Mask& mask, const Index3& first, std::uint8_t label);

}  // namespace ipnp
