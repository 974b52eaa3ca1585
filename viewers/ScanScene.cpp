#include "ScanScene.h"

#include <algorithm>
#include <cstring>
#include <vtkFloatArray.h>
#include <vtkShortArray.h>
#include <vtkImageData.h>
#include <vtkLookupTable.h>
#include <vtkMatrix4x4.h>
#include <vtkPointData.h>
#include <vtkDataArray.h>
#include <vtkUnsignedCharArray.h>

#include "OverlayStyle.h"

namespace ipnp {

namespace {

// A VTK image on the grid's index space scaled by spacing (origin 0: the user matrix places it).
vtkSmartPointer<vtkImageData> emptyImageLike(const ImageGeometry& geometry) {
    auto image = vtkSmartPointer<vtkImageData>::New();
    image->SetDimensions(int(geometry.size[0]), int(geometry.size[1]), int(geometry.size[2]));
    image->SetSpacing(geometry.spacing[0], geometry.spacing[1], geometry.spacing[2]);
    image->SetOrigin(0, 0, 0);
    return image;
}

// Points `image` at `map`'s voxels (VTK never frees them: the scene owns them and re-wraps after
// every reassignment). An empty map gets a one-voxel image of its own, never shown: views hide
// the layers the scene has nothing for.
void wrapLabels(LabelMap& map, vtkImageData* image, const ImageGeometry& geometry) {
    auto array = vtkSmartPointer<vtkUnsignedCharArray>::New();
    if (map.voxelCount() > 0) {
        image->SetDimensions(int(geometry.size[0]), int(geometry.size[1]), int(geometry.size[2]));
        array->SetArray(map.data(), vtkIdType(map.voxelCount()), 1);
    } else {
        image->SetDimensions(1, 1, 1);
        array->SetNumberOfValues(1);
        array->SetValue(0, 0);
    }
    array->SetName("labels");
    image->GetPointData()->SetScalars(array);
    image->Modified();
}

}  // namespace

ScanScene::ScanScene(QObject* parent)
    : QObject(parent),
      scanImage_(vtkSmartPointer<vtkImageData>::New()),
      labelImage_(vtkSmartPointer<vtkImageData>::New()),
      pendingImage_(vtkSmartPointer<vtkImageData>::New()),
      lookup_(vtkSmartPointer<vtkLookupTable>::New()),
      userMatrix_(vtkSmartPointer<vtkMatrix4x4>::New()) {
    disagreementImage_ = vtkSmartPointer<vtkImageData>::New();
    disagreementLookup_ = vtkSmartPointer<vtkLookupTable>::New();
    disagreementLookup_->SetNumberOfTableValues(256);
    disagreementLookup_->SetTableRange(0, 255);
    disagreementLookup_->SetTableValue(0, 0, 0, 0, 0);
    for (int value = 1; value < 256; ++value) disagreementLookup_->SetTableValue(value, 1.0, 0.0, 1.0, 1.0);  // magenta
    disagreementLookup_->Modified();
    rebuildLookupTable();
}

ScanScene::~ScanScene() = default;

void ScanScene::setSchema(const OrganSchema& schema) {
    schema_ = schema;
    rebuildLookupTable();
    Q_EMIT displayChanged();
}

void ScanScene::setScan(ScanVoxels scan, const std::string& modality) {
    // The old overlays wrap the old maps: drop both before the new scan's maps replace them.
    labels_ = pending_ = pendingShown_ = disagreement_ = LabelMap();
    scan_ = std::move(scan);
    const ImageGeometry& g = geometry();
    scanImage_ = emptyImageLike(g);
    // Wrap the scan's voxels (save = 1: VTK never frees them; scan_ outlives the image's use).
    vtkSmartPointer<vtkDataArray> array;
    if (auto* int16 = std::get_if<ScanVolume>(&scan_)) {
        auto shorts = vtkSmartPointer<vtkShortArray>::New();
        shorts->SetArray(int16->data(), vtkIdType(int16->voxelCount()), 1);
        array = shorts;
    } else {
        auto& floats = std::get<FloatVolume>(scan_);
        auto values = vtkSmartPointer<vtkFloatArray>::New();
        values->SetArray(floats.data(), vtkIdType(floats.voxelCount()), 1);
        array = values;
    }
    array->SetName("intensity");
    scanImage_->GetPointData()->SetScalars(array);

    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) userMatrix_->SetElement(r, c, g.direction[std::size_t(r * 3 + c)]);
        userMatrix_->SetElement(r, 3, g.origin[std::size_t(r)]);
    }
    userMatrix_->Modified();
    windowLevel_ = modality == "CT" ? ctWindowLevelPresets().front().value : autoWindowLevel();

    for (auto* image : {&labelImage_, &pendingImage_, &disagreementImage_}) *image = emptyImageLike(g);
    wrapLabels(labels_, labelImage_, g);
    wrapLabels(pendingShown_, pendingImage_, g);
    wrapLabels(disagreement_, disagreementImage_, g);
    Q_EMIT scanChanged();
}

WindowLevel ScanScene::autoWindowLevel() const {
    return std::visit([](const auto& volume) { return ipnp::autoWindowLevel(volume); }, scan_);
}

void ScanScene::setLabels(LabelMap labels) {
    if (!hasScan() || (labels.voxelCount() > 0 && !labels.geometry().sameGrid(geometry()))) return;
    labels_ = std::move(labels);
    wrapLabels(labels_, labelImage_, geometry());
    Q_EMIT labelsChanged();
}

void ScanScene::setPendingLabels(LabelMap pending) {
    if (!hasScan() || (pending.voxelCount() > 0 && !pending.geometry().sameGrid(geometry()))) return;
    pending_ = std::move(pending);
    pendingShown_ = pending_.voxelCount() > 0 ? pendingDisplayPattern(pending_) : LabelMap();
    wrapLabels(pendingShown_, pendingImage_, geometry());
    Q_EMIT labelsChanged();
}

void ScanScene::updatePendingRegion(const Mask& mask, int organ, const Index3& first, const Index3& end) {
    if (!hasScan() || !mask.geometry().sameGrid(geometry())) return;
    if (!hasPendingLabels()) {  // the first pending voxels of this scan: its overlay starts now
        pending_ = pendingShown_ = LabelMap(geometry(), 0);
        wrapLabels(pendingShown_, pendingImage_, geometry());
    }
    const auto& size = geometry().size;
    const Index3 from{std::max(0L, first[0] - 1), std::max(0L, first[1] - 1), std::max(0L, first[2] - 1)};
    const Index3 to{std::min(long(size[0]), end[0] + 1), std::min(long(size[1]), end[1] + 1), std::min(long(size[2]), end[2] + 1)};
    for (long k = from[2]; k < to[2]; ++k)
        for (long j = from[1]; j < to[1]; ++j)
            for (long i = from[0]; i < to[0]; ++i) {
                const std::size_t v = geometry().linearIndex(std::size_t(i), std::size_t(j), std::size_t(k));
                if (mask.data()[v]) pending_.data()[v] = std::uint8_t(organ);
                else if (pending_.data()[v] == organ) pending_.data()[v] = 0;
            }
    // The outline of voxels next to the box may change too: one more voxel around.
    const Index3 redrawFrom{from[0] - 1, from[1] - 1, from[2] - 1}, redrawTo{to[0] + 1, to[1] + 1, to[2] + 1};
    updatePendingDisplayPattern(pending_, pendingShown_, redrawFrom, redrawTo);  // pendingImage_ wraps it
    pendingImage_->GetPointData()->GetScalars()->Modified();
    pendingImage_->Modified();
    Q_EMIT labelsChanged();
}

void ScanScene::clear() {
    labels_ = pending_ = pendingShown_ = disagreement_ = LabelMap();
    scan_ = FloatVolume();
    disagreementImage_ = vtkSmartPointer<vtkImageData>::New();
    scanImage_ = vtkSmartPointer<vtkImageData>::New();
    labelImage_ = vtkSmartPointer<vtkImageData>::New();
    pendingImage_ = vtkSmartPointer<vtkImageData>::New();
    Q_EMIT scanChanged();
}

void ScanScene::setDisagreement(LabelMap disagreement) {
    if (!hasScan() || (disagreement.voxelCount() > 0 && !disagreement.geometry().sameGrid(geometry()))) return;
    disagreement_ = std::move(disagreement);
    wrapLabels(disagreement_, disagreementImage_, geometry());
    Q_EMIT labelsChanged();
}

void ScanScene::setDisagreementVisible(bool visible) {
    disagreementVisible_ = visible;
    Q_EMIT displayChanged();
}

int ScanScene::disagreementAt(const Index3& v) const {
    return disagreement_.geometry().contains(v) ? disagreement_.at(std::size_t(v[0]), std::size_t(v[1]), std::size_t(v[2])) : 0;
}

float ScanScene::intensityAt(const Index3& v) const { return ipnp::intensityAt(scan_, v); }

int ScanScene::labelAt(const Index3& v) const {
    return labels_.geometry().contains(v) ? labels_.at(std::size_t(v[0]), std::size_t(v[1]), std::size_t(v[2])) : 0;
}

int ScanScene::pendingAt(const Index3& v) const {
    return pending_.geometry().contains(v) ? pending_.at(std::size_t(v[0]), std::size_t(v[1]), std::size_t(v[2])) : 0;
}

void ScanScene::setWindowLevel(const WindowLevel& windowLevel) {
    windowLevel_ = windowLevel;
    Q_EMIT displayChanged();
}

void ScanScene::setLabelOpacity(double opacity) {
    labelOpacity_ = std::clamp(opacity, 0.0, 1.0);
    Q_EMIT displayChanged();
}

bool ScanScene::organVisible(int organ) const {
    const auto it = hidden_.find(organ);
    return it == hidden_.end() || !it->second;
}

void ScanScene::setOrganVisible(int organ, bool visible) {
    hidden_[organ] = !visible;
    rebuildLookupTable();
    Q_EMIT displayChanged();
}

void ScanScene::setLabelsVisible(bool visible) {
    labelsVisible_ = visible;
    Q_EMIT displayChanged();
}

void ScanScene::rebuildLookupTable() {
    // Index = organ label; background and hidden organs are fully transparent.
    lookup_->SetNumberOfTableValues(256);
    lookup_->SetTableRange(0, 255);
    for (int value = 0; value < 256; ++value) lookup_->SetTableValue(value, 0, 0, 0, 0);
    for (const Organ& organ : schema_.organs())
        if (organVisible(organ.index))
            lookup_->SetTableValue(organ.index, organ.colour[0] / 255.0, organ.colour[1] / 255.0,
                                   organ.colour[2] / 255.0, 1.0);
    lookup_->Modified();
}

}  // namespace ipnp
