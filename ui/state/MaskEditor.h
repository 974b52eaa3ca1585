#pragma once
// Editing a candidate's mask with a paint / erase brush, with undo and redo (ITK-SNAP's and 3D
// Slicer's habit: the tool applies dabs, the history stores a save point per stroke). A stroke is
// every dab between press and release; the history keeps, per stroke, only the box it changed
// (the voxels before and after), so a 256 MB cap holds hundreds of strokes on a 512 x 512 slice.
// Plain C++: the slice views forward press / drag / release in voxel coordinates.
#include <cstddef>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "SliceCursor.h"
#include "Volume.h"

namespace ipnp {

struct BrushSettings {
    double radiusMm = 5.0;   // a dab covers voxels whose centre lies within this distance
    bool erase = false;      // erase: set voxels to 0 instead of 1
    bool threeD = false;     // 3D: a ball; 2D: a disk in the view's slice
};

// The voxels of the box [first, end) of a mask, i fastest, and back (undo steps, the edit journal).
void copyBox(const Mask& from, const Index3& first, const Index3& end, std::vector<std::uint8_t>& out);
void pasteBox(Mask& to, const Index3& first, const Index3& end, const std::vector<std::uint8_t>& values);

// The box [first, end) a change touched, with its voxels before and after.
struct MaskChange {
    Index3 first{0, 0, 0}, end{0, 0, 0};
    std::vector<std::uint8_t> before, after;
    std::size_t bytes() const { return before.size() + after.size(); }
};

class EditHistory {
public:
    explicit EditHistory(std::size_t capBytes = 256u << 20) : capBytes_(capBytes) {}
    // Records a change (the redo steps after the current point are dropped); the oldest changes
    // go when the cap is exceeded (the newest one always stays).
    void push(MaskChange change);
    // Apply the change's before / after to `mask`; false when there is nothing to undo / redo.
    bool undo(Mask& mask);
    bool redo(Mask& mask);
    // The box the next undo / redo would change (nothing when there is none).
    std::optional<std::pair<Index3, Index3>> undoBox() const;
    std::optional<std::pair<Index3, Index3>> redoBox() const;
    std::size_t undoCount() const { return position_; }
    std::size_t redoCount() const { return changes_.size() - position_; }
    std::size_t bytes() const { return bytes_; }
    std::size_t capBytes() const { return capBytes_; }
    void clear();

private:
    std::deque<MaskChange> changes_;
    std::size_t position_ = 0;  // changes_[0, position_) are applied
    std::size_t bytes_ = 0;
    std::size_t capBytes_;
};

class MaskEditor {
public:
    // `mask` is the candidate's mask on the scan's grid (0/1).
    explicit MaskEditor(Mask mask, std::size_t historyCapBytes = 256u << 20);

    const Mask& mask() const { return mask_; }
    BrushSettings& brush() { return brush_; }
    const EditHistory& history() const { return history_; }

    // A stroke in a slice view of `orientation`: dabs at voxel centres; endStroke records it.
    void beginStroke(SliceOrientation orientation);
    // Returns the box [first, end) the dab may have changed (for a partial redraw).
    std::pair<Index3, Index3> dab(const Index3& centre);
    void endStroke();
    bool inStroke() const { return stroke_.has_value(); }

    bool undo();
    bool redo();
    // The box all changes since the last markJournaled() lie in (nothing when there was none): what
    // the edit journal writes next, however many changes came since (a stroke ended by the next
    // press without a release is two).
    const std::optional<std::pair<Index3, Index3>>& changedSinceMark() const { return sinceMark_; }
    void markJournaled() { sinceMark_.reset(); }
    // Whether the mask differs from the candidate's: a stroke kept, or an edit restored from disk.
    bool changed() const { return restored_ || history_.undoCount() > 0; }
    // The mask given was the candidate's with an earlier, unfinished edit replayed onto it.
    void markRestored() { restored_ = true; }
    std::size_t voxelCount() const;

private:
    Mask mask_;
    BrushSettings brush_;
    EditHistory history_;
    struct Stroke {
        SliceOrientation orientation;
        std::unordered_map<std::size_t, std::uint8_t> before;  // first value of each voxel the stroke changed
        Index3 first, end;
    };
    std::optional<Stroke> stroke_;
    void recordChange(const Index3& first, const Index3& end);

    std::optional<std::pair<Index3, Index3>> sinceMark_;
    bool restored_ = false;
};

}  // namespace ipnp
