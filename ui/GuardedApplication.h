#pragma once
// IPnP Studio's QApplication: an exception that leaves an event handler or a slot (a database
// error in a refresh, out of memory in a big scan's view) becomes an error a person reads, instead
// of std::terminate ending the app mid-round. The handlers are meant to catch their own errors;
// this is the last line behind them.
#include <QApplication>
#include <QElapsedTimer>
#include <QString>

namespace ipnp {

class GuardedApplication : public QApplication {
    Q_OBJECT
public:
    GuardedApplication(int& argc, char** argv);

    bool notify(QObject* receiver, QEvent* event) override;

    // Exceptions caught so far (the repeats held back included): a scripted run (--screenshot)
    // that had one must not end with status 0.
    int uncaughtCount() const { return uncaughtCount_; }

Q_SIGNALS:
    // The exception's message (also written to stderr). The same message again within
    // kRepeatWindowMs of the last one is only counted: a handler that throws on every repaint, or
    // a report that itself fails, must not open box after box.
    void uncaughtError(const QString& message);

private:
    static constexpr qint64 kRepeatWindowMs = 10000;
    void report(const QString& message);

    int uncaughtCount_ = 0;
    int heldBack_ = 0;
    QString lastMessage_;
    QElapsedTimer sinceLast_;
};

}  // namespace ipnp
