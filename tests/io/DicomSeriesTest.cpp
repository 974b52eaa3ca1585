// DICOM series import on series this test writes itself with DCMTK (every voxel value and position
// chosen by hand), and their compressed variants made with DCMTK's own command-line tools
// (dcmcrle, dcmcjpeg, dcmcjpls, package dcmtk); and a real CT series from ../shared/data, as stored
// and as JPEG 2000 made by GDCM's gdcmconv --j2k.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include "DicomFixtures.h"
#include "DicomSeries.h"
#include "Error.h"
#include "ImageFile.h"
#include "TestSupport.h"

using namespace ipnp;
using test::errorOf;
using test::SliceSpec;
using test::writeRegularSeries;
using test::writeSlice;

namespace {

void checkRegularVoxels(const FloatVolume& image) {
    QCOMPARE(image.size(), (std::array<std::size_t, 3>{6, 5, 4}));
    for (std::size_t k = 0; k < 4; ++k)
        for (std::size_t j = 0; j < 5; ++j)
            for (std::size_t i = 0; i < 6; ++i)
                QCOMPARE(image.at(i, j, k), float(1000 + 100 * int(k) + 10 * int(j) + int(i) - 1024));
}

}  // namespace

class DicomSeriesTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;

private Q_SLOTS:
    void aRegularSeriesLandsOnItsGrid() {
        const QString folder = dir.filePath("regular");
        QVERIFY(writeRegularSeries(folder));
        const DicomFolderContents found = scanDicomFolder(folder.toStdString());
        QCOMPARE(found.series.size(), std::size_t(1));
        QVERIFY(found.skipped.empty());
        const DicomSeries& series = found.series[0];
        QCOMPARE(series.slices.size(), std::size_t(4));
        QCOMPARE(series.suggestedName(), std::string("P7_s3"));
        // Sorted by position along the normal (z), not by file name.
        QVERIFY(series.slices[0].file.find("slice_9") != std::string::npos);
        const DicomVolume volume = readDicomSeries(series);
        QVERIFY(volume.warnings.empty());
        const ImageGeometry& g = volume.image.geometry();
        QCOMPARE(g.spacing, (Vec3{0.7, 0.8, 2.5}));  // i along a row: the column spacing
        QCOMPARE(g.origin, (Vec3{-10, 20, 30}));
        QCOMPARE(g.direction, (Mat3{1, 0, 0, 0, 1, 0, 0, 0, 1}));
        checkRegularVoxels(volume.image);
    }

    void compressedTransferSyntaxesDecodeToTheSameVoxels() {
        const QString source = dir.filePath("source");
        QVERIFY(writeRegularSeries(source));
        const std::vector<std::pair<QString, QStringList>> tools = {
            {"dcmcrle", {}}, {"dcmcjpeg", {"+el"}}, {"dcmcjpeg", {"+e1"}}, {"dcmcjpls", {}}};
        int variant = 0;
        for (const auto& [tool, options] : tools) {
            const QString folder = dir.filePath(QString("compressed%1").arg(variant++));
            QDir().mkpath(folder);
            for (const QString& name : QDir(source).entryList({"*.dcm"})) {
                const auto result = test::runProgram(tool, options + QStringList{QDir(source).filePath(name), QDir(folder).filePath(name)});
                QVERIFY2(result.exitCode == 0, qPrintable(tool + ": " + result.err));
            }
            const DicomFolderContents found = scanDicomFolder(folder.toStdString());
            QCOMPARE(found.series.size(), std::size_t(1));
            checkRegularVoxels(readDicomSeries(found.series[0]).image);
        }
    }

    void aRealCtSeriesAndItsJpeg2000Twin() {
        // dcmqi's 3-slice liver CT (GE, 512 x 512, implicit VR): its grid must be the one of the
        // label map dcmqi made from it (liver_seg.nrrd, read by ITK), and the JPEG 2000 copies must
        // decode to the same voxels (GDCM decodes them; DCMTK has no JPEG 2000 codec).
        const QString data = IPNP_SHARED_DATA "/dcmqi_liver_ct3slice";
        if (!QFile::exists(data + "/ct/01.dcm")) QSKIP("../shared/data/dcmqi_liver_ct3slice is not there");
        DicomFolderContents found;
        QCOMPARE(errorOf([&] { found = scanDicomFolder((data + "/ct").toStdString()); }), QString());
        QCOMPARE(found.series.size(), std::size_t(1));
        DicomVolume original;
        QCOMPARE(errorOf([&] { original = readDicomSeries(found.series[0]); }), QString());
        const ImageHeader labels = readImageHeader((data + "/liver_seg.nrrd").toStdString());
        QVERIFY2(original.image.geometry().sameGrid(labels.geometry, 1e-3),
                 original.image.geometry().describeDifference(labels.geometry, 1e-3).c_str());
        const QString j2k = dir.filePath("j2k");
        QDir().mkpath(j2k);
        for (const QString& name : QDir(data + "/ct").entryList({"*.dcm"})) {
            const auto result = test::runProgram("gdcmconv", {"--j2k", QDir(data + "/ct").filePath(name), QDir(j2k).filePath(name)});
            QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        }
        DicomVolume decoded;
        QCOMPARE(errorOf([&] { decoded = readDicomSeries(scanDicomFolder(j2k.toStdString()).series.at(0)); }), QString());
        QVERIFY(decoded.image.geometry().sameGrid(original.image.geometry()));
        QVERIFY(decoded.image.voxels() == original.image.voxels());
    }

    void seriesAreGroupedEvenWithoutUidsAndOtherFilesSkipped() {
        const QString folder = dir.filePath("mixed");
        SliceSpec a, b;
        b.series = "1.2.826.0.1.3680043.10.1001.2";
        b.seriesNumber = 4;
        QVERIFY(writeRegularSeries(folder + "/a", a));
        QVERIFY(writeRegularSeries(folder + "/b", b));
        QFile note(folder + "/README.txt");
        QVERIFY(note.open(QIODevice::WriteOnly));
        note.write("not DICOM");
        note.close();
        DicomFolderContents found = scanDicomFolder(folder.toStdString());
        QCOMPARE(found.series.size(), std::size_t(2));
        QCOMPARE(found.skipped.size(), std::size_t(1));
        QVERIFY(QString::fromStdString(found.skipped[0]).contains("README.txt"));

        // Empty SeriesInstanceUIDs: two series told apart by their descriptions.
        const QString noUids = dir.filePath("nouids");
        SliceSpec c, d;
        c.series = d.series = "";
        c.description = "arterial";
        d.description = "venous";
        QVERIFY(writeRegularSeries(noUids + "/c", c));
        QVERIFY(writeRegularSeries(noUids + "/d", d));
        found = scanDicomFolder(noUids.toStdString());
        QCOMPARE(found.series.size(), std::size_t(2));
        for (const DicomSeries& series : found.series) {
            QCOMPARE(series.slices.size(), std::size_t(4));
            checkRegularVoxels(readDicomSeries(series).image);
        }
    }

    void irregularSpacingIsResampledWithAWarning() {
        // Slices at z = 0, 2, 4, 7, 9 with raw 1000 + 100 n: gaps 2, 2, 3, 2 -> median 2 mm; regular
        // planes at z = 0, 2, 4, 6, 8. z = 6 lies 2/3 of the way from z = 4 (n = 2) to z = 7 (n = 3):
        // raw 1200 + 2/3 * 100; z = 8 half way from 7 (n = 3) to 9 (n = 4): 1350.
        const QString folder = dir.filePath("irregular");
        QDir().mkpath(folder);
        const double z[5] = {0, 2, 4, 7, 9};
        SliceSpec spec;
        for (int n = 0; n < 5; ++n) {
            spec.position = {0, 0, z[n]};
            QVERIFY(writeSlice(QString("%1/s%2.dcm").arg(folder).arg(n), spec, n + 1, [n](int, int) { return 1000 + 100 * n; }));
        }
        const DicomVolume volume = readDicomSeries(scanDicomFolder(folder.toStdString()).series.at(0));
        QCOMPARE(volume.warnings.size(), std::size_t(1));
        QVERIFY2(QString::fromStdString(volume.warnings[0]).contains("irregular slice spacing"),
                 volume.warnings[0].c_str());
        QCOMPARE(volume.image.size()[2], std::size_t(5));
        QCOMPARE(volume.image.geometry().spacing[2], 2.0);
        const float expected[5] = {1000 - 1024, 1100 - 1024, 1200 - 1024, float(1200 + 200.0 / 3 - 1024), 1350 - 1024};
        for (std::size_t k = 0; k < 5; ++k) QVERIFY(std::abs(volume.image.at(3, 2, k) - expected[k]) < 1e-3);
    }

    void signedPixelsAndSlopeAreApplied() {
        const QString folder = dir.filePath("signed");
        SliceSpec spec;
        spec.signedPixels = true;
        spec.slope = 2;
        spec.intercept = 5;
        QDir().mkpath(folder);
        QVERIFY(writeSlice(folder + "/one.dcm", spec, 1, [](int i, int j) { return -300 + 7 * j + i; }));
        const DicomVolume volume = readDicomSeries(scanDicomFolder(folder.toStdString()).series.at(0));
        QCOMPARE(volume.image.at(0, 0, 0), float(2 * -300 + 5));
        QCOMPARE(volume.image.at(5, 4, 0), float(2 * (-300 + 28 + 5) + 5));
    }

    void tiltedDamagedAndRotatedSeries() {
        // Slices that shift 1 mm in y per 2.5 mm in z: sheared by atan(1 / 2.5) = 21.8 degrees.
        const QString tilted = dir.filePath("tilted");
        QDir().mkpath(tilted);
        SliceSpec spec;
        for (int k = 0; k < 3; ++k) {
            spec.position = {0, double(k), 2.5 * k};
            QVERIFY(writeSlice(QString("%1/t%2.dcm").arg(tilted).arg(k), spec, k + 1, [](int, int) { return 1000; }));
        }
        QString error = errorOf([&] { readDicomSeries(scanDicomFolder(tilted.toStdString()).series.at(0)); });
        QVERIFY2(error.contains("gantry-tilted") && error.contains("21.8"), qPrintable(error));
        // The tilt stated in the header is refused too.
        const QString stated = dir.filePath("stated-tilt");
        SliceSpec tiltTag;
        tiltTag.gantryTilt = 15;
        QVERIFY(writeRegularSeries(stated, tiltTag));
        error = errorOf([&] { readDicomSeries(scanDicomFolder(stated.toStdString()).series.at(0)); });
        QVERIFY2(error.contains("gantry-tilted (15"), qPrintable(error));

        // A truncated file: named, never skipped.
        const QString damaged = dir.filePath("damaged");
        QVERIFY(writeRegularSeries(damaged));
        QFile cut(damaged + "/slice_8.dcm");
        QVERIFY(cut.resize(200));
        error = errorOf([&] { scanDicomFolder(damaged.toStdString()); });
        QVERIFY2(error.contains("slice_8.dcm") && error.contains("damaged DICOM file"), qPrintable(error));

        // A slice whose pixel data is gone: named, never skipped (the series would have a gap).
        const QString noPixels = dir.filePath("no-pixels");
        QVERIFY(writeRegularSeries(noPixels));
        {
            DcmFileFormat file;
            QVERIFY(file.loadFile((noPixels + "/slice_8.dcm").toStdString().c_str()).good());
            delete file.getDataset()->remove(DCM_PixelData);
            QVERIFY(file.saveFile((noPixels + "/slice_8.dcm").toStdString().c_str(), EXS_LittleEndianExplicit).good());
        }
        error = errorOf([&] { scanDicomFolder(noPixels.toStdString()); });
        QVERIFY2(error.contains("slice_8.dcm") && error.contains("without pixel data"), qPrintable(error));

        // A sagittal series (rows run head to foot): its grid's directions are the header's.
        const QString sagittal = dir.filePath("sagittal");
        SliceSpec side;
        side.orientation = "0\\1\\0\\0\\0\\-1";
        QDir().mkpath(sagittal);
        for (int k = 0; k < 3; ++k) {
            side.position = {5.0 * k, 0, 0};
            QVERIFY(writeSlice(QString("%1/x%2.dcm").arg(sagittal).arg(k), side, k + 1, [k](int i, int) { return 1000 + k * 10 + i; }));
        }
        const DicomVolume volume = readDicomSeries(scanDicomFolder(sagittal.toStdString()).series.at(0));
        // normal = row x column = (0,1,0) x (0,0,-1) = (-1, 0, 0): slices sorted by -x, so x = 10 comes first.
        QCOMPARE(volume.image.geometry().direction, (Mat3{0, 0, -1, 1, 0, 0, 0, -1, 0}));
        QCOMPARE(volume.image.geometry().origin, (Vec3{10, 0, 0}));
        QCOMPARE(volume.image.at(2, 0, 0), float(1000 + 20 + 2 - 1024));
    }
};

QTEST_GUILESS_MAIN(DicomSeriesTest)
#include "DicomSeriesTest.moc"
