#include "RtStructImport.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "ContourRasterizer.h"
#include "Error.h"
#include "ManualLabelWriter.h"

namespace ipnp {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string lowered(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

// DicomImportBatch records a series' source as "<folder> (DICOM series <UID>, N files)".
ScanRecord scanOf(ProjectStore& store, const RtStructureSet& set, const std::string& scanName) {
    if (!scanName.empty()) {
        if (auto scan = store.scanByName(scanName)) return *scan;
        throw Error(store.folder(), "has no scan named '" + scanName + "'");
    }
    if (set.referencedSeriesUid.empty())
        throw Error(set.file, "does not name the image series it was drawn on; give the scan with --scan");
    const std::string marker = "(DICOM series " + set.referencedSeriesUid + ",";
    for (const ScanRecord& scan : store.scans())
        if (scan.sourcePath.find(marker) != std::string::npos) return scan;
    throw Error(set.file, "was drawn on DICOM series " + set.referencedSeriesUid +
                              ", which no scan of the project came from; import that series first, or give the scan with --scan");
}

}  // namespace

std::vector<RoiMatch> matchRois(const RtStructureSet& set, const OrganSchema& schema,
                                const std::map<std::string, std::string>& roiToOrgan) {
    std::map<std::string, std::string> mapping;  // lowered ROI name -> organ
    for (const auto& [roi, organ] : roiToOrgan) {
        if (!schema.byName(organ))
            throw Error(set.file, "the mapping '" + roi + "=" + organ + "' names an organ the project's schema does not have");
        mapping[lowered(roi)] = organ;
    }
    std::vector<RoiMatch> out;
    std::map<int, std::string> roiOfOrgan;
    for (const RtRoi& roi : set.rois) {
        const auto mapped = mapping.find(lowered(roi.name));
        const Organ* organ = schema.byName(mapped != mapping.end() ? mapped->second : roi.name);
        RoiMatch match{roi.name, organ ? organ->index : 0};
        if (organ) {
            const auto [previous, fresh] = roiOfOrgan.emplace(organ->index, roi.name);
            if (!fresh)
                throw Error(set.file, "ROIs '" + previous->second + "' and '" + roi.name + "' both map to organ '" +
                                          organ->name + "'; map one of them to another organ");
        }
        out.push_back(match);
    }
    return out;
}

RtStructImportResult importRtStruct(ProjectStore& store, const std::string& file, const RtStructImportOptions& options) {
    const RtStructureSet set = readRtStruct(file);
    const OrganSchema schema = store.schema();
    const ScanRecord scan = scanOf(store, set, options.scanName);
    const std::vector<RoiMatch> matches = matchRois(set, schema, options.roiToOrgan);
    ManualLabelWriter writer(store, scan);
    for (const std::string& note : set.notes) writer.note(note);
    for (std::size_t n = 0; n < set.rois.size(); ++n) {
        const RtRoi& roi = set.rois[n];
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
