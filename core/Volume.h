#pragma once
// A 3D scalar image: voxels in x-fastest order plus the physical grid they sit on.
#include <cstdint>
#include <utility>
#include <vector>

#include "ImageGeometry.h"

namespace ipnp {

template <typename T>
class Volume {
public:
    using Voxel = T;

    Volume() = default;
    explicit Volume(ImageGeometry geometry, T fill = T{})
        : geometry_(std::move(geometry)), voxels_(geometry_.voxelCount(), fill) {}

    const ImageGeometry& geometry() const { return geometry_; }
    const std::array<std::size_t, 3>& size() const { return geometry_.size; }
    std::size_t voxelCount() const { return voxels_.size(); }

    T& at(std::size_t i, std::size_t j, std::size_t k) { return voxels_[geometry_.linearIndex(i, j, k)]; }
    const T& at(std::size_t i, std::size_t j, std::size_t k) const {
        return voxels_[geometry_.linearIndex(i, j, k)];
    }
    T* data() { return voxels_.data(); }
    const T* data() const { return voxels_.data(); }
    std::vector<T>& voxels() { return voxels_; }
    const std::vector<T>& voxels() const { return voxels_; }

private:
    ImageGeometry geometry_;
    std::vector<T> voxels_;
};

// Organ index per voxel, 0 = background. 255 organs are more than any schema needs.
using LabelMap = Volume<std::uint8_t>;
// A binary mask of one organ (0/1).
using Mask = Volume<std::uint8_t>;
// CT in Hounsfield units, or MR intensities, as stored.
using ScanVolume = Volume<std::int16_t>;
using FloatVolume = Volume<float>;

}  // namespace ipnp
