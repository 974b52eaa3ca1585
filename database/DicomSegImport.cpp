#include "DicomSegImport.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "DicomSeg.h"

namespace ipnp {

namespace fs = std::filesystem;
using nlohmann::json;

std::string segmentMatchName(const SegSegment& segment, const OrganSchema& schema, const StructureImportOptions& options) {
    const bool labelKnown = schema.byName(segment.label) || options.nameToOrgan.count(segment.label);
    return !labelKnown && schema.byName(segment.propertyMeaning) ? segment.propertyMeaning : segment.label;
}

ManualLabelImportResult importDicomSeg(ProjectStore& store, const std::string& file, const StructureImportOptions& options) {
    const DicomSegmentation seg = readDicomSeg(file);
    const OrganSchema schema = store.schema();
    const ScanRecord scan = scanDrawnOn(store, file, seg.referencedSeriesUid, options.scanName);
    std::vector<std::string> names;
    for (const SegSegment& segment : seg.segments) names.push_back(segmentMatchName(segment, schema, options));
    const std::vector<int> organs = matchStructureNames(names, schema, options.nameToOrgan, file);
    ManualLabelWriter writer(store, scan);
    for (std::size_t n = 0; n < seg.segments.size(); ++n) {
        const SegSegment& segment = seg.segments[n];
        if (skipped(options, segment.label)) {
            writer.note("'" + segment.label + "': left out, as asked");
            continue;
        }
        if (organs[n] == 0) {
            writer.unmatched(segment.label);
            continue;
        }
        if (!writer.accepts(organs[n], segment.label)) continue;
        const json provenance = {{"source_file", fs::absolute(file).lexically_normal().string()},
                                 {"format", "SEG"},
                                 {"segment_label", segment.label},
                                 {"segment_number", segment.number},
                                 {"property", segment.propertyMeaning}};
        writer.add(segment.label, organs[n], segmentMask(seg, segment.number, scan.geometry), provenance.dump());
    }
    return writer.commit("import-seg", json{{"file", fs::absolute(file).lexically_normal().string()}, {"scan", scan.name}}.dump());
}

}  // namespace ipnp
