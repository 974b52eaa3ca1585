#pragma once
// The built-in generalist (DESIGN.md, "The method", step 3): a frozen, training-free, deterministic
// promptable segmenter that follows image edges. Seeded competitive region growing in the spirit of
// GrowCut (3D Slicer's "Grow from seeds", FastGrowCut), inside prompt.region only:
//  - foreground seeds: the core of the coarse mask (eroded by 2 voxels; by less where that would
//    cut the core in pieces or leave a thin part without seed) and the positive points (with a
//    2-voxel ball around each when there is no coarse mask or no core);
//  - background seeds: voxels more than 2 voxels from the coarse mask (less, down to 1, for an
//    organ less than 2 voxels deep, so that a thin vessel cannot leak), the core of prompt.others
//    (eroded by 2 voxels), the negative points, and, when there is no coarse mask, the region's
//    faces that are not on the scan's edge (the box and the points are then all there is);
//  - every other voxel takes the label of the seed front that reaches it along the cheapest
//    6-connected path, a step costing a constant per mm, plus the intensity step of the lightly
//    smoothed image (edges stop a front), plus how far the voxel's intensity is from the front's
//    own tissue (the median of the foreground seeds; a background seed's own), both in units of
//    the crop's noise level so that CT and MR alike work; Dijkstra with a bucket queue (Dial's
//    algorithm) on integer costs, linear in the voxels.
// The result is the largest 26-connected foreground component, a 0/1 mask on the region's
// sub-grid. Radii are in voxels of the grid the growth runs on, not mm: the region's own grid when
// its finest spacing is 3 mm or less; on coarser grids (the demo's 6 mm phantoms) the region
// resampled up to 3x finer (trilinear image, masks as blocks), each voxel then taking the label of
// most of its block, so that a boundary voxel is placed by its partial-volume intensity rather
// than lost to whichever front reaches it first; the tissue term is left out there (on the
// interpolated image it pulled every boundary inwards), so edges alone stop the fronts.
// Measured on phantoms with prompts 2 voxels off (tests/core/BuiltinGeneralistTest.cpp): mean
// Dice 0.82 -> 0.93, HD95 5.8 -> 3.3 mm;
// at 6 mm with prompts 1 voxel off: 0.84 -> 0.90 (on the 6 mm grid itself it was 0.76); at 6 mm
// the truth given as the prompt comes back whole and grown by about a third of a voxel (2 mm) all
// round (see segmentUpsampled in the .cpp for why that is chosen). A 128^3 region at 2 mm takes
// about 0.4 s on one core, the same 256 mm region at 6 mm (resampled 3x) 0.3-0.45 s
// (bench/BuiltinGeneralistBench.cpp).
//
// identity(): name "builtin-growcut", contract "builtin". core has no SHA-256 (no OpenSSL), so the
// identity's sha256 field holds the algorithm's version string itself, kVersion, which changes
// whenever the algorithm or its constants change (a candidate records which one made it).
#include "Generalist.h"

namespace ipnp {

class BuiltinGeneralist : public Generalist {
public:
    static constexpr const char* kName = "builtin-growcut";
    static constexpr const char* kVersion = "builtin-growcut-v4";

    GeneralistIdentity identity() const override;
    // Throws ipnp::Error when the prompt is absent, its region is empty or not inside the image,
    // its coarse/others masks are not on the region's grid (an empty Mask counts as "none"), a
    // point lies outside the region, or there is no foreground seed at all (no coarse mask and no
    // positive point).
    Mask segment(const FloatVolume& image, const PromptSet& prompt) override;

    // How many times finer per axis a region of this grid is segmented (1: on its own grid): up to
    // 3x on grids coarser than 3 mm, less for regions too large to resample that much (the work
    // of a 160^3 region at most).
    static int upsamplingFor(const ImageGeometry& region);
};

}  // namespace ipnp
