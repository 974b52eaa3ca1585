#pragma once
// Window/level: which intensities map to black..white on screen, the named presets radiologists
// use, and the "auto" setting for MR (whose intensities have no fixed scale).
#include <string>
#include <vector>

#include "Volume.h"

namespace ipnp {

struct WindowLevel {
    double window = 400;  // width of the displayed intensity range; > 0
    double level = 40;    // its centre

    double lower() const { return level - window / 2; }
    double upper() const { return level + window / 2; }
    // Grey value 0..255 of an intensity: linear inside [lower, upper], clamped outside.
    int greyOf(double intensity) const;
    // Right-drag: dx widens the window, dy raises the level (screen pixels, scaled by `unitsPerPixel`).
    WindowLevel dragged(double dxPixels, double dyPixels, double unitsPerPixel) const;
};

struct WindowLevelPreset {
    std::string name;
    WindowLevel value;
};

// CT presets in Hounsfield units (window / level): abdomen 400/40, liver 150/60, bone 1800/400,
// lung 1500/-600, brain 80/40.
const std::vector<WindowLevelPreset>& ctWindowLevelPresets();

// "MR auto": the 1st..99th percentile of the scan's non-zero intensities (background air would
// otherwise pull the window down). Also a sensible start for a CT without a preset.
WindowLevel autoWindowLevel(const FloatVolume& scan);
WindowLevel autoWindowLevel(const ScanVolume& scan);

}  // namespace ipnp
