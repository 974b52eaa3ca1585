#include "TrainingCases.h"

#include <algorithm>

#include "Error.h"
#include "ImageFile.h"
#include "ProjectExporter.h"
#include "SqliteDatabase.h"

namespace ipnp {

namespace {

// Selection masks of the scan's accepted, unedited pseudo-labels: 0 in `valid` where the
// candidate's region holds a voxel the specialist and the generalist disagreed on.
void applySelectionMasks(ProjectStore& store, const ScanRecord& scan, Mask& valid) {
    SqliteStatement rows(store.database(),
                         "SELECT d.selection_file, d.selection_sha256, d.box FROM coverage c "
                         "JOIN label_versions l ON l.id = c.label_version_id JOIN candidates d ON d.id = l.candidate_id "
                         "WHERE c.scan_id = ?1 AND c.state = 'pseudo-accepted' AND l.source = 'pseudo' "
                         "AND d.selection_file IS NOT NULL");
    rows.bind(1, scan.id);
    while (rows.step()) {
        const std::string path = store.pathOf(rows.columnText(0));
        requireRecordedHash(path, rows.columnText(1));
        const Mask selection = readLabelMap(path);
        const VoxelBox box = boxFromJson(rows.columnText(2));
        if (valid.voxelCount() == 0) valid = Mask(scan.geometry, 1);
        const auto& size = selection.size();
        for (std::size_t k = 0; k < size[2]; ++k)
            for (std::size_t j = 0; j < size[1]; ++j)
                for (std::size_t i = 0; i < size[0]; ++i)
                    if (!selection.at(i, j, k)) valid.at(box[0] + i, box[1] + j, box[2] + k) = 0;
    }
}

}  // namespace

std::vector<SpecialistTrainingCase> loadTrainingCases(ProjectStore& store, const ProgressCallback& progress,
                                                      TrainingLabels labels) {
    const CoverageMatrix coverage = store.coverageMatrix();
    const std::vector<ScanRecord> scans = store.scans();
    std::vector<SpecialistTrainingCase> cases;
    for (std::size_t row = 0; row < scans.size(); ++row) {
        const ScanRecord& scan = scans[row];
        if (scan.split != "train") continue;
        std::vector<int> known;
        bool anyLabel = false;
        const std::vector<LabelFileRecord> truth =
            labels == TrainingLabels::Reference ? store.truthLabels(scan.id) : std::vector<LabelFileRecord>{};
        for (std::size_t column = 0; column < coverage.organs().size(); ++column) {
            const int organ = coverage.organs()[column].index;
            CoverageState state = coverage.state(row, column);
            if (labels == TrainingLabels::Reference) {
                const bool inTruth = std::any_of(truth.begin(), truth.end(),
                                                 [&](const LabelFileRecord& r) { return r.organIndex == organ; });
                if (state != CoverageState::Manual && state != CoverageState::Absent)
                    state = inTruth ? CoverageState::Manual : CoverageState::Unknown;
            }
            if (isKnownForTraining(state)) known.push_back(organ);
            anyLabel = anyLabel || state == CoverageState::Manual || state == CoverageState::PseudoAccepted;
        }
        if (!anyLabel) continue;
        if (progress) progress(cases.size(), scans.size(), "reading " + scan.name);
        SpecialistTrainingCase item;
        item.name = scan.name;
        item.image = readScanVolume<float>(store, scan);
        if (labels == TrainingLabels::Reference) {
            std::vector<LabelFileRecord> records = truth;
            const std::vector<LabelFileRecord> current = store.currentLabels(scan.id);
            for (std::size_t column = 0; column < coverage.organs().size(); ++column)
                if (coverage.state(row, column) == CoverageState::Manual)
                    for (const LabelFileRecord& r : current)
                        if (r.organIndex == coverage.organs()[column].index) records.push_back(r);
            item.labels = composeLabelMap(store, scan, records);
        } else {
            item.labels = composeCurrentLabelMap(store, scan);
            applySelectionMasks(store, scan, item.valid);
        }
        item.labeledOrgans = known;
        cases.push_back(std::move(item));
    }
    return cases;
}

LabelMap composeTruthLabelMap(ProjectStore& store, const ScanRecord& scan) {
    return composeLabelMap(store, scan, store.truthLabels(scan.id));
}

}  // namespace ipnp
