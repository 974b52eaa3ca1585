#include "EditPanel.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

#include "MaskEditor.h"

namespace ipnp {

EditPanel::EditPanel(QWidget* parent) : QWidget(parent) {
    setObjectName("panelEdit");
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel;
    title_->setObjectName("lblEditTitle");
    title_->setWordWrap(true);
    layout->addWidget(title_);
    auto* form = new QFormLayout;
    radius_ = new QDoubleSpinBox;
    radius_->setObjectName("inBrushRadius");
    radius_->setRange(0.5, 100.0);
    radius_->setSuffix(" mm");
    radius_->setSingleStep(0.5);
    form->addRow("Brush radius", radius_);
    auto* modes = new QHBoxLayout;
    paint_ = new QRadioButton("Paint");
    erase_ = new QRadioButton("Erase");
    paint_->setObjectName("optPaint");
    erase_->setObjectName("optErase");
    paint_->setChecked(true);
    threeD_ = new QCheckBox("3D ball");
    threeD_->setObjectName("chkBrush3d");
    threeD_->setToolTip("Off: a disk in the slice you paint on; on: a ball through neighbouring slices");
    modes->addWidget(paint_);
    modes->addWidget(erase_);
    modes->addWidget(threeD_);
    form->addRow("Brush", modes);
    layout->addLayout(form);
    auto* history = new QHBoxLayout;
    undo_ = new QPushButton("Undo (Ctrl+Z)");
    redo_ = new QPushButton("Redo (Ctrl+Shift+Z)");
    undo_->setObjectName("btnUndo");
    redo_->setObjectName("btnRedo");
    history->addWidget(undo_);
    history->addWidget(redo_);
    layout->addLayout(history);
    status_ = new QLabel;
    status_->setObjectName("lblEditStatus");
    layout->addWidget(status_);
    auto* finish = new QHBoxLayout;
    auto* accept = new QPushButton("Accept edited (Enter)");
    auto* cancel = new QPushButton("Cancel edit (Esc)");
    accept->setObjectName("btnAcceptEdited");
    cancel->setObjectName("btnCancelEdit");
    finish->addWidget(accept);
    finish->addWidget(cancel);
    layout->addLayout(finish);

    connect(radius_, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        if (brush_) brush_->radiusMm = value;
    });
    connect(erase_, &QRadioButton::toggled, this, [this](bool on) {
        if (brush_) brush_->erase = on;
    });
    connect(threeD_, &QCheckBox::toggled, this, [this](bool on) {
        if (brush_) brush_->threeD = on;
    });
    connect(undo_, &QPushButton::clicked, this, &EditPanel::undoRequested);
    connect(redo_, &QPushButton::clicked, this, &EditPanel::redoRequested);
    connect(accept, &QPushButton::clicked, this, &EditPanel::acceptRequested);
    connect(cancel, &QPushButton::clicked, this, &EditPanel::cancelRequested);
    hide();
}

void EditPanel::bind(BrushSettings* brush, const QString& what) {
    brush_ = nullptr;  // no write-back while the controls take the brush's values
    setVisible(brush != nullptr);
    if (!brush) return;
    title_->setText(QString("<b>Editing</b> %1 — left-drag in a slice view paints").arg(what));
    radius_->setValue(brush->radiusMm);
    (brush->erase ? erase_ : paint_)->setChecked(true);
    threeD_->setChecked(brush->threeD);
    brush_ = brush;
}

void EditPanel::setHistory(std::size_t undo, std::size_t redo, std::size_t voxels) {
    undo_->setEnabled(undo > 0);
    redo_->setEnabled(redo > 0);
    status_->setText(QString("%1 voxel(s); %2 stroke(s) to undo, %3 to redo").arg(voxels).arg(undo).arg(redo));
}

}  // namespace ipnp
