#pragma once
// Specialist training runs and their checkpoints in the project database. A run keeps one
// checkpoint row, its latest: each checkpoint is a new file, the row moves to it in one
// transaction, then the previous file is deleted (a crash in between leaves only garbage).
#include <optional>
#include <functional>
#include <string>

#include "ProjectStore.h"

namespace ipnp {

struct TrainingRunRecord {
    std::int64_t id = 0;
    std::string settingsJson;
    std::string status;  // running, finished, failed
};

struct CheckpointRecord {
    std::int64_t id = 0;
    std::int64_t runId = 0;
    std::string file;  // relative to the project folder
    std::string sha256;
    int iteration = 0, iterations = 0;
    double loss = 0;
    std::string metricsJson;
};

class TrainingRuns {
public:
    explicit TrainingRuns(ProjectStore& store) : store_(store) {}

    // `withinTransaction` runs in the transaction that records the run (a round links it there:
    // a crash cannot leave a run that its round does not know).
    std::int64_t start(const std::string& settingsJson, std::size_t scans, const std::string& purpose = "specialist",
                       const std::function<void(std::int64_t runId)>& withinTransaction = {});
    // Hashes the file (already in place) and makes it the run's checkpoint; removes the previous one.
    CheckpointRecord recordCheckpoint(std::int64_t runId, const std::string& relativeFile, int iteration,
                                      int iterations, double loss);
    void setStatus(std::int64_t runId, const std::string& status);
    void setMetrics(std::int64_t checkpointId, const std::string& metricsJson);

    std::optional<TrainingRunRecord> run(std::int64_t runId);
    // The most recent run of this purpose (specialist, round, reference) that stopped before its
    // last iteration (killed or cancelled).
    std::optional<TrainingRunRecord> latestUnfinished(const std::string& purpose = "specialist");
    std::optional<CheckpointRecord> checkpointOf(std::int64_t runId);
    // The checkpoint of the most recent finished run of this purpose; with "" of any purpose but
    // the reference (which trained on hidden truth and is for scoring only).
    std::optional<CheckpointRecord> latestFinishedCheckpoint(const std::string& purpose = "");

private:
    ProjectStore& store_;
};

}  // namespace ipnp
