// DICOM SEG import with real data: the 3-slice liver CT of dcmqi and its SEG (../shared/data,
// see PROVENANCE.md there). The liver must land on the scan exactly where dcmqi's own label map
// (liver_seg.nrrd, 107,098 voxels of value 1) has it.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>

#include "BuiltinSchemas.h"
#include "DicomFixtures.h"
#include "DicomExport.h"
#include "DicomImport.h"
#include "DicomSeg.h"
#include "DicomSegImport.h"
#include "StructureFiles.h"
#include "StructureKind.h"
#include "RtStruct.h"
#include "ImageFile.h"
#include "OrganSchemaFile.h"
#include "ProjectExporter.h"
#include "TestSupport.h"

using namespace ipnp;

namespace {

const std::string kData = IPNP_SHARED_DATA "/dcmqi_liver_ct3slice";

}  // namespace

class DicomSegImportTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    std::unique_ptr<ProjectStore> store;

private Q_SLOTS:
    void initTestCase() {
        if (!std::filesystem::exists(kData + "/liver.dcm")) QSKIP("../shared/data is not here");
        store = ProjectStore::create(dir.filePath("project").toStdString(),
                                     organSchemaFromJson(builtinSchemaJson().at("amos15"), "amos15"));
        DicomImportBatch batch(kData + "/ct");
        ScanImporter(*store).importScans(batch.requests(), {});
    }

    void readsTheSegments() {
        QVERIFY(isDicomSegFile(kData + "/liver.dcm"));
        QVERIFY(!isDicomSegFile(kData + "/ct/01.dcm"));
        // One header read tells the kinds apart: a SEG, a CT slice, a file that is not DICOM, none at all.
        QCOMPARE(structureKindOf(kData + "/liver.dcm"), StructureKind::Seg);
        QCOMPARE(structureKindOf(kData + "/ct/01.dcm"), StructureKind::None);
        const QString notDicom = dir.filePath("notes.txt");
        QFile text(notDicom);
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write(QByteArray(200, 'x'));
        text.close();
        QCOMPARE(structureKindOf(notDicom.toStdString()), StructureKind::None);
        QCOMPARE(structureKindOf(dir.filePath("missing.dcm").toStdString()), StructureKind::None);
        // DICOM's preamble and magic, then no valid element: read (or refused) without a SOP class.
        const QString damaged = dir.filePath("damaged.dcm");
        QFile bad(damaged);
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(QByteArray(128, '\0') + "DICM" + QByteArray(64, '\xff'));
        bad.close();
        QCOMPARE(structureKindOf(damaged.toStdString()), StructureKind::None);
        const DicomSegmentation seg = readDicomSeg(kData + "/liver.dcm");
        QCOMPARE(seg.segments.size(), std::size_t(1));
        QCOMPARE(seg.segments[0].label, std::string("Liver"));
        QCOMPARE(seg.frames.size(), std::size_t(3));
        QCOMPARE(seg.referencedSeriesUid, std::string("1.2.392.200103.20080913.113635.1.2009.6.22.21.43.10.23430.1"));
    }

    void liverEqualsDcmqisLabelMapVoxelForVoxel() {
        const ManualLabelImportResult result = importDicomSeg(*store, kData + "/liver.dcm", {});
        QCOMPARE(result.imported.size(), std::size_t(1));
        QCOMPARE(result.imported[0].second, std::string("liver"));
        const ScanRecord scan = store->scans().front();
        const LabelMap ours = composeCurrentLabelMap(*store, scan);
        const LabelMap reference = readLabelMap(kData + "/liver_seg.nrrd");
        const int liver = store->schema().byName("liver")->index;
        // Compared in world coordinates: each reference voxel centre looked up on the scan's grid.
        std::size_t referenceVoxels = 0, agree = 0, ourVoxels = 0;
        for (std::uint8_t v : ours.voxels()) ourVoxels += v == liver;
        const auto& size = reference.size();
        for (std::size_t k = 0; k < size[2]; ++k)
            for (std::size_t j = 0; j < size[1]; ++j)
                for (std::size_t i = 0; i < size[0]; ++i) {
                    if (reference.at(i, j, k) != 1) continue;
                    ++referenceVoxels;
                    const Vec3 at = ours.geometry().worldToIndex(reference.geometry().indexToWorld({double(i), double(j), double(k)}));
                    const Index3 v{std::lround(at[0]), std::lround(at[1]), std::lround(at[2])};
                    agree += ours.geometry().contains(v) && ours.at(std::size_t(v[0]), std::size_t(v[1]), std::size_t(v[2])) == liver;
                }
        QCOMPARE(referenceVoxels, std::size_t(107098));  // PROVENANCE.md
        QCOMPARE(agree, referenceVoxels);
        QCOMPARE(ourVoxels, referenceVoxels);
        QCOMPARE(store->coverageMatrix().state(0, std::size_t(liver - 1)), CoverageState::Manual);
    }

    void exportedSegValidatesAndRoundTrips() {
        const ScanRecord scan = store->scans().front();
        const QString seg = dir.filePath("liver_export.dcm");
        QCOMPARE(exportScanAsDicomSeg(*store, scan.name, seg.toStdString(), DicomIdentityUse::KeepOriginal), std::size_t(1));
        if (std::filesystem::exists("/usr/bin/dciodvfy")) {
            // Only the source's own warning (its patient name uses the retired form) may remain.
            const auto check = test::runProgram("/bin/sh", {"-c", "dciodvfy '" + seg + "' 2>&1; echo rc=$?"});
            QVERIFY2(!check.out.contains("Error") && check.out.contains("rc=0"), qPrintable(check.out));
        }
        const DicomSegmentation written = readDicomSeg(seg.toStdString());
        QCOMPARE(written.referencedSeriesUid, std::string("1.2.392.200103.20080913.113635.1.2009.6.22.21.43.10.23430.1"));
        QCOMPARE(written.segments[0].propertyMeaning, std::string("Liver"));
        auto fresh = ProjectStore::create(dir.filePath("fresh").toStdString(),
                                          organSchemaFromJson(builtinSchemaJson().at("amos15"), "amos15"));
        DicomImportBatch batch(kData + "/ct");
        ScanImporter(*fresh).importScans(batch.requests(), {});
        importDicomSeg(*fresh, seg.toStdString(), {});
        QVERIFY(composeCurrentLabelMap(*fresh, fresh->scans().front()).voxels() == composeCurrentLabelMap(*store, scan).voxels());
    }

    void exportsAreDeidentifiedByDefault() {
        // Read back with dcmdump (DCMTK's tool, not this project's reader): no name, ID, date or
        // original UID of the source is left; SEG and RTSTRUCT of one scan share the same
        // pseudonymous study, series reference and frame of reference; this project recognises
        // its own pseudonymous series on import.
        const ScanRecord scan = store->scans().front();
        const QString seg = dir.filePath("deid_seg.dcm"), rt = dir.filePath("deid_rt.dcm");
        exportScanAsDicomSeg(*store, scan.name, seg.toStdString());
        exportScanAsRtStruct(*store, scan.name, rt.toStdString());
        const auto dump = [](const QString& file) {
            return test::runProgram("/usr/bin/dcmdump", {"+P", "0010,0010", "+P", "0010,0020", "+P", "0008,0020",
                                                         "+P", "0020,000d", "+P", "0020,0052", "+P", "0012,0062", file})
                .out;
        };
        const QString segDump = dump(seg), rtDump = dump(rt);
        for (const QString& text : {segDump, rtDump}) {
            QVERIFY2(!text.contains("JANCT000") && !text.contains("[99000]") && !text.contains("20030417"), qPrintable(text));
            QVERIFY2(!text.contains("1.2.392.200103"), qPrintable(text));  // every original UID has that root
            QVERIFY2(text.contains("(0012,0062) CS [YES]") && text.contains("[IPNP-"), qPrintable(text));
        }
        const auto valueOf = [](const QString& text, const QString& tag) {
            const int at = text.indexOf("(" + tag + ")");
            const int open = text.indexOf('[', at), close = text.indexOf(']', open);
            return text.mid(open + 1, close - open - 1);
        };
        QVERIFY(valueOf(segDump, "0020,000d").startsWith("2.25."));
        QCOMPARE(valueOf(segDump, "0020,000d"), valueOf(rtDump, "0020,000d"));
        QCOMPARE(valueOf(segDump, "0020,0052"), valueOf(rtDump, "0020,0052"));
        QCOMPARE(readDicomSeg(seg.toStdString()).referencedSeriesUid, readRtStruct(rt.toStdString()).referencedSeriesUid);
        if (std::filesystem::exists("/usr/bin/dciodvfy"))
            for (const QString& file : {seg, rt}) {
                const auto check = test::runProgram("/bin/sh", {"-c", "dciodvfy '" + file + "' 2>&1; echo rc=$?"});
                QVERIFY2(!check.out.contains("Error") && check.out.contains("rc=0"), qPrintable(check.out));
            }
        // Back into this project without naming the scan: its pseudonymous series is recognised
        // (the liver is manual already, so nothing changes).
        const ManualLabelImportResult back = importDicomSeg(*store, seg.toStdString(), {});
        QCOMPARE(back.scanName, scan.name);
    }

    void aSegmentIsMatchedByItsCodedAnatomyWhenItsLabelIsUnknown() {
        // "Segment 1", coded as SCT 10200004 Liver: the label means nothing to the schema, the code does.
        const ScanRecord scan = store->scans().front();
        const LabelMap labels = composeCurrentLabelMap(*store, scan);
        const int liver = store->schema().byName("liver")->index;
        const QString seg = dir.filePath("segment1.dcm");
        writeDicomSeg(seg.toStdString(), labels, dicomIdentityFromJson(*store->dicomIdentity(scan.id)),
                      {{"Segment 1", anatomyCodeFor("liver", liver), true, std::uint8_t(liver)}}, "test");
        auto fresh = ProjectStore::create(dir.filePath("coded").toStdString(),
                                          organSchemaFromJson(builtinSchemaJson().at("amos15"), "amos15"));
        ScanImporter(*fresh).importScans(DicomImportBatch(kData + "/ct").requests(), {});
        QCOMPARE(summarizeStructureFile(*fresh, seg.toStdString()).organs, std::vector<int>{liver});  // the app's dialog
        const ManualLabelImportResult result = importDicomSeg(*fresh, seg.toStdString(), {});
        QCOMPARE(result.imported.size(), std::size_t(1));
        QCOMPARE(result.imported[0].second, std::string("liver"));
    }

    void framesOffTheScansGridAreRefused() {
        // A scan with another pixel spacing (writeSlice: 0.7 x 0.8 mm), named explicitly.
        const QString ct = dir.filePath("other_ct");
        test::SliceSpec spec;
        spec.series = "1.2.826.0.1.3680043.10.1001.99";
        QVERIFY(test::writeRegularSeries(ct, spec));
        DicomImportBatch batch(ct.toStdString());
        ScanImporter(*store).importScans(batch.requests(), {});
        const auto before = store->database().queryInt("SELECT COUNT(*) FROM label_versions");
        StructureImportOptions options;
        options.scanName = "P7_s3";
        const QString message = test::errorOf([&] { importDicomSeg(*store, kData + "/liver.dcm", options); });
        QVERIFY2(message.contains("liver.dcm") && message.contains("pixel spacing"), qPrintable(message));
        QCOMPARE(store->database().queryInt("SELECT COUNT(*) FROM label_versions"), before);
    }
};

QTEST_APPLESS_MAIN(DicomSegImportTest)
#include "DicomSegImportTest.moc"
