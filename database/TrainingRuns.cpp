#include "TrainingRuns.h"

#include <filesystem>

#include "Sha256.h"

namespace ipnp {

namespace {
const char* kCheckpointColumns = "SELECT id, run_id, file, sha256, iteration, iterations, loss, metrics FROM checkpoints ";

CheckpointRecord checkpointFrom(SqliteStatement& row) {
    CheckpointRecord record;
    record.id = row.columnInt(0);
    record.runId = row.columnInt(1);
    record.file = row.columnText(2);
    record.sha256 = row.columnText(3);
    record.iteration = static_cast<int>(row.columnInt(4));
    record.iterations = static_cast<int>(row.columnInt(5));
    record.loss = row.columnDouble(6);
    record.metricsJson = row.columnText(7);
    return record;
}

std::optional<TrainingRunRecord> runFrom(SqliteStatement& row) {
    if (!row.step()) return std::nullopt;
    return TrainingRunRecord{row.columnInt(0), row.columnText(1), row.columnText(2)};
}
}  // namespace

std::int64_t TrainingRuns::start(const std::string& settingsJson, std::size_t scans, const std::string& purpose,
                                 const std::function<void(std::int64_t)>& withinTransaction) {
    SqliteTransaction transaction(store_.database());
    SqliteStatement insert(store_.database(),
                           "INSERT INTO training_runs (started_at, settings, scans, status, purpose) "
                           "VALUES (?1, ?2, ?3, 'running', ?4)");
    insert.bind(1, ProjectStore::now()).bind(2, settingsJson).bind(3, static_cast<std::int64_t>(scans)).bind(4, purpose);
    insert.run();
    const std::int64_t id = store_.database().lastInsertId();
    if (withinTransaction) withinTransaction(id);
    store_.addEvent("train", "{\"run\": " + std::to_string(id) + "}");
    transaction.commit();
    return id;
}

CheckpointRecord TrainingRuns::recordCheckpoint(std::int64_t runId, const std::string& relativeFile, int iteration,
                                                int iterations, double loss) {
    CheckpointRecord record{0, runId, relativeFile, Sha256::ofFile(store_.pathOf(relativeFile)), iteration, iterations,
                            loss, "{}"};
    const std::optional<CheckpointRecord> previous = checkpointOf(runId);
    SqliteTransaction transaction(store_.database());
    SqliteStatement remove(store_.database(), "DELETE FROM checkpoints WHERE run_id = ?1");
    remove.bind(1, runId);
    remove.run();
    SqliteStatement insert(store_.database(),
                           "INSERT INTO checkpoints (run_id, file, sha256, iteration, iterations, loss, created_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert.bind(1, runId).bind(2, record.file).bind(3, record.sha256).bind(4, iteration).bind(5, iterations)
        .bind(6, loss).bind(7, ProjectStore::now());
    insert.run();
    record.id = store_.database().lastInsertId();
    transaction.commit();
    if (previous && previous->file != relativeFile) {
        std::error_code ignored;
        std::filesystem::remove(store_.pathOf(previous->file), ignored);
    }
    return record;
}

void TrainingRuns::setStatus(std::int64_t runId, const std::string& status) {
    SqliteStatement update(store_.database(), "UPDATE training_runs SET status = ?2 WHERE id = ?1");
    update.bind(1, runId).bind(2, status);
    update.run();
}

void TrainingRuns::setMetrics(std::int64_t checkpointId, const std::string& metricsJson) {
    SqliteStatement update(store_.database(), "UPDATE checkpoints SET metrics = ?2 WHERE id = ?1");
    update.bind(1, checkpointId).bind(2, metricsJson);
    update.run();
}

std::optional<TrainingRunRecord> TrainingRuns::run(std::int64_t runId) {
    SqliteStatement row(store_.database(), "SELECT id, settings, status FROM training_runs WHERE id = ?1");
    row.bind(1, runId);
    return runFrom(row);
}

std::optional<TrainingRunRecord> TrainingRuns::latestUnfinished(const std::string& purpose) {
    SqliteStatement row(store_.database(),
                        "SELECT r.id, r.settings, r.status FROM training_runs r JOIN checkpoints c ON c.run_id = r.id "
                        "WHERE r.status = 'running' AND c.iteration < c.iterations AND r.purpose = ?1 "
                        "ORDER BY r.id DESC LIMIT 1");
    row.bind(1, purpose);
    return runFrom(row);
}

std::optional<CheckpointRecord> TrainingRuns::checkpointOf(std::int64_t runId) {
    SqliteStatement row(store_.database(), std::string(kCheckpointColumns) + "WHERE run_id = ?1");
    row.bind(1, runId);
    if (!row.step()) return std::nullopt;
    return checkpointFrom(row);
}

std::optional<CheckpointRecord> TrainingRuns::latestFinishedCheckpoint(const std::string& purpose) {
    SqliteStatement row(store_.database(),
                        std::string(kCheckpointColumns) +
                            "WHERE run_id IN (SELECT id FROM training_runs WHERE status = 'finished' AND " +
                            (purpose.empty() ? std::string("purpose <> 'reference'") : "purpose = ?1") +
                            ") ORDER BY run_id DESC LIMIT 1");
    if (!purpose.empty()) row.bind(1, purpose);
    if (!row.step()) return std::nullopt;
    return checkpointFrom(row);
}

}  // namespace ipnp
