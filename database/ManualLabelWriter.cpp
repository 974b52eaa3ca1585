#include "ManualLabelWriter.h"

#include <filesystem>
#include <map>
#include <optional>

#include "CoverageState.h"
#include "ImageFile.h"
#include "LabelMaskOps.h"
#include "Sha256.h"
#include "StagedFiles.h"

namespace ipnp {

namespace fs = std::filesystem;

namespace {

struct StagedLabel {
    std::string structureName;
    int organIndex = 0;
    int version = 1;
    std::string file, sha256, provenanceJson;
    LabelExtent extent;
    std::optional<std::int64_t> replacedVersion;  // a pseudo-accepted label the manual one supersedes
};

}  // namespace

struct ManualLabelWriter::State {
    ProjectStore& store;
    ScanRecord scan;
    OrganSchema schema;
    std::map<int, std::pair<std::string, std::optional<std::int64_t>>> cells;  // organ -> state, label version
    StagedFiles staged;
    std::vector<StagedLabel> labels;
    ManualLabelImportResult result;
    State(ProjectStore& s, ScanRecord sc) : store(s), scan(std::move(sc)), schema(s.schema()) {}
};

ManualLabelWriter::ManualLabelWriter(ProjectStore& store, ScanRecord scan)
    : state_(std::make_unique<State>(store, std::move(scan))) {
    state_->result.scanName = state_->scan.name;
    SqliteStatement rows(store.database(), "SELECT organ_id, state, label_version_id FROM coverage WHERE scan_id = ?1");
    rows.bind(1, state_->scan.id);
    while (rows.step())
        state_->cells[int(rows.columnInt(0))] = {
            rows.columnText(1), rows.columnIsNull(2) ? std::nullopt : std::optional<std::int64_t>(rows.columnInt(2))};
}

ManualLabelWriter::~ManualLabelWriter() = default;

bool ManualLabelWriter::accepts(int organIndex, const std::string& structureName) {
    State& s = *state_;
    const std::string organ = s.schema.byIndex(organIndex) ? s.schema.byIndex(organIndex)->name : std::to_string(organIndex);
    const std::string& state = s.cells[organIndex].first;
    for (const StagedLabel& label : s.labels)
        if (label.organIndex == organIndex) {
            note("'" + structureName + "': " + organ + " already comes from '" + label.structureName + "'; skipped");
            return false;
        }
    if (state == toString(CoverageState::Manual)) {
        note("'" + structureName + "': " + organ + " already has a manual label in " + s.scan.name + "; kept it");
        return false;
    }
    if (state == toString(CoverageState::PseudoPending)) {
        note("'" + structureName + "': " + organ + " has a pending pseudo-label in " + s.scan.name + "; review it first");
        return false;
    }
    return true;
}

void ManualLabelWriter::add(const std::string& structureName, int organIndex, const Mask& mask,
                            const std::string& provenanceJson) {
    State& s = *state_;
    if (!accepts(organIndex, structureName)) return;
    const std::vector<LabelExtent> extents = labelExtents(mask);
    if (extents.empty()) {
        note("'" + structureName + "' covers no voxel of " + s.scan.name + ": skipped");
        return;
    }
    SqliteStatement next(s.store.database(),
                         "SELECT COALESCE(MAX(version), 0) + 1 FROM label_versions WHERE scan_id = ?1 AND organ_id = ?2");
    next.bind(1, s.scan.id).bind(2, organIndex);
    next.step();
    StagedLabel label;
    label.structureName = structureName;
    label.organIndex = organIndex;
    label.version = int(next.columnInt(0));
    label.extent = extents[0];
    label.provenanceJson = provenanceJson;
    label.replacedVersion = s.cells[organIndex].second;
    label.file = "labels/" + s.scan.name + "/" + std::to_string(organIndex) + "_v" + std::to_string(label.version) + ".nii.gz";
    const std::string folder = s.store.pathOf("labels/" + s.scan.name);
    if (!fs::exists(folder)) {
        fs::create_directories(folder);
        s.staged.addFolder(folder);
    }
    s.staged.add(s.store.pathOf(label.file));
    writeVolume(cropMask(mask, extents[0]), s.store.pathOf(label.file));
    label.sha256 = Sha256::ofFile(s.store.pathOf(label.file));
    s.labels.push_back(std::move(label));
}

void ManualLabelWriter::note(const std::string& text) { state_->result.notes.push_back(text); }

void ManualLabelWriter::unmatched(const std::string& structureName) { state_->result.unmatched.push_back(structureName); }

ManualLabelImportResult ManualLabelWriter::commit(const std::string& eventKind, const std::string& eventJson) {
    State& s = *state_;
    SqliteDatabase& database = s.store.database();
    SqliteTransaction transaction(database);
    const std::string now = ProjectStore::now();
    for (const StagedLabel& label : s.labels) {
        const LabelExtent& e = label.extent;
        SqliteStatement insert(database,
                               "INSERT INTO label_versions (scan_id, organ_id, version, file, sha256, voxel_count, box, "
                               "source, provenance, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'import', ?8, ?9)");
        insert.bind(1, s.scan.id).bind(2, label.organIndex).bind(3, label.version).bind(4, label.file)
            .bind(5, label.sha256).bind(6, std::int64_t(e.voxelCount))
            .bind(7, boxToJson({e.first[0], e.first[1], e.first[2], e.last[0] + 1, e.last[1] + 1, e.last[2] + 1}))
            .bind(8, label.provenanceJson).bind(9, now);
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
        cell.bind(1, s.scan.id).bind(2, label.organIndex).bind(3, versionId).bind(4, now);
        cell.run();
        s.result.imported.emplace_back(label.structureName, s.schema.byIndex(label.organIndex)->name);
    }
    s.store.addEvent(eventKind, eventJson);
    transaction.commit();
    s.staged.commit();
    return s.result;
}

}  // namespace ipnp
