#include "StructureFiles.h"

#include <algorithm>
#include <filesystem>

#include "DicomSeg.h"
#include "DicomSegImport.h"
#include "Error.h"
#include "RtStructImport.h"
#include "StructureKind.h"

namespace ipnp {

namespace fs = std::filesystem;

bool isStructureFile(const std::string& path) { return structureKindOf(path) != StructureKind::None; }

std::vector<std::string> structureFilesIn(const std::string& folder) {
    std::vector<std::string> files;
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(folder, error); !error && it != fs::recursive_directory_iterator();
         it.increment(error))
        if (it->is_regular_file() && isStructureFile(it->path().string())) files.push_back(it->path().string());
    if (error) throw Error(folder, "cannot be read: " + error.message());
    std::sort(files.begin(), files.end());
    return files;
}

StructureFileSummary summarizeStructureFile(ProjectStore& store, const std::string& file) {
    StructureFileSummary out;
    const OrganSchema schema = store.schema();
    std::vector<std::string> matchNames;  // what each is matched by (a SEG's coded anatomy may stand in)
    const StructureKind kind = structureKindOf(file);
    if (kind == StructureKind::RtStruct) {
        const RtStructureSet set = readRtStruct(file);
        out.kind = "RT Structure Set";
        out.referencedSeriesUid = set.referencedSeriesUid;
        for (const RtRoi& roi : set.rois) {
            out.names.push_back(roi.name);
            matchNames.push_back(roi.name);
            out.parts.push_back(roi.contours.size());
        }
    } else if (kind == StructureKind::Seg) {
        const DicomSegmentation seg = readDicomSeg(file);
        out.kind = "DICOM SEG";
        out.referencedSeriesUid = seg.referencedSeriesUid;
        for (const SegSegment& segment : seg.segments) {
            out.names.push_back(segment.label);
            matchNames.push_back(segmentMatchName(segment, schema, {}));
            out.parts.push_back(std::size_t(std::count_if(seg.frames.begin(), seg.frames.end(),
                                                          [&](const SegFrame& f) { return f.segment == segment.number; })));
        }
    } else {
        throw Error(file, "is neither an RT Structure Set nor a DICOM SEG");
    }
    try {
        out.organs = matchStructureNames(matchNames, schema, {}, file);
    } catch (const Error&) {
        // Two structures name one organ: show no match for any, the user maps them.
        out.organs.assign(out.names.size(), 0);
    }
    try {
        out.scan = scanDrawnOn(store, file, out.referencedSeriesUid, "").name;
    } catch (const Error&) {
        out.scan.reset();  // the user chooses the scan
    }
    return out;
}

void checkStructureFile(const std::string& file) {
    if (structureKindOf(file) == StructureKind::RtStruct) readRtStruct(file);
    else readDicomSeg(file);
}

ManualLabelImportResult importStructureFile(ProjectStore& store, const std::string& file, const StructureImportOptions& options) {
    switch (structureKindOf(file)) {
        case StructureKind::RtStruct: return importRtStruct(store, file, options);
        case StructureKind::Seg: return importDicomSeg(store, file, options);
        case StructureKind::None: break;
    }
    throw Error(file, "is neither an RT Structure Set nor a DICOM SEG");
}

}  // namespace ipnp
