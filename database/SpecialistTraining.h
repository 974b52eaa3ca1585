#pragma once
// Trains a specialist with the project's bookkeeping: a training run row, a checkpoint file per
// checkpoint (registered with its hash), and resumption of an interrupted run from its last
// checkpoint with the run's own settings. `ipnp train`, the rounds and the reference use it.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "Specialist.h"
#include "TrainingRuns.h"

namespace ipnp {

struct TrainingJob {
    std::string purpose = "specialist";  // specialist, round, reference
    std::int64_t resumeRunId = 0;        // 0: a new run
    // Called once the run exists (before the first iteration), e.g. to link it to a round; for a
    // new run inside the transaction that records it.
    std::function<void(std::int64_t runId)> runStarted;
};

struct TrainingResult {
    std::int64_t runId = 0;
    CheckpointRecord checkpoint;  // the final one
};

class SpecialistTraining {
public:
    explicit SpecialistTraining(ProjectStore& store) : store_(store) {}

    // For a resumed run, the settings stored with the run replace `settings` (except device,
    // threads and bf16: where it runs now). Marks the run
    // finished (or failed when training throws) and returns its final checkpoint.
    TrainingResult run(Specialist& specialist, const std::vector<SpecialistTrainingCase>& cases,
                       SpecialistSettings settings, const TrainingJob& job, const TrainingCallbacks& callbacks);

private:
    ProjectStore& store_;
};

// The fully labeled reference of the evaluation: manual labels plus the hidden truth of the
// training split, trained with `settings` (the modality taken from the training scans); an
// interrupted reference run resumes. Throws ipnp::Error when the project keeps no hidden truth.
TrainingResult trainReference(ProjectStore& store, Specialist& specialist, SpecialistSettings settings,
                              const TrainingCallbacks& callbacks);

}  // namespace ipnp
