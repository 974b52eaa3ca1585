// TrainingSlot: the first claimant holds the slot and says who it is; a second one finds it taken
// and reads that back; the slot is free again once its holder has gone; and a lock file that
// cannot be made never stops a training. (Across processes: tests/app/CliSpecialistTest.cpp.)
#include <QTemporaryDir>
#include <QtTest>

#include "TestSupport.h"
#include "TrainingSlot.h"

using ipnp::TrainingSlot;

class TrainingSlotTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void secondClaimantReadsTheHolder() {
        QTemporaryDir dir;
        const std::string lock = dir.filePath("ipnp-training.lock").toStdString();
        {
            const TrainingSlot first(lock, "pid 1, round training of /a/project");
            QVERIFY(first.held());
            const TrainingSlot second(lock, "pid 2, reference training of /b/project");
            QVERIFY(!second.held());
            QCOMPARE(second.otherHolder(), std::string("pid 1, round training of /a/project"));
        }
        const TrainingSlot third(lock, "pid 3");
        QVERIFY(third.held());
        QVERIFY(third.otherHolder().empty());
    }

    void lockFileThatCannotBeMadeDoesNotStopTraining() {
        const TrainingSlot slot("/nonexistent-folder-of-ipnp/ipnp-training.lock", "pid 4");
        QVERIFY(slot.held());
    }

    void runtimeFolderPicksTheLockPath() {
        const ipnp::test::ScopedEnvironmentVariable runtimeFolder("XDG_RUNTIME_DIR", "/run/user/1234");
        QCOMPARE(TrainingSlot::defaultLockPath(), std::string("/run/user/1234/ipnp-training.lock"));
        qunsetenv("XDG_RUNTIME_DIR");  // the scope's end puts the test's own value back
        QVERIFY(TrainingSlot::defaultLockPath().rfind("/tmp/ipnp-training-", 0) == 0);
    }
};

QTEST_APPLESS_MAIN(TrainingSlotTest)
#include "TrainingSlotTest.moc"
