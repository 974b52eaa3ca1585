#include "RtStructImport.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "ContourRasterizer.h"
#include "Error.h"
#include "ManualLabelWriter.h"

namespace ipnp {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<RoiMatch> matchRois(const RtStructureSet& set, const OrganSchema& schema,
                                const std::map<std::string, std::string>& roiToOrgan) {
    std::vector<std::string> names;
    for (const RtRoi& roi : set.rois) names.push_back(roi.name);
    const std::vector<int> organs = matchStructureNames(names, schema, roiToOrgan, set.file);
    std::vector<RoiMatch> out;
    for (std::size_t n = 0; n < names.size(); ++n) out.push_back({names[n], organs[n]});
    return out;
}

RtStructImportResult importRtStruct(ProjectStore& store, const std::string& file, const RtStructImportOptions& options) {
    const RtStructureSet set = readRtStruct(file);
    const OrganSchema schema = store.schema();
    const ScanRecord scan = scanDrawnOn(store, file, set.referencedSeriesUid, options.scanName);
    const std::vector<RoiMatch> matches = matchRois(set, schema, options.nameToOrgan);
    ManualLabelWriter writer(store, scan);
    for (const std::string& note : set.notes) writer.note(note);
    for (std::size_t n = 0; n < set.rois.size(); ++n) {
        const RtRoi& roi = set.rois[n];
        if (skipped(options, roi.name)) {
            writer.note("'" + roi.name + "': left out, as asked");
            continue;
        }
        if (matches[n].organIndex == 0) {
            writer.unmatched(roi.name);
            continue;
        }
        if (roi.contours.empty() || !writer.accepts(matches[n].organIndex, roi.name)) continue;
        const RasterizedContours raster = rasterizeClosedContours(roi.contours, scan.geometry);
        for (const std::string& warning : raster.warnings) writer.note("ROI '" + roi.name + "': " + warning);
        const json provenance = {{"source_file", fs::absolute(file).lexically_normal().string()},
                                 {"format", "RTSTRUCT"},
                                 {"roi_name", roi.name},
                                 {"roi_number", roi.number},
                                 {"structure_set_label", set.label}};
        writer.add(roi.name, matches[n].organIndex, raster.mask, provenance.dump());
    }
    return writer.commit("import-rtstruct",
                         json{{"file", fs::absolute(file).lexically_normal().string()}, {"scan", scan.name}}.dump());
}

}  // namespace ipnp
