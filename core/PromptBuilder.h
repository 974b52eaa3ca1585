#pragma once
// Step 2 of the method: turns the specialist's prediction of one organ in one scan into the
// prompts a generalist takes (largest component, box with margin, positive points at
// distance-transform maxima, negative points on neighbouring organs and background, per-slice
// boxes), or into an "absent" prompt when the specialist finds no component.
#include <optional>

#include "PromptSet.h"
#include "Volume.h"

namespace ipnp {

struct PromptSettings {
    double marginMm = 6.0;     // added to the component's box on every side (at least minMarginVoxels)
    int minMarginVoxels = 2;
    int positivePoints = 3;    // distance-transform maxima, kept apart by the deepest point's depth
    int maxNegativeOrganPoints = 3;  // one per neighbouring organ in the region, nearest first
    // An organ the argmax never picks may still be detected weakly: where its probability peaks at
    // weakDetectionFloor or more, the voxels above half that peak stand in for its prediction (its
    // low mean confidence is in the candidate's scores). 0 turns this off.
    double weakDetectionFloor = 0.2;
};

// The specialist's label map with `organ` painted where it is weakly detected (see
// PromptSettings::weakDetectionFloor) on background voxels, when the argmax has none of it;
// nothing (no copy of a scan-sized map) when the label map stays as it is. `probability` is the
// organ's map, 0..255.
std::optional<LabelMap> withWeakDetection(const LabelMap& predicted, const Volume<std::uint8_t>& probability, int organ,
                                          double floor);

class PromptBuilder {
public:
    explicit PromptBuilder(PromptSettings settings = {}) : settings_(settings) {}

    // `predicted`: the specialist's label map; `locked`: the scan's manual and locked labels (same
    // grid; organs there count as "others"). Both on the scan's grid.
    PromptSet build(const LabelMap& predicted, const LabelMap& locked, int organ) const;

    const PromptSettings& settings() const { return settings_; }

private:
    PromptSettings settings_;
};

// The sub-volume of `volume` inside `region`, on the matching sub-grid.
template <typename T>
Volume<T> cropToRegion(const Volume<T>& volume, const VoxelRegion& region) {
    const auto size = region.size();
    Volume<T> out(volume.geometry().region(region.first, size));
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j) {
            const T* source = &volume.at(region.first[0], region.first[1] + j, region.first[2] + k);
            std::copy(source, source + size[0], &out.at(0, j, k));
        }
    return out;
}

// Writes `mask`'s non-zero voxels as `value` into `target` at `region` (the mask's sub-grid).
void pasteRegion(LabelMap& target, const Mask& mask, const VoxelRegion& region, std::uint8_t value);

}  // namespace ipnp
