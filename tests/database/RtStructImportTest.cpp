// RT Structure Set import: a CT series and an RTSTRUCT written here with DCMTK, imported into a
// project; voxel counts worked out by hand for the simple shapes, and plastimatch (an independent
// rasteriser) as the reference for the round ones.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>

#include "BuiltinSchemas.h"
#include "DicomFixtures.h"
#include "DicomExport.h"
#include "DicomImport.h"
#include "DicomSegImport.h"
#include "Error.h"
#include "ImageFile.h"
#include "OrganSchemaFile.h"
#include "ProjectExporter.h"
#include "RtStructImport.h"
#include "StructureKind.h"
#include "TestSupport.h"

using namespace ipnp;

namespace {

const std::string kSeries = "1.2.826.0.1.3680043.10.1001.77";
constexpr int kSlices = 16;
// writeSlice's grid: first voxel centre (-10, 20, 30) mm, columns 0.7 mm apart along x, rows
// 0.8 mm along y, slices 2.5 mm along z.
double sliceZ(int k) { return 30 + 2.5 * k; }

std::vector<Vec3> circle(double cx, double cy, double radius, double z) {
    std::vector<Vec3> points;
    for (int n = 0; n < 72; ++n) {
        const double a = 2 * M_PI * n / 72;
        points.push_back({cx + radius * std::cos(a), cy + radius * std::sin(a), z});
    }
    return points;
}

std::vector<Vec3> square(double x0, double y0, double x1, double y1, double z) {
    return {{x0, y0, z}, {x1, y0, z}, {x1, y1, z}, {x0, y1, z}};
}

std::vector<test::RoiSpec> structures() {
    test::RoiSpec liver{1, "Liver", {}}, kidney{2, "Kidney_L", {}}, spleen{3, "SPLEEN", {}}, gtv{4, "GTV", {}},
        bladder{5, "Blase", {}};
    for (int k = 2; k <= 13; ++k) liver.contours.push_back(circle(5, 55, 10, sliceZ(k)));
    for (int k = 4; k <= 11; ++k) {  // a ring: the inner circle is a hole
        kidney.contours.push_back(circle(25, 33, 8, sliceZ(k)));
        kidney.contours.push_back(circle(25, 33, 4, sliceZ(k)));
    }
    for (int k = 5; k <= 9; ++k) {  // two parts on each slice
        spleen.contours.push_back(square(-8, 22, -2, 28, sliceZ(k)));
        spleen.contours.push_back(square(0, 22, 6, 28, sliceZ(k)));
    }
    gtv.contours.push_back(square(0, 40, 4, 44, sliceZ(7)));
    bladder.contours.push_back(square(0, 40, 4, 44, sliceZ(14)));
    return {liver, kidney, spleen, gtv, bladder};
}

std::size_t voxelsOf(const LabelMap& labels, int organ) {
    std::size_t n = 0;
    for (std::uint8_t v : labels.voxels()) n += v == organ;
    return n;
}

}  // namespace

class RtStructImportTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    QString ct, rtss;
    std::unique_ptr<ProjectStore> store;

    int organ(const std::string& name) { return store->schema().byName(name)->index; }

private Q_SLOTS:
    void initTestCase() {
        ct = dir.filePath("ct");
        QDir().mkpath(ct);
        test::SliceSpec spec;
        spec.series = kSeries;
        spec.columns = 64;
        spec.rows = 64;
        for (int k = 0; k < kSlices; ++k) {
            spec.position[2] = sliceZ(k);
            QVERIFY(test::writeSlice(QString("%1/ct_%2.dcm").arg(ct).arg(k), spec, k + 1, [](int, int) { return 1024; }));
        }
        rtss = dir.filePath("rtss.dcm");
        QVERIFY(test::writeRtStruct(rtss, kSeries, structures()));
        store = ProjectStore::create(dir.filePath("project").toStdString(),
                                     organSchemaFromJson(builtinSchemaJson().at("amos15"), "amos15"));
        DicomImportBatch batch(ct.toStdString());
        ScanImporter(*store).importScans(batch.requests(), {});
    }

    void readsRoisAndTheirSeries() {
        QVERIFY(isRtStructFile(rtss.toStdString()));
        QVERIFY(!isRtStructFile((ct + "/ct_0.dcm").toStdString()));
        QCOMPARE(structureKindOf(rtss.toStdString()), StructureKind::RtStruct);
        const RtStructureSet set = readRtStruct(rtss.toStdString());
        QCOMPARE(set.referencedSeriesUid, kSeries);
        QCOMPARE(set.rois.size(), std::size_t(5));
        QCOMPARE(set.rois[1].name, std::string("Kidney_L"));
        QCOMPARE(set.rois[1].contours.size(), std::size_t(16));
        QCOMPARE(set.rois[0].contours[0].size(), std::size_t(72));
        QCOMPARE(set.rois[0].contours[0][0][0], 15.0);  // (5 + 10 cos 0, 55, z)
    }

    void mappingErrorsNameTheFile() {
        const RtStructureSet set = readRtStruct(rtss.toStdString());
        QString message = test::errorOf([&] { matchRois(set, store->schema(), {{"GTV", "liver"}}); });
        QVERIFY2(message.contains("rtss.dcm") && message.contains("'Liver' and 'GTV'"), qPrintable(message));
        message = test::errorOf([&] { matchRois(set, store->schema(), {{"GTV", "tumour"}}); });
        QVERIFY2(message.contains("GTV=tumour") && message.contains("does not have"), qPrintable(message));
    }

    void importsMatchedRoisAsManualLabels() {
        RtStructImportOptions options;
        options.nameToOrgan["blase"] = "urinary bladder";  // case-insensitive ROI name, organ by synonym
        const RtStructImportResult result = importRtStruct(*store, rtss.toStdString(), options);
        QCOMPARE(result.imported.size(), std::size_t(4));
        QCOMPARE(result.unmatched, std::vector<std::string>{"GTV"});
        const ScanRecord scan = store->scans().front();
        QCOMPARE(result.scanName, scan.name);  // found through the series UID
        const CoverageMatrix matrix = store->coverageMatrix();
        for (const char* name : {"liver", "left kidney", "spleen", "bladder"})
            QCOMPARE(matrix.state(0, std::size_t(organ(name) - 1)), CoverageState::Manual);
        QCOMPARE(matrix.state(0, std::size_t(organ("stomach") - 1)), CoverageState::Unknown);

        const LabelMap labels = composeCurrentLabelMap(*store, scan);
        // Spleen, by hand: x -8..-2 mm -> column index 2.86..11.43 (centres 3..11: 9); x 0..6 ->
        // 14.29..22.86 (15..22: 8); y 22..28 -> row index 2.5..10 (3..9: 7, 10 excluded by the
        // half-open rule). (9 + 8) x 7 = 119 per slice, 5 slices.
        QCOMPARE(voxelsOf(labels, organ("spleen")), std::size_t(595));
        // Bladder: x 0..4 -> 14.29..20 (15..19: 5); y 40..44 -> 25..30 (25..29: 5); one slice.
        QCOMPARE(voxelsOf(labels, organ("bladder")), std::size_t(25));
        // The kidney's hole: its centre (25, 33) mm -> index (50, 16.25) is empty, the ring is not.
        QCOMPARE(int(labels.at(50, 16, 7)), 0);
        QCOMPARE(int(labels.at(41, 16, 7)), organ("left kidney"));  // x 18.7 mm: 6.3 mm from the centre

        // Importing again changes nothing: the organs are manual now.
        const RtStructImportResult again = importRtStruct(*store, rtss.toStdString(), options);
        QVERIFY(again.imported.empty());
        QCOMPARE(again.notes.size(), std::size_t(4));
    }

    void agreesWithPlastimatch() {
        if (!std::filesystem::exists("/usr/bin/plastimatch")) QSKIP("plastimatch is not installed (apt-get install plastimatch)");
        // --xor-contours: plastimatch ORs the contours of a slice by default; the even-odd rule
        // (a contour inside another is a hole) is XOR.
        const QString out = dir.filePath("plastimatch");
        const auto run = test::runProgram("/usr/bin/plastimatch",
                                          {"convert", "--input", rtss, "--referenced-ct", ct, "--output-prefix", out,
                                           "--prefix-format", "nii.gz", "--xor-contours"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        const ScanRecord scan = store->scans().front();
        const LabelMap ours = composeCurrentLabelMap(*store, scan);
        for (const auto& [roi, name] : std::vector<std::pair<QString, std::string>>{
                 {"Liver", "liver"}, {"Kidney_L", "left kidney"}, {"SPLEEN", "spleen"}}) {
            const LabelMap theirs = readLabelMap((out + "/" + roi + ".nii.gz").toStdString());
            // Compared in world coordinates: each of our voxel centres looked up in their grid.
            const int index = organ(name);
            std::size_t both = 0, a = 0, b = 0;
            const auto& size = ours.size();
            for (std::size_t k = 0; k < size[2]; ++k)
                for (std::size_t j = 0; j < size[1]; ++j)
                    for (std::size_t i = 0; i < size[0]; ++i) {
                        const Vec3 at = theirs.geometry().worldToIndex(
                            ours.geometry().indexToWorld({double(i), double(j), double(k)}));
                        const Index3 v{std::lround(at[0]), std::lround(at[1]), std::lround(at[2])};
                        const bool inTheirs = theirs.geometry().contains(v) &&
                                              theirs.at(std::size_t(v[0]), std::size_t(v[1]), std::size_t(v[2])) != 0;
                        const bool inOurs = ours.at(i, j, k) == index;
                        both += inOurs && inTheirs;
                        a += inOurs;
                        b += inTheirs;
                    }
            const double dice = 2.0 * double(both) / double(a + b);
            qInfo("%s: %zu voxels here, %zu from plastimatch, Dice %.4f", qPrintable(roi), a, b, dice);
            if (a >= 1000) QVERIFY2(dice >= 0.98, qPrintable(roi + " " + QString::number(dice)));
        }
    }

    void segExportRoundTripsAndValidates() {
        // The four organs (two with laterality) as a DICOM SEG: dciodvfy finds no error, and the SEG
        // imported into a fresh project made from the same series gives the same voxels.
        const ScanRecord scan = store->scans().front();
        const QString seg = dir.filePath("export_seg.dcm");
        QCOMPARE(exportScanAsDicomSeg(*store, scan.name, seg.toStdString(), DicomIdentityUse::KeepOriginal), std::size_t(4));
        if (std::filesystem::exists("/usr/bin/dciodvfy")) {
            const auto check = test::runProgram("/bin/sh", {"-c", "dciodvfy '" + seg + "' 2>&1; echo rc=$?"});
            QVERIFY2(!check.out.contains("\nError") && !check.out.startsWith("Error") && check.out.contains("rc=0"),
                     qPrintable(check.out));
        }
        auto fresh = ProjectStore::create(dir.filePath("fresh").toStdString(),
                                          organSchemaFromJson(builtinSchemaJson().at("amos15"), "amos15"));
        DicomImportBatch batch(ct.toStdString());
        ScanImporter(*fresh).importScans(batch.requests(), {});
        const ManualLabelImportResult result = importDicomSeg(*fresh, seg.toStdString(), {});
        QCOMPARE(result.imported.size(), std::size_t(4));
        QVERIFY(result.unmatched.empty());
        const LabelMap before = composeCurrentLabelMap(*store, scan);
        const LabelMap after = composeCurrentLabelMap(*fresh, fresh->scans().front());
        QVERIFY(after.geometry().sameGrid(before.geometry()));
        QVERIFY(after.voxels() == before.voxels());

        // The same as an RTSTRUCT: valid, and read back by this project's rasteriser (and by
        // plastimatch's) it gives the same voxels: the outlines run through voxel corners.
        const QString rt = dir.filePath("export_rt.dcm");
        QCOMPARE(exportScanAsRtStruct(*store, scan.name, rt.toStdString(), DicomIdentityUse::KeepOriginal), std::size_t(4));
        if (std::filesystem::exists("/usr/bin/dciodvfy")) {
            const auto check = test::runProgram("/bin/sh", {"-c", "dciodvfy '" + rt + "' 2>&1; echo rc=$?"});
            QVERIFY2(!check.out.contains("Error") && check.out.contains("rc=0"), qPrintable(check.out));
        }
        auto fresh2 = ProjectStore::create(dir.filePath("fresh2").toStdString(),
                                           organSchemaFromJson(builtinSchemaJson().at("amos15"), "amos15"));
        ScanImporter(*fresh2).importScans(DicomImportBatch(ct.toStdString()).requests(), {});
        QCOMPARE(importRtStruct(*fresh2, rt.toStdString(), {}).imported.size(), std::size_t(4));
        QVERIFY(composeCurrentLabelMap(*fresh2, fresh2->scans().front()).voxels() == before.voxels());
        if (std::filesystem::exists("/usr/bin/plastimatch")) {
            const QString out = dir.filePath("plastimatch_export");
            const auto run = test::runProgram("/usr/bin/plastimatch", {"convert", "--input", rt, "--referenced-ct", ct,
                                                                      "--output-prefix", out, "--prefix-format", "nii.gz",
                                                                      "--xor-contours"});
            QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
            const LabelMap kidney = readLabelMap((out + "/left kidney.nii.gz").toStdString());
            std::size_t theirs = 0;
            for (std::uint8_t v : kidney.voxels()) theirs += v != 0;
            QCOMPARE(theirs, voxelsOf(before, organ("left kidney")));
        }

        // A scan that did not come from DICOM has nothing to attach a SEG to.
        const QString message = test::errorOf([&] { exportScanAsDicomSeg(*store, "nobody", seg.toStdString()); });
        QVERIFY2(message.contains("no scan named 'nobody'"), qPrintable(message));
    }

    void badFilesChangeNothing() {
        const auto labelsBefore = store->database().queryInt("SELECT COUNT(*) FROM label_versions");
        QString message = test::errorOf([&] { importRtStruct(*store, (ct + "/ct_0.dcm").toStdString(), {}); });
        QVERIFY2(message.contains("ct_0.dcm") && message.contains("not an RT Structure Set"), qPrintable(message));
        RtStructImportOptions options;
        options.scanName = "nobody";
        message = test::errorOf([&] { importRtStruct(*store, rtss.toStdString(), options); });
        QVERIFY2(message.contains("no scan named 'nobody'"), qPrintable(message));
        // A structure set drawn on a series that was never imported.
        const QString foreign = dir.filePath("foreign.dcm");
        QVERIFY(test::writeRtStruct(foreign, "1.2.3.4.5", structures()));
        message = test::errorOf([&] { importRtStruct(*store, foreign.toStdString(), {}); });
        QVERIFY2(message.contains("foreign.dcm") && message.contains("1.2.3.4.5") && message.contains("--scan"),
                 qPrintable(message));
        QCOMPARE(store->database().queryInt("SELECT COUNT(*) FROM label_versions"), labelsBefore);
    }
};

QTEST_APPLESS_MAIN(RtStructImportTest)
#include "RtStructImportTest.moc"
