#include "SpecialistTraining.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "Error.h"
#include "SpecialistSettingsJson.h"
#include "SqliteDatabase.h"
#include "TrainingCases.h"
#include "TrainingSlot.h"

namespace ipnp {

TrainingResult SpecialistTraining::run(Specialist& specialist, const std::vector<SpecialistTrainingCase>& cases,
                                       SpecialistSettings settings, const TrainingJob& job,
                                       const TrainingCallbacks& userCallbacks) {
    if (cases.empty())
        throw Error(store_.folder(), "no training scan has a label: import label maps (or accept pseudo-labels) first");
    TrainingRuns runs(store_);
    TrainingResult result;
    std::string resumeFrom;
    if (job.resumeRunId != 0) {
        const auto run = runs.run(job.resumeRunId);
        if (!run) throw Error(store_.folder(), "training run " + std::to_string(job.resumeRunId) + " does not exist");
        result.runId = run->id;
        // The run's own settings, except where it runs now (another machine may resume it).
        const SpecialistSettings here = settings;
        settings = specialistSettingsFromJson(run->settingsJson, settings);
        settings.device = here.device;
        settings.threads = here.threads;
        settings.bf16 = here.bf16;
        // Killed before its first checkpoint: it starts again from scratch under the same run.
        if (const auto checkpoint = runs.checkpointOf(run->id)) resumeFrom = store_.pathOf(checkpoint->file);
    }
    // A bad value fails here, before anything is recorded, not inside the network.
    checkSpecialistSettings(settings);
    specialist.checkDevice(settings.device);
    if (job.resumeRunId == 0) {
        // The run, its purpose and its link (a round's) are recorded in one transaction.
        result.runId = runs.start(specialistSettingsToJson(settings), cases.size(), job.purpose, job.runStarted);
    } else if (job.runStarted) {
        job.runStarted(result.runId);
    }

    TrainingCallbacks callbacks = userCallbacks;
    callbacks.checkpointPath = [&](int iteration) {
        char name[64];
        std::snprintf(name, sizeof name, "checkpoints/run%03lld_iter%06d.pt", static_cast<long long>(result.runId), iteration);
        return store_.pathOf(name);
    };
    std::optional<CheckpointRecord> last;
    callbacks.checkpointWritten = [&](const std::string& path, int iteration, double loss) {
        last = runs.recordCheckpoint(result.runId, std::filesystem::relative(path, store_.folder()).string(), iteration,
                                     settings.iterations, loss);
        if (userCallbacks.checkpointWritten) userCallbacks.checkpointWritten(path, iteration, loss);
    };
    // Another training on this machine makes both crawl (TrainingSlot.h): say so, then train anyway.
    const TrainingSlot slot(TrainingSlot::defaultLockPath(), "pid " + std::to_string(::getpid()) + ", " + job.purpose +
                                                                 " training of " + store_.folder());
    if (!slot.held()) {
        const std::string warning = "another IPnP training is running on this machine (" + slot.otherHolder() +
                                    "): sharing its cores, both run many times slower; stop one of them";
        if (userCallbacks.warning) userCallbacks.warning(warning);
        else if (userCallbacks.log) userCallbacks.log("warning: " + warning);
    }
    // The run records where its weights started relative to the project (it may move); the
    // specialist gets the file's path.
    SpecialistSettings forSpecialist = settings;
    if (!settings.initialWeights.empty()) forSpecialist.initialWeights = store_.pathOf(settings.initialWeights);
    try {
        specialist.train(cases, forSpecialist, resumeFrom, callbacks);
    } catch (...) {
        runs.setStatus(result.runId, "failed");
        throw;
    }
    if (!last) last = runs.checkpointOf(result.runId);
    if (!last || last->iteration != settings.iterations) {
        // Paused or cancelled: the run stays "running", so the next training of its kind resumes it
        // from its last checkpoint. Ended early by itself: it failed.
        const bool stopped = userCallbacks.cancel && userCallbacks.cancel->load();
        if (!stopped) runs.setStatus(result.runId, "failed");
        throw Error(store_.folder(), "training run " + std::to_string(result.runId) + " ended without its final checkpoint");
    }
    runs.setStatus(result.runId, "finished");
    result.checkpoint = *last;
    return result;
}

TrainingResult trainReference(ProjectStore& store, Specialist& specialist, SpecialistSettings settings,
                              const TrainingCallbacks& callbacks) {
    if (store.database().queryInt("SELECT COUNT(*) FROM truth") == 0)
        throw Error(store.folder(), "the reference needs hidden truth: make the project with `ipnp simulate-partial`");
    for (const ScanRecord& scan : store.scans())
        if (scan.split == "train") {
            settings.modality = scan.modality;
            break;
        }
    TrainingJob job;
    job.purpose = "reference";
    if (const auto run = TrainingRuns(store).latestUnfinished("reference")) job.resumeRunId = run->id;
    return SpecialistTraining(store).run(specialist, loadTrainingCases(store, {}, TrainingLabels::Reference), settings,
                                         job, callbacks);
}

}  // namespace ipnp
