#pragma once
// nnU-Net-style preprocessing, plain C++ so the CORE_ONLY build has it: resample every scan to the
// dataset's common spacing, then normalise intensities (CT: clip to the 0.5-99.5 percentiles of
// the labeled-foreground intensities, then z-score with their mean and SD; MR: per-scan z-score).
#include <vector>

#include "Volume.h"

namespace ipnp {

// The grid with `targetSpacing` over the same physical extent: same origin and direction,
// size[a] = max(1, round(size[a] * spacing[a] / targetSpacing[a])).
ImageGeometry resampledGeometry(const ImageGeometry& source, const Vec3& targetSpacing);

// Trilinear interpolation at each target voxel centre (through world coordinates, so any
// target grid works); outside the source, the nearest edge voxel's value (clamped index).
FloatVolume resampleLinear(const FloatVolume& image, const ImageGeometry& target);
// Nearest-neighbour for label maps and masks (labels must never blend).
LabelMap resampleNearest(const LabelMap& labels, const ImageGeometry& target);

// Per-axis median of the scans' spacings (nnU-Net's target spacing).
Vec3 medianSpacing(const std::vector<ImageGeometry>& geometries);

struct IntensityNormalization {
    enum class Mode { CtForeground, PerScanZScore };
    Mode mode = Mode::CtForeground;
    // CtForeground only: the clipping range and the statistics of the clipped foreground.
    double clipLow = 0, clipHigh = 0, mean = 0, sd = 1;
};

// Percentile with linear interpolation between order statistics (numpy's default method);
// p in [0, 100]. The values are reordered.
double percentile(std::vector<float>& values, double p);

// CT: pools the intensities of labeled voxels (label != 0) of every scan (at most
// `samplesPerScan` per scan, taken at evenly spaced positions, so the result is deterministic),
// takes the 0.5 and 99.5 percentiles as the clip range, and the mean and SD of the pooled values
// clipped to it. Throws ipnp::Error when no scan has a labeled voxel.
IntensityNormalization planCtNormalization(const std::vector<const FloatVolume*>& images,
                                           const std::vector<const LabelMap*>& labels,
                                           std::size_t samplesPerScan = 10000);

// Applies the normalisation in place. PerScanZScore computes this scan's own mean and SD.
void normalizeIntensities(FloatVolume& image, const IntensityNormalization& normalization);

}  // namespace ipnp
