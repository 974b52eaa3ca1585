#include "TrainingCases.h"

#include "ImageFile.h"
#include "ProjectExporter.h"
#include "Sha256.h"
#include "Error.h"

namespace ipnp {

std::vector<SpecialistTrainingCase> loadTrainingCases(ProjectStore& store, const ProgressCallback& progress) {
    const CoverageMatrix coverage = store.coverageMatrix();
    const std::vector<ScanRecord> scans = store.scans();
    std::vector<SpecialistTrainingCase> cases;
    for (std::size_t row = 0; row < scans.size(); ++row) {
        const ScanRecord& scan = scans[row];
        if (scan.split != "train") continue;
        std::vector<int> known;
        bool anyLabel = false;
        for (std::size_t column = 0; column < coverage.organs().size(); ++column) {
            const CoverageState state = coverage.state(row, column);
            if (isKnownForTraining(state)) known.push_back(coverage.organs()[column].index);
            anyLabel = anyLabel || state == CoverageState::Manual || state == CoverageState::PseudoAccepted;
        }
        if (!anyLabel) continue;
        if (progress) progress(cases.size(), scans.size(), "reading " + scan.name);
        SpecialistTrainingCase item;
        item.name = scan.name;
        const std::string volume = store.pathOf(scan.file);
        if (Sha256::ofFile(volume) != scan.fileSha256)
            throw Error(volume, "content does not match the SHA-256 the project recorded (changed or damaged on disk)");
        item.image = readVolume<float>(volume);
        item.labels = composeCurrentLabelMap(store, scan);
        item.labeledOrgans = known;
        cases.push_back(std::move(item));
    }
    return cases;
}

LabelMap composeTruthLabelMap(ProjectStore& store, const ScanRecord& scan) {
    return composeLabelMap(store, scan, store.truthLabels(scan.id));
}

}  // namespace ipnp
