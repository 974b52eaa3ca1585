#include "TimeLapseBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>

namespace ipnp {

TimeLapseBar::TimeLapseBar(QWidget* parent) : QWidget(parent) {
    setObjectName("barTimeLapse");
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 0, 6, 0);
    layout->addWidget(new QLabel("Labels after round"));
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setObjectName("inRoundSlider");
    slider_->setMinimumWidth(160);
    slider_->setTickPosition(QSlider::TicksBelow);
    slider_->setPageStep(1);
    layout->addWidget(slider_);
    caption_ = new QLabel;
    caption_->setObjectName("lblRoundShown");
    caption_->setMinimumWidth(110);
    layout->addWidget(caption_);
    export_ = new QPushButton("Export frames…");
    export_->setObjectName("btnExportTimeLapse");
    export_->setToolTip("Save the open scan's axial view after every round as PNG frames");
    layout->addWidget(export_);
    connect(export_, &QPushButton::clicked, this, &TimeLapseBar::exportRequested);
    connect(slider_, &QSlider::valueChanged, this, [this] {
        const int round = shownRound();
        caption_->setText(round < 0 ? "now" : round == 0 ? "0 (partial labels)" : QString("round %1").arg(round));
        Q_EMIT roundChosen(round);
    });
    setRounds({});
}

void TimeLapseBar::setRounds(std::vector<int> rounds) {
    const QSignalBlocker blocker(slider_);
    rounds_ = std::move(rounds);
    slider_->setRange(0, int(rounds_.size()) + 1);  // 0, each round, now
    slider_->setValue(slider_->maximum());
    slider_->setEnabled(!rounds_.empty());
    export_->setEnabled(!rounds_.empty());
    caption_->setText("now");
}

int TimeLapseBar::shownRound() const {
    const int stop = slider_->value();
    if (stop == slider_->maximum()) return -1;
    return stop == 0 ? 0 : rounds_[std::size_t(stop - 1)];
}

void TimeLapseBar::showRound(int round) {
    if (round < 0) return slider_->setValue(slider_->maximum());
    if (round == 0) return slider_->setValue(0);
    for (std::size_t n = 0; n < rounds_.size(); ++n)
        if (rounds_[n] == round) slider_->setValue(int(n) + 1);
}

}  // namespace ipnp
