#pragma once
// Projects and candidates made for tests, so that every expectation follows from arithmetic: a
// phantom dataset imported and partially hidden by `simulate-partial`, candidates that are plain
// 4x4x4 boxes, and the coverage states read straight from SQLite.
#include <memory>
#include <string>
#include <vector>

#include "CandidateSelection.h"
#include "Generalist.h"
#include "ProjectStore.h"

namespace ipnp::test {

struct PhantomProjectOptions {
    int count = 4;
    std::size_t size = 24;     // voxels per axis
    double spacing = 6.0;      // mm
    double testFraction = 0.25;
    double keepFraction = 0.5;
    std::uint64_t seed = 3;    // simulate-partial's
};

// `folder`/phantoms (the dataset) and `folder`/project (amos15 schema, imported, partial labels).
std::unique_ptr<ProjectStore> makePhantomProject(const std::string& folder, const PhantomProjectOptions& options = {});

std::vector<ScanRecord> trainingScans(ProjectStore& store);
// The coverage state of one cell as the database spells it ("manual", "unknown", ...).
std::string stateOf(ProjectStore& store, std::int64_t scanId, int organ);
// The organs (ascending) whose cell of this scan is in `state`.
std::vector<int> organsInState(ProjectStore& store, std::int64_t scanId, const std::string& state);

// A candidate whose region is the 4x4x4 box at `first` on the scan's grid, mask = the whole box,
// selection = all ones but the first `disagreements` voxels in memory order.
Candidate boxCandidate(const ScanRecord& scan, int organ, Index3 first, double dice, std::size_t disagreements = 0);
// The generalist identity recorded with boxCandidate's candidates: made by hand, not by a
// generalist, and named so (a real generalist's name and version would be a false provenance).
GeneralistIdentity handMadeCandidates();

}  // namespace ipnp::test
