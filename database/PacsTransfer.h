#pragma once
// The project and a PACS: a series retrieved into the project (C-GET, then the DICOM import, the
// PACS recorded as its origin), and a scan's labels sent as SEG or RTSTRUCT (C-STORE): with the
// original patient and UIDs to the PACS the scan came from, so the references resolve there, and
// de-identified to any other.
#include <string>

#include "PacsClient.h"
#include "ProjectStore.h"
#include "ScanImporter.h"

namespace ipnp {

ScanImportSummary retrieveSeriesIntoProject(ProjectStore& store, const PacsNode& node, const std::string& studyUid,
                                            const std::string& seriesUid);

enum class LabelObject { Seg, RtStruct };
struct SentLabels {
    std::size_t organs = 0;
    bool deidentified = true;
};
SentLabels sendScanLabels(ProjectStore& store, const PacsNode& node, const std::string& scanName, LabelObject object);

}  // namespace ipnp
