#pragma once
// Closed planar contours (an RT Structure Set's ROI: points in world coordinates, mm, LPS) onto a
// scan's voxel grid. A voxel belongs to the ROI when its centre lies inside by the even-odd rule
// over all of the ROI's contours on its slice: several contours on one slice are separate parts,
// a contour inside another is a hole. Contours must lie in the grid's slice planes (axial CT).
#include <string>
#include <vector>

#include "ImageGeometry.h"
#include "Volume.h"

namespace ipnp {

using ClosedContour = std::vector<Vec3>;

struct RasterizedContours {
    Mask mask;                          // 1 inside, on the grid given
    std::vector<std::string> warnings;  // contours skipped (off the grid, not in a slice plane)
};

RasterizedContours rasterizeClosedContours(const std::vector<ClosedContour>& contours, const ImageGeometry& grid);

}  // namespace ipnp
