#pragma once
// What the views need to show one scan of a project: the image, its manual and accepted labels,
// and its pending pseudo-labels (with their candidates). Loaded on a worker thread, which opens
// its own connection to the project (one connection per thread).
#include <string>
#include <vector>

#include "ProjectRounds.h"
#include "ProjectStore.h"
#include "ScanVoxels.h"
#include "Volume.h"

namespace ipnp {

struct ScanDisplayData {
    ScanRecord scan;
    ScanVoxels image;
    LabelMap labels;    // manual and accepted, organ index per voxel
    // Pending candidates' masks, organ index per voxel; empty (no voxels) when the scan has none.
    LabelMap pending;
    // Where specialist and generalist disagree inside a pending candidate's region (its selection
    // mask is 0 there: those voxels would not train the next round), organ index per voxel; empty
    // when there is no pending candidate with a selection mask.
    LabelMap disagreement;
    std::vector<CandidateRecord> pendingCandidates;
};

// Throws ipnp::Error naming the file for a missing or damaged scan or label file. Without
// `withImage` only the labels are read (after a decision changed them).
ScanDisplayData loadScanForDisplay(const std::string& projectFolder, std::int64_t scanId, bool withImage = true);

// One row of the scans list.
struct ScanSummary {
    ScanRecord scan;
    std::size_t manual = 0, accepted = 0, pending = 0, unknown = 0;  // organ cells in each state
};
std::vector<ScanSummary> scanSummaries(ProjectStore& store);

// The tooltip of a coverage cell: state, and for a label its source, version, round, decision,
// generalist and time (the provenance the database keeps).
std::string describeCoverageCell(ProjectStore& store, std::int64_t scanId, int organIndex);

}  // namespace ipnp
