#include "ScanScene.h"

#include <algorithm>
#include <cstring>
#include <vtkFloatArray.h>
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

void copyLabels(const LabelMap& labels, vtkImageData* image) {
    auto array = vtkSmartPointer<vtkUnsignedCharArray>::New();
    array->SetNumberOfValues(vtkIdType(labels.voxelCount()));
    if (labels.voxelCount() > 0) std::memcpy(array->GetPointer(0), labels.data(), labels.voxelCount());
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

void ScanScene::setScan(FloatVolume scan, const std::string& modality) {
    scan_ = std::move(scan);
    const ImageGeometry& g = scan_.geometry();
    scanImage_ = emptyImageLike(g);
    auto array = vtkSmartPointer<vtkFloatArray>::New();
    // Wrap the scan's voxels (save = 1: VTK never frees them; scan_ outlives the image's use).
    array->SetArray(scan_.data(), vtkIdType(scan_.voxelCount()), 1);
    array->SetName("intensity");
    scanImage_->GetPointData()->SetScalars(array);

    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) userMatrix_->SetElement(r, c, g.direction[std::size_t(r * 3 + c)]);
        userMatrix_->SetElement(r, 3, g.origin[std::size_t(r)]);
    }
    userMatrix_->Modified();
    windowLevel_ = modality == "CT" ? ctWindowLevelPresets().front().value : autoWindowLevel(scan_);

    labels_ = LabelMap(g, 0);
    pending_ = LabelMap(g, 0);
    pendingShown_ = LabelMap(g, 0);
    disagreement_ = LabelMap(g, 0);
    disagreementImage_ = emptyImageLike(g);
    copyLabels(disagreement_, disagreementImage_);
    labelImage_ = emptyImageLike(g);
    pendingImage_ = emptyImageLike(g);
    copyLabels(labels_, labelImage_);
    copyLabels(pending_, pendingImage_);
    Q_EMIT scanChanged();
}

void ScanScene::setLabels(LabelMap labels) {
    if (!hasScan() || !labels.geometry().sameGrid(geometry())) return;
    labels_ = std::move(labels);
    copyLabels(labels_, labelImage_);
    Q_EMIT labelsChanged();
}

void ScanScene::setPendingLabels(const LabelMap& pending) {
    if (!hasScan()) return;
    if (pending.voxelCount() == 0) {
        pending_ = LabelMap(geometry(), 0);
    } else {
        if (!pending.geometry().sameGrid(geometry())) return;
        pending_ = pending;
    }
    pendingShown_ = pendingDisplayPattern(pending_);
    copyLabels(pendingShown_, pendingImage_);
    Q_EMIT labelsChanged();
}

void ScanScene::updatePendingRegion(const Mask& mask, int organ, const Index3& first, const Index3& end) {
    if (!hasScan() || !mask.geometry().sameGrid(geometry())) return;
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
    updatePendingDisplayPattern(pending_, pendingShown_, redrawFrom, redrawTo);
    auto* scalars = static_cast<unsigned char*>(pendingImage_->GetScalarPointer());
    for (long k = std::max(0L, redrawFrom[2]); k < std::min(long(size[2]), redrawTo[2]); ++k)
        for (long j = std::max(0L, redrawFrom[1]); j < std::min(long(size[1]), redrawTo[1]); ++j)
            for (long i = std::max(0L, redrawFrom[0]); i < std::min(long(size[0]), redrawTo[0]); ++i) {
                const std::size_t v = geometry().linearIndex(std::size_t(i), std::size_t(j), std::size_t(k));
                scalars[v] = pendingShown_.data()[v];
            }
    pendingImage_->GetPointData()->GetScalars()->Modified();
    pendingImage_->Modified();
    Q_EMIT labelsChanged();
}

void ScanScene::clear() {
    scan_ = FloatVolume();
    labels_ = pending_ = pendingShown_ = disagreement_ = LabelMap();
    disagreementImage_ = vtkSmartPointer<vtkImageData>::New();
    scanImage_ = vtkSmartPointer<vtkImageData>::New();
    labelImage_ = vtkSmartPointer<vtkImageData>::New();
    pendingImage_ = vtkSmartPointer<vtkImageData>::New();
    Q_EMIT scanChanged();
}

void ScanScene::setDisagreement(const LabelMap& disagreement) {
    if (!hasScan()) return;
    if (disagreement.voxelCount() == 0) disagreement_ = LabelMap(geometry(), 0);
    else if (disagreement.geometry().sameGrid(geometry())) disagreement_ = disagreement;
    else return;
    copyLabels(disagreement_, disagreementImage_);
    Q_EMIT labelsChanged();
}

void ScanScene::setDisagreementVisible(bool visible) {
    disagreementVisible_ = visible;
    Q_EMIT displayChanged();
}

int ScanScene::disagreementAt(const Index3& v) const {
    return disagreement_.geometry().contains(v) ? disagreement_.at(std::size_t(v[0]), std::size_t(v[1]), std::size_t(v[2])) : 0;
}

float ScanScene::intensityAt(const Index3& v) const {
    return scan_.geometry().contains(v) ? scan_.at(std::size_t(v[0]), std::size_t(v[1]), std::size_t(v[2])) : 0.0f;
}

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
