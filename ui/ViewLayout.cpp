#include "ViewLayout.h"

#include <QGridLayout>

namespace ipnp {

ViewLayout::ViewLayout(QWidget* topLeft, QWidget* topRight, QWidget* bottomLeft, QWidget* bottomRight, QWidget* parent)
    : QWidget(parent), views_{topLeft, topRight, bottomLeft, bottomRight} {
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(2);
    for (int n = 0; n < 4; ++n) grid->addWidget(views_[n], n / 2, n % 2);
    for (int n = 0; n < 2; ++n) {
        grid->setRowStretch(n, 1);
        grid->setColumnStretch(n, 1);
    }
}

void ViewLayout::toggleMaximized(QWidget* view) {
    maximized_ = maximized_ == view ? nullptr : view;
    for (QWidget* v : views_) v->setVisible(!maximized_ || v == maximized_);
}

}  // namespace ipnp
