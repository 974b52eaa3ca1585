#pragma once
// The four views in a 2x2 grid (axial, sagittal / coronal, 3D, as ITK-SNAP arranges them), any
// one of which can fill the whole area and go back (double click, or View > Maximise).
#include <QWidget>

class QGridLayout;

namespace ipnp {

class ViewLayout : public QWidget {
    Q_OBJECT
public:
    ViewLayout(QWidget* topLeft, QWidget* topRight, QWidget* bottomLeft, QWidget* bottomRight, QWidget* parent = nullptr);
    // Shows only `view`, or all four again when it is already the only one.
    void toggleMaximized(QWidget* view);
    QWidget* maximizedView() const { return maximized_; }

private:
    QWidget* views_[4];
    QWidget* maximized_ = nullptr;
};

}  // namespace ipnp
