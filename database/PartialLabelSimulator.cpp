#include "PartialLabelSimulator.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "AtomicFile.h"
#include "Error.h"

namespace ipnp {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct LabelToHide {
    std::int64_t scanId;
    LabelFileRecord label;
    std::string truthFile;  // relative
};

// A second name for the same bytes (no copy); falls back to copying across file systems.
void linkOrCopy(const std::string& source, const std::string& destination) {
    std::error_code ec;
    fs::remove(destination, ec);
    fs::create_hard_link(source, destination, ec);
    if (ec) copyFileAtomically(source, destination);
}

}  // namespace

PartialLabelSummary PartialLabelSimulator::apply(const PartialLabelOptions& options) {
    SqliteDatabase& database = store_.database();
    if (database.queryInt("SELECT count(*) FROM truth") > 0)
        throw Error(store_.pathOf(ProjectStore::kDatabaseFileName),
                    "the partial-label protocol was already applied to this project (truth/ holds hidden labels)");

    const std::vector<ScanRecord> scans = store_.scans();
    std::vector<ScanLabels> scanLabels;
    std::vector<std::vector<LabelFileRecord>> labelsOf;
    for (const ScanRecord& scan : scans) {
        ScanLabels entry{scan.name, {}};
        labelsOf.push_back(store_.currentLabels(scan.id));
        for (const LabelFileRecord& label : labelsOf.back()) entry.labeledOrgans.push_back(label.organIndex);
        scanLabels.push_back(std::move(entry));
    }
    const PartialLabelPlan plan = planPartialLabels(scanLabels, options);

    PartialLabelSummary summary;
    std::vector<LabelToHide> toHide;
    for (std::size_t n = 0; n < scans.size(); ++n) {
        (plan.isTest[n] ? summary.testScans : summary.trainingScans)++;
        for (const LabelFileRecord& label : labelsOf[n]) {
            const bool hidden = plan.isTest[n] || std::find(plan.hidden[n].begin(), plan.hidden[n].end(),
                                                            label.organIndex) != plan.hidden[n].end();
            if (!hidden) {
                ++summary.keptLabels;
                continue;
            }
            if (!plan.isTest[n]) ++summary.hiddenLabels;
            toHide.push_back({scans[n].id, label,
                              "truth/" + scans[n].name + "/" + std::to_string(label.organIndex) + ".nii.gz"});
        }
    }

    // Files first (new names only; nothing the database names is touched), then one transaction.
    std::vector<std::string> linked;
    try {
        for (const LabelToHide& item : toHide) {
            const std::string destination = store_.pathOf(item.truthFile);
            fs::create_directories(fs::path(destination).parent_path());
            linkOrCopy(store_.pathOf(item.label.file), destination);
            linked.push_back(destination);
        }
        SqliteTransaction transaction(database);
        SqliteStatement insertTruth(database, "INSERT INTO truth (scan_id, organ_id, file, sha256, voxel_count, box) "
                                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        SqliteStatement clearCoverage(database,
                                      "UPDATE coverage SET state = 'unknown', label_version_id = NULL, updated_at = ?3 "
                                      "WHERE scan_id = ?1 AND organ_id = ?2");
        SqliteStatement dropVersion(database, "DELETE FROM label_versions WHERE id = ?1");
        const std::string now = ProjectStore::now();
        for (const LabelToHide& item : toHide) {
            insertTruth.bind(1, item.scanId).bind(2, item.label.organIndex).bind(3, item.truthFile)
                .bind(4, item.label.sha256).bind(5, item.label.voxelCount).bind(6, boxToJson(item.label.box));
            insertTruth.run();
            clearCoverage.bind(1, item.scanId).bind(2, item.label.organIndex).bind(3, now);
            clearCoverage.run();
            dropVersion.bind(1, item.label.id);
            dropVersion.run();
        }
        SqliteStatement markTest(database, "UPDATE scans SET split = 'test' WHERE id = ?1");
        for (std::size_t n = 0; n < scans.size(); ++n)
            if (plan.isTest[n]) {
                markTest.bind(1, scans[n].id);
                markTest.run();
            }
        json detail = {{"test_fraction", options.testFraction}, {"seed", options.seed},
                       {"test_scans", summary.testScans},       {"hidden_labels", summary.hiddenLabels}};
        if (options.keepFraction) detail["keep_fraction"] = *options.keepFraction;
        if (options.groups) detail["groups"] = *options.groups;
        store_.addEvent("simulate-partial", detail.dump());
        transaction.commit();
    } catch (...) {
        std::error_code ignored;
        for (const std::string& path : linked) fs::remove(path, ignored);
        throw;
    }
    // Committed: the old label files are now garbage; remove them (a crash here only leaves garbage).
    std::error_code ignored;
    for (const LabelToHide& item : toHide) fs::remove(store_.pathOf(item.label.file), ignored);
    return summary;
}

}  // namespace ipnp
