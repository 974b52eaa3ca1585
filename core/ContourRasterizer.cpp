#include "ContourRasterizer.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace ipnp {

namespace {

struct Point2 {
    double i, j;  // continuous voxel index in the slice
};

// A contour more than this far (in slices) from the nearest slice plane is not on the grid.
constexpr double kPlaneTolerance = 0.2;

}  // namespace

RasterizedContours rasterizeClosedContours(const std::vector<ClosedContour>& contours, const ImageGeometry& grid) {
    RasterizedContours out{Mask(grid, 0), {}};
    const long slices = long(grid.size[2]), rows = long(grid.size[1]), columns = long(grid.size[0]);
    std::map<long, std::vector<std::vector<Point2>>> polygonsBySlice;
    for (std::size_t n = 0; n < contours.size(); ++n) {
        const ClosedContour& contour = contours[n];
        if (contour.size() < 3) {
            out.warnings.push_back("contour " + std::to_string(n + 1) + " has fewer than 3 points: skipped");
            continue;
        }
        std::vector<Point2> polygon;
        double sliceSum = 0, sliceMin = 1e300, sliceMax = -1e300;
        for (const Vec3& world : contour) {
            const Vec3 index = grid.worldToIndex(world);
            polygon.push_back({index[0], index[1]});
            sliceSum += index[2];
            sliceMin = std::min(sliceMin, index[2]);
            sliceMax = std::max(sliceMax, index[2]);
        }
        const long slice = std::lround(sliceSum / double(contour.size()));
        if (sliceMax - sliceMin > 2 * kPlaneTolerance || std::abs(sliceSum / double(contour.size()) - double(slice)) > kPlaneTolerance) {
            out.warnings.push_back("contour " + std::to_string(n + 1) + " does not lie in a slice plane of the scan: skipped");
            continue;
        }
        if (slice < 0 || slice >= slices) {
            out.warnings.push_back("contour " + std::to_string(n + 1) + " lies outside the scan's slices: skipped");
            continue;
        }
        polygonsBySlice[slice].push_back(std::move(polygon));
    }
    std::vector<double> crossings;
    for (const auto& [slice, polygons] : polygonsBySlice) {
        for (long j = 0; j < rows; ++j) {
            // Where the row of voxel centres (j) crosses the edges of every polygon on this slice:
            // an edge counts when one end is at or below the row and the other above (half-open,
            // so a vertex on the row is counted once).
            crossings.clear();
            const double y = double(j);
            for (const auto& polygon : polygons)
                for (std::size_t p = 0, q = polygon.size() - 1; p < polygon.size(); q = p++) {
                    const Point2& a = polygon[q];
                    const Point2& b = polygon[p];
                    if ((a.j <= y) != (b.j <= y)) crossings.push_back(a.i + (y - a.j) * (b.i - a.i) / (b.j - a.j));
                }
            std::sort(crossings.begin(), crossings.end());
            // Even-odd: centres between the 1st and 2nd crossing, the 3rd and 4th, ... are inside.
            for (std::size_t c = 0; c + 1 < crossings.size(); c += 2) {
                const long first = std::max(0L, long(std::ceil(crossings[c])));
                const long end = std::min(columns, long(std::ceil(crossings[c + 1])));
                for (long i = first; i < end; ++i) out.mask.at(std::size_t(i), std::size_t(j), std::size_t(slice)) = 1;
            }
        }
    }
    return out;
}

}  // namespace ipnp
