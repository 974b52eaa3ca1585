#pragma once
// The 3D view of a ScanScene: volume rendering of the scan with a CT transfer-function preset, and
// smoothed organ surfaces from the label map (discrete flying edges + windowed sinc), each organ
// shown or hidden with the scene's organ visibility. Trackball camera with the mouse. The surfaces
// are extracted on a worker thread: the volume rendering shows at once, the surfaces join it.
#include <QFutureWatcher>
#include <map>
#include <memory>
#include <string>

#include "VtkOpenGLWidget.h"

class vtkActor;
class vtkPolyData;
class vtkVolume;
class vtkSmartVolumeMapper;

namespace ipnp {

class ScanScene;
using OrganSurfaces = std::map<int, vtkSmartPointer<vtkPolyData>>;  // organ index -> its surface

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
    // True from a label change until its surfaces are shown (they are extracted on a worker).
    bool surfacesPending() const { return surfacesPending_ || surfacesStale_; }

Q_SIGNALS:
    void maximizeRequested();
    void surfacesShown();

protected:
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void rebuildVolume();
    void rebuildSurfaces();
    void onSurfacesExtracted();
    void showSurfaces(const OrganSurfaces& surfaces);
    void updateVisibility();

    ScanScene* scene_;
    vtkSmartPointer<vtkSmartVolumeMapper> volumeMapper_;
    vtkSmartPointer<vtkVolume> volume_;
    std::map<int, vtkSmartPointer<vtkActor>> surfaces_;
    bool volumeVisible_ = true, surfacesVisible_ = true;
    bool surfacesStale_ = true;    // the labels changed since the surfaces were extracted
    bool surfacesPending_ = false; // an extraction runs on the worker
    bool rerunSurfaces_ = false;   // ... and the labels changed again meanwhile
    QFutureWatcher<std::shared_ptr<OrganSurfaces>> surfaceWatcher_;
    bool cameraPlaced_ = false;  // the first picture of a scan frames it whole
};

}  // namespace ipnp
