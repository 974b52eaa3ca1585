#pragma once
// The outline of a label map's organ, slice by slice, as closed planar contours (world mm, LPS):
// the edges between its voxels and the others, chained into loops through voxel corners. Outer
// outlines run one way and holes the other; rasterised again by the even-odd rule
// (ContourRasterizer.h) they give back exactly the same voxels.
#include <cstdint>
#include <vector>

#include "ContourRasterizer.h"

namespace ipnp {

struct SliceContours {
    std::size_t slice = 0;
    std::vector<ClosedContour> contours;
};

// Every slice where `value` has voxels, in slice order.
std::vector<SliceContours> traceContours(const LabelMap& labels, std::uint8_t value);

}  // namespace ipnp
