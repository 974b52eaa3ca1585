#pragma once
// Transfer functions for the 3D view's volume rendering of CT, as data: intensity (HU) -> colour
// and opacity, linearly interpolated between points.
#include <string>
#include <vector>

namespace ipnp {

struct TransferPoint {
    double intensity;
    double red, green, blue;  // 0..1
    double opacity;           // 0..1 per unit length of the ray (VTK's scalar opacity)
};

struct VolumeRenderingPreset {
    std::string name;
    std::vector<TransferPoint> points;  // ascending intensity
};

// "CT soft tissue", "CT bone", "CT lung", "CT angio".
const std::vector<VolumeRenderingPreset>& ctVolumeRenderingPresets();

}  // namespace ipnp
