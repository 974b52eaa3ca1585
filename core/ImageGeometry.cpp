#include "ImageGeometry.h"

#include <cmath>
#include <sstream>

namespace ipnp {

namespace {
std::string formatTriple(const Vec3& v, const char* separator) {
    std::ostringstream out;
    out << v[0] << separator << v[1] << separator << v[2];
    return out.str();
}
}  // namespace

bool ImageGeometry::contains(const Index3& index) const {
    for (int axis = 0; axis < 3; ++axis)
        if (index[axis] < 0 || index[axis] >= static_cast<long>(size[axis])) return false;
    return true;
}

Vec3 ImageGeometry::indexToWorld(const Vec3& continuousIndex) const {
    Vec3 world = origin;
    for (int row = 0; row < 3; ++row)
        for (int col = 0; col < 3; ++col)
            world[row] += direction[row * 3 + col] * spacing[col] * continuousIndex[col];
    return world;
}

Vec3 ImageGeometry::worldToIndex(const Vec3& world) const {
    const Vec3 offset{world[0] - origin[0], world[1] - origin[1], world[2] - origin[2]};
    Vec3 index{0, 0, 0};
    // Orthonormal direction: its inverse is its transpose.
    for (int col = 0; col < 3; ++col) {
        double projected = 0;
        for (int row = 0; row < 3; ++row) projected += direction[row * 3 + col] * offset[row];
        index[col] = projected / spacing[col];
    }
    return index;
}

ImageGeometry ImageGeometry::region(const Index3& first,
                                    const std::array<std::size_t, 3>& regionSize) const {
    ImageGeometry sub = *this;
    sub.size = regionSize;
    sub.origin = indexToWorld({double(first[0]), double(first[1]), double(first[2])});
    return sub;
}

bool ImageGeometry::sameGrid(const ImageGeometry& other, double tolerance) const {
    return describeDifference(other, tolerance).empty();
}

std::string ImageGeometry::describeDifference(const ImageGeometry& other, double tolerance) const {
    std::ostringstream out;
    if (size != other.size) {
        out << "size " << size[0] << "x" << size[1] << "x" << size[2] << " vs " << other.size[0]
            << "x" << other.size[1] << "x" << other.size[2] << " voxels";
        return out.str();
    }
    for (int axis = 0; axis < 3; ++axis)
        if (std::abs(spacing[axis] - other.spacing[axis]) > tolerance)
            return "spacing " + formatTriple(spacing, "x") + " vs " + formatTriple(other.spacing, "x") +
                   " mm";
    for (int axis = 0; axis < 3; ++axis)
        if (std::abs(origin[axis] - other.origin[axis]) > tolerance)
            return "origin (" + formatTriple(origin, ", ") + ") vs (" +
                   formatTriple(other.origin, ", ") + ") mm";
    for (int n = 0; n < 9; ++n)
        if (std::abs(direction[n] - other.direction[n]) > tolerance)
            return "direction cosines differ (orientation of the voxel axes)";
    return {};
}

std::string ImageGeometry::summary() const {
    std::ostringstream out;
    out << size[0] << "x" << size[1] << "x" << size[2] << " voxels, spacing "
        << formatTriple(spacing, "x") << " mm";
    return out.str();
}

bool isOrthonormal(const Mat3& d, double tolerance) {
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {
            double dot = 0;
            for (int row = 0; row < 3; ++row) dot += d[row * 3 + a] * d[row * 3 + b];
            if (std::abs(dot - (a == b ? 1.0 : 0.0)) > tolerance) return false;
        }
    return true;
}

}  // namespace ipnp
