#include "GuardedApplication.h"

#include <cstdio>
#include <exception>

namespace ipnp {

GuardedApplication::GuardedApplication(int& argc, char** argv) : QApplication(argc, argv) {}

bool GuardedApplication::notify(QObject* receiver, QEvent* event) {
    QString message;
    try {
        return QApplication::notify(receiver, event);
    } catch (const std::exception& error) {
        message = QString::fromUtf8(error.what());
    } catch (...) {
        message = "an error of unknown kind";
    }
    std::fprintf(stderr, "ipnp-studio: an event handler failed: %s\n", qPrintable(message));
    std::fflush(stderr);
    Q_EMIT uncaughtError(message);
    return false;  // the event counts as not handled
}

}  // namespace ipnp
