#include "SliceView.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkImageStack.h>
#include <vtkLineSource.h>
#include <vtkLookupTable.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

#include "ScanScene.h"

namespace ipnp {

namespace {

struct ViewAxes {
    Vec3 viewDirection;  // camera looks along this (world, LPS)
    Vec3 up;             // screen up
    Vec3 right;          // screen right = viewDirection x up
};

// Radiological convention: the patient's right on the screen's left; anterior / superior up.
ViewAxes axesOf(SliceOrientation orientation) {
    switch (orientation) {
        case SliceOrientation::Axial: return {{0, 0, 1}, {0, -1, 0}, {1, 0, 0}};
        case SliceOrientation::Coronal: return {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}};
        case SliceOrientation::Sagittal: return {{-1, 0, 0}, {0, 0, 1}, {0, 1, 0}};
    }
    return {{0, 0, 1}, {0, -1, 0}, {1, 0, 0}};
}

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

const char* nameOf(SliceOrientation orientation) {
    switch (orientation) {
        case SliceOrientation::Axial: return "Axial";
        case SliceOrientation::Coronal: return "Coronal";
        case SliceOrientation::Sagittal: return "Sagittal";
    }
    return "";
}

}  // namespace

SliceView::SliceView(SliceOrientation orientation, ScanScene* scene, SliceCursor* cursor, QWidget* parent)
    : VtkOpenGLWidget(parent), orientation_(orientation), scene_(scene), cursor_(cursor) {
    setObjectName(QString("view%1").arg(nameOf(orientation)));
    renderer()->SetBackground(0, 0, 0);
    renderer()->GetActiveCamera()->ParallelProjectionOn();

    scanMapper_ = vtkSmartPointer<vtkImageSliceMapper>::New();
    labelMapper_ = vtkSmartPointer<vtkImageSliceMapper>::New();
    pendingMapper_ = vtkSmartPointer<vtkImageSliceMapper>::New();
    disagreementMapper_ = vtkSmartPointer<vtkImageSliceMapper>::New();
    disagreementSlice_ = vtkSmartPointer<vtkImageSlice>::New();
    disagreementSlice_->SetMapper(disagreementMapper_);
    disagreementSlice_->GetProperty()->SetInterpolationTypeToNearest();
    disagreementSlice_->GetProperty()->SetLookupTable(scene_->disagreementColours());
    disagreementSlice_->GetProperty()->UseLookupTableScalarRangeOn();
    disagreementSlice_->GetProperty()->SetLayerNumber(3);
    scanSlice_ = vtkSmartPointer<vtkImageSlice>::New();
    labelSlice_ = vtkSmartPointer<vtkImageSlice>::New();
    pendingSlice_ = vtkSmartPointer<vtkImageSlice>::New();
    scanSlice_->SetMapper(scanMapper_);
    labelSlice_->SetMapper(labelMapper_);
    pendingSlice_->SetMapper(pendingMapper_);
    scanSlice_->GetProperty()->SetInterpolationTypeToNearest();
    scanSlice_->GetProperty()->SetLayerNumber(0);
    for (vtkImageSlice* overlay : {labelSlice_.Get(), pendingSlice_.Get()}) {
        overlay->GetProperty()->SetInterpolationTypeToNearest();
        overlay->GetProperty()->SetLookupTable(scene_->labelColours());
        overlay->GetProperty()->UseLookupTableScalarRangeOn();
    }
    labelSlice_->GetProperty()->SetLayerNumber(1);
    pendingSlice_->GetProperty()->SetLayerNumber(2);
    stack_ = vtkSmartPointer<vtkImageStack>::New();
    stack_->AddImage(scanSlice_);
    stack_->AddImage(labelSlice_);
    stack_->AddImage(pendingSlice_);
    stack_->AddImage(disagreementSlice_);
    stack_->SetActiveLayer(0);
    stack_->VisibilityOff();
    renderer()->AddViewProp(stack_);

    for (int n = 0; n < 2; ++n) {
        lines_[n] = vtkSmartPointer<vtkLineSource>::New();
        auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
        mapper->SetInputConnection(lines_[n]->GetOutputPort());
        lineActors_[n] = vtkSmartPointer<vtkActor>::New();
        lineActors_[n]->SetMapper(mapper);
        lineActors_[n]->GetProperty()->SetColor(0.3, 0.8, 1.0);
        lineActors_[n]->GetProperty()->SetOpacity(0.7);
        lineActors_[n]->VisibilityOff();
        overlayRenderer()->AddActor(lineActors_[n]);
    }
    for (auto* label : {&sliceLabel_, &windowLabel_}) {
        *label = vtkSmartPointer<vtkTextActor>::New();
        (*label)->GetTextProperty()->SetFontSize(14);
        (*label)->GetTextProperty()->SetColor(0.9, 0.9, 0.6);
        (*label)->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
        (*label)->VisibilityOff();
        overlayRenderer()->AddViewProp(*label);
    }
    sliceLabel_->GetTextProperty()->SetVerticalJustificationToTop();
    sliceLabel_->SetPosition(0.01, 0.985);
    windowLabel_->GetTextProperty()->SetVerticalJustificationToBottom();
    windowLabel_->SetPosition(0.01, 0.015);
    const EdgeLabels letters = edgeLabelsOf(orientation_);
    const char* texts[4] = {letters.left, letters.right, letters.top, letters.bottom};
    const double positions[4][2] = {{0.015, 0.5}, {0.985, 0.5}, {0.5, 0.975}, {0.5, 0.025}};
    for (int n = 0; n < 4; ++n) {
        edgeLabels_[n] = vtkSmartPointer<vtkTextActor>::New();
        edgeLabels_[n]->SetInput(texts[n]);
        edgeLabels_[n]->GetTextProperty()->SetFontSize(15);
        edgeLabels_[n]->GetTextProperty()->SetColor(1.0, 0.85, 0.3);
        edgeLabels_[n]->GetTextProperty()->SetJustification(n == 0 ? VTK_TEXT_LEFT : n == 1 ? VTK_TEXT_RIGHT : VTK_TEXT_CENTERED);
        edgeLabels_[n]->GetTextProperty()->SetVerticalJustification(n == 2 ? VTK_TEXT_TOP : n == 3 ? VTK_TEXT_BOTTOM
                                                                                                 : VTK_TEXT_CENTERED);
        edgeLabels_[n]->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
        edgeLabels_[n]->SetPosition(positions[n][0], positions[n][1]);
        edgeLabels_[n]->VisibilityOff();
        overlayRenderer()->AddViewProp(edgeLabels_[n]);
    }

    connect(scene_, &ScanScene::scanChanged, this, [this] { rebuildPipeline(); });
    connect(scene_, &ScanScene::labelsChanged, this, [this] {
        labelMapper_->SetInputData(scene_->labelImage());
        pendingMapper_->SetInputData(scene_->pendingImage());
        disagreementMapper_->SetInputData(scene_->disagreementImage());
        updateLayerVisibility();
        // A layer that was empty (a one-voxel stand-in) had its slice number clamped to 0: set it again.
        updateSlice();
    });
    connect(scene_, &ScanScene::displayChanged, this, [this] { updateDisplay(); });
    cursorListener_ = cursor_->addListener([this] { updateSlice(); });
    rebuildPipeline();
}

SliceView::~SliceView() { cursor_->removeListener(cursorListener_); }

void SliceView::rebuildPipeline() {
    const bool has = scene_->hasScan();
    stack_->SetVisibility(has);
    for (auto& actor : lineActors_) actor->SetVisibility(has);
    for (auto& label : edgeLabels_) label->SetVisibility(has);
    sliceLabel_->SetVisibility(has);
    windowLabel_->SetVisibility(has);
    if (!has) {
        update();
        return;
    }
    scanMapper_->SetInputData(scene_->scanImage());
    labelMapper_->SetInputData(scene_->labelImage());
    pendingMapper_->SetInputData(scene_->pendingImage());
    disagreementMapper_->SetInputData(scene_->disagreementImage());
    const int axis = voxelAxisOf(orientation_, scene_->geometry());
    for (vtkImageSliceMapper* mapper : {scanMapper_.Get(), labelMapper_.Get(), pendingMapper_.Get(), disagreementMapper_.Get()})
        mapper->SetOrientation(axis);
    for (vtkImageSlice* slice : {scanSlice_.Get(), labelSlice_.Get(), pendingSlice_.Get(), disagreementSlice_.Get()})
        slice->SetUserMatrix(scene_->userMatrix());
    zoom_ = 1.0;
    panWorld_ = {0, 0, 0};
    updateDisplay();
    updateSlice();
}

void SliceView::updateDisplay() {
    if (!scene_->hasScan()) return;
    const WindowLevel& wl = scene_->windowLevel();
    scanSlice_->GetProperty()->SetColorWindow(wl.window);
    scanSlice_->GetProperty()->SetColorLevel(wl.level);
    labelSlice_->GetProperty()->SetOpacity(scene_->labelOpacity());
    disagreementSlice_->GetProperty()->SetOpacity(0.6);
    updateLayerVisibility();
    windowLabel_->SetInput(QString("W %1  L %2").arg(wl.window, 0, 'f', 0).arg(wl.level, 0, 'f', 0).toUtf8().constData());
    update();
}

// A hidden layer costs nothing per frame (no slice extracted, no texture uploaded); layers with
// nothing to show, or switched off, are hidden rather than drawn transparent.
void SliceView::updateLayerVisibility() {
    const bool labels = scene_->labelsVisible();
    labelSlice_->SetVisibility(labels && scene_->hasLabels() && scene_->labelOpacity() > 0);
    pendingSlice_->SetVisibility(labels && scene_->hasPendingLabels());
    disagreementSlice_->SetVisibility(scene_->disagreementVisible() && scene_->hasDisagreement());
}

QString SliceView::sliceText() const {
    if (!scene_->hasScan()) return {};
    return QString("%1 %2/%3").arg(nameOf(orientation_)).arg(cursor_->sliceOf(orientation_) + 1).arg(cursor_->sliceCount(orientation_));
}

void SliceView::updateSlice() {
    if (!scene_->hasScan()) return;
    const long slice = cursor_->sliceOf(orientation_);
    for (vtkImageSliceMapper* mapper : {scanMapper_.Get(), labelMapper_.Get(), pendingMapper_.Get(), disagreementMapper_.Get()})
        mapper->SetSliceNumber(int(slice));
    sliceLabel_->SetInput(sliceText().toUtf8().constData());

    // Crosshair: a line along each in-plane voxel axis through the cursor, edge to edge.
    const ImageGeometry& g = scene_->geometry();
    const int sliceAxis = voxelAxisOf(orientation_, g);
    const Index3& at = cursor_->position();
    int line = 0;
    for (int axis = 0; axis < 3 && line < 2; ++axis) {
        if (axis == sliceAxis) continue;
        Vec3 from{double(at[0]), double(at[1]), double(at[2])}, to = from;
        from[std::size_t(axis)] = -0.5;
        to[std::size_t(axis)] = double(g.size[std::size_t(axis)]) - 0.5;
        const Vec3 a = g.indexToWorld(from), b = g.indexToWorld(to);
        lines_[line]->SetPoint1(a[0], a[1], a[2]);
        lines_[line]->SetPoint2(b[0], b[1], b[2]);
        ++line;
    }
    placeCamera();
    update();
}

void SliceView::placeCamera() {
    const ImageGeometry& g = scene_->geometry();
    const ViewAxes axes = axesOf(orientation_);
    // The scan's extent along the screen axes, from its eight corners.
    double minRight = 1e300, maxRight = -1e300, minUp = 1e300, maxUp = -1e300;
    for (int corner = 0; corner < 8; ++corner) {
        Vec3 index;
        for (int a = 0; a < 3; ++a) index[std::size_t(a)] = (corner >> a & 1) ? double(g.size[std::size_t(a)]) - 0.5 : -0.5;
        const Vec3 w = g.indexToWorld(index);
        minRight = std::min(minRight, dot(w, axes.right));
        maxRight = std::max(maxRight, dot(w, axes.right));
        minUp = std::min(minUp, dot(w, axes.up));
        maxUp = std::max(maxUp, dot(w, axes.up));
    }
    const Index3& at = cursor_->position();
    const Vec3 cursorWorld = g.indexToWorld({double(at[0]), double(at[1]), double(at[2])});
    const double depth = dot(cursorWorld, axes.viewDirection);
    const double centreRight = (minRight + maxRight) / 2, centreUp = (minUp + maxUp) / 2;
    Vec3 focal;
    for (std::size_t a = 0; a < 3; ++a)
        focal[a] = centreRight * axes.right[a] + centreUp * axes.up[a] + depth * axes.viewDirection[a] + panWorld_[a];
    const double aspect = height() > 0 ? double(width()) / double(height()) : 1.0;
    const double halfHeight = std::max((maxUp - minUp) / 2, (maxRight - minRight) / 2 / aspect) * 1.04;

    vtkCamera* camera = renderer()->GetActiveCamera();
    const double distance = 1000.0 + (maxRight - minRight) + (maxUp - minUp);
    camera->SetFocalPoint(focal[0], focal[1], focal[2]);
    camera->SetPosition(focal[0] - distance * axes.viewDirection[0], focal[1] - distance * axes.viewDirection[1],
                        focal[2] - distance * axes.viewDirection[2]);
    camera->SetViewUp(axes.up[0], axes.up[1], axes.up[2]);
    camera->SetParallelScale(halfHeight / zoom_);
    camera->SetClippingRange(distance - 50.0, distance + 50.0);
}

void SliceView::setZoom(double zoom) {
    zoom_ = std::clamp(zoom, 0.25, 32.0);
    if (scene_->hasScan()) placeCamera();
    update();
}

void SliceView::resetView() {
    zoom_ = 1.0;
    panWorld_ = {0, 0, 0};
    if (scene_->hasScan()) placeCamera();
    update();
}

Vec3 SliceView::worldAt(const QPointF& p) {
    // The camera is only placed on paint-related updates; the aspect ratio may have changed.
    placeCamera();
    const double ratio = devicePixelRatioF();
    renderer()->SetDisplayPoint(p.x() * ratio, (height() - p.y()) * ratio, 0);
    renderer()->DisplayToWorld();
    double w[4];
    renderer()->GetWorldPoint(w);
    if (w[3] != 0) return {w[0] / w[3], w[1] / w[3], w[2] / w[3]};
    return {w[0], w[1], w[2]};
}

std::optional<Index3> SliceView::voxelAt(const QPointF& p) {
    if (!scene_->hasScan()) return std::nullopt;
    const ImageGeometry& g = scene_->geometry();
    const Vec3 index = g.worldToIndex(worldAt(p));
    Index3 voxel{long(std::lround(index[0])), long(std::lround(index[1])), long(std::lround(index[2]))};
    voxel[std::size_t(voxelAxisOf(orientation_, g))] = cursor_->sliceOf(orientation_);
    if (!g.contains(voxel)) return std::nullopt;
    return voxel;
}

QString SliceView::describe(const Index3& v) const {
    const Vec3 w = scene_->geometry().indexToWorld({double(v[0]), double(v[1]), double(v[2])});
    QString text = QString("voxel (%1, %2, %3)   (%4, %5, %6) mm   value %7")
                       .arg(v[0]).arg(v[1]).arg(v[2])
                       .arg(w[0], 0, 'f', 1).arg(w[1], 0, 'f', 1).arg(w[2], 0, 'f', 1)
                       .arg(double(scene_->intensityAt(v)), 0, 'g', 5);
    if (const Organ* organ = scene_->schema().byIndex(scene_->labelAt(v)))
        text += QString("   %1").arg(QString::fromStdString(organ->name));
    if (const Organ* organ = scene_->schema().byIndex(scene_->pendingAt(v)))
        text += QString("   pending: %1").arg(QString::fromStdString(organ->name));
    if (scene_->disagreementVisible() && scene_->disagreementAt(v) != 0) text += "   (specialist and generalist disagree)";
    return text;
}

void SliceView::mousePressEvent(QMouseEvent* event) {
    if (!scene_->hasScan()) return;
    dragStart_ = event->position();
    if (event->button() == Qt::LeftButton && paintTool_) {
        drag_ = Drag::Paint;
        if (const auto voxel = voxelAt(event->position())) paintTool_->press(orientation_, *voxel);
    } else if (event->button() == Qt::LeftButton) {
        drag_ = Drag::Cursor;
        if (const auto voxel = voxelAt(event->position())) cursor_->setPosition(*voxel);
    } else if (event->button() == Qt::MiddleButton) {
        drag_ = Drag::Pan;
        dragStartPan_ = panWorld_;
    } else if (event->button() == Qt::RightButton) {
        drag_ = Drag::WindowLevel;
        dragStartWindowLevel_ = scene_->windowLevel();
    }
}

void SliceView::mouseReleaseEvent(QMouseEvent*) {
    if (drag_ == Drag::Paint && paintTool_) paintTool_->release();
    drag_ = Drag::None;
}

void SliceView::mouseMoveEvent(QMouseEvent* event) {
    if (!scene_->hasScan()) return;
    const QPointF p = event->position();
    if (const auto voxel = voxelAt(p)) Q_EMIT hovered(describe(*voxel));
    switch (drag_) {
        case Drag::Cursor:
            if (const auto voxel = voxelAt(p)) cursor_->setPosition(*voxel);
            break;
        case Drag::Paint:
            if (const auto voxel = voxelAt(p); voxel && paintTool_) paintTool_->drag(*voxel);
            break;
        case Drag::Pan: {
            const ViewAxes axes = axesOf(orientation_);
            const double mmPerPixel = 2.0 * renderer()->GetActiveCamera()->GetParallelScale() / std::max(1, height());
            const double dx = (p.x() - dragStart_.x()) * mmPerPixel, dy = (p.y() - dragStart_.y()) * mmPerPixel;
            for (std::size_t a = 0; a < 3; ++a) panWorld_[a] = dragStartPan_[a] - dx * axes.right[a] + dy * axes.up[a];
            placeCamera();
            update();
            break;
        }
        case Drag::WindowLevel: {
            // One screen pixel moves the window by 0.5 % of its start width (at least 1 unit).
            const double unitsPerPixel = std::max(1.0, dragStartWindowLevel_.window * 0.005);
            scene_->setWindowLevel(dragStartWindowLevel_.dragged(p.x() - dragStart_.x(), p.y() - dragStart_.y(), unitsPerPixel));
            break;
        }
        case Drag::None: break;
    }
}

void SliceView::mouseDoubleClickEvent(QMouseEvent*) { Q_EMIT maximizeRequested(); }

void SliceView::wheelEvent(QWheelEvent* event) {
    if (!scene_->hasScan()) return;
    const int steps = event->angleDelta().y() / 120 != 0 ? event->angleDelta().y() / 120 : (event->angleDelta().y() > 0 ? 1 : -1);
    if (event->modifiers() & Qt::ControlModifier)
        setZoom(zoom_ * std::pow(1.2, steps));
    else
        cursor_->step(orientation_, steps);
    event->accept();
}

void SliceView::keyPressEvent(QKeyEvent* event) {
    switch (event->key()) {
        case Qt::Key_PageUp: case Qt::Key_Up: cursor_->step(orientation_, 1); break;
        case Qt::Key_PageDown: case Qt::Key_Down: cursor_->step(orientation_, -1); break;
        case Qt::Key_Home: resetView(); break;
        default: VtkOpenGLWidget::keyPressEvent(event); return;
    }
    event->accept();
}

}  // namespace ipnp
