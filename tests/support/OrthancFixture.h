#pragma once
// A private Orthanc PACS for a test: its own configuration, storage and free ports in a temporary
// folder, started on construction (ready once it answers C-ECHO) and stopped on destruction.
#include <QProcess>
#include <QTemporaryDir>

namespace ipnp::test {

class OrthancFixture {
public:
    static constexpr const char* kExecutable = "/usr/sbin/Orthanc";
    static constexpr const char* kAeTitle = "ORTHANC";
    // `clientAe`: the AE title the PACS knows (and lets find, get, store).
    explicit OrthancFixture(const QString& clientAe = "IPNPSTUDIO");
    ~OrthancFixture();
    OrthancFixture(const OrthancFixture&) = delete;
    OrthancFixture& operator=(const OrthancFixture&) = delete;

    static bool installed();
    bool running() const { return ready_; }
    int dicomPort() const { return dicomPort_; }
    QString log() const;  // its log, for failure messages

private:
    QTemporaryDir dir_;
    QProcess process_;
    int dicomPort_ = 0;
    bool ready_ = false;
};

// A TCP port nothing listens on right now.
int freeTcpPort();

}  // namespace ipnp::test
