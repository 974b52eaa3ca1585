// GuardedApplication: an exception thrown by a slot behind a button click, or by an object's event
// handler, is reported (signal, stderr) and the application goes on handling events; without it
// the process ends in std::terminate (checked: with a plain QApplication in main() this test
// aborts, exit status 134).
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

#include <stdexcept>

#include "GuardedApplication.h"

using namespace ipnp;

namespace {

// Throws from its event handler for one kind of event, counts the others.
class ThrowingObject : public QObject {
public:
    static constexpr QEvent::Type kThrow = QEvent::Type(QEvent::User + 1);
    int handled = 0;

    bool event(QEvent* event) override {
        if (event->type() == kThrow) throw std::runtime_error("the handler failed on purpose");
        if (event->type() == QEvent::User) {
            ++handled;
            return true;
        }
        return QObject::event(event);
    }
};

}  // namespace

class GuardedApplicationTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aFailingSlotIsReportedAndTheAppGoesOn() {
        auto* app = qobject_cast<GuardedApplication*>(QCoreApplication::instance());
        QVERIFY(app);
        QSignalSpy errors(app, &GuardedApplication::uncaughtError);

        QPushButton button("Fail");
        int clicks = 0;
        QObject::connect(&button, &QPushButton::clicked, [&clicks] {
            if (++clicks == 1) throw std::runtime_error("slot: the database is locked");
        });
        button.show();
        QVERIFY(QTest::qWaitForWindowExposed(&button));
        QTest::mouseClick(&button, Qt::LeftButton);
        QCOMPARE(errors.count(), 1);
        QCOMPARE(errors.at(0).at(0).toString(), QString("slot: the database is locked"));
        QTest::mouseClick(&button, Qt::LeftButton);  // the button still works
        QCOMPARE(clicks, 2);
        QCOMPARE(errors.count(), 1);

        // A posted event whose handler throws, between two that do not: both of those are handled.
        ThrowingObject object;
        QCoreApplication::postEvent(&object, new QEvent(QEvent::User));
        QCoreApplication::postEvent(&object, new QEvent(ThrowingObject::kThrow));
        QCoreApplication::postEvent(&object, new QEvent(QEvent::User));
        QCoreApplication::sendPostedEvents(&object);
        QCOMPARE(object.handled, 2);
        QCOMPARE(errors.count(), 2);
        QCOMPARE(errors.at(1).at(0).toString(), QString("the handler failed on purpose"));

        // The same failure again at once (a handler that fails on every repaint): counted, no
        // second report; another message is reported.
        QCoreApplication::postEvent(&object, new QEvent(ThrowingObject::kThrow));
        QCoreApplication::sendPostedEvents(&object);
        QCOMPARE(errors.count(), 2);
        QCOMPARE(app->uncaughtCount(), 3);
        QTest::mouseClick(&button, Qt::LeftButton);  // click 3 does not throw
        QCOMPARE(clicks, 3);
        QCOMPARE(app->uncaughtCount(), 3);
    }
};

int main(int argc, char** argv) {
    GuardedApplication app(argc, argv);
    GuardedApplicationTest test;
    return QTest::qExec(&test, argc, argv);
}
#include "GuardedApplicationTest.moc"
