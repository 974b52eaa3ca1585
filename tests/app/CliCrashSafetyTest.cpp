// SIGKILL in the middle of imports, again and again at random moments. After each kill the
// project must open, pass PRAGMA integrity_check, and every file the database names must be on
// disk with its recorded SHA-256 (checked here through SQLite and Qt, not the project's code).
#include <QDir>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>
#include <sqlite3.h>

#include "TestSupport.h"

using namespace ipnp::test;

namespace {
// Every (file, sha256) pair the database records, or an empty list plus a failure message.
QList<QPair<QString, QString>> namedFiles(const QString& project, QString& problem) {
    QList<QPair<QString, QString>> files;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2((project + "/project.ipnp").toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        problem = "cannot open the database";
        sqlite3_close(db);
        return files;
    }
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr);
    if (sqlite3_step(statement) != SQLITE_ROW ||
        QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0))) != "ok")
        problem = "integrity_check failed";
    sqlite3_finalize(statement);
    sqlite3_prepare_v2(db, "SELECT file, file_sha256 FROM scans UNION ALL SELECT file, sha256 FROM label_versions",
                       -1, &statement, nullptr);
    while (sqlite3_step(statement) == SQLITE_ROW)
        files.append({QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0))),
                      QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(statement, 1)))});
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return files;
}
}  // namespace

class CliCrashSafetyTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;

    void verifyProject(const QString& project, int& scansSeen) {
        QString problem;
        const auto files = namedFiles(project, problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        for (const auto& [file, hash] : files) {
            QVERIFY2(QFile::exists(project + "/" + file), qPrintable("missing " + file));
            QCOMPARE(sha256OfFile(project + "/" + file), hash);
        }
        const ProcessResult status = runIpnp({"status", "--summary", "-p", project});
        QVERIFY2(status.exitCode == 0, qPrintable(status.err));
        scansSeen = std::max(scansSeen, int(status.out.section(':', 1).section(' ', 1, 1).toInt()));
    }

private Q_SLOTS:
    void killedImportsLeaveAConsistentProject() {
        const QString phantoms = dir.filePath("phantoms"), project = dir.filePath("project");
        QCOMPARE(runIpnp({"make-phantoms", phantoms, "--count", "24", "--size", "64", "--spacing", "3.5"}).exitCode, 0);
        QCOMPARE(runIpnp({"init", project}).exitCode, 0);

        QRandomGenerator random(20261126);
        int kills = 0, scansSeen = 0;
        // Starts an import and kills it once its progress on stderr reaches step `killAtStep`, plus
        // a random few milliseconds: a random moment, spread over the whole run however fast the
        // machine is today.
        auto killAtRandom = [&](const QStringList& arguments, int steps) {
            const int killAtStep = int(random.bounded(steps + 1));
            QProcess process;
            process.start(ipnpExecutable(), arguments);
            QVERIFY(process.waitForStarted());
            QByteArray progress;
            int step = 0;
            while (step < killAtStep && process.state() == QProcess::Running) {
                process.waitForReadyRead(100);
                progress += process.readAllStandardError();
                step = int(progress.count('\n'));
            }
            if (!process.waitForFinished(int(random.bounded(25)))) {
                process.kill();  // SIGKILL; never ::kill(processId()): 0 once it ended = our whole group
                ++kills;
            }
            process.waitForFinished(60000);
            verifyProject(project, scansSeen);
        };
        // Whole-dataset imports (one transaction at the end).
        for (int attempt = 0; attempt < 6; ++attempt) killAtRandom({"import", phantoms, "-p", project}, 24);
        // Single-scan imports, each of another case: some die before their commit, some after.
        for (int attempt = 0; attempt < 8; ++attempt) {
            const QString item = QString("phantom_%1.nii.gz").arg(attempt, 4, 10, QChar('0'));
            killAtRandom({"import", phantoms + "/imagesTr/" + item, "--label", phantoms + "/labelsTr/" + item, "-p", project}, 2);
        }
        QVERIFY2(kills >= 4, "most attempts should have been killed mid-way");
        // Afterwards the user can clean up and finish the job.
        ProcessResult check = runIpnp({"check", "--clean", "-p", project});
        QVERIFY2(check.exitCode == 0, qPrintable(check.out + check.err));
        const ProcessResult finish = runIpnp({"import", phantoms, "-p", project});
        if (finish.exitCode != 0) QVERIFY2(finish.err.contains("already imported"), qPrintable(finish.err));
        verifyProject(project, scansSeen);
        qInfo("%d kills; up to %d scans committed", kills, scansSeen);
    }
};

QTEST_APPLESS_MAIN(CliCrashSafetyTest)
#include "CliCrashSafetyTest.moc"
