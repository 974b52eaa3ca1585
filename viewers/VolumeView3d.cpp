#include "VolumeView3d.h"

#include <QMouseEvent>
#include <array>
#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkColorTransferFunction.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkExtractVOI.h>
#include <vtkImageData.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSmartVolumeMapper.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include "ScanScene.h"
#include "VolumeRenderingPreset.h"

namespace ipnp {

VolumeView3d::VolumeView3d(ScanScene* scene, QWidget* parent) : VtkOpenGLWidget(parent), scene_(scene) {
    setObjectName("view3d");
    setForwardMouseToVtk(true);
    renderer()->SetBackground(0.08, 0.09, 0.12);
    volumeMapper_ = vtkSmartPointer<vtkSmartVolumeMapper>::New();
    volume_ = vtkSmartPointer<vtkVolume>::New();
    volume_->SetMapper(volumeMapper_);
    auto property = vtkSmartPointer<vtkVolumeProperty>::New();
    property->ShadeOn();
    property->SetInterpolationTypeToLinear();
    volume_->SetProperty(property);
    volume_->VisibilityOff();
    renderer()->AddVolume(volume_);
    setPreset(ctVolumeRenderingPresets().front().name);

    connect(scene_, &ScanScene::scanChanged, this, [this] {
        cameraPlaced_ = false;
        rebuildVolume();
        surfacesStale_ = true;
        rebuildSurfaces();
    });
    connect(scene_, &ScanScene::labelsChanged, this, [this] {
        surfacesStale_ = true;
        rebuildSurfaces();
    });
    connect(scene_, &ScanScene::displayChanged, this, [this] { updateVisibility(); });
    rebuildVolume();
}

VolumeView3d::~VolumeView3d() = default;

void VolumeView3d::setPreset(const std::string& name) {
    for (const VolumeRenderingPreset& preset : ctVolumeRenderingPresets()) {
        if (preset.name != name) continue;
        auto colour = vtkSmartPointer<vtkColorTransferFunction>::New();
        auto opacity = vtkSmartPointer<vtkPiecewiseFunction>::New();
        for (const TransferPoint& p : preset.points) {
            colour->AddRGBPoint(p.intensity, p.red, p.green, p.blue);
            opacity->AddPoint(p.intensity, p.opacity);
        }
        volume_->GetProperty()->SetColor(colour);
        volume_->GetProperty()->SetScalarOpacity(opacity);
        update();
    }
}

void VolumeView3d::rebuildVolume() {
    if (!scene_->hasScan()) {
        volume_->VisibilityOff();
        update();
        return;
    }
    volumeMapper_->SetInputData(scene_->scanImage());
    volume_->SetUserMatrix(scene_->userMatrix());
    updateVisibility();
}

void VolumeView3d::rebuildSurfaces() {
    // Surfaces are only worth their cost when someone looks at them.
    if (!surfacesStale_ || !isVisible()) return;
    surfacesStale_ = false;
    for (auto& [organ, actor] : surfaces_) renderer()->RemoveActor(actor);
    surfaces_.clear();
    if (!scene_->hasScan()) return;
    // One pass finds each organ's bounding box; each organ's surface is then extracted from its box
    // (plus a voxel of margin) only: 15 organs cost about one pass over the scan, not 15.
    const LabelMap& labels = scene_->labels();
    const auto& size = labels.size();
    std::array<std::array<long, 6>, 256> boxes;
    for (auto& box : boxes) box = {long(size[0]), long(size[1]), long(size[2]), -1, -1, -1};
    const std::uint8_t* voxel = labels.data();
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i, ++voxel) {
                if (*voxel == 0) continue;
                auto& box = boxes[*voxel];
                const long at[3] = {long(i), long(j), long(k)};
                for (int a = 0; a < 3; ++a) {
                    box[std::size_t(a)] = std::min(box[std::size_t(a)], at[a]);
                    box[std::size_t(a + 3)] = std::max(box[std::size_t(a + 3)], at[a]);
                }
            }
    for (int organ = 1; organ < 256; ++organ) {
        const auto& box = boxes[std::size_t(organ)];
        if (box[3] < 0) continue;
        auto voi = vtkSmartPointer<vtkExtractVOI>::New();
        voi->SetInputData(scene_->labelImage());
        voi->SetVOI(int(std::max(0L, box[0] - 1)), int(std::min(long(size[0]) - 1, box[3] + 1)),
                    int(std::max(0L, box[1] - 1)), int(std::min(long(size[1]) - 1, box[4] + 1)),
                    int(std::max(0L, box[2] - 1)), int(std::min(long(size[2]) - 1, box[5] + 1)));
        auto edges = vtkSmartPointer<vtkDiscreteFlyingEdges3D>::New();
        edges->SetInputConnection(voi->GetOutputPort());
        edges->SetValue(0, organ);
        edges->ComputeNormalsOff();
        edges->ComputeScalarsOff();
        auto smooth = vtkSmartPointer<vtkWindowedSincPolyDataFilter>::New();
        smooth->SetInputConnection(edges->GetOutputPort());
        smooth->SetNumberOfIterations(15);
        smooth->SetPassBand(0.05);
        smooth->NormalizeCoordinatesOn();
        smooth->BoundarySmoothingOff();
        auto normals = vtkSmartPointer<vtkPolyDataNormals>::New();
        normals->SetInputConnection(smooth->GetOutputPort());
        auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
        mapper->SetInputConnection(normals->GetOutputPort());
        mapper->ScalarVisibilityOff();
        auto actor = vtkSmartPointer<vtkActor>::New();
        actor->SetMapper(mapper);
        actor->SetUserMatrix(scene_->userMatrix());
        if (const Organ* o = scene_->schema().byIndex(organ))
            actor->GetProperty()->SetColor(o->colour[0] / 255.0, o->colour[1] / 255.0, o->colour[2] / 255.0);
        actor->GetProperty()->SetSpecular(0.2);
        renderer()->AddActor(actor);
        surfaces_[organ] = actor;
    }
    if (!cameraPlaced_) resetCamera();
    updateVisibility();
}

void VolumeView3d::updateVisibility() {
    volume_->SetVisibility(scene_->hasScan() && volumeVisible_);
    for (auto& [organ, actor] : surfaces_) actor->SetVisibility(surfacesVisible_ && scene_->organVisible(organ));
    update();
}

std::vector<int> VolumeView3d::organsWithSurface() const {
    std::vector<int> out;
    for (const auto& entry : surfaces_) out.push_back(entry.first);
    return out;
}

void VolumeView3d::setVolumeVisible(bool visible) {
    volumeVisible_ = visible;
    updateVisibility();
}

void VolumeView3d::setSurfacesVisible(bool visible) {
    surfacesVisible_ = visible;
    rebuildSurfaces();
    updateVisibility();
}

void VolumeView3d::resetCamera() {
    cameraPlaced_ = true;
    vtkCamera* camera = renderer()->GetActiveCamera();
    // From the front (anterior), head up, as a person faces the patient.
    camera->SetFocalPoint(0, 0, 0);
    camera->SetPosition(0, -1, 0);
    camera->SetViewUp(0, 0, 1);
    renderer()->ResetCamera();
    update();
}

void VolumeView3d::mouseDoubleClickEvent(QMouseEvent*) { Q_EMIT maximizeRequested(); }

void VolumeView3d::showEvent(QShowEvent* event) {
    VtkOpenGLWidget::showEvent(event);
    rebuildSurfaces();  // labels may have changed while the view was hidden
}

}  // namespace ipnp
