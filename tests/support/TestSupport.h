#pragma once
// Helpers shared by the Qt tests: temporary folders, hand-written image files (so a test's input
// does not come from the code under test), and the independent checkers.
#include <QByteArray>
#include <QtGlobal>
#include <stdexcept>
#include <QString>
#include <QMap>
#include <QStringList>
#include <string>
#include <vector>

namespace ipnp::test {

// Writes a raw NRRD by hand: `type` is NRRD's ("short", "float", "unsigned char"), sizes has as
// many entries as the image has axes, data holds the voxel bytes, little endian.
void writeHandMadeNrrd(const QString& path, const char* type, const std::vector<int>& sizes, const QByteArray& data,
                       const char* spacings = nullptr);

struct ProcessResult {
    int exitCode = -1;
    QString out;
    QString err;
};
// Runs a program to completion (a stall guard of `timeoutSeconds`, 60 by default).
ProcessResult runProgram(const QString& program, const QStringList& arguments, const QString& workingDirectory = {},
                         int timeoutSeconds = 60);
// The ipnp CLI of this build.
QString ipnpExecutable();
// A file of the build tree, e.g. "tests/support/ipnp_test_make_generalist".
QString buildTreePath(const QString& relative);
ProcessResult runIpnp(const QStringList& arguments, const QString& workingDirectory = {});

// SHA-256 by Qt's own implementation (independent of the project's OpenSSL-based one).
QString sha256OfFile(const QString& path);

// /usr/bin/python3 with nibabel and numpy, Debian's packages (the independent NIfTI reader).
bool debianPythonHasNibabel();

}  // namespace ipnp::test

namespace ipnp::test {

// Sets an environment variable for a scope (this process and the programs it starts), and puts
// the old value back, or unsets it, when the scope ends, also when a check fails and returns early.
class ScopedEnvironmentVariable {
public:
    ScopedEnvironmentVariable(const char* name, const QByteArray& value)
        : name_(name), wasSet_(qEnvironmentVariableIsSet(name)), old_(qgetenv(name)) {
        qputenv(name, value);
    }
    ~ScopedEnvironmentVariable() {
        if (wasSet_) qputenv(name_, old_);
        else qunsetenv(name_);
    }
    ScopedEnvironmentVariable(const ScopedEnvironmentVariable&) = delete;
    ScopedEnvironmentVariable& operator=(const ScopedEnvironmentVariable&) = delete;

private:
    const char* name_;
    bool wasSet_;
    QByteArray old_;
};

// The message of the ipnp::Error a call throws, or "" when it throws none.
template <typename Call>
QString errorOf(Call call) {
    try {
        call();
    } catch (const std::runtime_error& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

// A logical dump of every table of a project database (rows sorted), read through SQLite in
// immutable mode so that reading leaves no trace; and the SHA-256 of every file under a folder.
QStringList logicalDump(const QString& databasePath);
// The rows of one query on a project database (read-only), each as "value | value | ...".
QStringList queryRows(const QString& databasePath, const QString& sql);
QMap<QString, QString> folderHashes(const QString& folder);

}  // namespace ipnp::test
