// `ipnp import` on folders of DICOM series, run as a user runs it: the series become scans on
// their own grids (checked with nibabel, an independent reader, against the hand-chosen values
// of tests/support/DicomFixtures), notes for skipped files, and a damaged series refused with the
// project unchanged.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "DicomFixtures.h"
#include "TestSupport.h"

using namespace ipnp::test;

class CliDicomImportTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;

private Q_SLOTS:
    void importsEverySeriesOfAFolder() {
        const QString dicom = dir.filePath("dicom");
        SliceSpec arterial, venous;
        arterial.series = "";  // real exports leave it empty: grouped by geometry and description
        arterial.description = "arterial";
        venous.series = "";
        venous.description = "venous";
        venous.seriesNumber = 4;
        venous.intercept = -1000;  // other values: two identical series would be one scan imported twice
        QVERIFY(writeRegularSeries(dicom + "/a", arterial));
        QVERIFY(writeRegularSeries(dicom + "/b", venous));
        QFile note(dicom + "/DICOMDIR.txt");
        QVERIFY(note.open(QIODevice::WriteOnly));
        note.write("index");
        note.close();
        const QString project = dir.filePath("project");
        QCOMPARE(runIpnp({"init", project}).exitCode, 0);
        ProcessResult result = runIpnp({"import", dicom, "-p", project});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY(result.out.contains("Imported 2 scan(s)"));
        QVERIFY2(result.err.contains("DICOMDIR.txt: not a DICOM file, skipped"), qPrintable(result.err));

        result = runIpnp({"status", "--json", "-p", project});
        const QJsonArray scans = QJsonDocument::fromJson(result.out.toUtf8()).object()["scans"].toArray();
        QCOMPARE(scans.size(), 2);
        QStringList names;
        for (const auto& scan : scans) names << scan.toObject()["name"].toString();
        names.sort();
        QCOMPARE(names, (QStringList{"P7_s3", "P7_s4"}));

        // The stored volume, read by nibabel: int16 HU values raw - 1024 at the right voxels, and
        // the grid in NIfTI's RAS (LPS x and y negated): spacing 0.7 x 0.8 x 2.5, origin (10, -20, 30).
        if (!debianPythonHasNibabel()) QSKIP("/usr/bin/python3 with nibabel is not installed");
        const QString volume = QDir(project + "/volumes").entryList({"P7_s3*"}).value(0);
        QVERIFY(!volume.isEmpty());
        const QString script =
            "import nibabel, numpy, sys\n"
            "img = nibabel.load(sys.argv[1]); a = numpy.asarray(img.dataobj)\n"
            "print(a.dtype, a.shape, a[1, 2, 3], a[5, 4, 0])\n"
            "print(' '.join('%.3f' % v for v in img.header.get_zooms()))\n"
            "print(' '.join('%.3f' % v for v in img.affine[:3, 3]))\n";
        result = runProgram("/usr/bin/python3", {"-c", script, QDir(project + "/volumes").filePath(volume)});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const QStringList lines = result.out.trimmed().split('\n');
        // raw(1, 2, 3) = 1000 + 300 + 20 + 1 = 1321 -> 297 HU; raw(5, 4, 0) = 1045 -> 21 HU.
        QCOMPARE(lines.value(0), QString("int16 (6, 5, 4) 297 21"));
        QCOMPARE(lines.value(1), QString("0.700 0.800 2.500"));
        QCOMPARE(lines.value(2), QString("10.000 -20.000 30.000"));
    }

    void aDamagedSeriesLeavesTheProjectUnchanged() {
        const QString dicom = dir.filePath("damaged");
        QVERIFY(writeRegularSeries(dicom));
        QFile cut(dicom + "/slice_7.dcm");
        QVERIFY(cut.resize(300));
        const QString project = dir.filePath("project2");
        QCOMPARE(runIpnp({"init", project}).exitCode, 0);
        const QStringList before = logicalDump(project + "/project.ipnp");
        const ProcessResult result = runIpnp({"import", dicom, "-p", project});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("slice_7.dcm") && result.err.contains("damaged DICOM file"), qPrintable(result.err));
        QCOMPARE(logicalDump(project + "/project.ipnp"), before);
        QVERIFY(QDir(project + "/volumes").entryList(QDir::Files).isEmpty());
    }
};

QTEST_GUILESS_MAIN(CliDicomImportTest)
#include "CliDicomImportTest.moc"
