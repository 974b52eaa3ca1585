#pragma once
// The prompts the specialist's prediction gives the generalist for one scan x organ (DESIGN.md,
// "The method", step 2). All positions are voxel indices (i, j, k) of the scan's own grid; boxes
// are [first, end) with `end` exclusive.
#include <array>
#include <vector>

#include "Volume.h"

namespace ipnp {

struct VoxelRegion {
    Index3 first{0, 0, 0};
    Index3 end{0, 0, 0};  // exclusive
    std::array<std::size_t, 3> size() const {
        return {std::size_t(end[0] - first[0]), std::size_t(end[1] - first[1]), std::size_t(end[2] - first[2])};
    }
    std::size_t voxelCount() const { const auto s = size(); return s[0] * s[1] * s[2]; }
    bool empty() const { return end[0] <= first[0] || end[1] <= first[1] || end[2] <= first[2]; }
    bool contains(const Index3& p) const {
        return p[0] >= first[0] && p[0] < end[0] && p[1] >= first[1] && p[1] < end[1] && p[2] >= first[2] && p[2] < end[2];
    }
};

// A 2D box on one axial slice k (for generalists that work slice by slice, MedSAM-like).
struct SliceBox {
    long k = 0;
    long i0 = 0, j0 = 0, i1 = 0, j1 = 0;  // [i0, i1) x [j0, j1)
};

struct PromptSet {
    int organ = 0;
    bool absent = false;      // the specialist found no component: no prompt, an "absent" candidate
    VoxelRegion box;          // tight box of the specialist's largest component
    VoxelRegion region;       // the box dilated by the margin and clipped to the scan: B_c
    std::vector<Index3> positivePoints;  // inside the organ (distance-transform maxima)
    std::vector<Index3> negativePoints;  // on neighbouring organs and background inside `region`
    std::vector<SliceBox> sliceBoxes;    // per axial slice of the component, with the margin
    // On region's sub-grid (geometry = scan geometry.region(region.first, region.size())):
    Mask coarse;   // the specialist's largest component of the organ (0/1)
    Mask others;   // 1 where another organ is (labeled, or predicted by the specialist): never this organ
};

}  // namespace ipnp
