#include "ReviewQueue.h"

#include <algorithm>

namespace ipnp {

namespace {
double sortKey(const ReviewItem& item) { return item.absent ? 0.0 : item.dice; }
}  // namespace

void ReviewQueue::setItems(std::vector<ReviewItem> items) {
    items_ = std::move(items);
    current_ = 0;
    sort();
}

void ReviewQueue::setOrder(ReviewOrder order) {
    const auto keep = current();
    order_ = order;
    sort();
    if (keep) selectCandidate(keep->candidateId);
}

void ReviewQueue::sort() {
    std::stable_sort(items_.begin(), items_.end(), [this](const ReviewItem& a, const ReviewItem& b) {
        if (sortKey(a) != sortKey(b))
            return order_ == ReviewOrder::WorstFirst ? sortKey(a) < sortKey(b) : sortKey(a) > sortKey(b);
        return a.candidateId < b.candidateId;  // a stable, reproducible order among equals
    });
}

std::optional<ReviewItem> ReviewQueue::current() const {
    if (items_.empty()) return std::nullopt;
    return items_[current_];
}

void ReviewQueue::select(std::size_t index) {
    if (index < items_.size()) current_ = index;
}

bool ReviewQueue::selectCandidate(std::int64_t candidateId) {
    for (std::size_t i = 0; i < items_.size(); ++i)
        if (items_[i].candidateId == candidateId) {
            current_ = i;
            return true;
        }
    return false;
}

void ReviewQueue::next() {
    if (current_ + 1 < items_.size()) ++current_;
}

void ReviewQueue::previous() {
    if (current_ > 0) --current_;
}

void ReviewQueue::remove(std::int64_t candidateId) {
    const auto it = std::find_if(items_.begin(), items_.end(),
                                 [&](const ReviewItem& item) { return item.candidateId == candidateId; });
    if (it == items_.end()) return;
    const std::size_t removed = std::size_t(it - items_.begin());
    items_.erase(it);
    if (removed < current_) --current_;
    if (current_ >= items_.size() && current_ > 0) current_ = items_.size() - 1;
    if (items_.empty()) current_ = 0;
}

std::size_t ReviewQueue::countAtOrAbove(double threshold) const {
    return std::size_t(std::count_if(items_.begin(), items_.end(),
                                     [&](const ReviewItem& item) {
                                         return !item.absent && !item.emptyMask && item.dice >= threshold;
                                     }));
}

}  // namespace ipnp
