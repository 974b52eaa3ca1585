// Import, simulated partial labels and export on real files. Expected counts follow from the
// phantom contract (9 organs per case, AMOS indices) and the protocol's arithmetic.
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <set>

#include "BuiltinSchemas.h"
#include "DatasetDescription.h"
#include "DatasetImporter.h"
#include "Error.h"
#include "ImageFile.h"
#include "OrganSchemaFile.h"
#include "PartialLabelSimulator.h"
#include "PhantomDataset.h"
#include "ProjectChecker.h"
#include "ProjectExporter.h"
#include "ScanImporter.h"
#include "TestSupport.h"

using namespace ipnp;
using test::errorOf;
namespace fs = std::filesystem;

namespace {
const std::set<int> kPhantomOrgans{1, 2, 3, 4, 6, 7, 8, 9, 10};

OrganSchema amos() { return organSchemaFromJson(builtinSchemaJson().at("amos15"), "amos15"); }

std::int64_t countOf(ProjectStore& store, const std::string& sql) { return store.database().queryInt(sql); }


// Every regular file under a folder, relative path -> SHA-256 (Qt's implementation).
std::map<QString, QString> fileHashes(const QString& folder) {
    std::map<QString, QString> hashes;
    for (const auto& entry : fs::recursive_directory_iterator(folder.toStdString()))
        if (entry.is_regular_file())
            hashes[QString::fromStdString(fs::relative(entry.path(), folder.toStdString()).string())] =
                test::sha256OfFile(QString::fromStdString(entry.path().string()));
    return hashes;
}
}  // namespace

class ProjectOperationsTest : public QObject {
    Q_OBJECT
    QTemporaryDir data;
    QString phantoms;

    std::unique_ptr<ProjectStore> newProject(QTemporaryDir& dir) {
        return ProjectStore::create(dir.filePath("project").toStdString(), amos());
    }
    std::vector<ScanImportRequest> phantomRequests(const OrganSchema& schema) {
        return requestsForDataset(readDatasetDescription(phantoms.toStdString()), schema);
    }

private Q_SLOTS:
    void initTestCase() {
        phantoms = data.filePath("phantoms");
        PhantomDatasetOptions options;
        options.count = 8;
        options.phantom.size = {32, 32, 32};
        options.phantom.spacing = {6, 6, 6};
        writePhantomDataset(phantoms.toStdString(), options);
    }

    void importRecordsManualLabelsAndFiles() {
        QTemporaryDir dir;
        auto store = newProject(dir);
        ScanImportRequest request;
        request.image = (phantoms + "/imagesTr/phantom_0003.nii.gz").toStdString();
        request.labelMap = (phantoms + "/labelsTr/phantom_0003.nii.gz").toStdString();
        const auto summary = ScanImporter(*store).importScans({request}, {});
        QCOMPARE(summary.scans, std::size_t(1));
        QCOMPARE(summary.labelFiles, kPhantomOrgans.size());
        const CoverageMatrix matrix = store->coverageMatrix();
        QCOMPARE(matrix.scans().size(), std::size_t(1));
        for (std::size_t column = 0; column < matrix.organs().size(); ++column) {
            const bool present = kPhantomOrgans.count(matrix.organs()[column].index) > 0;
            QCOMPARE(matrix.state(0, column), present ? CoverageState::Manual : CoverageState::Unknown);
        }
        // The volume is stored byte for byte, and every hash the database holds is the file's.
        const ScanRecord scan = store->scans().front();
        QCOMPARE(scan.name, std::string("phantom_0003"));
        QCOMPARE(test::sha256OfFile(QString::fromStdString(store->pathOf(scan.file))),
                 test::sha256OfFile(QString::fromStdString(request.image)));
        for (const LabelFileRecord& label : store->currentLabels(scan.id))
            QCOMPARE(QString::fromStdString(label.sha256), test::sha256OfFile(QString::fromStdString(store->pathOf(label.file))));
        // The per-organ masks put back together are the label map that was imported.
        QVERIFY(composeCurrentLabelMap(*store, scan).voxels() == readLabelMap(*request.labelMap).voxels());
        QVERIFY(checkProject(*store).healthy());
    }

    void fullyLabeledImportMarksMissingOrgansAbsent() {
        QTemporaryDir dir;
        auto store = newProject(dir);
        ScanImportOptions options;
        options.fullyLabeled = true;
        ScanImporter(*store).importScans(phantomRequests(store->schema()), options);
        QCOMPARE(countOf(*store, "SELECT count(*) FROM coverage WHERE state = 'manual'"), std::int64_t(8 * 9));
        QCOMPARE(countOf(*store, "SELECT count(*) FROM coverage WHERE state = 'absent'"), std::int64_t(8 * 6));
        QCOMPARE(countOf(*store, "SELECT count(*) FROM coverage WHERE state = 'unknown'"), std::int64_t(0));
    }

    void datasetLabelNamesMapThroughSynonyms() {
        // A dataset numbering its labels its own way: 1 = "Liver", 2 = "postcava" (AMOS 6 and 9).
        QTemporaryDir dir;
        const QString dataset = dir.filePath("renumbered");
        QDir().mkpath(dataset + "/imagesTr");
        QDir().mkpath(dataset + "/labelsTr");
        ImageGeometry g;
        g.size = {6, 5, 4};
        g.spacing = {2, 2, 3};
        ScanVolume image(g, -1000);
        LabelMap labels(g, 0);
        labels.at(1, 1, 1) = 1;
        labels.at(2, 1, 1) = 1;
        labels.at(4, 3, 2) = 2;
        writeVolume(image, (dataset + "/imagesTr/c1.nii.gz").toStdString());
        writeVolume(labels, (dataset + "/labelsTr/c1.nii.gz").toStdString());
        QFile json(dataset + "/dataset.json");
        QVERIFY(json.open(QIODevice::WriteOnly));
        json.write(R"({"labels": {"0": "background", "1": "Liver", "2": "postcava"}, "modality": {"0": "CT"},
                      "training": [{"image": "./imagesTr/c1.nii.gz", "label": "./labelsTr/c1.nii.gz"}]})");
        json.close();
        auto store = newProject(dir);
        ScanImporter(*store).importScans(requestsForDataset(readDatasetDescription(dataset.toStdString()), store->schema()), {});
        QCOMPARE(countOf(*store, "SELECT voxel_count FROM label_versions WHERE organ_id = 6"), std::int64_t(2));
        QCOMPARE(countOf(*store, "SELECT voxel_count FROM label_versions WHERE organ_id = 9"), std::int64_t(1));
        QCOMPARE(countOf(*store, "SELECT count(*) FROM coverage WHERE state = 'manual'"), std::int64_t(2));
        // Exported back, organ values are the project's: liver voxels carry 6, the IVC voxel 9.
        const LabelMap composed = composeCurrentLabelMap(*store, store->scans().front());
        QCOMPARE(int(composed.at(1, 1, 1)), 6);
        QCOMPARE(int(composed.at(4, 3, 2)), 9);
        QCOMPARE(int(composed.at(0, 0, 0)), 0);
    }

    void failedBatchLeavesNothingBehind() {
        QTemporaryDir dir;
        auto store = newProject(dir);
        std::vector<ScanImportRequest> requests = phantomRequests(store->schema());
        requests[5].labelMap = (phantoms + "/labelsTr/phantom_0000.nii.gz").toStdString();  // same grid, fine
        requests[6].image = (dir.filePath("missing.nii.gz")).toStdString();
        store.reset();  // hash the project closed (the WAL folded in), as a user would leave it
        const auto before = fileHashes(dir.filePath("project"));
        store = ProjectStore::open(dir.filePath("project").toStdString());
        const QString message = errorOf([&] { ScanImporter(*store).importScans(requests, {}); });
        QVERIFY2(message.contains("missing.nii.gz") && message.contains("no such file"), qPrintable(message));
        QCOMPARE(countOf(*store, "SELECT count(*) FROM scans"), std::int64_t(0));
        QCOMPARE(countOf(*store, "SELECT count(*) FROM label_versions"), std::int64_t(0));
        store.reset();
        QVERIFY(fileHashes(dir.filePath("project")) == before);
    }

    void sameScanTwiceIsDetectedByHash() {
        QTemporaryDir dir;
        auto store = newProject(dir);
        ScanImportRequest request;
        request.image = (phantoms + "/imagesTr/phantom_0001.nii.gz").toStdString();
        ScanImporter(*store).importScans({request}, {});
        request.name = "another_name";
        const QString message = errorOf([&] { ScanImporter(*store).importScans({request}, {}); });
        QVERIFY2(message.contains("phantom_0001.nii.gz") && message.contains("already imported"), qPrintable(message));
        QCOMPARE(countOf(*store, "SELECT count(*) FROM scans"), std::int64_t(1));
        QVERIFY(!QFile::exists(dir.filePath("project/volumes/another_name.nii.gz")));
    }

    void simulatePartialHidesByTheProtocol() {
        QTemporaryDir dir;
        auto store = newProject(dir);
        ScanImporter(*store).importScans(phantomRequests(store->schema()), {});
        PartialLabelOptions options;
        options.testFraction = 0.25;  // 2 of 8 scans
        options.keepFraction = 0.5;   // round(4.5) = 5 of 9 organs kept, 4 hidden
        options.seed = 9;
        const PartialLabelSummary summary = PartialLabelSimulator(*store).apply(options);
        QCOMPARE(summary.testScans, std::size_t(2));
        QCOMPARE(summary.trainingScans, std::size_t(6));
        QCOMPARE(summary.hiddenLabels, std::size_t(6 * 4));
        QCOMPARE(summary.keptLabels, std::size_t(6 * 5));
        QCOMPARE(countOf(*store, "SELECT count(*) FROM scans WHERE split = 'test'"), std::int64_t(2));
        QCOMPARE(countOf(*store, "SELECT count(*) FROM truth"), std::int64_t(2 * 9 + 6 * 4));
        QCOMPARE(countOf(*store, "SELECT count(*) FROM coverage WHERE state = 'manual'"), std::int64_t(6 * 5));
        QCOMPARE(countOf(*store, "SELECT count(*) FROM label_versions"), std::int64_t(6 * 5));
        // Test scans have no trainable label left; every truth file is in truth/ with its hash.
        QCOMPARE(countOf(*store, "SELECT count(*) FROM coverage c JOIN scans s ON s.id = c.scan_id "
                                 "WHERE s.split = 'test' AND c.state <> 'unknown'"), std::int64_t(0));
        const ProjectCheckReport report = checkProject(*store);
        QVERIFY(report.healthy());
        QVERIFY2(report.unnamedFiles.empty(), "the hidden labels' old files are removed");
        QVERIFY(errorOf([&] { PartialLabelSimulator(*store).apply(options); }).contains("already applied"));
    }

    void nnunetExportTakesOnlyCompleteScans() {
        QTemporaryDir dir;
        auto store = newProject(dir);
        ScanImportOptions fully;
        fully.fullyLabeled = true;
        std::vector<ScanImportRequest> requests = phantomRequests(store->schema());
        std::vector<ScanImportRequest> complete(requests.begin(), requests.begin() + 3);
        std::vector<ScanImportRequest> partial(requests.begin() + 3, requests.begin() + 5);
        ScanImporter(*store).importScans(complete, fully);
        ScanImporter(*store).importScans(partial, {});  // unknown organs: partially labeled

        NnUNetExportOptions options;
        options.outputFolder = dir.filePath("nnunet").toStdString();
        options.datasetId = 7;
        options.datasetName = "Phantoms";
        const NnUNetExportSummary summary = exportNnUNetDataset(*store, options);
        QCOMPARE(summary.complete, std::size_t(3));
        QCOMPARE(summary.skipped, std::size_t(2));
        const QString folder = dir.filePath("nnunet/Dataset007_Phantoms");
        QCOMPARE(QDir(folder + "/imagesTr").entryList(QDir::Files).size(), 3);
        QVERIFY(QFile::exists(folder + "/imagesTr/phantom_0000_0000.nii.gz"));
        QFile json(folder + "/dataset.json");
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject dataset = QJsonDocument::fromJson(json.readAll()).object();
        QCOMPARE(dataset["numTraining"].toInt(), 3);
        QCOMPARE(dataset["file_ending"].toString(), QString(".nii.gz"));
        // Consecutive values in schema order: liver is the 6th organ -> 6, pancreas the 10th -> 10.
        QCOMPARE(dataset["labels"].toObject()["liver"].toInt(), 6);
        QCOMPARE(dataset["labels"].toObject()["background"].toInt(), 0);
        QCOMPARE(dataset["labels"].toObject().size(), 16);

        if (test::debianPythonHasNibabel()) {
            // Independent check: per-value voxel counts of the exported label map equal the source's.
            const char* script =
                "import sys, nibabel as nib, numpy as np\n"
                "a = np.asarray(nib.load(sys.argv[1]).dataobj).astype(int); b = np.asarray(nib.load(sys.argv[2]).dataobj).astype(int)\n"
                "print('same' if (a == b).all() and nib.load(sys.argv[1]).affine.round(4).tolist() == "
                "nib.load(sys.argv[2]).affine.round(4).tolist() else 'differ')\n";
            const auto result = test::runProgram("/usr/bin/python3", {"-c", script, folder + "/labelsTr/phantom_0001.nii.gz",
                                                                     phantoms + "/labelsTr/phantom_0001.nii.gz"});
            QVERIFY2(result.exitCode == 0, qPrintable(result.err));
            QCOMPARE(result.out.trimmed(), QString("same"));  // AMOS values are already 1..15 in order
        }

        options.includePartial = true;
        options.datasetId = 8;
        const NnUNetExportSummary withPartial = exportNnUNetDataset(*store, options);
        QCOMPARE(withPartial.partial, std::size_t(2));
        QVERIFY(errorOf([&] { exportNnUNetDataset(*store, options); }).contains("already exists"));
    }
};

QTEST_APPLESS_MAIN(ProjectOperationsTest)
#include "ProjectOperationsTest.moc"
