#pragma once
// The specialist's training options, shared by `ipnp train`, `ipnp round`, `ipnp loop` and the demo.
#include <string>

#include "Specialist.h"

#include <vector>

namespace CLI {
class App;
class Option;
}

namespace ipnp {

struct TrainingOptions {
    SpecialistSettings settings;
    int patch = 64, threads = 0;
    bool noAugment = false, noDeepSupervision = false, bf16 = false, backgroundBaseline = false;
    std::string device = "cpu";
    std::vector<const CLI::Option*> given_;  // the options addTo() registered

    void addTo(CLI::App& command, bool withBaseline = true);
    // The settings with the flags applied.
    SpecialistSettings resolved() const;
    // `base` (e.g. the first round's settings) with only the options given on the command line
    // changed, and where it runs (--device, --threads) from the command line.
    SpecialistSettings appliedTo(SpecialistSettings base) const;
};

// Prints "[12/250] loss ... s/it ETA" on stderr.
void printTrainingStep(const TrainingStep& step);

}  // namespace ipnp
