#pragma once
// What the specialist learns from, read from a project: every training-split scan with at least
// one known label, its composed label map, and the organs known in it (manual, accepted, absent).
// Test-split scans and hidden truth are never read here.
#include <vector>

#include "Progress.h"
#include "ProjectStore.h"
#include "Specialist.h"

namespace ipnp {

std::vector<SpecialistTrainingCase> loadTrainingCases(ProjectStore& store, const ProgressCallback& progress = {});

// The hidden truth of a scan (truth/) as one label map, for scoring only.
LabelMap composeTruthLabelMap(ProjectStore& store, const ScanRecord& scan);

}  // namespace ipnp
