#pragma once
// One IPnP round (DESIGN.md, "The method"): train the specialist on what is known, predict every
// training scan, prompt the generalist for each organ still to recover, build candidates with
// their selection masks and scores, and apply the unattended policy when asked. The CLI and the
// GUI both drive this class; where things are stored is the RoundRepository's business (database/
// implements it on the project), so the engine stays free of SQLite and LibTorch.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "CandidateSelection.h"
#include "Generalist.h"
#include "Progress.h"
#include "PromptBuilder.h"
#include "Specialist.h"

namespace ipnp {

struct RoundSettings {
    SpecialistSettings training;    // the same iteration budget for every round of a run
    PromptSettings prompts;
    bool autoAccept = false;        // unattended: apply `policy` to every candidate
    AutoAcceptPolicy policy;
    bool mirror = false;            // mirror test-time augmentation in the specialist's prediction
    // Each round's training starts from the previous round's specialist (same iteration budget),
    // as the method allows; off: every training starts from random weights.
    bool warmStart = true;
};

enum class RoundStage { Training, Prompting, Review, Closed, RolledBack };
const char* toString(RoundStage stage);
RoundStage roundStageFromString(const std::string& text);

struct RoundInfo {
    std::int64_t id = 0;
    int number = 0;
    RoundStage stage = RoundStage::Training;
    std::string checkpointFile;    // absolute path, once trained
    std::string checkpointSha256;
    // The settings the round began with (a resumed round finishes with them, not with the options
    // of the command that resumes it; where it runs — device, threads — comes from now).
    std::optional<RoundSettings> settings;
};

// `stored` with the machine-dependent parts of `now` (device, threads, bf16).
RoundSettings resumedRoundSettings(const RoundSettings& stored, const RoundSettings& now);

// A training scan with organs still to recover in this round (no candidate yet).
struct PromptTarget {
    std::int64_t scanId = 0;
    std::string scanName;
    std::vector<int> organs;
};

// The candidates of one scan, as the engine hands them to storage.
struct ScanCandidates {
    PromptTarget target;
    std::vector<Candidate> candidates;
    std::vector<bool> autoAccepted;  // per candidate: passed the unattended policy
};

class RoundRepository {
public:
    virtual ~RoundRepository() = default;
    // The latest round that has not reached review (killed or stopped after training), if any.
    // One that trained but has no candidate yet comes back to be trained again when the labels
    // changed since its training began (its model would not know them).
    virtual std::optional<RoundInfo> unfinishedRound() = 0;
    // Closes the previous round (its pending candidates stay pending until superseded) and opens
    // the next one. Throws ipnp::Error when nothing is left to pseudo-label and !trainingOnly.
    virtual RoundInfo beginRound(const RoundSettings& settings, const GeneralistIdentity& generalist, bool trainingOnly) = 0;
    // Trains the round's specialist, or resumes its interrupted training, with the project's
    // bookkeeping (training run, checkpoints); fills round.checkpoint* and moves it to Prompting.
    virtual void trainRound(RoundInfo& round, Specialist& specialist, const RoundSettings& settings,
                            const TrainingCallbacks& callbacks) = 0;
    // Training scans x organs to prompt that have no candidate of this round yet.
    virtual std::vector<PromptTarget> promptTargets(const RoundInfo& round) = 0;
    virtual FloatVolume readImage(std::int64_t scanId) = 0;
    // Manual and human-accepted labels of the scan (locked: never overwritten).
    virtual LabelMap lockedLabels(std::int64_t scanId) = 0;
    virtual std::optional<VolumeRange> labeledVolumes(int organ) = 0;
    // Stores one scan's candidates (and the auto-accepted decisions) all at once.
    virtual void saveCandidates(const RoundInfo& round, const GeneralistIdentity& generalist, const ScanCandidates& scan) = 0;
    virtual void finishPrompting(RoundInfo& round) = 0;
};

struct RoundCallbacks {
    TrainingCallbacks training;
    ProgressCallback progress;             // scan i of N: predicted, prompted and stored
    ProgressCallback generalistProgress;   // organ i of N within the scan being pseudo-labeled
    std::function<void(const std::string&)> log;
    const CancelFlag* cancel = nullptr;
};

struct RoundSummary {
    int round = 0;
    std::size_t scans = 0, candidates = 0, absent = 0, autoAccepted = 0;
    std::vector<std::string> skippedOrgans;  // organs the specialist has no output for
};

class RoundEngine {
public:
    RoundEngine(RoundRepository& repository, Specialist& specialist, Generalist& generalist)
        : repository_(repository), specialist_(specialist), generalist_(generalist) {}

    // Runs a new round, or finishes the interrupted one (resuming its training from the last
    // checkpoint and skipping scans that already have candidates). With trainingOnly, stops
    // after training (the closing training of a loop, which the evaluation scores).
    RoundSummary run(const RoundSettings& settings, const RoundCallbacks& callbacks, bool trainingOnly = false);

private:
    ScanCandidates candidatesOfScan(const PromptTarget& target, const RoundSettings& settings,
                                    const RoundCallbacks& callbacks, RoundSummary& summary);

    RoundRepository& repository_;
    Specialist& specialist_;
    Generalist& generalist_;
};

}  // namespace ipnp
