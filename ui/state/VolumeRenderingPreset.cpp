#include "VolumeRenderingPreset.h"

namespace ipnp {

const std::vector<VolumeRenderingPreset>& ctVolumeRenderingPresets() {
    // Air and fat transparent; the named tissue opaque enough to read its shape.
    static const std::vector<VolumeRenderingPreset> presets{
        {"CT soft tissue",
         {{-1000, 0, 0, 0, 0}, {-200, 0.55, 0.25, 0.15, 0}, {20, 0.75, 0.40, 0.30, 0.12}, {150, 0.95, 0.75, 0.60, 0.35},
          {700, 1.0, 0.95, 0.85, 0.6}, {3000, 1, 1, 1, 0.8}}},
        {"CT bone",
         {{-1000, 0, 0, 0, 0}, {150, 0.6, 0.4, 0.3, 0}, {300, 0.9, 0.8, 0.65, 0.45}, {1200, 1.0, 1.0, 0.95, 0.85},
          {3000, 1, 1, 1, 0.9}}},
        {"CT lung",
         {{-1000, 0.3, 0.3, 0.4, 0}, {-900, 0.5, 0.6, 0.8, 0.05}, {-500, 0.7, 0.8, 1.0, 0.02}, {-200, 0.8, 0.5, 0.4, 0},
          {3000, 1, 1, 1, 0}}},
        {"CT angio",
         {{-1000, 0, 0, 0, 0}, {100, 0.7, 0.1, 0.1, 0}, {200, 0.9, 0.3, 0.2, 0.4}, {600, 1.0, 0.9, 0.8, 0.8},
          {3000, 1, 1, 1, 0.9}}},
    };
    return presets;
}

}  // namespace ipnp
