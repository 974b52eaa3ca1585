#pragma once
// The brush controls while a candidate's mask is edited: radius in mm, paint or erase, 2D (the
// view's slice) or 3D (a ball), undo / redo, accept the edited mask, cancel. Binds to a
// MaskEditor's brush; the main window owns the edit itself.
#include <QWidget>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QRadioButton;

namespace ipnp {

struct BrushSettings;

class EditPanel : public QWidget {
    Q_OBJECT
public:
    explicit EditPanel(QWidget* parent = nullptr);
    // Shows the brush of the edit that starts (nullptr: no edit; the panel hides).
    void bind(BrushSettings* brush, const QString& what);
    void setHistory(std::size_t undo, std::size_t redo, std::size_t voxels);

Q_SIGNALS:
    void undoRequested();
    void redoRequested();
    void acceptRequested();
    void cancelRequested();

private:
    BrushSettings* brush_ = nullptr;
    QLabel *title_, *status_;
    QDoubleSpinBox* radius_;
    QRadioButton *paint_, *erase_;
    QCheckBox* threeD_;
    QPushButton *undo_, *redo_;
};

}  // namespace ipnp
