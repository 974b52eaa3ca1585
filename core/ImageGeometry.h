#pragma once
// Physical geometry of a 3D voxel grid in LPS world coordinates (the DICOM/ITK convention).
#include <array>
#include <cstddef>
#include <string>

namespace ipnp {

using Vec3 = std::array<double, 3>;
using Index3 = std::array<long, 3>;
// Row-major 3x3 matrix; column j is the world direction of voxel axis j (as ITK's GetDirection()).
using Mat3 = std::array<double, 9>;

struct ImageGeometry {
    std::array<std::size_t, 3> size{0, 0, 0};  // voxels along i, j, k
    Vec3 spacing{1.0, 1.0, 1.0};               // mm between voxel centres along i, j, k
    Vec3 origin{0.0, 0.0, 0.0};                // world position (mm, LPS) of voxel (0,0,0)'s centre
    Mat3 direction{1, 0, 0, 0, 1, 0, 0, 0, 1};

    std::size_t voxelCount() const { return size[0] * size[1] * size[2]; }
    std::size_t linearIndex(std::size_t i, std::size_t j, std::size_t k) const {
        return i + size[0] * (j + size[1] * k);
    }
    bool contains(const Index3& index) const;

    // world = origin + direction * (spacing ⊙ index)
    Vec3 indexToWorld(const Vec3& continuousIndex) const;
    // Inverse of indexToWorld; direction must be orthonormal (it is for every scan we accept).
    Vec3 worldToIndex(const Vec3& world) const;

    // The sub-grid [first, first+size) with this grid's spacing and direction.
    ImageGeometry region(const Index3& first, const std::array<std::size_t, 3>& regionSize) const;

    // Same grid within `tolerance` (mm for origin/spacing, absolute for direction cosines).
    bool sameGrid(const ImageGeometry& other, double tolerance = 1e-4) const;
    // A sentence naming the first difference, e.g. "spacing 0.8 vs 1.5 mm", or "" when same.
    std::string describeDifference(const ImageGeometry& other, double tolerance = 1e-4) const;
    // e.g. "96x96x96 voxels, spacing 1.5x1.5x2 mm"
    std::string summary() const;
};

// Checks that the direction matrix is orthonormal within `tolerance`.
bool isOrthonormal(const Mat3& direction, double tolerance = 1e-4);

}  // namespace ipnp
