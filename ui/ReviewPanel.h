#pragma once
// The review of pending pseudo-labels: the queue (worst or best agreement first), the candidate
// under review with its scores and provenance, and the decisions — A accept, R reject, N / P next
// and previous — each written to the project at once (a crash loses nothing decided). Bulk accept
// above a Dice threshold shows how many it would accept before it does.
#include <QWidget>
#include <functional>
#include <memory>

#include "ProjectRounds.h"
#include "ReviewQueue.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTableWidget;
class QTextEdit;

namespace ipnp {

class ReviewPanel : public QWidget {
    Q_OBJECT
public:
    explicit ReviewPanel(QWidget* parent = nullptr);

    // The project whose pending candidates are reviewed (nullptr: none open); decisions are
    // recorded under `user`.
    void setProject(ProjectStore* store, const std::string& user);
    // Re-reads the pending candidates (after a round or a decision elsewhere).
    void reload();
    const ReviewQueue& queue() const { return queue_; }

    void acceptCurrent();
    void rejectCurrent();
    void next();
    void previous();
    void setOrder(ReviewOrder order);
    // Accepts every pending mask candidate with Dice >= the threshold box's value.
    void acceptAllAboveThreshold();
    void setBulkThreshold(double threshold);

Q_SIGNALS:
    // The candidate under review changed (the views show it); nullopt when the queue is empty.
    void currentChanged(std::optional<ipnp::CandidateRecord> candidate);
    // A decision changed the project's labels (the browser and the views refresh).
    void decided();
    // A decision failed; the project is unchanged. The window shows it in a dialog.
    void failed(const QString& message);

private:
    void decide(const std::function<void(ProjectRounds&, std::int64_t)>& action);
    void refreshTable();
    void refreshCurrent();

    ProjectStore* store_ = nullptr;
    std::string user_;
    ReviewQueue queue_;
    std::vector<CandidateRecord> records_;
    QComboBox* order_;
    QTableWidget* table_;
    QTextEdit* details_;
    QPushButton *accept_, *reject_, *next_, *previous_, *bulkAccept_;
    QDoubleSpinBox* bulkThreshold_;
    QLabel* bulkPreview_;
    QLabel* summary_;
    bool updating_ = false;  // guards the table's selection signal while it is refilled
};

}  // namespace ipnp
