#include "WindowLevel.h"

#include <algorithm>
#include <cmath>

namespace ipnp {

int WindowLevel::greyOf(double intensity) const {
    const double t = (intensity - lower()) / window;
    return int(std::lround(std::clamp(t, 0.0, 1.0) * 255.0));
}

WindowLevel WindowLevel::dragged(double dxPixels, double dyPixels, double unitsPerPixel) const {
    WindowLevel out = *this;
    out.window = std::max(1e-3, window + dxPixels * unitsPerPixel);
    out.level = level - dyPixels * unitsPerPixel;  // screen y grows downwards; dragging up raises the level
    return out;
}

const std::vector<WindowLevelPreset>& ctWindowLevelPresets() {
    static const std::vector<WindowLevelPreset> presets{
        {"CT abdomen", {400, 40}}, {"CT liver", {150, 60}}, {"CT bone", {1800, 400}},
        {"CT lung", {1500, -600}}, {"CT brain", {80, 40}},
    };
    return presets;
}

namespace {

template <typename T>
WindowLevel autoWindowLevelOf(const Volume<T>& scan) {
    std::vector<float> values;
    // A sample is enough for percentiles and keeps this instant on a 512x512x300 CT.
    const std::size_t stride = std::max<std::size_t>(1, scan.voxelCount() / 2'000'000);
    values.reserve(scan.voxelCount() / stride + 1);
    for (std::size_t i = 0; i < scan.voxelCount(); i += stride)
        if (scan.voxels()[i] != T(0)) values.push_back(float(scan.voxels()[i]));
    if (values.empty()) return {1, 0};
    const auto at = [&](double fraction) {
        auto nth = values.begin() + std::ptrdiff_t(fraction * double(values.size() - 1));
        std::nth_element(values.begin(), nth, values.end());
        return double(*nth);
    };
    const double low = at(0.01), high = at(0.99);
    const double window = std::max(high - low, 1e-3);
    return {window, (low + high) / 2};
}

}  // namespace

WindowLevel autoWindowLevel(const FloatVolume& scan) { return autoWindowLevelOf(scan); }
WindowLevel autoWindowLevel(const ScanVolume& scan) { return autoWindowLevelOf(scan); }

}  // namespace ipnp
