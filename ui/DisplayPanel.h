#pragma once
// Display settings of the open scan: window/level presets, label overlay visibility and opacity,
// one check box per organ (slice overlays and 3D surfaces), the 3D view's transfer function and
// what it shows. Binds to a ScanScene and a VolumeView3d; holds no state of its own.
#include <QWidget>

class QCheckBox;
class QComboBox;
class QListWidget;
class QSlider;

namespace ipnp {

class ScanScene;
class VolumeView3d;

class DisplayPanel : public QWidget {
    Q_OBJECT
public:
    DisplayPanel(ScanScene* scene, VolumeView3d* view3d, QWidget* parent = nullptr);
    // Re-reads the organ list from the scene's schema.
    void refreshOrgans();

private:
    void applyWindowPreset(int index);

    ScanScene* scene_;
    VolumeView3d* view3d_;
    QComboBox* windowPreset_;
    QCheckBox *labelsVisible_, *disagreement_;
    QSlider* opacity_;
    QListWidget* organs_;
    QComboBox* volumePreset_;
    QCheckBox *volumeVisible_, *surfacesVisible_;
};

}  // namespace ipnp
