#include "MaskEditor.h"

#include <algorithm>
#include <cmath>

namespace ipnp {

void copyBox(const Mask& from, const Index3& first, const Index3& end, std::vector<std::uint8_t>& out) {
    out.clear();
    out.reserve(std::size_t((end[0] - first[0]) * (end[1] - first[1]) * (end[2] - first[2])));
    for (long k = first[2]; k < end[2]; ++k)
        for (long j = first[1]; j < end[1]; ++j)
            for (long i = first[0]; i < end[0]; ++i) out.push_back(from.at(std::size_t(i), std::size_t(j), std::size_t(k)));
}

void pasteBox(Mask& to, const Index3& first, const Index3& end, const std::vector<std::uint8_t>& values) {
    std::size_t n = 0;
    for (long k = first[2]; k < end[2]; ++k)
        for (long j = first[1]; j < end[1]; ++j)
            for (long i = first[0]; i < end[0]; ++i) to.at(std::size_t(i), std::size_t(j), std::size_t(k)) = values[n++];
}

void EditHistory::push(MaskChange change) {
    while (changes_.size() > position_) {
        bytes_ -= changes_.back().bytes();
        changes_.pop_back();
    }
    bytes_ += change.bytes();
    changes_.push_back(std::move(change));
    position_ = changes_.size();
    while (bytes_ > capBytes_ && changes_.size() > 1) {
        bytes_ -= changes_.front().bytes();
        changes_.pop_front();
        --position_;
    }
}

bool EditHistory::undo(Mask& mask) {
    if (position_ == 0) return false;
    const MaskChange& change = changes_[--position_];
    pasteBox(mask, change.first, change.end, change.before);
    return true;
}

bool EditHistory::redo(Mask& mask) {
    if (position_ == changes_.size()) return false;
    const MaskChange& change = changes_[position_++];
    pasteBox(mask, change.first, change.end, change.after);
    return true;
}

std::optional<std::pair<Index3, Index3>> EditHistory::undoBox() const {
    if (position_ == 0) return std::nullopt;
    return std::make_pair(changes_[position_ - 1].first, changes_[position_ - 1].end);
}

std::optional<std::pair<Index3, Index3>> EditHistory::redoBox() const {
    if (position_ == changes_.size()) return std::nullopt;
    return std::make_pair(changes_[position_].first, changes_[position_].end);
}

void EditHistory::clear() {
    changes_.clear();
    position_ = 0;
    bytes_ = 0;
}

MaskEditor::MaskEditor(Mask mask, std::size_t historyCapBytes) : mask_(std::move(mask)), history_(historyCapBytes) {}

void MaskEditor::recordChange(const Index3& first, const Index3& end) {
    if (!sinceMark_) {
        sinceMark_ = std::make_pair(first, end);
        return;
    }
    for (std::size_t a = 0; a < 3; ++a) {
        sinceMark_->first[a] = std::min(sinceMark_->first[a], first[a]);
        sinceMark_->second[a] = std::max(sinceMark_->second[a], end[a]);
    }
}

bool MaskEditor::undo() {
    const auto box = history_.undoBox();
    if (inStroke() || !box || !history_.undo(mask_)) return false;
    recordChange(box->first, box->second);
    return true;
}

bool MaskEditor::redo() {
    const auto box = history_.redoBox();
    if (inStroke() || !box || !history_.redo(mask_)) return false;
    recordChange(box->first, box->second);
    return true;
}

void MaskEditor::beginStroke(SliceOrientation orientation) {
    if (stroke_) endStroke();
    const auto& size = mask_.size();
    stroke_ = Stroke{orientation, {}, {long(size[0]), long(size[1]), long(size[2])}, {0, 0, 0}};
}

std::pair<Index3, Index3> MaskEditor::dab(const Index3& centre) {
    if (!stroke_) beginStroke(SliceOrientation::Axial);
    const ImageGeometry& g = mask_.geometry();
    const int sliceAxis = voxelAxisOf(stroke_->orientation, g);
    Index3 first, end;
    for (std::size_t a = 0; a < 3; ++a) {
        const bool flat = !brush_.threeD && int(a) == sliceAxis;
        const long reach = flat ? 0 : long(std::floor(brush_.radiusMm / g.spacing[a]));
        first[a] = std::max(0L, centre[a] - reach);
        end[a] = std::min(long(g.size[a]), centre[a] + reach + 1);
    }
    const std::uint8_t value = brush_.erase ? 0 : 1;
    const double r2 = brush_.radiusMm * brush_.radiusMm;
    for (long k = first[2]; k < end[2]; ++k)
        for (long j = first[1]; j < end[1]; ++j)
            for (long i = first[0]; i < end[0]; ++i) {
                const double dx = double(i - centre[0]) * g.spacing[0], dy = double(j - centre[1]) * g.spacing[1],
                             dz = double(k - centre[2]) * g.spacing[2];
                if (dx * dx + dy * dy + dz * dz > r2) continue;
                const std::size_t index = g.linearIndex(std::size_t(i), std::size_t(j), std::size_t(k));
                if (mask_.data()[index] == value) continue;
                stroke_->before.emplace(index, mask_.data()[index]);  // keeps the first value seen
                mask_.data()[index] = value;
            }
    for (std::size_t a = 0; a < 3; ++a) {
        stroke_->first[a] = std::min(stroke_->first[a], first[a]);
        stroke_->end[a] = std::max(stroke_->end[a], end[a]);
    }
    return {first, end};
}

void MaskEditor::endStroke() {
    if (!stroke_) return;
    Stroke stroke = std::move(*stroke_);
    stroke_.reset();
    if (stroke.end[0] <= stroke.first[0]) return;  // no dab
    MaskChange change;
    change.first = stroke.first;
    change.end = stroke.end;
    if (stroke.before.empty()) return;  // nothing changed: no undo step
    copyBox(mask_, change.first, change.end, change.after);
    change.before = change.after;
    const ImageGeometry& g = mask_.geometry();
    const Index3 size{change.end[0] - change.first[0], change.end[1] - change.first[1], change.end[2] - change.first[2]};
    for (const auto& [index, value] : stroke.before) {
        const long i = long(index % g.size[0]), j = long(index / g.size[0] % g.size[1]), k = long(index / (g.size[0] * g.size[1]));
        change.before[std::size_t((i - change.first[0]) + size[0] * ((j - change.first[1]) + size[1] * (k - change.first[2])))] = value;
    }
    if (change.before == change.after) return;  // painted and erased back: no undo step
    recordChange(change.first, change.end);
    history_.push(std::move(change));
}

std::size_t MaskEditor::voxelCount() const {
    return std::size_t(std::count_if(mask_.voxels().begin(), mask_.voxels().end(), [](std::uint8_t v) { return v != 0; }));
}

}  // namespace ipnp
