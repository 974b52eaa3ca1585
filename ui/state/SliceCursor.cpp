#include "SliceCursor.h"

#include <algorithm>
#include <cmath>

namespace ipnp {

int worldAxisOf(SliceOrientation orientation) {
    switch (orientation) {
        case SliceOrientation::Axial: return 2;
        case SliceOrientation::Coronal: return 1;
        case SliceOrientation::Sagittal: return 0;
    }
    return 2;
}

int voxelAxisOf(SliceOrientation orientation, const ImageGeometry& geometry) {
    const int world = worldAxisOf(orientation);
    int best = 0;
    double bestWeight = -1;
    for (int axis = 0; axis < 3; ++axis) {
        // direction is row-major; column `axis` is the world direction of that voxel axis.
        const double weight = std::abs(geometry.direction[std::size_t(world * 3 + axis)]);
        if (weight > bestWeight) bestWeight = weight, best = axis;
    }
    return best;
}

EdgeLabels edgeLabelsOf(SliceOrientation orientation) {
    switch (orientation) {
        case SliceOrientation::Axial: return {"R", "L", "A", "P"};
        case SliceOrientation::Coronal: return {"R", "L", "S", "I"};
        case SliceOrientation::Sagittal: return {"A", "P", "S", "I"};
    }
    return {"", "", "", ""};
}

char anatomicalLetter(const Vec3& d) {
    int axis = 0;
    for (int a = 1; a < 3; ++a)
        if (std::abs(d[std::size_t(a)]) > std::abs(d[std::size_t(axis)])) axis = a;
    const bool positive = d[std::size_t(axis)] >= 0;
    static const char letters[3][2] = {{'R', 'L'}, {'A', 'P'}, {'I', 'S'}};  // LPS: +x L, +y P, +z S
    return letters[axis][positive ? 1 : 0];
}

void SliceCursor::setGeometry(const ImageGeometry& geometry) {
    geometry_ = geometry;
    position_ = {long(geometry.size[0] / 2), long(geometry.size[1] / 2), long(geometry.size[2] / 2)};
    notify();
}

void SliceCursor::setPosition(const Index3& voxel) {
    if (empty()) return;
    Index3 clamped;
    for (std::size_t a = 0; a < 3; ++a) clamped[a] = std::clamp(voxel[a], 0L, long(geometry_.size[a]) - 1);
    if (clamped == position_) return;
    position_ = clamped;
    notify();
}

void SliceCursor::step(SliceOrientation orientation, long steps) {
    Index3 moved = position_;
    moved[std::size_t(voxelAxisOf(orientation, geometry_))] += steps;
    setPosition(moved);
}

long SliceCursor::sliceOf(SliceOrientation orientation) const {
    return position_[std::size_t(voxelAxisOf(orientation, geometry_))];
}

long SliceCursor::sliceCount(SliceOrientation orientation) const {
    return long(geometry_.size[std::size_t(voxelAxisOf(orientation, geometry_))]);
}

int SliceCursor::addListener(Listener listener) {
    listeners_.emplace_back(nextListenerId_, std::move(listener));
    return nextListenerId_++;
}

void SliceCursor::removeListener(int id) {
    listeners_.erase(std::remove_if(listeners_.begin(), listeners_.end(), [&](const auto& l) { return l.first == id; }),
                     listeners_.end());
}

void SliceCursor::notify() {
    const auto listeners = listeners_;  // a listener may remove itself
    for (const auto& listener : listeners) listener.second();
}

}  // namespace ipnp
