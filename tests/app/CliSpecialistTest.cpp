// `ipnp train` / `ipnp predict` as a user runs them: a run killed with SIGKILL and resumed from its
// last checkpoint continues with the same losses as an uninterrupted run (CPU, one thread), and
// the bad inputs of the specialist get clear errors.
#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "TestSupport.h"

using namespace ipnp::test;

namespace {
const QStringList kSmallTraining{"--iterations", "24", "--checkpoint-every", "8", "--patch", "32", "--stages", "3",
                                 "--base-width", "4", "--threads", "1", "--seed", "5"};

// iteration -> loss, from the "[k/N] loss X" progress lines.
QMap<int, double> lossesIn(const QString& text) {
    QMap<int, double> losses;
    const QRegularExpression line(R"(\[(\d+)/\d+\] loss ([0-9.eE+-]+))");
    for (auto match = line.globalMatch(text); match.hasNext();) {
        const auto m = match.next();
        losses[m.captured(1).toInt()] = m.captured(2).toDouble();
    }
    return losses;
}
}  // namespace

class CliSpecialistTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    QString phantoms;

    QString newProject(const QString& name, bool withLabels = true) {
        const QString project = dir.filePath(name);
        if (runIpnp({"init", project}).exitCode != 0) return {};
        if (withLabels) {
            if (runIpnp({"import", phantoms, "-p", project}).exitCode != 0) return {};
            if (runIpnp({"simulate-partial", "--test-fraction", "0.25", "--keep-fraction", "0.5", "--seed", "2", "-p",
                         project}).exitCode != 0)
                return {};
        } else if (runIpnp({"import", phantoms + "/imagesTr", "-p", project}).exitCode != 0) {
            return {};
        }
        return project;
    }

private Q_SLOTS:
    void initTestCase() {
        phantoms = dir.filePath("phantoms");
        QCOMPARE(runIpnp({"make-phantoms", phantoms, "--count", "4", "--size", "32", "--spacing", "6"}).exitCode, 0);
    }

    void resumedRunMatchesUninterruptedRun() {
        const QString whole = newProject("whole"), killed = newProject("killed");
        QVERIFY(!whole.isEmpty() && !killed.isEmpty());
        const ProcessResult reference = runIpnp(QStringList{"train", "-p", whole} + kSmallTraining);
        QVERIFY2(reference.exitCode == 0, qPrintable(reference.err));
        const QMap<int, double> expected = lossesIn(reference.err);
        QCOMPARE(expected.size(), 24);

        // Kill the second run once it is past its checkpoint at iteration 8 (and before 16).
        QProcess process;
        process.start(ipnpExecutable(), QStringList{"train", "-p", killed} + kSmallTraining);
        QVERIFY(process.waitForStarted());
        QByteArray progress;
        while (!progress.contains("[11/24]") && process.state() == QProcess::Running) {
            process.waitForReadyRead(200);
            progress += process.readAllStandardError();
        }
        process.kill();  // SIGKILL; never ::kill(processId()): 0 once it ended = our whole group
        process.waitForFinished();
        QVERIFY2(!progress.contains("[16/24]"), "the run went past its second checkpoint before the kill");

        const ProcessResult resumed = runIpnp({"train", "--resume", "--threads", "1", "-p", killed});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QVERIFY(resumed.err.contains("resuming from") && resumed.err.contains("at iteration 8"));
        const QMap<int, double> after = lossesIn(resumed.err);
        for (int iteration = 9; iteration <= 18; ++iteration) {
            QVERIFY2(after.contains(iteration), qPrintable(QString::number(iteration)));
            const double difference = std::abs(after[iteration] - expected[iteration]) / std::abs(expected[iteration]);
            QVERIFY2(difference < 1e-4, qPrintable(QString("iteration %1: %2 vs %3").arg(iteration)
                                                       .arg(after[iteration], 0, 'g', 10).arg(expected[iteration], 0, 'g', 10)));
        }
        // The checkpoint is registered with its hash; the project checks clean (old files removed).
        const ProcessResult check = runIpnp({"check", "-p", killed});
        QVERIFY2(check.exitCode == 0 && !check.out.contains("unnamed"), qPrintable(check.out));

        // Prediction with the trained run writes one label map per test scan.
        const ProcessResult predicted = runIpnp({"predict", dir.filePath("predicted"), "--probabilities", "-p", killed});
        QVERIFY2(predicted.exitCode == 0, qPrintable(predicted.err));
        QCOMPARE(QDir(dir.filePath("predicted")).entryList({"phantom_????.nii.gz"}, QDir::Files).size(), 1);
        QVERIFY(QDir(dir.filePath("predicted")).entryList({"*_probability.nii.gz"}, QDir::Files).size() >= 5);
        QVERIFY(predicted.err.contains("mean Dice vs hidden truth"));
    }

    void aTrainingBesideAnotherIsWarnedOf() {
        // Another training on this machine holds the training slot: here an independent holder of
        // the same advisory lock (Python's fcntl.flock) in a runtime folder of the test's own, so
        // that the suite's other trainings running in parallel cannot take part.
        QTemporaryDir runtime;
        const ScopedEnvironmentVariable runtimeFolder("XDG_RUNTIME_DIR", runtime.path().toUtf8());
        const QString project = newProject("beside");
        QVERIFY(!project.isEmpty());
        const QStringList tiny{"train", "-p", project, "--iterations", "2", "--patch", "16", "--stages", "2",
                               "--base-width", "4", "--threads", "1"};
        QProcess holder;
        holder.start("/usr/bin/python3",
                     {"-c", "import fcntl, sys, time\nf = open(sys.argv[1], 'w')\nfcntl.flock(f, fcntl.LOCK_EX)\n"
                            "print('held', flush=True)\ntime.sleep(120)",
                      runtime.filePath("ipnp-training.lock")});
        QVERIFY(holder.waitForReadyRead(30000) && holder.readAllStandardOutput().startsWith("held"));
        const ProcessResult beside = runIpnp(tiny);
        holder.kill();
        holder.waitForFinished();
        const ProcessResult alone = runIpnp(tiny);
        // Warned, and trained all the same; once the other has gone, no warning.
        QVERIFY2(beside.exitCode == 0, qPrintable(beside.err));
        QVERIFY2(beside.err.contains("warning: another IPnP training is running on this machine (another process)"),
                 qPrintable(beside.err));
        QVERIFY2(alone.exitCode == 0, qPrintable(alone.err));
        QVERIFY2(!alone.err.contains("another IPnP training"), qPrintable(alone.err));
    }

    void projectWithoutLabelsIsRefused() {
        const QString project = newProject("unlabeled", false);
        QVERIFY(!project.isEmpty());
        const ProcessResult result = runIpnp(QStringList{"train", "-p", project} + kSmallTraining);
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("no training scan has a label"), qPrintable(result.err));
        const ProcessResult predict = runIpnp({"predict", dir.filePath("none"), "-p", project});
        QCOMPARE(predict.exitCode, 1);
        QVERIFY2(predict.err.contains("ipnp train"), qPrintable(predict.err));
    }

    void divergedTrainingStopsAndKeepsTheLastGoodCheckpoint() {
        const QString project = newProject("diverged");
        QVERIFY(!project.isEmpty());
        // A learning rate of 1e38 makes the loss or the weights non-finite within a step or two.
        const ProcessResult result =
            runIpnp({"train", "-p", project, "--lr", "1e38", "--iterations", "4", "--checkpoint-every", "1", "--patch", "32",
                     "--stages", "3", "--base-width", "4", "--threads", "1"});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("training diverged") && result.err.contains("last good checkpoint is kept"),
                 qPrintable(result.err));
        // At most the checkpoint of the last step whose loss and weights were still finite.
        QVERIFY(QDir(project + "/checkpoints").entryList({"*.pt"}, QDir::Files).size() <= 1);
        const ProcessResult check = runIpnp({"check", "-p", project});
        QVERIFY2(check.exitCode == 0, qPrintable(check.out));
    }

    void damagedCheckpointIsNamed() {
        const QString project = newProject("damaged");
        QFile fake(dir.filePath("fake.pt"));
        QVERIFY(fake.open(QIODevice::WriteOnly));
        fake.write("PK this is not a checkpoint");
        fake.close();
        const ProcessResult result = runIpnp({"predict", dir.filePath("out"), "--checkpoint", fake.fileName(), "-p", project});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("fake.pt") && result.err.contains("not a readable IPnP checkpoint"), qPrintable(result.err));
        // One line a person can read, without LibTorch's C++ backtrace.
        QVERIFY2(!result.err.contains("Exception raised from") && !result.err.contains("frame #"),
                 qPrintable(result.err));
        QCOMPARE(result.err.trimmed().count('\n'), 0);
        QCOMPARE(runIpnp({"train", "--resume", "-p", project}).exitCode, 1);  // nothing to resume
    }
};

QTEST_APPLESS_MAIN(CliSpecialistTest)
#include "CliSpecialistTest.moc"
