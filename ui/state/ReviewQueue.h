#pragma once
// The review panel's queue: the pending candidates in the order a person reviews them (worst or
// best specialist-generalist agreement first), the one under review, and the bulk-accept preview.
// Plain C++: the panel fills it from the project and forwards A/R/N/P to it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ipnp {

struct ReviewItem {
    std::int64_t candidateId = 0;
    std::int64_t scanId = 0;
    std::string scanName, organName;
    int organIndex = 0;
    int round = 0;
    bool absent = false;     // "the organ is not in this scan": no mask, no agreement score
    bool emptyMask = false;  // a mask with no voxel: rejected, or accepted only once edited
    double dice = 0;         // specialist-generalist Dice
    double confidence = 0;
};

enum class ReviewOrder { WorstFirst, BestFirst };

class ReviewQueue {
public:
    // Absent candidates sort as the worst (Dice 0): a person must look at them in either order.
    void setItems(std::vector<ReviewItem> items);
    void setOrder(ReviewOrder order);
    ReviewOrder order() const { return order_; }

    const std::vector<ReviewItem>& items() const { return items_; }
    bool empty() const { return items_.empty(); }
    std::size_t size() const { return items_.size(); }

    // The item under review (none when the queue is empty).
    std::optional<ReviewItem> current() const;
    std::size_t currentIndex() const { return current_; }
    void select(std::size_t index);
    bool selectCandidate(std::int64_t candidateId);
    void next();
    void previous();

    // A decision took the item out of the queue: the next one (in order) comes under review, or
    // the previous one when it was the last.
    void remove(std::int64_t candidateId);

    // How many items a bulk accept at this Dice threshold would accept (absent ones and empty
    // masks never).
    std::size_t countAtOrAbove(double threshold) const;

private:
    void sort();
    std::vector<ReviewItem> items_;
    ReviewOrder order_ = ReviewOrder::WorstFirst;
    std::size_t current_ = 0;
};

}  // namespace ipnp
