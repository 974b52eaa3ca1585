#include "PartialLabelProtocol.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "Error.h"

namespace ipnp {

namespace {

void validate(const std::vector<ScanLabels>& scans, const PartialLabelOptions& options) {
    if (!(options.testFraction >= 0 && options.testFraction < 1))
        throw Error("--test-fraction must be in [0, 1), got " + std::to_string(options.testFraction));
    if (options.keepFraction.has_value() == options.groups.has_value())
        throw Error("give exactly one of --keep-fraction and --groups");
    if (options.keepFraction && !(*options.keepFraction > 0 && *options.keepFraction <= 1))
        throw Error("--keep-fraction must be in (0, 1], got " + std::to_string(*options.keepFraction));
    if (options.groups && *options.groups < 1)
        throw Error("--groups must be at least 1, got " + std::to_string(*options.groups));
    if (scans.empty()) throw Error("the project has no scans to split");
}

std::vector<int> hideByKeepFraction(const ScanLabels& scan, double keepFraction, SeededRandom& random) {
    std::vector<int> organs = scan.labeledOrgans;
    if (organs.empty()) return {};
    random.shuffle(organs);
    const auto keep = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(keepFraction * organs.size())));
    std::vector<int> hidden(organs.begin() + std::min(keep, organs.size()), organs.end());
    std::sort(hidden.begin(), hidden.end());
    return hidden;
}

}  // namespace

PartialLabelPlan planPartialLabels(const std::vector<ScanLabels>& scans, const PartialLabelOptions& options) {
    validate(scans, options);
    SeededRandom random(options.seed);
    PartialLabelPlan plan;
    plan.isTest.assign(scans.size(), false);
    plan.hidden.assign(scans.size(), {});

    std::vector<std::size_t> order(scans.size());
    std::iota(order.begin(), order.end(), 0);
    random.shuffle(order);
    const auto testCount = static_cast<std::size_t>(std::lround(options.testFraction * scans.size()));
    if (testCount >= scans.size())
        throw Error("--test-fraction " + std::to_string(options.testFraction) + " leaves no training scan");
    for (std::size_t n = 0; n < testCount; ++n) plan.isTest[order[n]] = true;
    std::vector<std::size_t> training(order.begin() + testCount, order.end());
    std::sort(training.begin(), training.end());

    if (options.keepFraction) {
        for (std::size_t scan : training)
            plan.hidden[scan] = hideByKeepFraction(scans[scan], *options.keepFraction, random);
        return plan;
    }

    // Groups: like sites that each label their own subset of organs. The organs seen in the
    // dataset are shuffled into G groups of near-equal size; training scans take groups in turn.
    std::set<int> seen;
    for (const ScanLabels& scan : scans) seen.insert(scan.labeledOrgans.begin(), scan.labeledOrgans.end());
    std::vector<int> organs(seen.begin(), seen.end());
    const auto groupCount = static_cast<std::size_t>(*options.groups);
    if (groupCount > organs.size())
        throw Error("--groups " + std::to_string(groupCount) + " is more than the " + std::to_string(organs.size()) +
                    " organs labeled in the dataset");
    random.shuffle(organs);
    std::vector<std::size_t> groupOf(256, 0);
    for (std::size_t n = 0; n < organs.size(); ++n) groupOf[organs[n]] = n * groupCount / organs.size();
    std::vector<std::size_t> shuffledTraining = training;
    random.shuffle(shuffledTraining);
    for (std::size_t turn = 0; turn < shuffledTraining.size(); ++turn) {
        const std::size_t scan = shuffledTraining[turn];
        const std::size_t group = turn % groupCount;
        for (int organ : scans[scan].labeledOrgans)
            if (groupOf[organ] != group) plan.hidden[scan].push_back(organ);
        std::sort(plan.hidden[scan].begin(), plan.hidden[scan].end());
    }
    return plan;
}

}  // namespace ipnp
