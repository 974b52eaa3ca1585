// Bad input through the CLI, as a user meets it: a clear message naming the file and the
// problem, a non-zero exit, and a project exactly as it was (every table, every file's hash).
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include "TestSupport.h"

using namespace ipnp::test;

namespace {
QByteArray int16Voxels(int count, qint16 value) {
    QByteArray bytes;
    for (int n = 0; n < count; ++n) bytes.append(reinterpret_cast<const char*>(&value), 2);
    return bytes;
}
}  // namespace

class CliBadInputTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    QString project, phantoms, inputs;

    struct Snapshot {
        QStringList tables;
        QMap<QString, QString> files;
        bool operator==(const Snapshot& other) const { return tables == other.tables && files == other.files; }
    };
    Snapshot snapshot() { return {logicalDump(project + "/project.ipnp"), folderHashes(project)}; }

    // Runs ipnp, expects failure with every fragment in its stderr and the project unchanged.
    void expectRefusal(const QStringList& arguments, const QStringList& fragments) {
        const Snapshot before = snapshot();
        const ProcessResult result = runIpnp(arguments);
        QVERIFY2(result.exitCode != 0 && result.exitCode != -1, qPrintable("exit " + QString::number(result.exitCode)));
        for (const QString& fragment : fragments)
            QVERIFY2(result.err.contains(fragment), qPrintable("stderr lacks '" + fragment + "': " + result.err));
        QVERIFY2(!result.err.contains("terminate called"), qPrintable(result.err));
        QVERIFY2(snapshot() == before, "the project changed");
    }

private Q_SLOTS:
    void initTestCase() {
        project = dir.filePath("project");
        phantoms = dir.filePath("phantoms");
        inputs = dir.filePath("inputs");
        QDir().mkpath(inputs);
        QCOMPARE(runIpnp({"make-phantoms", phantoms, "--count", "2", "--size", "32", "--spacing", "6"}).exitCode, 0);
        QCOMPARE(runIpnp({"make-phantoms", dir.filePath("other"), "--count", "1", "--size", "24", "--spacing", "8"}).exitCode, 0);
        QCOMPARE(runIpnp({"init", project}).exitCode, 0);
        // One good scan in the project, so "unchanged" covers real rows and files.
        QCOMPARE(runIpnp({"import", phantoms + "/imagesTr/phantom_0000.nii.gz", "--label",
                          phantoms + "/labelsTr/phantom_0000.nii.gz", "-p", project}).exitCode, 0);
        QVERIFY(snapshot().tables.size() > 20);
    }

    void missingFile() {
        expectRefusal({"import", inputs + "/absent.nii.gz", "-p", project}, {"absent.nii.gz", "no such file"});
    }

    void truncatedCompressedImage() {
        QFile source(phantoms + "/imagesTr/phantom_0001.nii.gz");
        QVERIFY(source.open(QIODevice::ReadOnly));
        const QByteArray bytes = source.readAll();
        QFile cut(inputs + "/cut.nii.gz");
        QVERIFY(cut.open(QIODevice::WriteOnly));
        cut.write(bytes.left(bytes.size() * 2 / 3));
        cut.close();
        expectRefusal({"import", cut.fileName(), "-p", project}, {"cut.nii.gz", "truncated"});
    }

    void labelGeometryDiffersFromImage() {
        expectRefusal({"import", phantoms + "/imagesTr/phantom_0001.nii.gz", "--label",
                       dir.filePath("other/labelsTr/phantom_0000.nii.gz"), "-p", project},
                      {"phantom_0000.nii.gz", "geometry differs", "size 32x32x32 vs 24x24x24"});
    }

    void labelValueNotInSchema() {
        writeHandMadeNrrd(inputs + "/small.nrrd", "short", {4, 4, 4}, int16Voxels(64, 40));
        QByteArray labels(64, '\0');
        labels[5] = 42;
        writeHandMadeNrrd(inputs + "/small_labels.nrrd", "unsigned char", {4, 4, 4}, labels);
        expectRefusal({"import", inputs + "/small.nrrd", "--label", inputs + "/small_labels.nrrd", "-p", project},
                      {"small_labels.nrrd", "label value 42", "not in the project's organ schema"});
    }

    void nonIntegerLabelImage() {
        writeHandMadeNrrd(inputs + "/small2.nrrd", "short", {4, 4, 4}, int16Voxels(64, 41));
        writeHandMadeNrrd(inputs + "/float_labels.nrrd", "float", {4, 4, 4}, QByteArray(64 * 4, '\0'));
        expectRefusal({"import", inputs + "/small2.nrrd", "--label", inputs + "/float_labels.nrrd", "-p", project},
                      {"float_labels.nrrd", "integer labels"});
    }

    void fourDimensionalImage() {
        writeHandMadeNrrd(inputs + "/series.nrrd", "short", {4, 4, 4, 3}, int16Voxels(64 * 3, 7));
        expectRefusal({"import", inputs + "/series.nrrd", "-p", project}, {"series.nrrd", "4D"});
    }

    void sameScanTwice() {
        expectRefusal({"import", phantoms + "/imagesTr/phantom_0000.nii.gz", "-p", project},
                      {"phantom_0000.nii.gz", "already imported"});
        expectRefusal({"import", phantoms + "/imagesTr/phantom_0000.nii.gz", "--name", "renamed", "-p", project},
                      {"phantom_0000.nii.gz", "already imported"});
    }

    void oneBadCaseInADatasetImportsNothing() {
        // A copy of the phantom dataset whose second label map is missing.
        const QString copy = dir.filePath("broken_dataset");
        QDir().mkpath(copy + "/imagesTr");
        QDir().mkpath(copy + "/labelsTr");
        for (const char* file : {"dataset.json", "imagesTr/phantom_0000.nii.gz", "imagesTr/phantom_0001.nii.gz",
                                 "labelsTr/phantom_0000.nii.gz"})
            QVERIFY(QFile::copy(phantoms + "/" + file, copy + "/" + file));
        const QString fresh = dir.filePath("fresh");
        QCOMPARE(runIpnp({"init", fresh}).exitCode, 0);
        const QStringList tablesBefore = logicalDump(fresh + "/project.ipnp");
        const auto filesBefore = folderHashes(fresh);
        const ProcessResult result = runIpnp({"import", copy, "-p", fresh});
        QVERIFY(result.exitCode == 1);
        QVERIFY2(result.err.contains("labelsTr/phantom_0001.nii.gz") && result.err.contains("no such file"),
                 qPrintable(result.err));
        QCOMPARE(logicalDump(fresh + "/project.ipnp"), tablesBefore);
        QCOMPARE(folderHashes(fresh), filesBefore);
    }

    void projectPathThatCannotBeCreated() {
        QFile plain(dir.filePath("plain_file"));
        QVERIFY(plain.open(QIODevice::WriteOnly));
        plain.close();
        const ProcessResult result = runIpnp({"init", dir.filePath("plain_file/project")});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("plain_file/project") && result.err.contains("cannot create"), qPrintable(result.err));
        QCOMPARE(QFileInfo(plain.fileName()).size(), 0);
    }

    void projectFileThatIsNotSqlite() {
        const QString fake = dir.filePath("fake");
        QDir().mkpath(fake);
        QFile file(fake + "/project.ipnp");
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("SQLite format 2? no: a text file where the project database should be\n");
        file.close();
        const auto before = folderHashes(fake);
        for (const QStringList& arguments :
             {QStringList{"status", "-p", fake}, QStringList{"import", phantoms + "/imagesTr/phantom_0001.nii.gz", "-p", fake}}) {
            const ProcessResult result = runIpnp(arguments);
            QCOMPARE(result.exitCode, 1);
            QVERIFY2(result.err.contains("project.ipnp") && result.err.contains("not an IPnP Studio project"),
                     qPrintable(result.err));
        }
        QCOMPARE(folderHashes(fake), before);
    }

    void usageErrorsExitTwo() {
        QCOMPARE(runIpnp({"import"}).exitCode, 2);
        QCOMPARE(runIpnp({"no-such-command"}).exitCode, 2);
        QCOMPARE(runIpnp({"simulate-partial", "--keep-fraction", "0.5", "--groups", "2", "-p", project}).exitCode, 2);
        // Values out of range are command-line mistakes too, refused before the project is touched
        // (a training used to record a run first, and a batch of -1 failed inside LibTorch).
        const QList<QStringList> mistakes{
            {"train", "--iterations", "0"},       {"train", "--batch", "-1"},
            {"train", "--optimizer", "bogus"},    {"train", "--device", "tpu"},
            {"train", "--stages", "0"},           {"round", "--lr", "0"},
            {"loop", "--checkpoint-every", "0"},  {"simulate-partial", "--keep-fraction", "1.5"},
            {"simulate-partial", "--test-fraction", "1"}, {"simulate-partial"},
            {"import", phantoms + "/imagesTr/phantom_0001.nii.gz", "--modality", "XR"},
            {"predict", dir.filePath("out"), "--split", "bogus"}};
        for (const QStringList& mistake : mistakes) {
            const Snapshot before = snapshot();
            const ProcessResult result = runIpnp(mistake + QStringList{"-p", project});
            QVERIFY2(result.exitCode == 2,
                     qPrintable(mistake.join(' ') + ": exit " + QString::number(result.exitCode)));
            QVERIFY2(!result.err.contains("Exception raised from"), qPrintable(result.err));
            QVERIFY2(snapshot() == before, qPrintable(mistake.join(' ') + " changed the project"));
        }
        QVERIFY(!QFile::exists(dir.filePath("out")));
    }

    void trainingThatCannotRunRecordsNothing() {
        // A training on a device this machine lacks fails before a run is recorded.
        if (QFile::exists("/dev/nvidia0")) QSKIP("a GPU is present: --device cuda would train");
        expectRefusal({"train", "--device", "cuda", "--iterations", "1", "--threads", "1", "-p", project}, {"cuda"});
    }
};

QTEST_APPLESS_MAIN(CliBadInputTest)
#include "CliBadInputTest.moc"
