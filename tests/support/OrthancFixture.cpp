#include "OrthancFixture.h"

#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "TestSupport.h"

namespace ipnp::test {

int freeTcpPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    ::close(fd);
    return port;
}

bool OrthancFixture::installed() { return QFileInfo(kExecutable).isExecutable(); }

OrthancFixture::OrthancFixture(const QString& clientAe) {
    if (!installed() || !dir_.isValid()) return;
    dicomPort_ = freeTcpPort();
    const int httpPort = freeTcpPort();
    const QString config = QString(R"({"Name": "IPNPTEST", "StorageDirectory": "%1/storage", "IndexDirectory": "%1/index",
 "Plugins": [], "HttpPort": %2, "DicomPort": %3, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
 "DicomAet": "%4", "DicomCheckCalledAet": true, "DicomAlwaysAllowEcho": true, "DicomAlwaysAllowStore": true,
 "DicomModalities": {"client": {"AET": "%5", "Host": "127.0.0.1", "Port": %6, "AllowEcho": true, "AllowFind": true,
   "AllowGet": true, "AllowMove": true, "AllowStore": true}},
 "SaveJobs": false, "StableAge": 1})")
                               .arg(dir_.path())
                               .arg(httpPort)
                               .arg(dicomPort_)
                               .arg(kAeTitle, clientAe)
                               .arg(freeTcpPort());
    QFile file(dir_.filePath("orthanc.json"));
    if (!file.open(QIODevice::WriteOnly)) return;
    file.write(config.toUtf8());
    file.close();
    process_.start(kExecutable, {"--no-jobs", "--logfile=" + dir_.filePath("orthanc.log"), dir_.filePath("orthanc.json")});
    if (!process_.waitForStarted(10000)) return;
    // Ready once it answers C-ECHO (DCMTK's echoscu, an independent client), within 20 s.
    for (int attempt = 0; attempt < 100 && !ready_; ++attempt) {
        const ProcessResult echo = runProgram("/usr/bin/echoscu", {"-aet", clientAe, "-aec", kAeTitle, "127.0.0.1",
                                                                   QString::number(dicomPort_)});
        ready_ = echo.exitCode == 0 && !echo.err.contains("E:");
        if (!ready_) QThread::msleep(200);
    }
}

OrthancFixture::~OrthancFixture() {
    if (process_.state() == QProcess::NotRunning) return;
    process_.terminate();
    if (!process_.waitForFinished(10000)) process_.kill();
    process_.waitForFinished(5000);
}

QString OrthancFixture::log() const {
    QFile file(dir_.filePath("orthanc.log"));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll().right(3000)) : QString();
}

}  // namespace ipnp::test
