#pragma once
// The simulated partial-label setting (DESIGN.md, "Evaluation"): from a fully labeled dataset,
// pick a seeded test split that keeps its full truth, then hide organs in each training scan.
// Pure decisions, no files: the database layer applies the plan.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

// A random generator whose sequence is the same on every platform (std::shuffle is not).
class SeededRandom {
public:
    explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next();                        // splitmix64
    std::size_t below(std::size_t bound);        // uniform in [0, bound)
    double uniform();                            // uniform in [0, 1)
    template <typename T>
    void shuffle(std::vector<T>& items) {
        for (std::size_t n = items.size(); n > 1; --n) std::swap(items[n - 1], items[below(n)]);
    }

private:
    std::uint64_t state_;
};

}  // namespace ipnp
