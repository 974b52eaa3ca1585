#pragma once
// The IPnP rounds of a project: the RoundRepository the round engine runs on (rounds, candidates
// with their mask and selection files, auto-accepted decisions), the review of candidates, the
// history and the rollback. Every change that spans rows is one transaction; files are in place
// (written atomically) before the rows that name them.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "Error.h"
#include "ProjectStore.h"
#include "RoundEngine.h"

namespace ipnp {

struct CandidateRecord {
    std::int64_t id = 0;
    int round = 0;  // round number
    std::int64_t scanId = 0;
    std::string scanName;
    int organIndex = 0;
    std::string organName;
    bool absent = false;
    std::string file, selectionFile;  // relative; empty when absent
    VoxelBox box{};
    std::int64_t voxelCount = 0;
    std::string status;   // pending, accepted, rejected, superseded
    std::string promptsJson, scoresJson, generalistJson, checkpointSha256, createdAt;
    double dice = 0;      // specialist-generalist Dice from the scores (for sorting)
    // A mask candidate with no voxel (the generalist found nothing, or overlaps took every voxel):
    // never accepted as it is.
    bool emptyMask() const { return !absent && voxelCount == 0; }
};

struct RoundRecord {
    std::int64_t id = 0;
    int number = 0;
    RoundStage stage = RoundStage::Training;
    std::int64_t runId = 0;  // 0 before training started
    std::string checkpointSha256, settingsJson, generalistJson, startedAt, finishedAt;
    std::size_t pending = 0, accepted = 0, rejected = 0, superseded = 0, absent = 0;
};

enum class ReviewAction { Accept, Reject, AcceptEdited, AutoAccept };

class ProjectRounds : public RoundRepository {
public:
    explicit ProjectRounds(ProjectStore& store, std::string user = "");

    // RoundRepository
    std::optional<RoundInfo> unfinishedRound() override;
    RoundInfo beginRound(const RoundSettings& settings, const GeneralistIdentity& generalist, bool trainingOnly) override;
    void trainRound(RoundInfo& round, Specialist& specialist, const RoundSettings& settings,
                    const TrainingCallbacks& callbacks) override;
    std::vector<PromptTarget> promptTargets(const RoundInfo& round) override;
    FloatVolume readImage(std::int64_t scanId) override;
    LabelMap lockedLabels(std::int64_t scanId) override;
    std::optional<VolumeRange> labeledVolumes(int organ) override;
    void saveCandidates(const RoundInfo& round, const GeneralistIdentity& generalist, const ScanCandidates& scan) override;
    void finishPrompting(RoundInfo& round) override;

    // Scan x organ cells still to pseudo-label (no manual label, not absent, no human-accepted one).
    std::size_t cellsToPseudoLabel();

    // Review. Throws ipnp::Error (project unchanged) for an unknown or already decided candidate,
    // for an edited mask that does not fit the scan or is empty, and for accepting as it is a mask
    // candidate whose mask is empty (the generalist found nothing, or every voxel went to another
    // organ when overlaps were resolved: a label with no voxel would say the organ is there and has
    // no voxel; reject it, or accept an edited mask).
    std::vector<CandidateRecord> candidates(const std::string& status = "pending");
    std::vector<CandidateRecord> candidatesOfScan(std::int64_t scanId, const std::string& status = "pending");
    std::optional<CandidateRecord> candidate(std::int64_t id);
    void accept(std::int64_t candidateId);
    void reject(std::int64_t candidateId);
    void acceptEdited(std::int64_t candidateId, const std::string& maskFile);
    // Several decisions at once, all or none: every candidate is checked first (it exists, is
    // pending, is named once), then every label file is written, then every decision recorded in one
    // transaction; on any failure the files written are deleted and the project stays as it was.
    // `decided` hears of each once all are on record.
    void decideAll(const std::vector<std::int64_t>& acceptIds, const std::vector<std::int64_t>& rejectIds,
                   const std::function<void(std::int64_t id, bool accepted)>& decided = {});
    // Accepts every pending mask candidate with specialist-generalist Dice >= threshold and a
    // mask that is not empty (all or none, as decideAll); returns them.
    std::vector<std::int64_t> acceptAllAbove(double threshold, bool dryRun = false);

    std::vector<RoundRecord> history();
    // Returns the labels to their state before round `number`: the coverage changes of that round
    // and later ones are undone, their labels marked superseded, their pending candidates
    // superseded and the rounds marked rolled back. Decisions stay on record.
    void rollback(int number);

private:
    // Why no cell is left to pseudo-label: all are decided, no training scan has a label, or the
    // organs still unknown are labeled nowhere.
    Error nothingToPseudoLabel();
    // The candidate; throws ipnp::Error when there is none.
    CandidateRecord requireCandidate(std::int64_t id);
    // Throws ipnp::Error naming the candidate when it is decided already.
    void requirePending(const CandidateRecord& c) const;
    void requireAcceptableAsItIs(const CandidateRecord& c) const;
    // Whether the round trained, has no candidate yet, and the labels changed after its training began.
    bool trainedBeforeLabelsChanged(std::int64_t roundId);
    // Decides the round's pending candidates whose stored scores say the unattended policy passed them.
    void completeAutoAccepted(const RoundInfo& round);
    void decide(const CandidateRecord& candidate, ReviewAction action, const std::string& editedMask);
    // A decision's label file (for an accepted mask candidate; none otherwise), written before its
    // rows under a name of its own (`staged`), so that a transaction records any number of
    // decisions; recordDecision moves it to its version's name (`file`) under the write lock.
    struct StagedLabel {
        std::string staged;        // absolute; empty: none, or placed
        std::string file, sha256;  // relative, once placed
        VoxelBox box{};
        std::int64_t voxelCount = 0;
        int version = 0;
    };
    StagedLabel stageLabel(const CandidateRecord& candidate, ReviewAction action, const std::string& editedMask);
    void discardStaged(const StagedLabel& label);
    // The decision's rows (label version, decision, status, coverage, event) and its label file's
    // place; the caller holds the transaction (and, when it fails, discards the label). Throws
    // ipnp::Error when the candidate was decided meanwhile.
    void recordDecision(const CandidateRecord& candidate, ReviewAction action, StagedLabel& label,
                        const std::string& time);
    void changeCoverage(std::int64_t roundId, std::int64_t scanId, int organ, CoverageState state,
                        std::optional<std::int64_t> labelVersionId);
    std::int64_t roundIdOf(int number);

    ProjectStore& store_;
    std::string user_;
};

const char* toString(ReviewAction action);

// The training settings of the project's first live round (every round, and the reference, train
// with the same budget unless a person says otherwise); nullopt before the first round.
std::optional<SpecialistSettings> firstRoundTrainingSettings(ProjectStore& store, const SpecialistSettings& defaults);

// How the project's rounds train: the first live round's settings, else the ones saved for the
// rounds (ProjectSettings::roundTraining); nullopt when neither exists. What a command without
// training options of its own follows (the next round, the reference, the evaluation's precision).
std::optional<SpecialistSettings> roundsTrainingSettings(ProjectStore& store, const SpecialistSettings& defaults);

}  // namespace ipnp
