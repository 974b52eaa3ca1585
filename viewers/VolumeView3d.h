#pragma once
// The 3D view of a ScanScene: volume rendering of the scan with a CT transfer-function preset, and
// smoothed organ surfaces from the label map (discrete flying edges + windowed sinc), each organ
// shown or hidden with the scene's organ visibility. Trackball camera with the mouse.
#include <map>
#include <string>

#include "VtkOpenGLWidget.h"

class vtkActor;
class vtkVolume;
class vtkSmartVolumeMapper;

namespace ipnp {

class ScanScene;

class VolumeView3d : public VtkOpenGLWidget {
    Q_OBJECT
public:
    explicit VolumeView3d(ScanScene* scene, QWidget* parent = nullptr);
    ~VolumeView3d() override;

    void setPreset(const std::string& name);  // one of ctVolumeRenderingPresets()
    void setVolumeVisible(bool visible);
    void setSurfacesVisible(bool visible);
    bool volumeVisible() const { return volumeVisible_; }
    bool surfacesVisible() const { return surfacesVisible_; }
    // Organs that currently have a surface (for tests and the organ list).
    std::vector<int> organsWithSurface() const;
    void resetCamera();

Q_SIGNALS:
    void maximizeRequested();

protected:
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void rebuildVolume();
    void rebuildSurfaces();
    void updateVisibility();

    ScanScene* scene_;
    vtkSmartPointer<vtkSmartVolumeMapper> volumeMapper_;
    vtkSmartPointer<vtkVolume> volume_;
    std::map<int, vtkSmartPointer<vtkActor>> surfaces_;
    bool volumeVisible_ = true, surfacesVisible_ = true;
    bool surfacesStale_ = true;
    bool cameraPlaced_ = false;  // the first picture of a scan frames it whole
};

}  // namespace ipnp
