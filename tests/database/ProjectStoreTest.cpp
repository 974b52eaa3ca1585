// The project store: file format guarantees (WAL, foreign keys, versioning) and refusals that
// leave foreign files untouched.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <sqlite3.h>

#include <atomic>
#include <thread>

#include "Error.h"
#include "ProjectSchema.h"
#include "ProjectStore.h"
#include "TestSupport.h"

using namespace ipnp;
using test::errorOf;

namespace {
OrganSchema threeOrgans() {
    return OrganSchema("three", {{1, "liver", {200, 100, 50}, {"hepar"}}, {2, "spleen", {}, {}}, {3, "aorta", {}, {}}});
}

// Runs SQL on a database file through SQLite directly, bypassing the project code.
void rawSql(const QString& path, const char* sql) {
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
    char* error = nullptr;
    const int result = sqlite3_exec(db, sql, nullptr, nullptr, &error);
    const QString message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    QVERIFY2(result == SQLITE_OK, qPrintable(message));
}

}  // namespace

class ProjectStoreTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void createdProjectHasItsFolderLayoutAndPragmas() {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("nested/new project").toStdString();
        auto store = ProjectStore::create(folder, threeOrgans());
        for (const char* sub : {"volumes", "labels", "truth", "candidates", "checkpoints", "reports"})
            QVERIFY2(QFileInfo(QString::fromStdString(folder) + "/" + sub).isDir(), sub);
        SqliteDatabase& db = store->database();
        SqliteStatement mode(db, "PRAGMA journal_mode");
        QVERIFY(mode.step());
        QCOMPARE(mode.columnText(0), std::string("wal"));
        QCOMPARE(db.queryInt("PRAGMA foreign_keys"), std::int64_t(1));
        QCOMPARE(db.queryInt("PRAGMA user_version"), std::int64_t(latestProjectSchemaVersion()));
        QCOMPARE(db.queryInt("PRAGMA application_id"), std::int64_t(kProjectApplicationId));
        const OrganSchema schema = store->schema();
        QCOMPARE(schema.name(), std::string("three"));
        QCOMPARE(schema.byName("hepar")->index, 1);
        QCOMPARE(schema.byIndex(1)->colour, (std::array<std::uint8_t, 3>{200, 100, 50}));
        // Foreign keys are enforced: a coverage row for a scan that does not exist is refused.
        QVERIFY_THROWS_EXCEPTION(Error, db.execute("INSERT INTO coverage VALUES (42, 1, 'manual', NULL, 'now')"));
    }

    void secondCreateIsRefused() {
        QTemporaryDir dir;
        ProjectStore::create(dir.path().toStdString(), threeOrgans());
        QVERIFY(errorOf([&] { ProjectStore::create(dir.path().toStdString(), threeOrgans()); }).contains("already holds"));
    }

    void pathUnderARegularFileIsRefused() {
        QTemporaryDir dir;
        QFile file(dir.filePath("plain"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        const QString message = errorOf([&] { ProjectStore::create(dir.filePath("plain/project").toStdString(), threeOrgans()); });
        QVERIFY2(message.contains("plain/project") && message.contains("cannot create"), qPrintable(message));
        QCOMPARE(QFileInfo(dir.filePath("plain")).size(), 0);
    }

    void newerProjectIsRefusedUnchanged() {
        QTemporaryDir dir;
        ProjectStore::create(dir.path().toStdString(), threeOrgans()).reset();
        const QString database = dir.filePath("project.ipnp");
        rawSql(database, "PRAGMA user_version = 99");
        const QString before = test::sha256OfFile(database);
        const QString message = errorOf([&] { ProjectStore::open(dir.path().toStdString()); });
        QVERIFY2(message.contains("newer IPnP Studio") && message.contains("99"), qPrintable(message));
        QCOMPARE(test::sha256OfFile(database), before);
    }

    void nonSqliteFileIsRefusedUnchanged() {
        QTemporaryDir dir;
        QFile file(dir.filePath("project.ipnp"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();
        const QString before = test::sha256OfFile(file.fileName());
        const QString message = errorOf([&] { ProjectStore::open(dir.path().toStdString()); });
        QVERIFY2(message.contains("project.ipnp") && message.contains("not an IPnP Studio project"), qPrintable(message));
        QCOMPARE(test::sha256OfFile(file.fileName()), before);
    }

    void foreignSqliteDatabaseIsRefused() {
        QTemporaryDir dir;
        rawSql(dir.filePath("project.ipnp"), "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
        QVERIFY(errorOf([&] { ProjectStore::open(dir.path().toStdString()); }).contains("not an IPnP Studio project"));
    }

    void folderWithoutProjectSaysHowToMakeOne() {
        QTemporaryDir dir;
        QVERIFY(errorOf([&] { ProjectStore::open(dir.path().toStdString()); }).contains("ipnp init"));
    }

    void aConnectionPerThreadReadsWhileAnotherWrites() {
        // WAL: a reader (the GUI) never waits for a writer (a worker), each on its own connection.
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        ProjectStore::create(folder, threeOrgans()).reset();
        std::atomic<bool> writing{true};
        std::string writerError;
        std::thread writer([&] {
            try {
                auto store = ProjectStore::open(folder);
                for (int n = 0; n < 200; ++n) {
                    SqliteTransaction transaction(store->database());
                    store->addEvent("tick", "{}");
                    transaction.commit();
                }
            } catch (const std::exception& error) {
                writerError = error.what();
            }
            writing = false;
        });
        auto reader = ProjectStore::open(folder);
        int reads = 0;
        std::int64_t last = 0;
        while (writing || reads == 0) {
            const std::int64_t ticks = reader->database().queryInt("SELECT count(*) FROM events WHERE kind = 'tick'");
            QVERIFY(ticks >= last);  // never goes back: each read sees a committed state
            last = ticks;
            ++reads;
        }
        writer.join();
        QVERIFY2(writerError.empty(), writerError.c_str());
        QCOMPARE(reader->database().queryInt("SELECT count(*) FROM events WHERE kind = 'tick'"), std::int64_t(200));
    }

    void schemaChangesKeepUsedOrgans() {
        QTemporaryDir dir;
        auto store = ProjectStore::create(dir.path().toStdString(), threeOrgans());
        SqliteDatabase& db = store->database();
        db.execute("INSERT INTO scans (name, modality, source_path, source_sha256, file, file_sha256, geometry, voxel_type, "
                   "imported_at) VALUES ('s1', 'CT', '/x', 'h1', 'volumes/s1.nii.gz', 'h1', '{}', 'int16', 'now');"
                   "INSERT INTO coverage VALUES (1, 1, 'absent', NULL, 'now'), (1, 2, 'unknown', NULL, 'now'),"
                   "(1, 3, 'unknown', NULL, 'now');");
        // Dropping the liver, whose state is known, is refused and changes nothing.
        const OrganSchema withoutLiver("two", {{2, "spleen", {}, {}}, {3, "aorta", {}, {}}});
        QVERIFY(errorOf([&] { replaceProjectSchema(*store, withoutLiver); }).contains("liver"));
        QCOMPARE(store->schema().size(), std::size_t(3));
        // The organ in use may not turn into another organ under its index.
        const OrganSchema hijack("hijack", {{1, "spleen", {}, {}}, {2, "liver", {}, {}}, {3, "aorta", {}, {}}});
        QVERIFY(errorOf([&] { replaceProjectSchema(*store, hijack); }).contains("labels there are 'liver'"));
        // Respelled organs in use are fine; unused organs may swap names or go; new ones start unknown.
        const OrganSchema next("next", {{1, "Liver", {}, {}}, {2, "aorta", {}, {}}, {3, "spleen", {}, {}},
                                        {5, "stomach", {}, {}}});
        replaceProjectSchema(*store, next);
        QCOMPARE(store->schema().byIndex(2)->name, std::string("aorta"));
        QCOMPARE(db.queryInt("SELECT count(*) FROM coverage WHERE organ_id = 5 AND state = 'unknown'"), std::int64_t(1));
        QCOMPARE(db.queryInt("SELECT count(*) FROM coverage"), std::int64_t(4));
        const OrganSchema smaller("smaller", {{1, "liver", {}, {}}, {5, "stomach", {}, {}}});
        replaceProjectSchema(*store, smaller);
        QCOMPARE(db.queryInt("SELECT count(*) FROM coverage WHERE organ_id IN (2, 3)"), std::int64_t(0));
        QCOMPARE(store->schema().name(), std::string("smaller"));
    }
};

QTEST_APPLESS_MAIN(ProjectStoreTest)
#include "ProjectStoreTest.moc"
