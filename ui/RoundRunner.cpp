#include "RoundRunner.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "Error.h"
#include "ProjectRounds.h"
#include "ProjectStore.h"
#include "SpecialistTraining.h"
#include "TrainingRuns.h"

namespace ipnp {

RoundRunner::RoundRunner(RoundFactories factories, QObject* parent) : QObject(parent), factories_(std::move(factories)) {}

RoundRunner::~RoundRunner() {
    stop_ = true;
    join();
}

void RoundRunner::join() {
    if (worker_.joinable()) worker_.join();
}

bool RoundRunner::launch(std::function<void()> job) {
    if (running_) return false;
    join();  // the previous worker has signalled its end; reap it
    stop_ = false;
    cancelRequested_ = false;
    running_ = true;
    try {
        worker_ = std::thread([job = std::move(job)] {
            // Background work yields to the person at the screen: a lower priority for this thread,
            // which LibTorch's compute threads (created from it) inherit. On two cores, at equal
            // priority the GUI thread waited 100+ ms for a turn while a round trained
            // (bench/GuiResponsivenessBench).
            setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
            job();
        });
    } catch (const std::system_error& error) {
        running_ = false;  // nothing runs: a later start must not be refused as "already running"
        throw Error(std::string("cannot start the worker thread: ") + error.what());
    } catch (...) {
        running_ = false;  // (out of memory for the thread's state)
        throw;
    }
    return true;
}

bool RoundRunner::start(const RoundRunRequest& request) {
    return launch([this, request] { work(request); });
}

bool RoundRunner::startEvaluation(const RoundRunRequest& request) {
    return launch([this, request] { evaluate(request); });
}

std::shared_ptr<const EvaluationReport> RoundRunner::lastEvaluation() const {
    const std::lock_guard<std::mutex> lock(evaluationMutex_);
    return lastEvaluation_;
}

std::string RoundRunner::lastEvaluationFolder() const {
    const std::lock_guard<std::mutex> lock(evaluationMutex_);
    return lastEvaluationFolder_;
}

void RoundRunner::pause() { stop_ = true; }

void RoundRunner::cancel() {
    cancelRequested_ = true;
    stop_ = true;
}

RoundCallbacks RoundRunner::callbacksFor(int round) {
    RoundCallbacks callbacks;
    callbacks.cancel = &stop_;
    callbacks.training.cancel = &stop_;
    callbacks.log = [this](const std::string& text) { Q_EMIT logLine(QString::fromStdString(text)); };
    callbacks.training.log = callbacks.log;
    callbacks.training.warning = [this](const std::string& text) { Q_EMIT warning(QString::fromStdString(text)); };
    callbacks.training.step = [this, round](const TrainingStep& step) {
        Q_EMIT trainingStep(round, step.iteration, step.iterations, step.loss, step.secondsPerIteration);
    };
    callbacks.progress = [this](std::size_t done, std::size_t total, const std::string& what) {
        Q_EMIT scanProgress(int(done), int(total), QString::fromStdString(what));
    };
    callbacks.generalistProgress = [this](std::size_t done, std::size_t total, const std::string& what) {
        Q_EMIT organProgress(int(done), int(total), QString::fromStdString(what));
    };
    return callbacks;
}

namespace {

// The round the next RoundEngine::run works on: the unfinished one, else one past the last; and
// whether it trains first (a new round, or one still in training) or goes on from its model (an
// earlier closing training's, which a round or an evaluation takes up without training again).
struct NextRound {
    int number = 1;
    bool trains = true;
};
NextRound nextRound(ProjectRounds& rounds) {
    if (const auto unfinished = rounds.unfinishedRound())
        return {unfinished->number, unfinished->stage == RoundStage::Training};
    NextRound next;
    for (const RoundRecord& r : rounds.history()) next.number = std::max(next.number, r.number + 1);
    return next;
}

}  // namespace

void RoundRunner::work(RoundRunRequest request) {
    QString outcome = "finished";
    try {
        const auto store = ProjectStore::open(request.projectFolder);
        ProjectRounds rounds(*store, request.user);
        const auto generalist = factories_.generalist(request.generalist, request.settings.training.device);
        for (int n = 0; n < request.rounds && !stop_; ++n) {
            const auto [number, trains] = nextRound(rounds);
            Q_EMIT roundStarted(number, trains);
            const auto specialist = factories_.specialist(request.settings.training);
            RoundEngine engine(rounds, *specialist, *generalist);
            // A stop during the round ends it with an error; a normal return is a complete round.
            const RoundSummary summary = engine.run(request.settings, callbacksFor(number));
            Q_EMIT roundFinished(summary.round, int(summary.candidates), int(summary.autoAccepted));
            Q_EMIT logLine(QString("round %1: %2 candidate(s) on %3 scan(s), %4 auto-accepted")
                               .arg(summary.round).arg(summary.candidates).arg(summary.scans).arg(summary.autoAccepted));
            if (request.settings.autoAccept && summary.autoAccepted == 0) {
                Q_EMIT logLine("nothing passed the auto-accept policy: the run stops here");
                break;
            }
        }
    } catch (const std::exception& error) {
        outcome = QString("failed: %1").arg(error.what());
    }
    finish(outcome, request, true);
}

void RoundRunner::evaluate(RoundRunRequest request) {
    QString outcome = "finished";
    try {
        const auto store = ProjectStore::open(request.projectFolder);
        requireTestTruth(*store);  // before anything trains
        ProjectRounds rounds(*store, request.user);
        // The model the labels give now: the closing training, as `ipnp loop` ends with.
        const auto [number, trains] = nextRound(rounds);
        Q_EMIT roundStarted(number, trains);
        Q_EMIT logLine(QString("evaluation: the model of the current labels (round %1)").arg(number));
        {
            const auto specialist = factories_.specialist(request.settings.training);
            const auto generalist = factories_.generalist(request.generalist, request.settings.training.device);
            RoundEngine(rounds, *specialist, *generalist).run(request.settings, callbacksFor(number), true);
        }
        if (stop_) throw Error("stopped");
        if (!TrainingRuns(*store).latestFinishedCheckpoint("reference")) {
            Q_EMIT roundStarted(0, true);
            Q_EMIT logLine("evaluation: the fully labeled reference (the same training budget)");
            const auto specialist = factories_.specialist(request.settings.training);
            trainReference(*store, *specialist, request.settings.training, callbacksFor(0).training);
        }
        if (stop_) throw Error("stopped");
        Q_EMIT logLine("evaluation: scoring every model on the test split");
        const auto specialist = factories_.specialist(request.settings.training);
        auto report = std::make_shared<EvaluationReport>(evaluateProject(
            *store, *specialist, [this](std::size_t done, std::size_t total, const std::string& what) {
                Q_EMIT scanProgress(int(done), int(total), QString::fromStdString(what));
            }));
        report->bf16 = request.settings.training.bf16;
        std::string folder;
        if (factories_.evaluationFiles) {
            folder = store->pathOf("reports");
            factories_.evaluationFiles(*store, *report, folder);
        }
        {
            const std::lock_guard<std::mutex> lock(evaluationMutex_);
            lastEvaluation_ = std::move(report);
            lastEvaluationFolder_ = folder;
        }
        Q_EMIT evaluated();
    } catch (const std::exception& error) {
        outcome = QString("failed: %1").arg(error.what());
    }
    // A cancelled evaluation keeps what it trained (the next one goes on from there).
    finish(outcome, request, false);
}

void RoundRunner::finish(QString outcome, const RoundRunRequest& request, bool rollBackOnCancel) {
    // A training stopped before its last checkpoint ends in an error: that is the pause itself.
    if (stop_) outcome = cancelRequested_ ? "cancelled" : "paused";
    if (cancelRequested_ && rollBackOnCancel) {
        try {
            const auto store = ProjectStore::open(request.projectFolder);
            ProjectRounds rounds(*store, request.user);
            if (const auto unfinished = rounds.unfinishedRound()) {
                rounds.rollback(unfinished->number);
                Q_EMIT logLine(QString("round %1 rolled back").arg(unfinished->number));
            }
        } catch (const std::exception& error) {
            outcome = QString("failed: %1").arg(error.what());
        }
    }
    running_ = false;
    Q_EMIT stopped(outcome);
}

}  // namespace ipnp
