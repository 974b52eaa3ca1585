#pragma once
// Brings scans (and optionally their label maps) into a project. All or nothing: every file of
// the batch is validated and written first, then one transaction records them all; on any error
// the files written so far are removed and the project is as it was.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Progress.h"
#include "ProjectStore.h"
#include "Volume.h"

namespace ipnp {

struct ScanImportRequest {
    std::string image;
    std::optional<std::string> labelMap;
    // What the scan came from, as recorded in the project; empty: the image file. (A DICOM series is
    // converted to a temporary image first: its source is the folder and series, not that file.)
    std::string sourcePath;
    // An image held in memory instead of a file (a converted DICOM series): written once, straight
    // into the project. `image` then only names it in messages.
    std::shared_ptr<const Volume<std::int16_t>> int16Image;
    std::shared_ptr<const Volume<float>> floatImage;
    std::string name;  // empty: the image's file name without extension
    std::string dicomIdentityJson;  // a DICOM series' identity (DicomIdentity.h); empty otherwise
    std::string modality = "CT";
    // Label value in the file -> organ index of the project. Empty: values are organ indices.
    std::map<int, int> labelToOrgan;
    // Where the mapping came from, for messages ("dataset.json"); empty for the project schema.
    std::string labelMappingSource;
};

struct ScanImportOptions {
    bool fullyLabeled = false;  // organs without voxels become `absent` instead of `unknown`
    ProgressCallback progress;
};

struct ScanImportSummary {
    std::size_t scans = 0;
    std::size_t labelFiles = 0;
};

class ScanImporter {
public:
    explicit ScanImporter(ProjectStore& store) : store_(store) {}
    // Throws ipnp::Error naming the offending file; the project is then unchanged.
    ScanImportSummary importScans(const std::vector<ScanImportRequest>& requests, const ScanImportOptions& options);

private:
    ProjectStore& store_;
};

// Scan names become file names: letters, digits, '.', '_' and '-' only.
bool isValidScanName(const std::string& name);

}  // namespace ipnp
