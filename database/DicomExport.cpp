#include "DicomExport.h"

#include "AnatomyCodes.h"
#include "DicomDeidentify.h"
#include "DicomIdentity.h"
#include "DicomSeg.h"
#include "CoverageState.h"
#include "Error.h"
#include "ProjectExporter.h"
#include "ProjectSettings.h"
#include "RtStruct.h"

namespace ipnp {

namespace {

struct ExportSource {
    ScanRecord scan;
    DicomSourceIdentity identity;
};

ExportSource exportSource(ProjectStore& store, const std::string& scanName, DicomIdentityUse use) {
    const auto scan = store.scanByName(scanName);
    if (!scan) throw Error(store.folder(), "has no scan named '" + scanName + "'");
    const auto identity = store.dicomIdentity(scan->id);
    if (!identity)
        throw Error(store.folder(), "scan '" + scanName +
                                        "' was not imported from DICOM, so there is no series to attach DICOM objects to; "
                                        "export its labels as NIfTI with `ipnp export`");
    DicomSourceIdentity source = dicomIdentityFromJson(*identity);
    if (use == DicomIdentityUse::Deidentify) {
        ProjectSettings settings(store);
        std::optional<std::string> secret = settings.value(kDicomPseudonymSecretKey);
        if (!secret) {
            secret = newPseudonymSecret();
            settings.setValue(kDicomPseudonymSecretKey, *secret);
        }
        source = DicomPseudonymizer(*secret).deidentify(source);
    }
    return {*scan, source};
}

// The organs with a current label, and whether a person drew them (manual) or IPnP did.
struct ExportedOrgan {
    const Organ* organ;
    bool manual;
};

std::vector<ExportedOrgan> exportedOrgans(ProjectStore& store, const ScanRecord& scan, const OrganSchema& schema) {
    std::vector<ExportedOrgan> out;
    for (const LabelFileRecord& record : store.currentLabels(scan.id)) {
        const Organ* organ = schema.byIndex(record.organIndex);
        if (!organ) continue;
        SqliteStatement state(store.database(), "SELECT state FROM coverage WHERE scan_id = ?1 AND organ_id = ?2");
        state.bind(1, scan.id).bind(2, organ->index);
        out.push_back({organ, state.step() && state.columnText(0) == toString(CoverageState::Manual)});
    }
    if (out.empty()) throw Error(store.folder(), "scan '" + scan.name + "' has no manual or accepted label to export");
    return out;
}

// A de-identified object does not name the scan: its name holds the patient ID.
std::string seriesDescription(const ExportSource& source) {
    return source.identity.deidentified ? "IPnP organ labels" : "IPnP organ labels of " + source.scan.name;
}

}  // namespace

std::size_t exportScanAsDicomSeg(ProjectStore& store, const std::string& scanName, const std::string& path,
                                 DicomIdentityUse identity) {
    const ExportSource source = exportSource(store, scanName, identity);
    const OrganSchema schema = store.schema();
    std::vector<SegExportSegment> segments;
    for (const ExportedOrgan& e : exportedOrgans(store, source.scan, schema))
        segments.push_back({e.organ->name, anatomyCodeFor(e.organ->name, e.organ->index), e.manual, std::uint8_t(e.organ->index)});
    writeDicomSeg(path, composeCurrentLabelMap(store, source.scan), source.identity, segments, seriesDescription(source));
    return segments.size();
}

std::size_t exportScanAsRtStruct(ProjectStore& store, const std::string& scanName, const std::string& path,
                                 DicomIdentityUse identity) {
    const ExportSource source = exportSource(store, scanName, identity);
    const OrganSchema schema = store.schema();
    std::vector<RtExportRoi> rois;
    for (const ExportedOrgan& e : exportedOrgans(store, source.scan, schema))
        rois.push_back({e.organ->name, std::uint8_t(e.organ->index),
                        {e.organ->colour[0], e.organ->colour[1], e.organ->colour[2]}, e.manual});
    writeRtStruct(path, composeCurrentLabelMap(store, source.scan), source.identity, rois, seriesDescription(source));
    return rois.size();
}

}  // namespace ipnp
