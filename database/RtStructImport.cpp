#include "RtStructImport.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "ContourRasterizer.h"
#include "Error.h"
#include "ImageFile.h"
#include "LabelMaskOps.h"
#include "Sha256.h"
#include "StagedFiles.h"

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

struct StagedRoiLabel {
    RtRoi roi;
    int organIndex = 0;
    int version = 1;
    std::string file, sha256;
    LabelExtent extent;
    std::optional<std::int64_t> replacedVersion;  // a pseudo-accepted label the contour supersedes
};

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
    RtStructImportResult result;
    result.scanName = scan.name;
    result.notes = set.notes;
    const std::vector<RoiMatch> matches = matchRois(set, schema, options.roiToOrgan);

    // Current state of each organ of the scan: a manual label is never overwritten, a pending
    // candidate is reviewed first, anything else becomes the contour's manual label.
    std::map<int, std::pair<std::string, std::optional<std::int64_t>>> cells;
    {
        SqliteStatement rows(store.database(), "SELECT organ_id, state, label_version_id FROM coverage WHERE scan_id = ?1");
        rows.bind(1, scan.id);
        while (rows.step())
            cells[int(rows.columnInt(0))] = {rows.columnText(1),
                                             rows.columnIsNull(2) ? std::nullopt : std::optional<std::int64_t>(rows.columnInt(2))};
    }
    StagedFiles staged;
    std::vector<StagedRoiLabel> labels;
    const std::string folder = store.pathOf("labels/" + scan.name);
    for (std::size_t n = 0; n < set.rois.size(); ++n) {
        const RtRoi& roi = set.rois[n];
        if (matches[n].organIndex == 0) {
            result.unmatched.push_back(roi.name);
            continue;
        }
        const Organ& organ = *schema.byIndex(matches[n].organIndex);
        if (roi.contours.empty()) continue;  // already in the notes
        const auto& [state, version] = cells[organ.index];
        if (state == toString(CoverageState::Manual)) {
            result.notes.push_back("ROI '" + roi.name + "': " + organ.name + " already has a manual label in " + scan.name + "; kept it");
            continue;
        }
        if (state == toString(CoverageState::PseudoPending)) {
            result.notes.push_back("ROI '" + roi.name + "': " + organ.name + " has a pending pseudo-label in " + scan.name +
                                   "; review it first");
            continue;
        }
        RasterizedContours raster = rasterizeClosedContours(roi.contours, scan.geometry);
        for (const std::string& warning : raster.warnings) result.notes.push_back("ROI '" + roi.name + "': " + warning);
        const std::vector<LabelExtent> extents = labelExtents(raster.mask);
        if (extents.empty()) {
            result.notes.push_back("ROI '" + roi.name + "' covers no voxel centre of " + scan.name + ": skipped");
            continue;
        }
        SqliteStatement next(store.database(),
                             "SELECT COALESCE(MAX(version), 0) + 1 FROM label_versions WHERE scan_id = ?1 AND organ_id = ?2");
        next.bind(1, scan.id).bind(2, organ.index);
        next.step();
        StagedRoiLabel label;
        label.roi = roi;
        label.organIndex = organ.index;
        label.extent = extents[0];
        label.replacedVersion = version;
        label.version = int(next.columnInt(0));
        label.file = "labels/" + scan.name + "/" + std::to_string(organ.index) + "_v" + std::to_string(label.version) + ".nii.gz";
        if (labels.empty()) {
            fs::create_directories(folder);
            staged.addFolder(folder);
        }
        staged.add(store.pathOf(label.file));
        writeVolume(cropMask(raster.mask, extents[0]), store.pathOf(label.file));
        label.sha256 = Sha256::ofFile(store.pathOf(label.file));
        labels.push_back(std::move(label));
    }

    SqliteDatabase& database = store.database();
    SqliteTransaction transaction(database);
    const std::string now = ProjectStore::now();
    for (const StagedRoiLabel& label : labels) {
        const LabelExtent& e = label.extent;
        const json provenance = {{"source_file", fs::absolute(file).lexically_normal().string()},
                                 {"format", "RTSTRUCT"},
                                 {"roi_name", label.roi.name},
                                 {"roi_number", label.roi.number},
                                 {"structure_set_label", set.label}};
        SqliteStatement insert(database,
                               "INSERT INTO label_versions (scan_id, organ_id, version, file, sha256, voxel_count, box, "
                               "source, provenance, created_at) VALUES (?1, ?2, ?9, ?3, ?4, ?5, ?6, 'import', ?7, ?8)");
        insert.bind(1, scan.id).bind(2, label.organIndex).bind(9, label.version).bind(3, label.file).bind(4, label.sha256)
            .bind(5, std::int64_t(e.voxelCount))
            .bind(6, boxToJson({e.first[0], e.first[1], e.first[2], e.last[0] + 1, e.last[1] + 1, e.last[2] + 1}))
            .bind(7, provenance.dump()).bind(8, now);
        insert.run();
        const std::int64_t versionId = database.lastInsertId();
        if (label.replacedVersion) {
            SqliteStatement superseded(database, "UPDATE label_versions SET superseded_at = ?2 WHERE id = ?1");
            superseded.bind(1, *label.replacedVersion).bind(2, now);
            superseded.run();
        }
        SqliteStatement cell(database,
                             "UPDATE coverage SET state = 'manual', label_version_id = ?3, updated_at = ?4 "
                             "WHERE scan_id = ?1 AND organ_id = ?2");
        cell.bind(1, scan.id).bind(2, label.organIndex).bind(3, versionId).bind(4, now);
        cell.run();
        result.imported.emplace_back(label.roi.name, schema.byIndex(label.organIndex)->name);
    }
    store.addEvent("import-rtstruct", json{{"file", fs::absolute(file).lexically_normal().string()},
                                           {"scan", scan.name},
                                           {"rois", result.imported.size()},
                                           {"unmatched", result.unmatched}}.dump());
    transaction.commit();
    staged.commit();
    return result;
}

}  // namespace ipnp
