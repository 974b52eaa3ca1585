#pragma once
// Runs IPnP rounds for the desktop app on a worker thread, with its own connection to the project:
// the same RoundEngine the CLI drives, its progress turned into Qt signals (delivered on the GUI
// thread). Pause stops at the next training iteration or scan and leaves the round to resume from
// its last checkpoint; cancel stops and rolls the unfinished round back. The specialist and the
// generalist come from factories, so this layer needs no LibTorch (the app wires the real ones).
// The same worker evaluates (DESIGN.md's evaluation, as `ipnp eval`), training first what the
// scores need and the project lacks.
#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "Generalist.h"
#include "ProjectEvaluation.h"
#include "RoundEngine.h"
#include "Specialist.h"

namespace ipnp {

struct RoundFactories {
    std::function<std::unique_ptr<Specialist>(const SpecialistSettings&)> specialist;
    // "builtin", or a TorchScript .pt with its contract, run on the device given ("cpu"/"cuda");
    // throws ipnp::Error naming the file.
    std::function<std::unique_ptr<Generalist>(const std::string& generalist, const std::string& device)> generalist;
    std::function<bool()> cudaAvailable;  // whether "cuda" can be offered as a device
    // Writes an evaluation's report files (JSON, Markdown, PNG plots) into a folder, as `ipnp eval`
    // does; unset: the app shows the results only.
    std::function<void(ProjectStore&, const EvaluationReport&, const std::string& folder)> evaluationFiles;
};

struct RoundRunRequest {
    std::string projectFolder;
    std::string user;
    RoundSettings settings;
    std::string generalist = "builtin";
    int rounds = 1;  // an unattended run stops early after a round that accepted nothing
};

class RoundRunner : public QObject {
    Q_OBJECT
public:
    explicit RoundRunner(RoundFactories factories, QObject* parent = nullptr);
    ~RoundRunner() override;  // pauses a running round and waits for the worker

    // False (and nothing starts) while a run is going on.
    bool start(const RoundRunRequest& request);
    // Evaluation on a project made with simulate-partial: the closing training (the model the
    // labels give now, as after `ipnp loop`; a round left in training is finished instead; none
    // when the unfinished round is already trained), the fully labeled reference unless one is
    // trained (an interrupted one resumes), both with the request's training settings, then
    // every model scored on the test split. `rounds` is ignored. Pause and cancel stop a training
    // at its next iteration (it resumes next time); `evaluated` comes before `stopped("finished")`.
    bool startEvaluation(const RoundRunRequest& request);
    // The report of the last evaluation that finished (null before one has), and the folder its
    // report files went to (the project's reports/; empty without RoundFactories::evaluationFiles).
    std::shared_ptr<const EvaluationReport> lastEvaluation() const;
    std::string lastEvaluationFolder() const;
    void pause();
    void cancel();
    bool running() const { return running_; }

Q_SIGNALS:
    // trains: false when the round goes on from a model trained before (a closing training's).
    void roundStarted(int round, bool trains);
    // round 0: the reference's training (an evaluation's).
    void trainingStep(int round, int iteration, int iterations, double loss, double secondsPerIteration);
    void scanProgress(int done, int total, const QString& what);    // specialist + prompts, per scan
    void organProgress(int done, int total, const QString& what);   // the generalist, per organ
    void logLine(const QString& text);
    void warning(const QString& text);  // a condition a person should act on (TrainingCallbacks::warning)
    void roundFinished(int round, int candidates, int autoAccepted);  // stored in the project
    void evaluated();  // lastEvaluation() holds the new report
    // "finished", "paused", "cancelled", or "failed: <why>".
    void stopped(const QString& outcome);

private:
    bool launch(std::function<void()> job);
    void work(RoundRunRequest request);
    void evaluate(RoundRunRequest request);
    RoundCallbacks callbacksFor(int round);
    // Sets the outcome (a stop while training ends in an error: that is the pause itself), rolls
    // an unfinished round back when cancelled, then signals the end.
    void finish(QString outcome, const RoundRunRequest& request, bool rollBackOnCancel);
    void join();

    RoundFactories factories_;
    std::thread worker_;
    std::atomic<bool> running_{false};
    std::atomic<bool> stop_{false};
    std::atomic<bool> cancelRequested_{false};
    mutable std::mutex evaluationMutex_;
    std::shared_ptr<const EvaluationReport> lastEvaluation_;
    std::string lastEvaluationFolder_;
};

}  // namespace ipnp
