#include "ScanVoxels.h"

namespace ipnp {

ScanVoxels scanVoxelsFrom(const RawImage& raw, const std::string& path) {
    switch (raw.header.componentType) {
        case ComponentType::Int16:
        case ComponentType::UInt8:
        case ComponentType::Int8: return toVolume<std::int16_t>(raw, path);
        default: return toVolume<float>(raw, path);
    }
}

const ImageGeometry& geometryOf(const ScanVoxels& voxels) {
    return std::visit([](const auto& volume) -> const ImageGeometry& { return volume.geometry(); }, voxels);
}

std::size_t voxelCountOf(const ScanVoxels& voxels) {
    return std::visit([](const auto& volume) { return volume.voxelCount(); }, voxels);
}

float intensityAt(const ScanVoxels& voxels, const Index3& v) {
    return std::visit(
        [&](const auto& volume) {
            return volume.geometry().contains(v) ? float(volume.at(std::size_t(v[0]), std::size_t(v[1]), std::size_t(v[2])))
                                                 : 0.0f;
        },
        voxels);
}

}  // namespace ipnp
