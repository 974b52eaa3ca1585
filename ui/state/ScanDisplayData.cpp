#include "ScanDisplayData.h"

#include <nlohmann/json.hpp>

#include "Error.h"
#include "ImageFile.h"
#include "LabelMaskOps.h"
#include "ProjectExporter.h"

namespace ipnp {

ScanDisplayData loadScanForDisplay(const std::string& projectFolder, std::int64_t scanId, bool withImage) {
    const auto store = ProjectStore::open(projectFolder);
    ProjectRounds rounds(*store);
    ScanDisplayData out;
    out.scan = store->requireScan(scanId);
    if (withImage) out.image = scanVoxelsFrom(readScanVoxels(*store, out.scan), store->pathOf(out.scan.file));
    out.labels = composeCurrentLabelMap(*store, out.scan);
    // Full-size overlays only for a scan that has pending masks: most scans have none.
    for (const CandidateRecord& c : rounds.candidatesOfScan(scanId, "pending")) {
        out.pendingCandidates.push_back(c);
        if (c.absent || c.file.empty()) continue;
        const LabelMap mask = readLabelMap(store->pathOf(c.file));
        if (out.pending.voxelCount() == 0) out.pending = LabelMap(out.scan.geometry, 0);
        pasteMask(out.pending, mask, {c.box[0], c.box[1], c.box[2]}, std::uint8_t(c.organIndex));
        if (c.selectionFile.empty()) continue;
        if (out.disagreement.voxelCount() == 0) out.disagreement = LabelMap(out.scan.geometry, 0);
        const LabelMap selection = readLabelMap(store->pathOf(c.selectionFile));
        const auto& size = selection.size();
        for (std::size_t k = 0; k < size[2]; ++k)
            for (std::size_t j = 0; j < size[1]; ++j)
                for (std::size_t i = 0; i < size[0]; ++i)
                    if (selection.at(i, j, k) == 0)
                        out.disagreement.at(std::size_t(c.box[0]) + i, std::size_t(c.box[1]) + j, std::size_t(c.box[2]) + k) =
                            std::uint8_t(c.organIndex);
    }
    return out;
}

std::vector<ScanSummary> scanSummaries(ProjectStore& store) {
    std::vector<ScanSummary> out;
    const CoverageMatrix matrix = store.coverageMatrix();
    const std::vector<ScanRecord> scans = store.scans();  // same order as the matrix rows (by id)
    for (std::size_t row = 0; row < scans.size() && row < matrix.scans().size(); ++row) {
        ScanSummary summary{scans[row]};
        for (std::size_t column = 0; column < matrix.organs().size(); ++column) {
            switch (matrix.state(row, column)) {
                case CoverageState::Manual: ++summary.manual; break;
                case CoverageState::PseudoAccepted: ++summary.accepted; break;
                case CoverageState::PseudoPending: ++summary.pending; break;
                case CoverageState::Unknown: case CoverageState::Rejected: ++summary.unknown; break;
                case CoverageState::Absent: break;
            }
        }
        out.push_back(std::move(summary));
    }
    return out;
}

std::string describeCoverageCell(ProjectStore& store, std::int64_t scanId, int organIndex) {
    using nlohmann::json;
    SqliteStatement row(store.database(),
                        "SELECT c.state, c.updated_at, l.version, l.source, l.provenance, l.created_at, l.voxel_count "
                        "FROM coverage c LEFT JOIN label_versions l ON l.id = c.label_version_id "
                        "WHERE c.scan_id = ?1 AND c.organ_id = ?2");
    row.bind(1, scanId).bind(2, organIndex);
    if (!row.step()) return "no such cell";
    std::string text = row.columnText(0) + " since " + row.columnText(1);
    if (row.columnText(3).empty()) return text;
    text += "\nlabel version " + std::to_string(row.columnInt(2)) + " (" + row.columnText(3) + ", " +
            std::to_string(row.columnInt(6)) + " voxels, " + row.columnText(5) + ")";
    const json provenance = json::parse(row.columnText(4), nullptr, false);
    if (provenance.is_object()) {
        if (provenance.contains("round")) text += "\nround " + provenance["round"].dump();
        if (provenance.contains("decision")) text += ", " + provenance.value("decision", std::string());
        if (provenance.contains("generalist") && provenance["generalist"].is_object())
            text += "\ngeneralist " + provenance["generalist"].value("name", std::string());
        if (provenance.contains("scores") && provenance["scores"].is_object())
            if (auto dice = provenance["scores"].find("specialist_generalist_dice"); dice != provenance["scores"].end() && dice->is_number())
                text += "\nspecialist-generalist Dice " + std::to_string(dice->get<double>()).substr(0, 5);
        if (provenance.contains("source_file")) text += "\nfrom " + provenance.value("source_file", std::string());
    }
    return text;
}

}  // namespace ipnp
