#pragma once
// Applies the simulated partial-label protocol to a fully labeled project: test scans and the
// organs hidden from training scans move to truth/ (scoring only, never trained on) and their
// coverage becomes `unknown`. Applied once per project; recorded in the event log.
#include "PartialLabelProtocol.h"
#include "ProjectStore.h"

namespace ipnp {

struct PartialLabelSummary {
    std::size_t trainingScans = 0;
    std::size_t testScans = 0;
    std::size_t hiddenLabels = 0;  // labels of training scans moved to the hidden truth
    std::size_t keptLabels = 0;    // labels training may use
};

class PartialLabelSimulator {
public:
    explicit PartialLabelSimulator(ProjectStore& store) : store_(store) {}
    // Throws ipnp::Error (project unchanged) for bad options or a project already split.
    PartialLabelSummary apply(const PartialLabelOptions& options);

private:
    ProjectStore& store_;
};

}  // namespace ipnp
