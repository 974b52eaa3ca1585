// `ipnp pacs` against a real PACS (Orthanc, started privately for the test): a CT series stored,
// found at study and series level, retrieved into a project, and its labels sent back as a SEG
// with the original identity (so it lands in the same study) or, to another PACS, de-identified.
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "DicomFixtures.h"
#include "OrthancFixture.h"
#include "TestSupport.h"

using namespace ipnp::test;

namespace {

const QString kStudy = "1.2.826.0.1.3680043.10.1001";  // DicomFixtures' study
const QString kSeries = "1.2.826.0.1.3680043.10.1001.66";

QStringList node(const OrthancFixture& pacs) {
    return {"--port", QString::number(pacs.dicomPort()), "--aet", OrthancFixture::kAeTitle};
}

}  // namespace

class CliPacsTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;

private Q_SLOTS:
    void initTestCase() {
        if (!OrthancFixture::installed()) QSKIP("Orthanc is not installed (apt-get install orthanc)");
    }

    void storeFindGetAndSendLabelsBack() {
        OrthancFixture pacs;
        QVERIFY2(pacs.running(), qPrintable(pacs.log()));
        ProcessResult result = runIpnp(QStringList{"pacs", "echo"} + node(pacs));
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY(result.out.contains("answers C-ECHO"));

        const QString ct = dir.filePath("ct");
        SliceSpec spec;
        spec.series = kSeries.toStdString();
        QVERIFY(writeRegularSeries(ct, spec));
        result = runIpnp(QStringList{"pacs", "store", ct} + node(pacs));
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY2(result.out.contains("Sent 4 file(s)"), qPrintable(result.out));

        result = runIpnp(QStringList{"pacs", "find", "--patient-id", "P7"} + node(pacs));
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY2(result.out.contains(kStudy + "  P7  Test^Patient") && result.out.contains("1 study found"), qPrintable(result.out));
        result = runIpnp(QStringList{"pacs", "find", "--study", kStudy} + node(pacs));
        QVERIFY2(result.out.contains(kSeries + "  CT") && result.out.contains("4 instance(s)"), qPrintable(result.out));

        // Into a project, then a structure set drawn on it, then its labels back to the PACS.
        const QString project = dir.filePath("project");
        QCOMPARE(runIpnp({"init", project}).exitCode, 0);
        result = runIpnp(QStringList{"pacs", "get", "--study", kStudy, "--series", kSeries, "-p", project} + node(pacs));
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY2(result.out.contains("1 scan(s) imported"), qPrintable(result.out));
        const std::vector<ipnp::Vec3> square{{-9.9, 20.1, 32.5}, {-7.1, 20.1, 32.5}, {-7.1, 22.9, 32.5}, {-9.9, 22.9, 32.5}};
        QVERIFY(writeRtStruct(dir.filePath("rtss.dcm"), spec.series, {{1, "Liver", {square}}}));
        result = runIpnp({"import", dir.filePath("rtss.dcm"), "-p", project});  // found through the retrieved series
        QVERIFY2(result.exitCode == 0 && result.out.contains("'Liver' -> liver"), qPrintable(result.err + result.out));
        result = runIpnp(QStringList{"pacs", "store", "--scan", "P7_s3", "-p", project} + node(pacs));
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY2(result.out.contains("original identity"), qPrintable(result.out));
        result = runIpnp(QStringList{"pacs", "find", "--study", kStudy} + node(pacs));
        QVERIFY2(result.out.contains("  SEG ") && result.out.contains("2 series in study"), qPrintable(result.out));

        // To another PACS the same labels go de-identified: a pseudonymous patient and study there.
        OrthancFixture other;
        QVERIFY2(other.running(), qPrintable(other.log()));
        result = runIpnp(QStringList{"pacs", "store", "--scan", "P7_s3", "-p", project} + node(other));
        QVERIFY2(result.exitCode == 0 && result.out.contains("de-identified"), qPrintable(result.err + result.out));
        result = runIpnp(QStringList{"pacs", "find", "--patient-id", "IPNP-*"} + node(other));
        QVERIFY2(result.out.contains("1 study found") &&
                     QRegularExpression("^2\\.25\\.\\d+  IPNP-", QRegularExpression::MultilineOption).match(result.out).hasMatch(),
                 qPrintable(result.out));
        result = runIpnp(QStringList{"pacs", "find", "--patient-id", "P7"} + node(other));
        QVERIFY2(result.out.contains("0 studies found"), qPrintable(result.out));
    }

    void anUnreachablePacsIsNamed() {
        const int port = freeTcpPort();
        const ProcessResult result = runIpnp({"pacs", "echo", "--port", QString::number(port), "--aet", "NOBODY", "--timeout", "3"});
        QVERIFY(result.exitCode != 0);
        QVERIFY2(result.err.contains("NOBODY@127.0.0.1:" + QString::number(port)), qPrintable(result.err));
        QVERIFY2(result.err.contains("did not accept the association"), qPrintable(result.err));
    }
};

QTEST_APPLESS_MAIN(CliPacsTest)
#include "CliPacsTest.moc"
