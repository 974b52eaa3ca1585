#include "VtkOpenGLWidget.h"

#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOffscreenSurface>
#include <QOpenGLExtraFunctions>
#include <QSurfaceFormat>
#include <QWheelEvent>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>

namespace ipnp {

void VtkOpenGLWidget::setDefaultSurfaceFormat() {
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 2);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
    format.setRedBufferSize(8);
    format.setGreenBufferSize(8);
    format.setBlueBufferSize(8);
    format.setDepthBufferSize(24);
    format.setStencilBufferSize(8);
    format.setAlphaBufferSize(8);
    QSurfaceFormat::setDefaultFormat(format);
}

QString VtkOpenGLWidget::openGlProblem() {
    QOffscreenSurface surface;
    surface.setFormat(QSurfaceFormat::defaultFormat());
    surface.create();
    QOpenGLContext context;
    context.setFormat(QSurfaceFormat::defaultFormat());
    if (!context.create() || !context.makeCurrent(&surface))
        return "No OpenGL context could be created on this display. IPnP Studio's views need OpenGL 3.2 "
               "(on Debian: apt-get install libgl1-mesa-dri; over a remote connection, use a local display "
               "or Xvfb). The command line (ipnp) works without it.";
    const QSurfaceFormat format = context.format();
    context.doneCurrent();
    if (format.majorVersion() < 3 || (format.majorVersion() == 3 && format.minorVersion() < 2))
        return QString("This display offers OpenGL %1.%2; IPnP Studio's views need 3.2 or newer "
                       "(install libgl1-mesa-dri, or update the graphics driver).")
            .arg(format.majorVersion())
            .arg(format.minorVersion());
    return {};
}

VtkOpenGLWidget::VtkOpenGLWidget(QWidget* parent)
    : QOpenGLWidget(parent),
      window_(vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New()),
      interactor_(vtkSmartPointer<vtkGenericRenderWindowInteractor>::New()),
      renderer_(vtkSmartPointer<vtkRenderer>::New()),
      overlay_(vtkSmartPointer<vtkRenderer>::New()) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    // Nothing may render before Qt has made a context for it.
    window_->SetReadyForRendering(false);
    window_->SetFrameBlitModeToNoBlit();
    window_->SetNumberOfLayers(2);
    window_->AddRenderer(renderer_);
    overlay_->SetLayer(1);
    overlay_->InteractiveOff();
    overlay_->SetActiveCamera(renderer_->GetActiveCamera());
    window_->AddRenderer(overlay_);
    window_->SetInteractor(interactor_);
    interactor_->SetInteractorStyle(vtkSmartPointer<vtkInteractorStyleTrackballCamera>::New());
    // VTK asks for renders through the interactor; Qt decides when to paint.
    interactor_->EnableRenderOff();
    interactor_->AddObserver(vtkCommand::RenderEvent, this, &VtkOpenGLWidget::onWindowEvent);
    for (unsigned long event : {vtkCommand::WindowMakeCurrentEvent, vtkCommand::WindowIsCurrentEvent,
                                vtkCommand::WindowFrameEvent})
        window_->AddObserver(event, this, &VtkOpenGLWidget::onWindowEvent);
}

VtkOpenGLWidget::~VtkOpenGLWidget() {
    // VTK frees its GL resources on the widget's context.
    makeCurrent();
    window_->Finalize();
    window_->RemoveAllObservers();
    interactor_->RemoveAllObservers();
    doneCurrent();
}

void VtkOpenGLWidget::onWindowEvent(vtkObject*, unsigned long event, void* callData) {
    switch (event) {
        case vtkCommand::WindowMakeCurrentEvent:
            // Not QOpenGLWidget::makeCurrent(): that rebinds Qt's framebuffer behind VTK's back and
            // everything then silently renders to nothing.
            if (context()) context()->makeCurrent(context()->surface());
            break;
        case vtkCommand::WindowIsCurrentEvent: {
            bool& current = *static_cast<bool*>(callData);
            current = context() && QOpenGLContext::currentContext() == context();
            break;
        }
        case vtkCommand::RenderEvent: update(); break;
        default: break;  // WindowFrameEvent: the frame is blitted in paintGL
    }
}

void VtkOpenGLWidget::initializeGL() {
    window_->SetOwnContext(0);
    window_->SetReadyForRendering(true);
    window_->OpenGLInitContext();
}

void VtkOpenGLWidget::resizeGL(int width, int height) {
    const double ratio = devicePixelRatioF();
    interactor_->UpdateSize(int(width * ratio), int(height * ratio));
    window_->SetSize(int(width * ratio), int(height * ratio));
}

void VtkOpenGLWidget::paintGL() {
    // Qt has touched the GL state since VTK last looked: make VTK forget its cached state.
    vtkOpenGLState* state = window_->GetState();
    state->Reset();
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL);
    window_->Render();
    state->Pop();

    QOpenGLExtraFunctions* gl = context()->extraFunctions();
    gl->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
    const GLenum attachment = GL_COLOR_ATTACHMENT0;
    gl->glDrawBuffers(1, &attachment);
    gl->glDisable(GL_SCISSOR_TEST);
    const int* size = window_->GetRenderFramebuffer()->GetLastSize();
    const QSize target = this->size() * devicePixelRatioF();
    window_->BlitDisplayFramebuffer(0, 0, 0, size[0], size[1], 0, 0, target.width(), target.height(),
                                    GL_COLOR_BUFFER_BIT, GL_NEAREST);
    // An opaque frame: Mesa would otherwise blend VTK's alpha with what is behind the window.
    gl->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
    gl->glClearColor(0, 0, 0, 1);
    gl->glClear(GL_COLOR_BUFFER_BIT);
    gl->glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
}

void VtkOpenGLWidget::setEventPosition(const QPointF& position, Qt::KeyboardModifiers modifiers) {
    const double ratio = devicePixelRatioF();
    interactor_->SetEventInformationFlipY(int(position.x() * ratio), int(position.y() * ratio),
                                          (modifiers & Qt::ControlModifier) ? 1 : 0,
                                          (modifiers & Qt::ShiftModifier) ? 1 : 0);
}

void VtkOpenGLWidget::mousePressEvent(QMouseEvent* event) {
    if (!forwardMouse_) return QOpenGLWidget::mousePressEvent(event);
    setEventPosition(event->position(), event->modifiers());
    switch (event->button()) {
        case Qt::LeftButton: interactor_->InvokeEvent(vtkCommand::LeftButtonPressEvent, event); break;
        case Qt::MiddleButton: interactor_->InvokeEvent(vtkCommand::MiddleButtonPressEvent, event); break;
        case Qt::RightButton: interactor_->InvokeEvent(vtkCommand::RightButtonPressEvent, event); break;
        default: break;
    }
}

void VtkOpenGLWidget::mouseReleaseEvent(QMouseEvent* event) {
    if (!forwardMouse_) return QOpenGLWidget::mouseReleaseEvent(event);
    setEventPosition(event->position(), event->modifiers());
    switch (event->button()) {
        case Qt::LeftButton: interactor_->InvokeEvent(vtkCommand::LeftButtonReleaseEvent, event); break;
        case Qt::MiddleButton: interactor_->InvokeEvent(vtkCommand::MiddleButtonReleaseEvent, event); break;
        case Qt::RightButton: interactor_->InvokeEvent(vtkCommand::RightButtonReleaseEvent, event); break;
        default: break;
    }
}

void VtkOpenGLWidget::mouseMoveEvent(QMouseEvent* event) {
    if (!forwardMouse_) return QOpenGLWidget::mouseMoveEvent(event);
    setEventPosition(event->position(), event->modifiers());
    interactor_->InvokeEvent(vtkCommand::MouseMoveEvent, event);
}

void VtkOpenGLWidget::wheelEvent(QWheelEvent* event) {
    if (!forwardMouse_) return QOpenGLWidget::wheelEvent(event);
    setEventPosition(event->position(), event->modifiers());
    interactor_->InvokeEvent(event->angleDelta().y() > 0 ? vtkCommand::MouseWheelForwardEvent
                                                         : vtkCommand::MouseWheelBackwardEvent,
                             event);
}

}  // namespace ipnp
