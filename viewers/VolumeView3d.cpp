#include "VolumeView3d.h"

#include <QMouseEvent>
#include <array>
#include <cstdio>
#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkColorTransferFunction.h>
#include <QtConcurrent/QtConcurrentRun>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkExtractVOI.h>
#include <vtkImageData.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkUnsignedCharArray.h>
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
    connect(&surfaceWatcher_, &QFutureWatcher<std::shared_ptr<OrganSurfaces>>::finished, this,
            &VolumeView3d::onSurfacesExtracted);
    rebuildVolume();
}

VolumeView3d::~VolumeView3d() { surfaceWatcher_.waitForFinished(); }

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
    // Frames the volume now (ResetCamera counts visible props only); the surfaces come a moment
    // later, and frame themselves when the volume is hidden.
    if (!cameraPlaced_ && volumeVisible_) resetCamera();
}

namespace {

// Smoothed surfaces of every organ in `labels`, on a worker thread: VTK filters are safe there as
// long as nothing else touches their objects, so the worker works on its own copy of the labels.
std::shared_ptr<OrganSurfaces> extractSurfaces(LabelMap labels) {
    auto out = std::make_shared<OrganSurfaces>();
    const ImageGeometry& g = labels.geometry();
    const auto& size = labels.size();
    auto image = vtkSmartPointer<vtkImageData>::New();
    image->SetDimensions(int(size[0]), int(size[1]), int(size[2]));
    image->SetSpacing(g.spacing[0], g.spacing[1], g.spacing[2]);
    auto array = vtkSmartPointer<vtkUnsignedCharArray>::New();
    array->SetArray(labels.data(), vtkIdType(labels.voxelCount()), 1);
    image->GetPointData()->SetScalars(array);
    // One pass finds each organ's bounding box; each organ's surface is then extracted from its box
    // (plus a voxel of margin) only: 15 organs cost about one pass over the scan, not 15.
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
        voi->SetInputData(image);
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
        normals->Update();
        auto surface = vtkSmartPointer<vtkPolyData>::New();
        surface->ShallowCopy(normals->GetOutput());  // outlives the pipeline, which stays here
        (*out)[organ] = surface;
    }
    return out;
}

}  // namespace

void VolumeView3d::rebuildSurfaces() {
    // Surfaces are only worth their cost when someone looks at them.
    if (!surfacesStale_ || !isVisible()) return;
    if (surfaceWatcher_.isRunning() || surfacesPending_) {
        rerunSurfaces_ = true;  // the labels changed again: once this run ends, start over
        return;
    }
    surfacesStale_ = false;
    if (!scene_->hasScan() || !scene_->hasLabels()) {
        showSurfaces({});
        return;
    }
    // An exception must not reach the watcher's slot (result() would rethrow it there): out of
    // memory for a huge label map leaves the 3D view without surfaces. The labels are copied
    // before the view counts as pending, so that a failed copy leaves nothing pending.
    auto extract = [labels = scene_->labels()]() mutable -> std::shared_ptr<OrganSurfaces> {
        try {
            return extractSurfaces(std::move(labels));
        } catch (const std::exception& error) {
            std::fprintf(stderr, "3D view: no surfaces: %s\n", error.what());
            return nullptr;
        }
    };
    surfacesPending_ = true;
    surfaceWatcher_.setFuture(QtConcurrent::run(std::move(extract)));
}

void VolumeView3d::onSurfacesExtracted() {
    surfacesPending_ = false;
    const std::shared_ptr<OrganSurfaces> surfaces = surfaceWatcher_.result();
    if (rerunSurfaces_) {  // what came back is already out of date
        rerunSurfaces_ = false;
        surfacesStale_ = true;
        rebuildSurfaces();
        return;
    }
    showSurfaces(surfaces ? *surfaces : OrganSurfaces{});
}

void VolumeView3d::showSurfaces(const OrganSurfaces& surfaces) {
    for (auto& [organ, actor] : surfaces_) renderer()->RemoveActor(actor);
    surfaces_.clear();
    for (const auto& [organ, surface] : surfaces) {
        auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
        mapper->SetInputData(surface);
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
    Q_EMIT surfacesShown();
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
