#include "PacsTransfer.h"

#include <filesystem>
#include <random>

#include "DicomExport.h"
#include "DicomIdentity.h"
#include "DicomImport.h"
#include "Error.h"
#include "RemoveTree.h"

namespace ipnp {

namespace fs = std::filesystem;

namespace {

// A private temporary folder, removed with everything in it.
class TemporaryFolder {
public:
    explicit TemporaryFolder(const std::string& purpose) {
        std::random_device random;
        path_ = (fs::temp_directory_path() / ("ipnp-" + purpose + "-" + std::to_string(random()))).string();
        fs::create_directories(path_);
    }
    ~TemporaryFolder() {
        std::error_code ignored;
        removeTree(path_, ignored);
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace

ScanImportSummary retrieveSeriesIntoProject(ProjectStore& store, const PacsNode& node, const std::string& studyUid,
                                            const std::string& seriesUid) {
    TemporaryFolder folder("pacs");
    pacsGetSeries(node, studyUid, seriesUid, folder.path());
    DicomImportBatch batch(folder.path());
    std::vector<ScanImportRequest> requests = batch.requests();
    for (ScanImportRequest& request : requests) {
        DicomSourceIdentity identity = dicomIdentityFromJson(request.dicomIdentityJson);
        identity.retrievedFrom = node.describe();
        request.dicomIdentityJson = toJson(identity);
        request.sourcePath = "PACS " + node.describe() + " (DICOM series " + seriesUid + ", " +
                             std::to_string(identity.instances.size()) + " files)";
        request.image = request.sourcePath;
    }
    return ScanImporter(store).importScans(requests, {});
}

SentLabels sendScanLabels(ProjectStore& store, const PacsNode& node, const std::string& scanName, LabelObject object) {
    const auto scan = store.scanByName(scanName);
    if (!scan) throw Error(store.folder(), "has no scan named '" + scanName + "'");
    const auto identity = store.dicomIdentity(scan->id);
    SentLabels sent;
    sent.deidentified = !identity || dicomIdentityFromJson(*identity).retrievedFrom != node.describe();
    const DicomIdentityUse use = sent.deidentified ? DicomIdentityUse::Deidentify : DicomIdentityUse::KeepOriginal;
    TemporaryFolder folder("send");
    const std::string file = folder.path() + "/labels.dcm";
    sent.organs = object == LabelObject::Seg ? exportScanAsDicomSeg(store, scanName, file, use)
                                             : exportScanAsRtStruct(store, scanName, file, use);
    pacsStore(node, {file});
    return sent;
}

}  // namespace ipnp
