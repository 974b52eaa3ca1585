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

ProcessResult runProgram(const QString& program, const QStringList& arguments, const QString& workingDirectory) {
    QProcess process;
    if (!workingDirectory.isEmpty()) process.setWorkingDirectory(workingDirectory);
    process.start(program, arguments);
    ProcessResult result;
    if (!process.waitForFinished(60000)) {
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
