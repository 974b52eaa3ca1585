#pragma once
// IPnP Studio's QApplication: an exception that leaves an event handler or a slot (a database
// error in a refresh, out of memory in a big scan's view) becomes an error a person reads, instead
// of std::terminate ending the app and taking the unsaved edit and the running round with it.
// The handlers are meant to catch their own errors; this is the last line behind them.
#include <QApplication>
#include <QString>

namespace ipnp {

class GuardedApplication : public QApplication {
    Q_OBJECT
public:
    GuardedApplication(int& argc, char** argv);

    bool notify(QObject* receiver, QEvent* event) override;

Q_SIGNALS:
    // The exception's message (also written to stderr), once the handler it left has unwound.
    void uncaughtError(const QString& message);
};

}  // namespace ipnp
