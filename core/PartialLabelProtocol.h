#pragma once
// The simulated partial-label setting (DESIGN.md, "Evaluation"): from a fully labeled dataset,
// pick a seeded test split that keeps its full truth, then hide organs in each training scan.
// Pure decisions, no files: the database layer applies the plan.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "SeededRandom.h"

namespace ipnp {

struct PartialLabelOptions {
    double testFraction = 0.2;                // share of scans held out for testing, 0 <= f < 1
    std::optional<double> keepFraction;       // keep this share of each training scan's organs, or
    std::optional<int> groups;                // split the organs into this many groups, one per scan
    std::uint64_t seed = 0;
};

struct ScanLabels {
    std::string name;
    std::vector<int> labeledOrgans;  // organ indices labeled in this scan
};

struct PartialLabelPlan {
    std::vector<bool> isTest;             // per scan
    std::vector<std::vector<int>> hidden; // per scan: organs whose labels go to the hidden truth
};

// Throws ipnp::Error for out-of-range options (the message names the option).
PartialLabelPlan planPartialLabels(const std::vector<ScanLabels>& scans, const PartialLabelOptions& options);


}  // namespace ipnp
