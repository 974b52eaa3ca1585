#pragma once
// A scan's voxels as the views hold them: int16 when its file stores integers that fit (most CT:
// half the memory of float and no conversion pass), float otherwise.
#include <string>
#include <variant>

#include "ImageFile.h"
#include "Volume.h"

namespace ipnp {

using ScanVoxels = std::variant<ScanVolume, FloatVolume>;

ScanVoxels scanVoxelsFrom(const RawImage& raw, const std::string& pathForMessages);
const ImageGeometry& geometryOf(const ScanVoxels& voxels);
std::size_t voxelCountOf(const ScanVoxels& voxels);
float intensityAt(const ScanVoxels& voxels, const Index3& voxel);  // 0 outside the grid

}  // namespace ipnp
