#pragma once
// What the views of one scan show, shared by the three slice views and the 3D view: the scan and
// its label overlays as VTK images that wrap this class's voxels (never copies: a 512x512x300 CT
// is 150 MiB as int16 and each overlay 75 MiB), the organ colour table, and the display settings
// (window/level, label opacity, organ visibility). Pending labels and the disagreement overlay
// take memory only while the scan has some; views hide a layer that has nothing to show.
#include <QObject>
#include <map>
#include <vtkImageData.h>
#include <vtkLookupTable.h>
#include <vtkMatrix4x4.h>
#include <vtkSmartPointer.h>

#include "OrganSchema.h"
#include "ScanVoxels.h"
#include "Volume.h"
#include "WindowLevel.h"


namespace ipnp {

class ScanScene : public QObject {
    Q_OBJECT
public:
    explicit ScanScene(QObject* parent = nullptr);
    ~ScanScene() override;

    void setSchema(const OrganSchema& schema);
    const OrganSchema& schema() const { return schema_; }

    // A new scan: its labels and pending labels are cleared.
    void setScan(ScanVoxels scan, const std::string& modality);
    // Accepted and manual labels, organ index per voxel; an empty map clears them.
    void setLabels(LabelMap labels);
    // Pending pseudo-labels (drawn hatched); an empty map clears them.
    void setPendingLabels(LabelMap pending);
    void clear();
    // Specialist-generalist disagreement inside pending candidates' regions (empty: none).
    void setDisagreement(LabelMap disagreement);
    bool hasLabels() const { return labels_.voxelCount() > 0; }
    bool hasPendingLabels() const { return pending_.voxelCount() > 0; }
    bool hasDisagreement() const { return disagreement_.voxelCount() > 0; }
    bool disagreementVisible() const { return disagreementVisible_; }
    void setDisagreementVisible(bool visible);
    int disagreementAt(const Index3& voxel) const;
    vtkImageData* disagreementImage() const { return disagreementImage_; }
    vtkLookupTable* disagreementColours() const { return disagreementLookup_; }
    // An edit changed the pending labels in [first, end): only that box (and its border, whose
    // outline may change) is redrawn, so a brush stays quick on a large scan.
    void updatePendingRegion(const Mask& mask, int organ, const Index3& first, const Index3& end);

    bool hasScan() const { return voxelCountOf(scan_) > 0; }
    const ImageGeometry& geometry() const { return geometryOf(scan_); }
    const ScanVoxels& scan() const { return scan_; }
    WindowLevel autoWindowLevel() const;  // the 1st..99th percentile of the non-zero voxels
    const LabelMap& labels() const { return labels_; }
    float intensityAt(const Index3& voxel) const;
    int labelAt(const Index3& voxel) const;     // 0 when none (or no labels)
    int pendingAt(const Index3& voxel) const;

    // VTK views of the data, in voxel coordinates scaled by spacing; userMatrix() places them in
    // world (LPS) coordinates: world = direction * (spacing * index) + origin.
    vtkImageData* scanImage() const { return scanImage_; }
    vtkImageData* labelImage() const { return labelImage_; }
    vtkImageData* pendingImage() const { return pendingImage_; }
    vtkLookupTable* labelColours() const { return lookup_; }
    vtkMatrix4x4* userMatrix() const { return userMatrix_; }

    const WindowLevel& windowLevel() const { return windowLevel_; }
    void setWindowLevel(const WindowLevel& windowLevel);
    double labelOpacity() const { return labelOpacity_; }
    void setLabelOpacity(double opacity);  // 0..1, applies to accepted and manual labels
    bool organVisible(int organ) const;
    void setOrganVisible(int organ, bool visible);
    bool labelsVisible() const { return labelsVisible_; }
    void setLabelsVisible(bool visible);

Q_SIGNALS:
    void scanChanged();      // a new scan (views reset their cameras)
    void labelsChanged();    // label or pending voxels changed
    void displayChanged();   // window/level, opacity, visibility

private:
    void rebuildLookupTable();

    OrganSchema schema_;
    ScanVoxels scan_;
    LabelMap labels_, pending_, pendingShown_;  // pendingShown_: the drawn pattern of pending_
    vtkSmartPointer<vtkImageData> scanImage_, labelImage_, pendingImage_, disagreementImage_;
    vtkSmartPointer<vtkLookupTable> disagreementLookup_;  // one colour for every organ
    LabelMap disagreement_;
    bool disagreementVisible_ = false;
    vtkSmartPointer<vtkLookupTable> lookup_;
    vtkSmartPointer<vtkMatrix4x4> userMatrix_;
    WindowLevel windowLevel_;
    double labelOpacity_ = 0.5;
    bool labelsVisible_ = true;
    std::map<int, bool> hidden_;
};

}  // namespace ipnp
