#pragma once
// A QOpenGLWidget that VTK renders into (Debian's QVTKOpenGLNativeWidget is built for Qt 5): it owns
// a vtkGenericOpenGLRenderWindow that draws with the widget's context, and blits VTK's frame into
// Qt's framebuffer on paint. One renderer, plus an overlay renderer on layer 1 (crosshairs, text)
// that shares its camera. VTK's render requests become update(): every frame is painted by Qt.
#include <QOpenGLWidget>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>


namespace ipnp {

class VtkOpenGLWidget : public QOpenGLWidget {
    Q_OBJECT
public:
    explicit VtkOpenGLWidget(QWidget* parent = nullptr);
    ~VtkOpenGLWidget() override;

    // Call once before QApplication exists: VTK needs an OpenGL 3.2 core context.
    static void setDefaultSurfaceFormat();
    // Empty when this display gives an OpenGL 3.2 context, else what is wrong, in words a person
    // can act on. Call after QApplication exists, before any view is shown.
    static QString openGlProblem();

    vtkRenderer* renderer() const { return renderer_; }
    vtkRenderer* overlayRenderer() const { return overlay_; }
    vtkGenericOpenGLRenderWindow* renderWindow() const { return window_; }
    vtkGenericRenderWindowInteractor* interactor() const { return interactor_; }

    // When on, mouse and wheel events drive VTK's interactor style (the 3D view's trackball);
    // slice views handle their own events and leave it off.
    void setForwardMouseToVtk(bool on) { forwardMouse_ = on; }

protected:
    void initializeGL() override;
    void resizeGL(int width, int height) override;
    void paintGL() override;

    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;

private:
    void onWindowEvent(vtkObject* caller, unsigned long event, void* callData);
    void setEventPosition(const QPointF& position, Qt::KeyboardModifiers modifiers);

    vtkSmartPointer<vtkGenericOpenGLRenderWindow> window_;
    vtkSmartPointer<vtkGenericRenderWindowInteractor> interactor_;
    vtkSmartPointer<vtkRenderer> renderer_, overlay_;
    bool forwardMouse_ = false;
};

}  // namespace ipnp
