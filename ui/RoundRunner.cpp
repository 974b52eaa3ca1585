#include "RoundRunner.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ProjectRounds.h"
#include "ProjectStore.h"

namespace ipnp {

RoundRunner::RoundRunner(RoundFactories factories, QObject* parent) : QObject(parent), factories_(std::move(factories)) {}

RoundRunner::~RoundRunner() {
    stop_ = true;
    join();
}

void RoundRunner::join() {
    if (worker_.joinable()) worker_.join();
}

bool RoundRunner::start(const RoundRunRequest& request) {
    if (running_) return false;
    join();  // the previous worker has signalled its end; reap it
    stop_ = false;
    cancelRequested_ = false;
    running_ = true;
    worker_ = std::thread([this, request] { work(request); });
    return true;
}

void RoundRunner::pause() { stop_ = true; }

void RoundRunner::cancel() {
    cancelRequested_ = true;
    stop_ = true;
}

void RoundRunner::work(RoundRunRequest request) {
    // Background work yields to the person at the screen: a lower priority for this thread, which
    // LibTorch's compute threads (created from it) inherit. On two cores, at equal priority the
    // GUI thread waited 100+ ms for a turn while a round trained (bench/GuiResponsivenessBench).
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
    QString outcome = "finished";
    try {
        const auto store = ProjectStore::open(request.projectFolder);
        ProjectRounds rounds(*store, request.user);
        const auto generalist = factories_.generalist(request.generalist);
        for (int n = 0; n < request.rounds && !stop_; ++n) {
            int number = 1;
            if (const auto unfinished = rounds.unfinishedRound()) number = unfinished->number;
            else
                for (const RoundRecord& r : rounds.history()) number = std::max(number, r.number + 1);
            Q_EMIT roundStarted(number);

            RoundCallbacks callbacks;
            callbacks.cancel = &stop_;
            callbacks.training.cancel = &stop_;
            callbacks.log = [this](const std::string& text) { Q_EMIT logLine(QString::fromStdString(text)); };
            callbacks.training.log = callbacks.log;
            callbacks.training.step = [this, number](const TrainingStep& step) {
                Q_EMIT trainingStep(number, step.iteration, step.iterations, step.loss, step.secondsPerIteration);
            };
            callbacks.progress = [this](std::size_t done, std::size_t total, const std::string& what) {
                Q_EMIT scanProgress(int(done), int(total), QString::fromStdString(what));
            };
            callbacks.generalistProgress = [this](std::size_t done, std::size_t total, const std::string& what) {
                Q_EMIT organProgress(int(done), int(total), QString::fromStdString(what));
            };
            const auto specialist = factories_.specialist(request.settings.training);
            RoundEngine engine(rounds, *specialist, *generalist);
            // A stop during the round ends it with an error; a normal return is a complete round.
            const RoundSummary summary = engine.run(request.settings, callbacks);
            Q_EMIT roundFinished(summary.round, int(summary.candidates), int(summary.autoAccepted));
            Q_EMIT logLine(QString("round %1: %2 candidate(s) on %3 scan(s), %4 auto-accepted")
                               .arg(summary.round).arg(summary.candidates).arg(summary.scans).arg(summary.autoAccepted));
            if (request.settings.autoAccept && summary.autoAccepted == 0) {
                Q_EMIT logLine("nothing passed the auto-accept policy: the run stops here");
                break;
            }
        }
    } catch (const std::exception& error) {
        // A training stopped before its last checkpoint ends in an error: that is the pause itself.
        if (!stop_) outcome = QString("failed: %1").arg(error.what());
    }
    if (stop_ && !outcome.startsWith("failed")) outcome = cancelRequested_ ? "cancelled" : "paused";
    if (cancelRequested_) {
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
