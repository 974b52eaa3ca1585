#pragma once
// A scan's labels as they stood after each round: the time-lapse of the pseudo-labels growing.
// After round k, an organ shows the manual label, else its latest candidate from rounds 1..k
// (rolled-back rounds left out): solid when that candidate was accepted (as edited, if it was),
// pending (drawn hatched) when it was still waiting or was later replaced, nothing when rejected
// or absent. Round 0 is the partial labels before any round.
#include <cstdint>
#include <vector>

#include "ProjectStore.h"
#include "Volume.h"

namespace ipnp {

struct LabelsAtRound {
    int round = 0;
    LabelMap labels;   // manual + accepted
    LabelMap pending;  // proposed, not (yet) accepted
};

// Round numbers that reached review, ascending (rolled-back rounds left out).
std::vector<int> reviewedRounds(ProjectStore& store);

// Throws ipnp::Error naming a missing or damaged label file.
LabelsAtRound labelsAfterRound(ProjectStore& store, const ScanRecord& scan, int round);

}  // namespace ipnp
