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

    void structureSetsComeWithTheirSeriesAndOnTheirOwn() {
        // A folder with a CT series and the RT Structure Set drawn on it: one import brings both;
        // the ROI the schema does not know is listed, then mapped by the user in a second import.
        const QString dicom = dir.filePath("with_rtss");
        SliceSpec spec;
        spec.series = "1.2.826.0.1.3680043.10.1001.88";
        QVERIFY(writeRegularSeries(dicom + "/ct", spec));
        // writeRegularSeries: x from -10 mm every 0.7, y from 20 mm every 0.8, z 30..37.5 mm.
        // x -9.9..-7.1 mm is column index 0.14..4.14 (centres 1..4), y 20.1..22.9 mm row index
        // 0.125..3.625 (centres 1..3): 4 x 3 = 12 voxels on slice 1.
        const std::vector<ipnp::Vec3> square{{-9.9, 20.1, 32.5}, {-7.1, 20.1, 32.5}, {-7.1, 22.9, 32.5}, {-9.9, 22.9, 32.5}};
        QVERIFY(writeRtStruct(dicom + "/rtss.dcm", spec.series, {{1, "Liver", {square}}, {2, "Magen", {square}}}));
        const QString project = dir.filePath("project_rtss");
        QCOMPARE(runIpnp({"init", project}).exitCode, 0);
        ProcessResult result = runIpnp({"import", dicom, "-p", project});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY2(result.out.contains("'Liver' -> liver (manual label of P7_s3)"), qPrintable(result.out));
        QVERIFY2(result.err.contains("unmatched structure 'Magen'") && result.err.contains("--roi 'Magen=ORGAN'"),
                 qPrintable(result.err));

        result = runIpnp({"import", "--roi", "Magen", dicom + "/rtss.dcm", "-p", project});
        QVERIFY(result.exitCode != 0);
        QVERIFY2(result.err.contains("'ROI name=organ'"), qPrintable(result.err));
        result = runIpnp({"import", dicom + "/rtss.dcm", "--scan", "P7_s3", "--roi", "Magen=stomach", "-p", project});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY2(result.out.contains("'Magen' -> stomach"), qPrintable(result.out));
        QVERIFY2(result.err.contains("liver already has a manual label"), qPrintable(result.err));

        result = runIpnp({"status", "--json", "-p", project});
        const QJsonObject status = QJsonDocument::fromJson(result.out.toUtf8()).object();
        const QJsonObject scan = status["scans"].toArray()[0].toObject();
        QVERIFY2(QJsonDocument(scan).toJson().contains("manual"), qPrintable(QJsonDocument(scan).toJson()));
        // The liver label on disk: 12 voxels (read by nibabel, not by this project's reader).
        if (!debianPythonHasNibabel()) QSKIP("/usr/bin/python3 with nibabel is not installed");
        const QString label = QDir(project + "/labels/P7_s3").entryList({"6_v1*"}).value(0);  // liver is organ 6
        QVERIFY(!label.isEmpty());
        const auto nib = runProgram("/usr/bin/python3", {"-c",
            "import nibabel, numpy, sys; print(int(numpy.asarray(nibabel.load(sys.argv[1]).dataobj).sum()))",
            project + "/labels/P7_s3/" + label});
        QCOMPARE(nib.out.trimmed(), QString("12"));
    }
};

QTEST_GUILESS_MAIN(CliDicomImportTest)
#include "CliDicomImportTest.moc"
