#pragma once
// Writes a project's known labels out of the project: plain label maps per scan, or an nnU-Net v2
// raw dataset for training elsewhere.
#include <map>
#include <string>
#include <vector>

#include "ProjectStore.h"
#include "Volume.h"

namespace ipnp {

// Label files (each checked against its recorded SHA-256) pasted into one label map on the scan's grid.
LabelMap composeLabelMap(ProjectStore& store, const ScanRecord& scan, const std::vector<LabelFileRecord>& records,
                         const std::map<int, std::uint8_t>& organToValue = {});

// The scan's manual and accepted labels pasted into one label map on the scan's grid.
// `organToValue` renumbers organs (nnU-Net wants consecutive values); empty keeps organ indices.
LabelMap composeCurrentLabelMap(ProjectStore& store, const ScanRecord& scan,
                                const std::map<int, std::uint8_t>& organToValue = {});

struct LabelExportSummary {
    std::size_t scans = 0;
};
// OUT/<scan>.nii.gz for every scan with at least one known label.
LabelExportSummary exportLabelMaps(ProjectStore& store, const std::string& outputFolder);

struct NnUNetExportOptions {
    std::string outputFolder;  // Dataset<ID>_<Name>/ is created inside
    int datasetId = 501;
    std::string datasetName = "IPnP";
    // Also export scans with unknown, pending or rejected organs: nnU-Net would learn "background"
    // where such an organ is, so this is off by default and warns.
    bool includePartial = false;
};

struct NnUNetExportSummary {
    std::string datasetFolder;
    std::size_t complete = 0;        // scans whose every organ is manual, accepted or absent
    std::size_t partial = 0;         // exported only because of includePartial
    std::size_t skipped = 0;         // partial scans left out
    std::map<int, int> organToValue; // project organ index -> nnU-Net label value
};

// Throws ipnp::Error when the dataset folder already exists or no scan qualifies.
NnUNetExportSummary exportNnUNetDataset(ProjectStore& store, const NnUNetExportOptions& options);

}  // namespace ipnp
