#include "DicomExport.h"

#include "AnatomyCodes.h"
#include "DicomIdentity.h"
#include "DicomSeg.h"
#include "CoverageState.h"
#include "Error.h"
#include "ProjectExporter.h"

namespace ipnp {

namespace {

struct ExportSource {
    ScanRecord scan;
    DicomSourceIdentity identity;
};

ExportSource exportSource(ProjectStore& store, const std::string& scanName) {
    const auto scan = store.scanByName(scanName);
    if (!scan) throw Error(store.folder(), "has no scan named '" + scanName + "'");
    const auto identity = store.dicomIdentity(scan->id);
    if (!identity)
        throw Error(store.folder(), "scan '" + scanName +
                                        "' was not imported from DICOM, so there is no series to attach DICOM objects to; "
                                        "export its labels as NIfTI with `ipnp export`");
    return {*scan, dicomIdentityFromJson(*identity)};
}

}  // namespace

std::size_t exportScanAsDicomSeg(ProjectStore& store, const std::string& scanName, const std::string& path) {
    const ExportSource source = exportSource(store, scanName);
    const OrganSchema schema = store.schema();
    std::vector<SegExportSegment> segments;
    for (const LabelFileRecord& record : store.currentLabels(source.scan.id)) {
        const Organ* organ = schema.byIndex(record.organIndex);
        if (!organ) continue;
        SegExportSegment segment;
        segment.label = organ->name;
        segment.anatomy = anatomyCodeFor(organ->name, organ->index);
        SqliteStatement state(store.database(), "SELECT state FROM coverage WHERE scan_id = ?1 AND organ_id = ?2");
        state.bind(1, source.scan.id).bind(2, organ->index);
        segment.manual = state.step() && state.columnText(0) == toString(CoverageState::Manual);
        segment.value = std::uint8_t(organ->index);
        segments.push_back(segment);
    }
    if (segments.empty())
        throw Error(store.folder(), "scan '" + scanName + "' has no manual or accepted label to export");
    writeDicomSeg(path, composeCurrentLabelMap(store, source.scan), source.identity, segments,
                  "IPnP organ labels of " + scanName);
    return segments.size();
}

}  // namespace ipnp
