#include "DisplayPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QListWidget>
#include <QPixmap>
#include <QSlider>
#include <QVBoxLayout>

#include "ScanScene.h"
#include "VolumeRenderingPreset.h"
#include "VolumeView3d.h"

namespace ipnp {

DisplayPanel::DisplayPanel(ScanScene* scene, VolumeView3d* view3d, QWidget* parent)
    : QWidget(parent), scene_(scene), view3d_(view3d) {
    setObjectName("panelDisplay");
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    layout->addLayout(form);

    windowPreset_ = new QComboBox;
    windowPreset_->setObjectName("inWindowPreset");
    windowPreset_->addItem("(as set)");
    for (const WindowLevelPreset& preset : ctWindowLevelPresets())
        windowPreset_->addItem(QString("%1  (%2 / %3)").arg(QString::fromStdString(preset.name))
                                   .arg(preset.value.window).arg(preset.value.level));
    windowPreset_->addItem("Auto (MR)");
    form->addRow("Window/level", windowPreset_);
    connect(windowPreset_, &QComboBox::activated, this, &DisplayPanel::applyWindowPreset);

    labelsVisible_ = new QCheckBox("Show labels");
    labelsVisible_->setObjectName("chkLabels");
    labelsVisible_->setChecked(true);
    form->addRow(labelsVisible_);
    connect(labelsVisible_, &QCheckBox::toggled, scene_, &ScanScene::setLabelsVisible);

    disagreement_ = new QCheckBox("Show specialist–generalist disagreement");
    disagreement_->setObjectName("chkDisagreement");
    disagreement_->setToolTip("Magenta: voxels of a pending candidate's region where the specialist and the generalist "
                              "disagree (they are left out of the next round's training)");
    form->addRow(disagreement_);
    connect(disagreement_, &QCheckBox::toggled, scene_, &ScanScene::setDisagreementVisible);

    opacity_ = new QSlider(Qt::Horizontal);
    opacity_->setObjectName("inLabelOpacity");
    opacity_->setRange(0, 100);
    opacity_->setValue(int(scene_->labelOpacity() * 100));
    form->addRow("Label opacity", opacity_);
    connect(opacity_, &QSlider::valueChanged, this, [this](int value) { scene_->setLabelOpacity(value / 100.0); });

    layout->addWidget(new QLabel("Organs (slice overlays and 3D surfaces):"));
    organs_ = new QListWidget;
    organs_->setObjectName("lstOrgans");
    layout->addWidget(organs_, 1);
    connect(organs_, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
        scene_->setOrganVisible(item->data(Qt::UserRole).toInt(), item->checkState() == Qt::Checked);
    });

    auto* form3d = new QFormLayout;
    layout->addLayout(form3d);
    volumePreset_ = new QComboBox;
    volumePreset_->setObjectName("inVolumePreset");
    for (const VolumeRenderingPreset& preset : ctVolumeRenderingPresets())
        volumePreset_->addItem(QString::fromStdString(preset.name));
    form3d->addRow("3D transfer function", volumePreset_);
    connect(volumePreset_, &QComboBox::currentTextChanged, this,
            [this](const QString& name) { view3d_->setPreset(name.toStdString()); });
    volumeVisible_ = new QCheckBox("Volume rendering");
    volumeVisible_->setObjectName("chkVolume");
    volumeVisible_->setChecked(view3d_->volumeVisible());
    surfacesVisible_ = new QCheckBox("Organ surfaces");
    surfacesVisible_->setObjectName("chkSurfaces");
    surfacesVisible_->setChecked(view3d_->surfacesVisible());
    form3d->addRow(volumeVisible_);
    form3d->addRow(surfacesVisible_);
    connect(volumeVisible_, &QCheckBox::toggled, view3d_, &VolumeView3d::setVolumeVisible);
    connect(surfacesVisible_, &QCheckBox::toggled, view3d_, &VolumeView3d::setSurfacesVisible);
    refreshOrgans();
}

void DisplayPanel::refreshOrgans() {
    const QSignalBlocker blocker(organs_);
    organs_->clear();
    for (const Organ& organ : scene_->schema().organs()) {
        QPixmap swatch(12, 12);
        swatch.fill(QColor(organ.colour[0], organ.colour[1], organ.colour[2]));
        auto* item = new QListWidgetItem(QIcon(swatch), QString::fromStdString(organ.name));
        item->setData(Qt::UserRole, organ.index);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(scene_->organVisible(organ.index) ? Qt::Checked : Qt::Unchecked);
        organs_->addItem(item);
    }
}

void DisplayPanel::applyWindowPreset(int index) {
    if (!scene_->hasScan() || index == 0) return;
    const auto& presets = ctWindowLevelPresets();
    if (index - 1 < int(presets.size()))
        scene_->setWindowLevel(presets[std::size_t(index - 1)].value);
    else
        scene_->setWindowLevel(scene_->autoWindowLevel());
}

}  // namespace ipnp
