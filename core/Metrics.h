#pragma once
// Segmentation metrics as DESIGN.md defines them (the independent checker uses the same):
// Dice = 2|A n B| / (|A| + |B|), 1 when both are empty;
// HD95 = 95th percentile of the pooled symmetric distances in mm between the two surfaces
// (surface = mask minus its 6-connected erosion), undefined when one mask is empty.
#include <optional>

#include "Volume.h"

namespace ipnp {

// Dice of one organ between two label maps on the same grid.
double dice(const LabelMap& a, const LabelMap& b, int organ);
// Dice of two 0/1 masks on the same grid.
double dice(const Mask& a, const Mask& b);

// HD95 in mm between two 0/1 masks on the same grid: the distances from every surface voxel of A
// to B's surface and from every surface voxel of B to A's surface, pooled, and their 95th
// percentile with linear interpolation between order statistics (numpy.percentile's default).
// nullopt when either mask is empty (both empty included): undefined, reported as such.
std::optional<double> hausdorff95(const Mask& a, const Mask& b);
std::optional<double> hausdorff95(const LabelMap& a, const LabelMap& b, int organ);

}  // namespace ipnp
