#include "ReviewPanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QTextEdit>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>

namespace ipnp {

namespace {

QString describe(const CandidateRecord& c) {
    using nlohmann::json;
    QString text = QString("<b>%1 — %2</b><br>round %3, candidate %4, created %5<br>")
                       .arg(QString::fromStdString(c.scanName).toHtmlEscaped(), QString::fromStdString(c.organName).toHtmlEscaped())
                       .arg(c.round).arg(c.id).arg(QString::fromStdString(c.createdAt));
    if (c.absent) text += "The specialist found no component: <b>absent</b> if accepted.<br>";
    if (c.emptyMask())
        text += "Its mask is <b>empty</b>: the generalist found nothing, or every voxel went to a more probable "
                "neighbouring organ. Reject it, or edit the mask (E) and accept that.<br>";
    const json scores = json::parse(c.scoresJson, nullptr, false);
    if (scores.is_object() && !c.absent) {
        text += QString("specialist–generalist Dice %1<br>mean confidence %2<br>volume %3 ml")
                    .arg(scores.value("specialist_generalist_dice", 0.0), 0, 'f', 3)
                    .arg(scores.value("mean_confidence", 0.0), 0, 'f', 3)
                    .arg(scores.value("volume_ml", 0.0), 0, 'f', 1);
        if (scores.contains("volume_plausibility") && scores["volume_plausibility"].is_number())
            text += QString(", plausibility %1").arg(scores["volume_plausibility"].get<double>(), 0, 'f', 2);
        text += "<br>";
    }
    const json generalist = json::parse(c.generalistJson, nullptr, false);
    if (generalist.is_object())
        text += QString("generalist %1 (%2)<br>")
                    .arg(QString::fromStdString(generalist.value("name", std::string())).toHtmlEscaped(),
                         QString::fromStdString(generalist.value("sha256", std::string())).left(16));
    text += QString("specialist checkpoint %1<br>").arg(QString::fromStdString(c.checkpointSha256).left(16));
    const json prompts = json::parse(c.promptsJson, nullptr, false);
    if (prompts.is_object()) {
        const auto count = [&](const char* key) { return prompts.contains(key) && prompts[key].is_array() ? int(prompts[key].size()) : 0; };
        text += QString("prompts: %1 positive, %2 negative points, %3 slice boxes")
                    .arg(count("positive_points")).arg(count("negative_points")).arg(count("slice_boxes"));
    }
    return text;
}

}  // namespace

ReviewPanel::ReviewPanel(QWidget* parent) : QWidget(parent) {
    setObjectName("panelReview");
    auto* layout = new QVBoxLayout(this);
    summary_ = new QLabel("No project open.");
    summary_->setObjectName("lblReviewSummary");
    layout->addWidget(summary_);

    auto* orderRow = new QHBoxLayout;
    orderRow->addWidget(new QLabel("Order:"));
    order_ = new QComboBox;
    order_->setObjectName("inReviewOrder");
    order_->addItems({"Worst agreement first", "Best agreement first"});
    orderRow->addWidget(order_, 1);
    layout->addLayout(orderRow);
    connect(order_, &QComboBox::currentIndexChanged, this,
            [this](int index) { setOrder(index == 0 ? ReviewOrder::WorstFirst : ReviewOrder::BestFirst); });

    table_ = new QTableWidget(0, 5);
    table_->setObjectName("tblReviewQueue");
    table_->setHorizontalHeaderLabels({"Scan", "Organ", "Round", "Dice", "Conf."});
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(table_, 2);
    connect(table_, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (updating_ || row < 0) return;
        queue_.select(std::size_t(row));
        refreshCurrent();
    });

    details_ = new QTextEdit;
    details_->setObjectName("txtReviewDetails");
    details_->setReadOnly(true);
    layout->addWidget(details_, 1);

    auto* buttons = new QHBoxLayout;
    accept_ = new QPushButton("&Accept (A)");
    reject_ = new QPushButton("&Reject (R)");
    previous_ = new QPushButton("Previous (P)");
    next_ = new QPushButton("Next (N)");
    accept_->setObjectName("btnAccept");
    reject_->setObjectName("btnReject");
    previous_->setObjectName("btnPrevious");
    next_->setObjectName("btnNext");
    for (QPushButton* b : {accept_, reject_, previous_, next_}) buttons->addWidget(b);
    layout->addLayout(buttons);
    connect(accept_, &QPushButton::clicked, this, &ReviewPanel::acceptCurrent);
    connect(reject_, &QPushButton::clicked, this, &ReviewPanel::rejectCurrent);
    connect(previous_, &QPushButton::clicked, this, &ReviewPanel::previous);
    connect(next_, &QPushButton::clicked, this, &ReviewPanel::next);

    auto* bulk = new QHBoxLayout;
    bulk->addWidget(new QLabel("Bulk: Dice ≥"));
    bulkThreshold_ = new QDoubleSpinBox;
    bulkThreshold_->setObjectName("inBulkThreshold");
    bulkThreshold_->setRange(0.0, 1.0);
    bulkThreshold_->setSingleStep(0.01);
    bulkThreshold_->setDecimals(2);
    bulkThreshold_->setValue(0.9);
    bulk->addWidget(bulkThreshold_);
    bulkPreview_ = new QLabel;
    bulkPreview_->setObjectName("lblBulkPreview");
    bulk->addWidget(bulkPreview_, 1);
    bulkAccept_ = new QPushButton("Accept these");
    bulkAccept_->setObjectName("btnBulkAccept");
    bulk->addWidget(bulkAccept_);
    layout->addLayout(bulk);
    connect(bulkThreshold_, &QDoubleSpinBox::valueChanged, this, [this] { refreshCurrent(); });
    connect(bulkAccept_, &QPushButton::clicked, this, &ReviewPanel::acceptAllAboveThreshold);
    refreshTable();
}

void ReviewPanel::setProject(ProjectStore* store, const std::string& user) {
    store_ = store;
    user_ = user;
    reload();
}

void ReviewPanel::reload() {
    records_.clear();
    std::vector<ReviewItem> items;
    if (store_) {
        records_ = ProjectRounds(*store_).candidates("pending");
        for (const CandidateRecord& c : records_) {
            ReviewItem item;
            item.candidateId = c.id;
            item.scanId = c.scanId;
            item.scanName = c.scanName;
            item.organName = c.organName;
            item.organIndex = c.organIndex;
            item.round = c.round;
            item.absent = c.absent;
            item.emptyMask = c.emptyMask();
            item.dice = c.dice;
            const auto scores = nlohmann::json::parse(c.scoresJson, nullptr, false);
            item.confidence = scores.is_object() ? scores.value("mean_confidence", 0.0) : 0.0;
            items.push_back(item);
        }
    }
    const auto keep = queue_.current();
    queue_.setItems(std::move(items));
    if (keep) queue_.selectCandidate(keep->candidateId);
    refreshTable();
}

void ReviewPanel::refreshTable() {
    updating_ = true;
    table_->setRowCount(int(queue_.size()));
    for (std::size_t row = 0; row < queue_.size(); ++row) {
        const ReviewItem& item = queue_.items()[row];
        const QStringList cells{QString::fromStdString(item.scanName), QString::fromStdString(item.organName),
                                QString::number(item.round),
                                item.absent ? "absent" : item.emptyMask ? "empty" : QString::number(item.dice, 'f', 3),
                                item.absent ? "" : QString::number(item.confidence, 'f', 2)};
        for (int column = 0; column < cells.size(); ++column)
            table_->setItem(int(row), column, new QTableWidgetItem(cells[column]));
    }
    updating_ = false;
    refreshCurrent();
}

void ReviewPanel::refreshCurrent() {
    const auto current = queue_.current();
    const bool has = current.has_value();
    for (QPushButton* b : {accept_, reject_, previous_, next_}) b->setEnabled(has);
    accept_->setEnabled(has && !current->emptyMask);
    accept_->setToolTip(has && current->emptyMask ? "Its mask is empty: reject it, or edit the mask and accept that"
                                                  : QString());
    const std::size_t bulkCount = queue_.countAtOrAbove(bulkThreshold_->value());
    bulkPreview_->setText(QString("%1 candidate(s)").arg(bulkCount));
    bulkAccept_->setEnabled(bulkCount > 0);
    summary_->setText(!store_ ? "No project open."
                              : has ? QString("%1 pending — reviewing %2 of %1").arg(queue_.size()).arg(queue_.currentIndex() + 1)
                                    : "Nothing to review: no pending pseudo-labels.");
    std::optional<CandidateRecord> record;
    if (has) {
        updating_ = true;
        table_->selectRow(int(queue_.currentIndex()));
        updating_ = false;
        for (const CandidateRecord& c : records_)
            if (c.id == current->candidateId) record = c;
        details_->setHtml(record ? describe(*record) : QString());
    } else {
        details_->clear();
    }
    Q_EMIT currentChanged(record);
}

void ReviewPanel::decide(const std::function<void(ProjectRounds&, std::int64_t)>& action) {
    const auto current = queue_.current();
    if (!store_ || !current) return;
    try {
        ProjectRounds rounds(*store_, user_);
        action(rounds, current->candidateId);
    } catch (const std::exception& error) {
        Q_EMIT failed(QString::fromStdString(error.what()));
        reload();  // someone else may have decided it: show the project as it is
        return;
    }
    queue_.remove(current->candidateId);
    refreshTable();
    Q_EMIT decided();
}

void ReviewPanel::acceptCurrent() {
    decide([](ProjectRounds& rounds, std::int64_t id) { rounds.accept(id); });
}

void ReviewPanel::rejectCurrent() {
    decide([](ProjectRounds& rounds, std::int64_t id) { rounds.reject(id); });
}

void ReviewPanel::next() {
    queue_.next();
    refreshCurrent();
}

void ReviewPanel::previous() {
    queue_.previous();
    refreshCurrent();
}

void ReviewPanel::setOrder(ReviewOrder order) {
    queue_.setOrder(order);
    const int index = order == ReviewOrder::WorstFirst ? 0 : 1;
    if (order_->currentIndex() != index) order_->setCurrentIndex(index);
    refreshTable();
}

void ReviewPanel::setBulkThreshold(double threshold) { bulkThreshold_->setValue(threshold); }

void ReviewPanel::acceptAllAboveThreshold() {
    if (!store_) return;
    try {
        ProjectRounds(*store_, user_).acceptAllAbove(bulkThreshold_->value());
    } catch (const std::exception& error) {
        Q_EMIT failed(QString::fromStdString(error.what()));
    }
    reload();
    Q_EMIT decided();
}

}  // namespace ipnp
