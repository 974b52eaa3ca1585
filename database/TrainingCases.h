#pragma once
// What the specialist learns from, read from a project: every training-split scan with at least
// one known label, its composed label map, the organs known in it (manual, accepted, absent), and
// the selection mask of its accepted pseudo-labels (DESIGN.md step 4: the voxels of a candidate's
// region where specialist and generalist disagreed count for nothing). Test-split scans are never
// read here; hidden truth only for the fully labeled reference.
#include <vector>

#include "Progress.h"
#include "ProjectStore.h"
#include "Specialist.h"

namespace ipnp {

enum class TrainingLabels {
    Current,    // manual labels and accepted pseudo-labels: what IPnP trains on
    Reference,  // manual labels plus the hidden truth of the training split: the fully labeled reference
};

std::vector<SpecialistTrainingCase> loadTrainingCases(ProjectStore& store, const ProgressCallback& progress = {},
                                                      TrainingLabels labels = TrainingLabels::Current);

// The hidden truth of a scan (truth/) as one label map, for scoring only.
LabelMap composeTruthLabelMap(ProjectStore& store, const ScanRecord& scan);

}  // namespace ipnp
