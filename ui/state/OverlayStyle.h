#pragma once
// How label overlays look, independent of the renderer: pending pseudo-labels are drawn as an
// outline plus diagonal hatching, so that a person never mistakes them for accepted labels.
#include "Volume.h"

namespace ipnp {

// The voxels of a pending label map that are drawn: its surface (a voxel with a 6-neighbour of
// another value or outside the grid) and every voxel with (i + j + k) % hatchPeriod == 0. The
// hatch test along three axes gives diagonal stripes in axial, coronal and sagittal slices alike.
// Drawn voxels keep their organ index; the others become 0.
LabelMap pendingDisplayPattern(const LabelMap& pending, int hatchPeriod = 4);
// The same for the voxels in [first, end) only, written into `shown` (an edit redraws its box).
void updatePendingDisplayPattern(const LabelMap& pending, LabelMap& shown, const Index3& first, const Index3& end,
                                 int hatchPeriod = 4);

}  // namespace ipnp
