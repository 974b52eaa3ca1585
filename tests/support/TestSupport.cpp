#include "TestSupport.h"

#include <QCryptographicHash>
#include <QFile>
#include <QProcess>

namespace ipnp::test {

void writeHandMadeNrrd(const QString& path, const char* type, const std::vector<int>& sizes, const QByteArray& data,
                       const char* spacings) {
    QByteArray header = "NRRD0004\n";
    header += QByteArray("type: ") + type + "\n";
    header += "dimension: " + QByteArray::number(int(sizes.size())) + "\n";
    header += "sizes:";
    for (int size : sizes) header += " " + QByteArray::number(size);
    header += "\n";
    if (spacings) header += QByteArray("spacings: ") + spacings + "\n";
    header += "encoding: raw\nendian: little\n\n";
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    file.write(header);
    file.write(data);
}

ProcessResult runProgram(const QString& program, const QStringList& arguments, const QString& workingDirectory,
                         int timeoutSeconds) {
    QProcess process;
    if (!workingDirectory.isEmpty()) process.setWorkingDirectory(workingDirectory);
    process.start(program, arguments);
    ProcessResult result;
    if (!process.waitForFinished(timeoutSeconds * 1000)) {
        process.kill();
        process.waitForFinished();
        result.err = "stalled: " + program + " " + arguments.join(' ');
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

QString ipnpExecutable() { return QStringLiteral(IPNP_BINARY_DIR "/app/ipnp"); }

QString buildTreePath(const QString& relative) { return QStringLiteral(IPNP_BINARY_DIR "/") + relative; }

ProcessResult runIpnp(const QStringList& arguments, const QString& workingDirectory) {
    return runProgram(ipnpExecutable(), arguments, workingDirectory);
}

QString sha256OfFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

bool debianPythonHasNibabel() {
    return runProgram("/usr/bin/python3", {"-c", "import nibabel, numpy"}).exitCode == 0;
}

}  // namespace ipnp::test

#include <QDirIterator>
#include <sqlite3.h>

namespace ipnp::test {

namespace {

// Opens a project database read-only as it is on disk (no journal replay, no lock taken).
sqlite3* openImmutable(const QString& databasePath) {
    sqlite3* db = nullptr;
    const QByteArray uri = "file:" + databasePath.toUtf8() + "?immutable=1";
    if (sqlite3_open_v2(uri.constData(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) == SQLITE_OK) return db;
    sqlite3_close(db);
    return nullptr;
}

// The rows of `sql`, each as "value | value | ..." (NULL spelled out); one error line if it fails.
QStringList rowsOf(sqlite3* db, const QString& sql) {
    QStringList rows;
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.toUtf8().constData(), -1, &statement, nullptr) != SQLITE_OK)
        return {"cannot query: " + QString::fromUtf8(sqlite3_errmsg(db))};
    while (sqlite3_step(statement) == SQLITE_ROW) {
        QStringList values;
        for (int column = 0; column < sqlite3_column_count(statement); ++column) {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
            values << (text ? QString::fromUtf8(text) : QStringLiteral("NULL"));
        }
        rows << values.join(" | ");
    }
    sqlite3_finalize(statement);
    return rows;
}

}  // namespace

QStringList queryRows(const QString& databasePath, const QString& sql) {
    sqlite3* db = openImmutable(databasePath);
    if (!db) return {"cannot open " + databasePath};
    const QStringList rows = rowsOf(db, sql);
    sqlite3_close(db);
    return rows;
}

QStringList logicalDump(const QString& databasePath) {
    sqlite3* db = openImmutable(databasePath);
    if (!db) return {"cannot open " + databasePath};
    QStringList lines;
    for (const QString& table : rowsOf(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
        QStringList rows;
        for (const QString& row : rowsOf(db, "SELECT * FROM \"" + table + "\"")) rows << table + ": " + row;
        rows.sort();
        lines << rows;
    }
    sqlite3_close(db);
    return lines;
}

QMap<QString, QString> folderHashes(const QString& folder) {
    QMap<QString, QString> hashes;
    QDirIterator files(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QString path = files.next();
        hashes[QDir(folder).relativeFilePath(path)] = sha256OfFile(path);
    }
    return hashes;
}

}  // namespace ipnp::test
