#pragma once
// One training at a time per user and machine: what the CPU budget of a training assumes. Two
// LibTorch trainings on the same cores do not share them gracefully: measured on 2 cores, an
// `ipnp train` beside a running demo took 3.9 s per iteration instead of 0.12-0.16, and the demo
// slowed from 20 to 30 minutes (both processes' OpenMP threads spinning on the same cores). A
// person who starts a round in IPnP Studio while a CLI loop runs should hear of it, not wait
// for a training that crawls: SpecialistTraining claims the slot and warns when someone else has it.
//
// The slot is an advisory lock (flock) on a file in the user's runtime folder ($XDG_RUNTIME_DIR,
// else /tmp): the system drops it when its holder exits or crashes, so it never goes stale. The
// holder writes who it is into the file; a claimant that finds the slot taken reads that back.
#include <string>

namespace ipnp {

class TrainingSlot {
public:
    // Claims the slot at `lockPath` without waiting; `holder` says who claims it (shown to others).
    TrainingSlot(const std::string& lockPath, const std::string& holder);
    ~TrainingSlot();
    TrainingSlot(const TrainingSlot&) = delete;
    TrainingSlot& operator=(const TrainingSlot&) = delete;

    // True when this object holds the slot (also when the lock file cannot be made at all: then
    // nobody can be warned, and training goes on as before).
    bool held() const { return held_; }
    // Who holds it when held() is false (what that holder wrote; "another process" if nothing).
    const std::string& otherHolder() const { return otherHolder_; }

    // $XDG_RUNTIME_DIR/ipnp-training.lock, else /tmp/ipnp-training-<uid>.lock.
    static std::string defaultLockPath();

private:
    int fd_ = -1;
    bool held_ = true;
    std::string otherHolder_;
};

}  // namespace ipnp
