#pragma once
// The linked crosshair: one voxel of the scan that every slice view shows (each view shows the
// slice through it along its own axis). Plain C++, shared by the three slice views.
#include <functional>
#include <vector>

#include "ImageGeometry.h"

namespace ipnp {

enum class SliceOrientation { Axial, Coronal, Sagittal };

// World (LPS) axis a view looks along: axial z, coronal y, sagittal x.
int worldAxisOf(SliceOrientation orientation);
// The scan's voxel axis (0..2) whose direction is closest to the view's world axis, so that a scan
// stored in any axis order still shows axial slices in the axial view.
int voxelAxisOf(SliceOrientation orientation, const ImageGeometry& geometry);

// Screen edges' anatomical letters (radiological convention: patient's right on screen left):
// {left, right, top, bottom}, e.g. axial {"R", "L", "A", "P"}.
struct EdgeLabels {
    const char *left, *right, *top, *bottom;
};
EdgeLabels edgeLabelsOf(SliceOrientation orientation);
// The anatomical letter a world (LPS) direction points to most: L, R, P, A, S or I.
char anatomicalLetter(const Vec3& worldDirection);

class SliceCursor {
public:
    using Listener = std::function<void()>;

    void setGeometry(const ImageGeometry& geometry);  // puts the cursor in the centre
    const ImageGeometry& geometry() const { return geometry_; }
    bool empty() const { return geometry_.voxelCount() == 0; }

    const Index3& position() const { return position_; }
    // Clamps into the grid; notifies listeners when the position changed.
    void setPosition(const Index3& voxel);
    // Moves `steps` slices along the view's voxel axis (wheel, Page Up/Down), clamped.
    void step(SliceOrientation orientation, long steps);
    long sliceOf(SliceOrientation orientation) const;
    long sliceCount(SliceOrientation orientation) const;

    // Returns an id for removeListener (a view that goes away before the cursor must remove itself).
    int addListener(Listener listener);
    void removeListener(int id);

private:
    void notify();
    ImageGeometry geometry_;
    Index3 position_{0, 0, 0};
    std::vector<std::pair<int, Listener>> listeners_;
    int nextListenerId_ = 1;
};

}  // namespace ipnp
