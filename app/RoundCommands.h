#pragma once
// `ipnp round`, `ipnp loop`, `ipnp review`, `ipnp rounds` and `ipnp eval`: the IPnP loop on a
// project, plus the pieces the demo reuses.
#include <memory>
#include <string>

#include "Generalist.h"
#include "ProjectEvaluation.h"
#include "ProjectStore.h"
#include "RoundEngine.h"

namespace CLI {
class App;
class Option;
}

namespace ipnp {

void addRoundCommands(CLI::App& app, std::string& projectOption);

// The auto-accept policy's `--volume-widening` with its check (a number, 0 or more), as `round`,
// `loop` and `demo` take it.
CLI::Option* addVolumeWideningOption(CLI::App& command, double& widening, const std::string& description);

// The round settings a project gives when a command names none: the rounds' training settings
// (roundsTrainingSettings, else `defaults`), the auto-accept policy's threshold and volume
// widening, and whether rounds warm-start. `round` and `loop` put their options on top.
RoundSettings projectRoundSettings(ProjectStore& store, const SpecialistSettings& defaults);

// "builtin" (or empty) -> the built-in generalist; a .pt path -> a TorchScript generalist under the
// contract in the JSON next to it, run on `device` (the rounds' device: "cpu" or "cuda"; the
// built-in one always runs on the CPU). Throws ipnp::Error naming the file.
std::unique_ptr<Generalist> openGeneralist(const std::string& option, const std::string& device);

// Rounds until `rounds` have run, or until a round accepts nothing (unattended), then the closing
// training that the evaluation scores as the last round's model. Progress on stderr.
struct LoopResult {
    int roundsRun = 0;
    bool stoppedEarly = false;
};
LoopResult runLoop(ProjectStore& store, const RoundSettings& settings, Generalist& generalist, int rounds);

// Trains the fully labeled reference with these settings (resuming an interrupted one).
void trainReference(ProjectStore& store, const SpecialistSettings& settings);

// Scores the project and writes evaluation.json, evaluation.md, test_dice.png and
// pseudo_label_dice.png into `folder`; returns the Markdown headline table.
std::string writeEvaluation(ProjectStore& store, const EvaluationReport& report, const std::string& folder);
// Predicts with bf16 autocast when `bf16` (or on CUDA), as the rounds' own predictions do.
EvaluationReport evaluate(ProjectStore& store, const std::string& device, int threads, bool bf16);

}  // namespace ipnp
