#pragma once
// Distances, components and shells of binary masks, in millimetres of the mask's own grid
// (anisotropic spacing respected). Used by the metrics (HD95), the prompts and the built-in
// generalist.
#include "PromptSet.h"
#include "Volume.h"

namespace ipnp {

// Exact Euclidean distance in mm from every voxel centre to the nearest voxel centre where
// `sites` is non-zero (0 on the sites themselves); +infinity everywhere when there is no site.
FloatVolume distanceToSites(const Mask& sites);

// Distance in mm from every voxel of `mask` to the nearest voxel outside it (voxels beyond the
// grid's edge count as outside, so a mask touching the edge has distance one spacing there);
// 0 outside the mask.
FloatVolume distanceInside(const Mask& mask);

// The largest 26-connected component of `mask` (0/1); an empty mask when there is none. Ties go to
// the component whose first voxel comes first in memory order.
Mask largestComponent(const Mask& mask);

// mask minus its 6-connected erosion (voxels beyond the grid's edge count as outside): the
// surface DESIGN.md's HD95 uses.
Mask surfaceOf(const Mask& mask);

// Voxels within `mm` of the mask (dilation by a ball) / voxels farther than `mm` from outside
// (erosion by a ball), by exact distance. A voxel at exactly `mm` counts as within; for the
// erosion, voxels beyond the grid's edge count as outside (as in distanceInside).
Mask dilateBy(const Mask& mask, double mm);
Mask erodeBy(const Mask& mask, double mm);

// The mask downsampled by block majority (blocks of `block` voxels per axis; a block is set when
// more than half its voxels are) and upsampled again by nearest neighbour: a coarse prediction's
// stand-in for tests and benchmarks of the generalist.
Mask coarsenByBlocks(const Mask& mask, std::size_t block);

// 0/1 mask of one organ of a label map, on the same grid.
Mask organMask(const LabelMap& labels, int organ);

// How many voxels of the mask are set (non-zero).
std::size_t countSet(const Mask& mask);

// The tight box [first, end) of the set voxels; an empty region when none is set.
VoxelRegion boundingBox(const Mask& mask);

}  // namespace ipnp
