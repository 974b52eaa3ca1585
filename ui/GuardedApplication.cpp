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
    report(message);
    return false;  // the event counts as not handled
}

void GuardedApplication::report(const QString& message) {
    ++uncaughtCount_;
    if (message == lastMessage_ && sinceLast_.isValid() && sinceLast_.elapsed() < kRepeatWindowMs) {
        ++heldBack_;
        sinceLast_.restart();  // a steady repeat stays held back
        return;
    }
    if (heldBack_ > 0)
        std::fprintf(stderr, "ipnp-studio: (the error before was repeated %d more time(s))\n", heldBack_);
    std::fprintf(stderr, "ipnp-studio: an event handler failed: %s\n", qPrintable(message));
    std::fflush(stderr);
    heldBack_ = 0;
    lastMessage_ = message;
    sinceLast_.restart();
    Q_EMIT uncaughtError(message);
}

}  // namespace ipnp
