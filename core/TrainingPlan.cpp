#include "TrainingPlan.h"

#include <sstream>

namespace ipnp {

int TrainingPlan::channelOf(int organIndex) const {
    for (std::size_t n = 0; n < organs.size(); ++n)
        if (organs[n] == organIndex) return static_cast<int>(n) + 1;
    return 0;
}

int roundUpToMultiple(int value, int divisor) { return (value + divisor - 1) / divisor * divisor; }

std::string TrainingPlan::toJson() const {
    std::ostringstream out;
    out.precision(17);
    out << "{\n  \"target_spacing_mm\": [" << targetSpacing[0] << ", " << targetSpacing[1] << ", " << targetSpacing[2]
        << "],\n  \"patch_size\": [" << patchSize[0] << ", " << patchSize[1] << ", " << patchSize[2]
        << "],\n  \"modality\": \"" << modality << "\",\n  \"normalization\": {\"mode\": \""
        << (normalization.mode == IntensityNormalization::Mode::CtForeground ? "ct-foreground" : "per-scan-z-score")
        << "\", \"clip_low\": " << normalization.clipLow << ", \"clip_high\": " << normalization.clipHigh
        << ", \"mean\": " << normalization.mean << ", \"sd\": " << normalization.sd << "},\n  \"organs\": [";
    for (std::size_t n = 0; n < organs.size(); ++n) out << (n ? ", " : "") << organs[n];
    out << "],\n  \"channels\": " << channels() << ",\n  \"network\": {\"stages\": " << network.stages
        << ", \"base_width\": " << network.baseWidth << ", \"max_width\": " << network.maxWidth
        << ", \"deep_supervision\": " << (network.deepSupervision ? "true" : "false")
        << "},\n  \"axes\": \"i, j, k of the scan's voxel grid (x fastest), LPS world\"\n}\n";
    return out.str();
}

}  // namespace ipnp
