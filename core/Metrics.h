#pragma once
// Segmentation metrics as DESIGN.md defines them (the independent checker uses the same):
// Dice = 2|A n B| / (|A| + |B|), 1 when both are empty.
#include "Volume.h"

namespace ipnp {

// Dice of one organ between two label maps on the same grid.
double dice(const LabelMap& a, const LabelMap& b, int organ);

}  // namespace ipnp
