#pragma once
// One slice view (axial, coronal or sagittal) of a ScanScene: the scan under window/level, the
// label overlay, pending pseudo-labels hatched, the linked crosshair, the scanner's orientation
// letters at the edges and the slice number. Mouse: left click/drag moves the crosshair, wheel or
// Page Up/Down scrolls slices, Ctrl+wheel zooms, middle drag pans, right drag sets window/level,
// double click maximises the view.
#include <QString>
#include <optional>

#include "SliceCursor.h"
#include "WindowLevel.h"
#include "VtkOpenGLWidget.h"

class vtkActor;
class vtkImageSlice;
class vtkImageSliceMapper;
class vtkImageStack;
class vtkLineSource;
class vtkTextActor;

namespace ipnp {

class ScanScene;

// What a left-button drag does in a slice view while a tool is active (the brush): press, drag and
// release in voxel coordinates of the view's current slice.
class SlicePaintTool {
public:
    virtual ~SlicePaintTool() = default;
    virtual void press(SliceOrientation orientation, const Index3& voxel) = 0;
    virtual void drag(const Index3& voxel) = 0;
    virtual void release() = 0;
};

class SliceView : public VtkOpenGLWidget {
    Q_OBJECT
public:
    SliceView(SliceOrientation orientation, ScanScene* scene, SliceCursor* cursor, QWidget* parent = nullptr);
    ~SliceView() override;

    SliceOrientation orientation() const { return orientation_; }
    // The voxel under a widget position (logical pixels), on the view's current slice.
    std::optional<Index3> voxelAt(const QPointF& widgetPosition);
    // Zoom factor relative to "whole scan fits" (1).
    double zoom() const { return zoom_; }
    void setZoom(double zoom);
    // Camera back to the whole scan, centred.
    void resetView();
    // Text of the top-left corner, e.g. "Axial 12/24" (for tests and screen readers).
    QString sliceText() const;
    // While a tool is set, the left button paints with it instead of moving the crosshair.
    void setPaintTool(SlicePaintTool* tool) { paintTool_ = tool; }

Q_SIGNALS:
    // "voxel (i, j, k)  world (x, y, z) mm  value v  organ" under the mouse, for the status bar.
    void hovered(const QString& description);
    void maximizeRequested();

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void rebuildPipeline();   // new scan
    void updateSlice();       // cursor moved
    void updateDisplay();
    void updateLayerVisibility();     // window/level, opacity, visibility
    void placeCamera();
    Vec3 worldAt(const QPointF& widgetPosition);
    QString describe(const Index3& voxel) const;

    SliceOrientation orientation_;
    ScanScene* scene_;
    SliceCursor* cursor_;
    vtkSmartPointer<vtkImageSliceMapper> scanMapper_, labelMapper_, pendingMapper_, disagreementMapper_;
    vtkSmartPointer<vtkImageSlice> scanSlice_, labelSlice_, pendingSlice_, disagreementSlice_;
    vtkSmartPointer<vtkImageStack> stack_;
    vtkSmartPointer<vtkLineSource> lines_[2];
    vtkSmartPointer<vtkActor> lineActors_[2];
    // Plain text actors at a fixed size: vtkCornerAnnotation refits its font on every text change
    // and cost 60 ms per render on Mesa's software rasteriser (measured), four times the rest.
    vtkSmartPointer<vtkTextActor> sliceLabel_, windowLabel_;
    vtkSmartPointer<vtkTextActor> edgeLabels_[4];
    double zoom_ = 1.0;
    Vec3 panWorld_{0, 0, 0};
    enum class Drag { None, Cursor, Paint, Pan, WindowLevel } drag_ = Drag::None;
    SlicePaintTool* paintTool_ = nullptr;
    QPointF dragStart_;
    WindowLevel dragStartWindowLevel_;
    Vec3 dragStartPan_{0, 0, 0};
    int cursorListener_ = 0;
};

}  // namespace ipnp
