#include "ProjectRounds.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "AtomicFile.h"
#include "AtomicWrite.h"
#include "Error.h"
#include "ImageFile.h"
#include "LabelMaskOps.h"
#include "ProjectExporter.h"
#include "ProjectSettings.h"
#include "Sha256.h"
#include "SpecialistSettingsJson.h"
#include "SpecialistTraining.h"
#include "SqliteDatabase.h"
#include "TrainingCases.h"
#include "TrainingRuns.h"

namespace ipnp {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A pseudo-accepted label is locked (like a manual one) unless the unattended policy accepted it.
constexpr const char* kLockedCell =
    "(c.state = 'manual' OR (c.state = 'pseudo-accepted' AND NOT EXISTS ("
    "SELECT 1 FROM decisions d WHERE d.label_version_id = c.label_version_id AND d.action = 'auto-accept')))";

// Cells the next round pseudo-labels: unknown, rejected, pending, or accepted by the policy only,
// of organs some training scan has a label of (the specialist has no output for the others).
constexpr const char* kCellToPseudoLabel =
    "(c.state IN ('unknown', 'rejected', 'pseudo-pending') OR (c.state = 'pseudo-accepted' AND EXISTS ("
    "SELECT 1 FROM decisions d WHERE d.label_version_id = c.label_version_id AND d.action = 'auto-accept'))) "
    "AND EXISTS (SELECT 1 FROM coverage m JOIN scans ms ON ms.id = m.scan_id WHERE m.organ_id = c.organ_id "
    "AND ms.split = 'train' AND m.state IN ('manual', 'pseudo-accepted'))";

json identityToJson(const GeneralistIdentity& g) {
    return {{"name", g.name}, {"sha256", g.sha256}, {"contract", g.contract}};
}

json regionToJson(const VoxelRegion& r) {
    return json::array({r.first[0], r.first[1], r.first[2], r.end[0], r.end[1], r.end[2]});
}

json promptsToJson(const PromptSet& p) {
    json j = {{"organ", p.organ}, {"absent", p.absent}};
    if (p.absent) return j;
    j["box"] = regionToJson(p.box);
    j["region"] = regionToJson(p.region);
    j["positive_points"] = p.positivePoints;
    j["negative_points"] = p.negativePoints;
    json slices = json::array();
    for (const SliceBox& s : p.sliceBoxes) slices.push_back({s.k, s.i0, s.j0, s.i1, s.j1});
    j["slice_boxes"] = slices;
    return j;
}

// The scores, and the unattended policy's verdict when it passed the candidate: stored with the
// candidate in the same transaction, so a decision lost to a crash can be completed later.
json scoresToJson(const Candidate& c, bool autoAccepted) {
    json j = json::object();
    if (!c.prompt.absent) {
        j = {{"specialist_generalist_dice", c.scores.specialistGeneralistDice},
             {"mean_confidence", c.scores.meanConfidence},
             {"volume_ml", c.scores.volumeMl}};
        j["volume_plausibility"] = c.scores.volumePlausibility ? json(*c.scores.volumePlausibility) : json(nullptr);
    }
    if (autoAccepted) j["auto_accept"] = true;
    return j;
}

std::string roundFolder(int number) {
    char name[32];
    std::snprintf(name, sizeof name, "candidates/round%03d", number);
    return name;
}

std::string defaultUser() {
    const char* user = std::getenv("USER");
    return user && *user ? user : "unknown";
}

const char* kCandidateColumns =
    "SELECT x.id, r.number, x.scan_id, s.name, x.organ_id, o.name, x.kind, COALESCE(x.file, ''), "
    "COALESCE(x.selection_file, ''), COALESCE(x.box, '[0,0,0,0,0,0]'), x.voxel_count, x.status, x.prompts, x.scores, "
    "x.generalist, x.checkpoint_sha256, x.created_at "
    "FROM candidates x JOIN rounds r ON r.id = x.round_id JOIN scans s ON s.id = x.scan_id "
    "JOIN organs o ON o.id = x.organ_id ";

CandidateRecord candidateFrom(SqliteStatement& row) {
    CandidateRecord c;
    c.id = row.columnInt(0);
    c.round = int(row.columnInt(1));
    c.scanId = row.columnInt(2);
    c.scanName = row.columnText(3);
    c.organIndex = int(row.columnInt(4));
    c.organName = row.columnText(5);
    c.absent = row.columnText(6) == "absent";
    c.file = row.columnText(7);
    c.selectionFile = row.columnText(8);
    c.box = boxFromJson(row.columnText(9));
    c.voxelCount = row.columnInt(10);
    c.status = row.columnText(11);
    c.promptsJson = row.columnText(12);
    c.scoresJson = row.columnText(13);
    c.generalistJson = row.columnText(14);
    c.checkpointSha256 = row.columnText(15);
    c.createdAt = row.columnText(16);
    const json scores = json::parse(c.scoresJson, nullptr, false);
    c.dice = scores.is_object() ? scores.value("specialist_generalist_dice", 0.0) : 0.0;
    return c;
}

}  // namespace

std::optional<SpecialistSettings> firstRoundTrainingSettings(ProjectStore& store, const SpecialistSettings& defaults) {
    SqliteStatement row(store.database(),
                        "SELECT settings FROM rounds WHERE stage <> 'rolled-back' ORDER BY number LIMIT 1");
    if (!row.step()) return std::nullopt;
    return specialistSettingsFromJson(json::parse(row.columnText(0)).at("training").dump(), defaults);
}

std::optional<SpecialistSettings> roundsTrainingSettings(ProjectStore& store, const SpecialistSettings& defaults) {
    if (auto first = firstRoundTrainingSettings(store, defaults)) return first;
    return ProjectSettings(store).roundTraining(defaults);
}

const char* toString(ReviewAction action) {
    switch (action) {
        case ReviewAction::Accept: return "accept";
        case ReviewAction::Reject: return "reject";
        case ReviewAction::AcceptEdited: return "accept-edited";
        case ReviewAction::AutoAccept: return "auto-accept";
    }
    return "accept";
}

ProjectRounds::ProjectRounds(ProjectStore& store, std::string user)
    : store_(store), user_(user.empty() ? defaultUser() : std::move(user)) {}

namespace {

// The settings beginRound stored (the inverse of its JSON).
RoundSettings roundSettingsFromJson(const json& j) {
    RoundSettings s;
    if (j.contains("training")) s.training = specialistSettingsFromJson(j["training"].dump());
    const json prompts = j.value("prompts", json::object()), policy = j.value("policy", json::object());
    s.prompts.marginMm = prompts.value("margin_mm", s.prompts.marginMm);
    s.prompts.positivePoints = prompts.value("positive_points", s.prompts.positivePoints);
    s.prompts.weakDetectionFloor = prompts.value("weak_detection_floor", s.prompts.weakDetectionFloor);
    s.autoAccept = j.value("auto_accept", s.autoAccept);
    s.policy.minimumDice = policy.value("minimum_dice", s.policy.minimumDice);
    s.policy.rangeWidening = policy.value("range_widening", s.policy.rangeWidening);
    s.mirror = j.value("mirror", s.mirror);
    s.warmStart = j.value("warm_start", s.warmStart);
    return s;
}

}  // namespace

std::optional<RoundInfo> ProjectRounds::unfinishedRound() {
    RoundInfo info;
    {
        SqliteStatement row(store_.database(),
                            "SELECT r.id, r.number, r.stage, COALESCE(c.file, ''), COALESCE(r.checkpoint_sha256, ''), "
                            "r.settings FROM rounds r LEFT JOIN checkpoints c ON c.run_id = r.run_id "
                            "WHERE r.stage IN ('training', 'prompting') ORDER BY r.number DESC LIMIT 1");
        if (!row.step()) return std::nullopt;
        info.id = row.columnInt(0);
        info.number = int(row.columnInt(1));
        info.stage = roundStageFromString(row.columnText(2));
        if (info.stage == RoundStage::Prompting) info.checkpointFile = store_.pathOf(row.columnText(3));
        info.checkpointSha256 = row.columnText(4);
        const json settings = json::parse(row.columnText(5), nullptr, false);
        if (settings.is_object()) info.settings = roundSettingsFromJson(settings);
    }
    if (info.stage == RoundStage::Prompting && trainedBeforeLabelsChanged(info.id)) {
        // The closing training of a loop or an evaluation, then a person's acceptances (or a label
        // import): the next round, or the evaluation, would go on from a model without them.
        SqliteTransaction transaction(store_.database());
        SqliteStatement reset(store_.database(), "UPDATE rounds SET stage = 'training', run_id = NULL, "
                                                 "checkpoint_sha256 = NULL WHERE id = ?1");
        reset.bind(1, info.id);
        reset.run();
        store_.addEvent("retrain",
                        json{{"round", info.number}, {"reason", "labels changed after its training"}}.dump());
        transaction.commit();
        info.stage = RoundStage::Training;
        info.checkpointFile.clear();
        info.checkpointSha256.clear();
    }
    return info;
}

bool ProjectRounds::trainedBeforeLabelsChanged(std::int64_t roundId) {
    // Training reads the labels just before its run starts; every label change (an acceptance, an
    // import, a rollback) stamps the coverage cell it changes. A rejection stamps its cell too but
    // leaves it unknown to training, as a pending candidate's is (isKnownForTraining): no reason to
    // retrain. A round with candidates is past the point where retraining would make sense: its
    // own auto-accepts come after its training.
    SqliteStatement stale(store_.database(),
                          "SELECT 1 FROM rounds r JOIN training_runs t ON t.id = r.run_id WHERE r.id = ?1 "
                          "AND NOT EXISTS (SELECT 1 FROM candidates c WHERE c.round_id = r.id) "
                          "AND EXISTS (SELECT 1 FROM coverage v WHERE v.updated_at > t.started_at "
                          "AND v.state NOT IN ('pseudo-pending', 'rejected'))");
    stale.bind(1, roundId);
    return stale.step();
}

std::size_t ProjectRounds::cellsToPseudoLabel() {
    return std::size_t(store_.database().queryInt(
        std::string("SELECT COUNT(*) FROM coverage c JOIN scans s ON s.id = c.scan_id WHERE s.split = 'train' AND ") +
        kCellToPseudoLabel));
}

Error ProjectRounds::nothingToPseudoLabel() {
    // Organs still to recover on some training scan, but labeled on none: the specialist cannot
    // learn them, so no round can prompt for them.
    SqliteStatement unlearnable(store_.database(),
                                "SELECT DISTINCT o.name FROM coverage c JOIN scans s ON s.id = c.scan_id "
                                "JOIN organs o ON o.id = c.organ_id WHERE s.split = 'train' "
                                "AND c.state IN ('unknown', 'rejected', 'pseudo-pending') ORDER BY o.id");
    std::string names;
    while (unlearnable.step()) names += (names.empty() ? "" : ", ") + unlearnable.columnText(0);
    if (names.empty())
        return Error(store_.folder(), "nothing left to pseudo-label: every organ of every training scan is manual, "
                                      "absent or accepted by a person");
    const bool anyLabel =
        store_.database().queryInt("SELECT COUNT(*) FROM coverage c JOIN scans s ON s.id = c.scan_id "
                                   "WHERE s.split = 'train' AND c.state IN ('manual', 'pseudo-accepted')") > 0;
    if (!anyLabel)
        return Error(store_.folder(), "no training scan has a label yet, so there is nothing to learn from: import "
                                      "label maps (`ipnp import ... --label`) or draw labels first");
    return Error(store_.folder(), "nothing left to pseudo-label: every organ labeled on some training scan is "
                                  "manual, absent or accepted by a person on all of them; the others (" + names +
                                      ") are labeled on none, so the specialist cannot learn them (label one scan "
                                      "of an organ to recover it)");
}

RoundInfo ProjectRounds::beginRound(const RoundSettings& settings, const GeneralistIdentity& generalist,
                                    bool trainingOnly) {
    if (!trainingOnly && cellsToPseudoLabel() == 0) throw nothingToPseudoLabel();
    const json settingsJson = {
        {"training", json::parse(specialistSettingsToJson(settings.training))},
        {"prompts", {{"margin_mm", settings.prompts.marginMm}, {"positive_points", settings.prompts.positivePoints},
                     {"weak_detection_floor", settings.prompts.weakDetectionFloor}}},
        {"auto_accept", settings.autoAccept},
        {"policy", {{"minimum_dice", settings.policy.minimumDice}, {"range_widening", settings.policy.rangeWidening}}},
        {"mirror", settings.mirror},
        {"warm_start", settings.warmStart},
        {"training_only", trainingOnly}};
    SqliteTransaction transaction(store_.database());
    SqliteStatement close(store_.database(),
                          "UPDATE rounds SET stage = 'closed', finished_at = COALESCE(finished_at, ?1) WHERE stage = 'review'");
    close.bind(1, ProjectStore::now());
    close.run();
    RoundInfo info;
    info.number = int(store_.database().queryInt("SELECT COALESCE(MAX(number), 0) + 1 FROM rounds"));
    SqliteStatement insert(store_.database(),
                           "INSERT INTO rounds (number, stage, settings, generalist, started_at) "
                           "VALUES (?1, 'training', ?2, ?3, ?4)");
    insert.bind(1, info.number).bind(2, settingsJson.dump()).bind(3, identityToJson(generalist).dump())
        .bind(4, ProjectStore::now());
    insert.run();
    info.id = store_.database().lastInsertId();
    store_.addEvent("round-start", json{{"round", info.number}}.dump());
    transaction.commit();
    return info;
}

void ProjectRounds::trainRound(RoundInfo& round, Specialist& specialist, const RoundSettings& settings,
                               const TrainingCallbacks& callbacks) {
    SqliteStatement runOf(store_.database(), "SELECT COALESCE(run_id, 0) FROM rounds WHERE id = ?1");
    runOf.bind(1, round.id);
    runOf.step();
    TrainingJob job;
    job.purpose = "round";
    job.resumeRunId = runOf.columnInt(0);
    job.runStarted = [&](std::int64_t runId) {
        SqliteStatement link(store_.database(), "UPDATE rounds SET run_id = ?2 WHERE id = ?1");
        link.bind(1, round.id).bind(2, runId);
        link.run();
    };
    SpecialistSettings training = settings.training;
    for (const ScanRecord& scan : store_.scans())
        if (scan.split == "train") {
            training.modality = scan.modality;
            break;
        }
    if (settings.warmStart) {
        // The final checkpoint of the latest earlier round that was not rolled back.
        SqliteStatement previous(store_.database(),
                                 "SELECT c.file FROM rounds r JOIN checkpoints c ON c.run_id = r.run_id "
                                 "WHERE r.number < ?1 AND r.stage <> 'rolled-back' AND c.iteration = c.iterations "
                                 "ORDER BY r.number DESC, c.iteration DESC LIMIT 1");
        previous.bind(1, round.number);
        if (previous.step()) training.initialWeights = previous.columnText(0);
    }
    const TrainingResult result =
        SpecialistTraining(store_).run(specialist, loadTrainingCases(store_), training, job, callbacks);
    SqliteStatement update(store_.database(),
                           "UPDATE rounds SET stage = 'prompting', checkpoint_sha256 = ?2 WHERE id = ?1");
    update.bind(1, round.id).bind(2, result.checkpoint.sha256);
    update.run();
    round.stage = RoundStage::Prompting;
    round.checkpointFile = store_.pathOf(result.checkpoint.file);
    round.checkpointSha256 = result.checkpoint.sha256;
}

std::vector<PromptTarget> ProjectRounds::promptTargets(const RoundInfo& round) {
    SqliteStatement rows(store_.database(),
                         std::string("SELECT c.scan_id, s.name, c.organ_id FROM coverage c JOIN scans s ON s.id = c.scan_id "
                                     "WHERE s.split = 'train' AND ") +
                             kCellToPseudoLabel +
                             " AND NOT EXISTS (SELECT 1 FROM candidates x WHERE x.round_id = ?1 AND x.scan_id = c.scan_id) "
                             "ORDER BY s.id, c.organ_id");
    rows.bind(1, round.id);
    std::vector<PromptTarget> targets;
    while (rows.step()) {
        const std::int64_t scanId = rows.columnInt(0);
        if (targets.empty() || targets.back().scanId != scanId) targets.push_back({scanId, rows.columnText(1), {}});
        targets.back().organs.push_back(int(rows.columnInt(2)));
    }
    return targets;
}

FloatVolume ProjectRounds::readImage(std::int64_t scanId) {
    return readScanVolume<float>(store_, store_.requireScan(scanId));
}

LabelMap ProjectRounds::lockedLabels(std::int64_t scanId) {
    SqliteStatement rows(store_.database(),
                         std::string("SELECT c.label_version_id FROM coverage c WHERE c.scan_id = ?1 "
                                     "AND c.label_version_id IS NOT NULL AND ") + kLockedCell);
    rows.bind(1, scanId);
    std::vector<std::int64_t> locked;
    while (rows.step()) locked.push_back(rows.columnInt(0));
    std::vector<LabelFileRecord> records;
    for (const LabelFileRecord& r : store_.currentLabels(scanId))
        if (std::find(locked.begin(), locked.end(), r.id) != locked.end()) records.push_back(r);
    return composeLabelMap(store_, store_.requireScan(scanId), records);
}

std::optional<VolumeRange> ProjectRounds::labeledVolumes(int organ) {
    SqliteStatement rows(store_.database(),
                         std::string("SELECT l.voxel_count, s.geometry FROM coverage c "
                                     "JOIN label_versions l ON l.id = c.label_version_id JOIN scans s ON s.id = c.scan_id "
                                     "WHERE c.organ_id = ?1 AND ") + kLockedCell);
    rows.bind(1, organ);
    VolumeRange range;
    while (rows.step()) {
        const ImageGeometry g = geometryFromJson(rows.columnText(1));
        const double ml = double(rows.columnInt(0)) * g.spacing[0] * g.spacing[1] * g.spacing[2] / 1000.0;
        range.minimumMl = range.count ? std::min(range.minimumMl, ml) : ml;
        range.maximumMl = range.count ? std::max(range.maximumMl, ml) : ml;
        ++range.count;
    }
    if (range.count == 0) return std::nullopt;
    return range;
}

void ProjectRounds::changeCoverage(std::int64_t roundId, std::int64_t scanId, int organ, CoverageState state,
                                   std::optional<std::int64_t> labelVersionId) {
    SqliteStatement previous(store_.database(),
                             "SELECT state, label_version_id FROM coverage WHERE scan_id = ?1 AND organ_id = ?2");
    previous.bind(1, scanId).bind(2, organ);
    if (!previous.step()) throw Error(store_.folder(), "no coverage cell for scan " + std::to_string(scanId));
    const std::string time = ProjectStore::now();
    SqliteStatement log(store_.database(),
                        "INSERT INTO coverage_changes (round_id, scan_id, organ_id, previous_state, "
                        "previous_label_version_id, new_state, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    log.bind(1, roundId).bind(2, scanId).bind(3, organ).bind(4, previous.columnText(0));
    if (previous.columnIsNull(1)) log.bindNull(5);
    else log.bind(5, previous.columnInt(1));
    log.bind(6, toString(state)).bind(7, time);
    log.run();
    SqliteStatement update(store_.database(),
                           "UPDATE coverage SET state = ?3, label_version_id = ?4, updated_at = ?5 "
                           "WHERE scan_id = ?1 AND organ_id = ?2");
    update.bind(1, scanId).bind(2, organ).bind(3, toString(state)).bind(4, labelVersionId).bind(5, time);
    update.run();
}

void ProjectRounds::saveCandidates(const RoundInfo& round, const GeneralistIdentity& generalist,
                                   const ScanCandidates& scan) {
    // Files first (atomically), rows after: a crash in between leaves only unnamed files.
    struct Written {
        std::string file, sha, selectionFile, selectionSha;
    };
    std::vector<Written> written(scan.candidates.size());
    const std::string folder = roundFolder(round.number) + "/" + scan.target.scanName;
    for (std::size_t n = 0; n < scan.candidates.size(); ++n) {
        const Candidate& c = scan.candidates[n];
        if (c.prompt.absent) continue;
        fs::create_directories(store_.pathOf(folder));
        const std::string stem = folder + "/" + std::to_string(c.prompt.organ);
        written[n].file = stem + "_mask.nii.gz";
        written[n].selectionFile = stem + "_selection.nii.gz";
        writeVolume(c.mask, store_.pathOf(written[n].file));
        writeVolume(c.selection, store_.pathOf(written[n].selectionFile));
        written[n].sha = Sha256::ofFile(store_.pathOf(written[n].file));
        written[n].selectionSha = Sha256::ofFile(store_.pathOf(written[n].selectionFile));
    }
    {
        SqliteTransaction transaction(store_.database());
        const std::string time = ProjectStore::now();
        for (std::size_t n = 0; n < scan.candidates.size(); ++n) {
            const Candidate& c = scan.candidates[n];
            std::int64_t voxels = 0;
            for (std::uint8_t v : c.mask.voxels()) voxels += v != 0;
            SqliteStatement insert(
                store_.database(),
                "INSERT INTO candidates (round_id, scan_id, organ_id, kind, file, sha256, selection_file, selection_sha256, "
                "voxel_count, box, prompts, scores, generalist, checkpoint_sha256, status, created_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'pending', ?15)");
            insert.bind(1, round.id).bind(2, scan.target.scanId).bind(3, c.prompt.organ)
                .bind(4, c.prompt.absent ? "absent" : "mask");
            if (c.prompt.absent) insert.bindNull(5).bindNull(6).bindNull(7).bindNull(8).bindNull(10);
            else
                insert.bind(5, written[n].file).bind(6, written[n].sha).bind(7, written[n].selectionFile)
                    .bind(8, written[n].selectionSha).bind(10, regionToJson(c.prompt.region).dump());
            insert.bind(9, voxels).bind(11, promptsToJson(c.prompt).dump()).bind(12, scoresToJson(c, scan.autoAccepted[n]).dump())
                .bind(13, identityToJson(generalist).dump()).bind(14, round.checkpointSha256).bind(15, time);
            insert.run();
            const std::int64_t id = store_.database().lastInsertId();
            SqliteStatement supersede(store_.database(),
                                      "UPDATE candidates SET status = 'superseded' WHERE scan_id = ?1 AND organ_id = ?2 "
                                      "AND status = 'pending' AND id <> ?3");
            supersede.bind(1, scan.target.scanId).bind(2, c.prompt.organ).bind(3, id);
            supersede.run();
            SqliteStatement state(store_.database(), "SELECT state FROM coverage WHERE scan_id = ?1 AND organ_id = ?2");
            state.bind(1, scan.target.scanId).bind(2, c.prompt.organ);
            // An auto-accepted label stays current while its successor waits.
            if (state.step() && state.columnText(0) != "pseudo-accepted")
                changeCoverage(round.id, scan.target.scanId, c.prompt.organ, CoverageState::PseudoPending, std::nullopt);
        }
        transaction.commit();
    }
    completeAutoAccepted(round);
}

void ProjectRounds::completeAutoAccepted(const RoundInfo& round) {
    // Each accepted candidate gets its label file and its decision in one transaction of its own.
    // The verdict is on record with the pending candidate, so one that a crash (or a failed write)
    // left undecided is decided here on the next call, or by finishPrompting when the round resumes.
    SqliteStatement rows(store_.database(), std::string(kCandidateColumns) +
                                                "WHERE x.round_id = ?1 AND x.status = 'pending' "
                                                "AND json_extract(x.scores, '$.auto_accept') = 1 "
                                                "AND x.voxel_count > 0 ORDER BY x.id");
    rows.bind(1, round.id);
    std::vector<CandidateRecord> flagged;
    while (rows.step()) flagged.push_back(candidateFrom(rows));
    for (const CandidateRecord& c : flagged) decide(c, ReviewAction::AutoAccept, "");
}

void ProjectRounds::finishPrompting(RoundInfo& round) {
    completeAutoAccepted(round);
    SqliteStatement update(store_.database(), "UPDATE rounds SET stage = 'review', finished_at = ?2 WHERE id = ?1");
    update.bind(1, round.id).bind(2, ProjectStore::now());
    update.run();
    round.stage = RoundStage::Review;
}

std::vector<CandidateRecord> ProjectRounds::candidates(const std::string& status) {
    SqliteStatement rows(store_.database(),
                         std::string(kCandidateColumns) + (status.empty() ? "" : "WHERE x.status = ?1 ") + "ORDER BY x.id");
    if (!status.empty()) rows.bind(1, status);
    std::vector<CandidateRecord> out;
    while (rows.step()) out.push_back(candidateFrom(rows));
    return out;
}

std::vector<CandidateRecord> ProjectRounds::candidatesOfScan(std::int64_t scanId, const std::string& status) {
    SqliteStatement rows(store_.database(),
                         std::string(kCandidateColumns) + "WHERE x.scan_id = ?1 AND x.status = ?2 ORDER BY x.id");
    rows.bind(1, scanId).bind(2, status);
    std::vector<CandidateRecord> out;
    while (rows.step()) out.push_back(candidateFrom(rows));
    return out;
}

std::optional<CandidateRecord> ProjectRounds::candidate(std::int64_t id) {
    SqliteStatement row(store_.database(), std::string(kCandidateColumns) + "WHERE x.id = ?1");
    row.bind(1, id);
    if (!row.step()) return std::nullopt;
    return candidateFrom(row);
}

CandidateRecord ProjectRounds::requireCandidate(std::int64_t id) {
    const auto c = candidate(id);
    if (!c) throw Error(store_.folder(), "no candidate " + std::to_string(id) + " (see `ipnp review`)");
    return *c;
}

void ProjectRounds::accept(std::int64_t id) { decideAll({id}, {}); }

void ProjectRounds::reject(std::int64_t id) { decideAll({}, {id}); }

void ProjectRounds::acceptEdited(std::int64_t id, const std::string& maskFile) {
    decide(requireCandidate(id), ReviewAction::AcceptEdited, maskFile);
}

void ProjectRounds::decideAll(const std::vector<std::int64_t>& acceptIds, const std::vector<std::int64_t>& rejectIds,
                              const std::function<void(std::int64_t id, bool accepted)>& decided) {
    std::vector<std::pair<CandidateRecord, ReviewAction>> decisions;
    std::set<std::int64_t> named;
    auto check = [&](std::int64_t id, ReviewAction action) {
        if (!named.insert(id).second)
            throw Error(store_.folder(), "candidate " + std::to_string(id) + " is named twice; decide each one once");
        CandidateRecord c = requireCandidate(id);
        requirePending(c);
        if (action == ReviewAction::Accept) requireAcceptableAsItIs(c);
        decisions.emplace_back(std::move(c), action);
    };
    for (std::int64_t id : acceptIds) check(id, ReviewAction::Accept);
    for (std::int64_t id : rejectIds) check(id, ReviewAction::Reject);
    // Every label file first (under a name of its own), then every row in one transaction, where
    // each file takes its version's name: all decided, or none.
    std::vector<StagedLabel> labels;
    try {
        for (const auto& [c, action] : decisions) labels.push_back(stageLabel(c, action, ""));
        SqliteTransaction transaction(store_.database());
        const std::string time = ProjectStore::now();
        for (std::size_t n = 0; n < decisions.size(); ++n)
            recordDecision(decisions[n].first, decisions[n].second, labels[n], time);
        transaction.commit();
    } catch (...) {
        for (const StagedLabel& label : labels) discardStaged(label);
        throw;
    }
    if (decided)
        for (const auto& [c, action] : decisions) decided(c.id, action == ReviewAction::Accept);
}

std::vector<std::int64_t> ProjectRounds::acceptAllAbove(double threshold, bool dryRun) {
    std::vector<std::int64_t> ids;
    for (const CandidateRecord& c : candidates("pending"))
        if (!c.absent && !c.emptyMask() && c.dice >= threshold) ids.push_back(c.id);
    if (!dryRun) decideAll(ids, {});
    return ids;
}

void ProjectRounds::requirePending(const CandidateRecord& c) const {
    if (c.status != "pending")
        throw Error(store_.folder(), "candidate " + std::to_string(c.id) + " (" + c.scanName + ", " + c.organName +
                                         ", round " + std::to_string(c.round) + ") is already " + c.status +
                                         "; only pending candidates can be decided");
}

void ProjectRounds::requireAcceptableAsItIs(const CandidateRecord& c) const {
    if (c.emptyMask())
        throw Error(store_.folder(), "candidate " + std::to_string(c.id) + " (" + c.scanName + ", " + c.organName +
                                         ", round " + std::to_string(c.round) +
                                         ") has an empty mask (the generalist found nothing, or each of its voxels "
                                         "went to a more probable neighbouring organ or lay on a locked label); reject "
                                         "it, or edit its mask and accept that");
}

void ProjectRounds::decide(const CandidateRecord& c, ReviewAction action, const std::string& editedMask) {
    requirePending(c);
    StagedLabel label = stageLabel(c, action, editedMask);
    try {
        SqliteTransaction transaction(store_.database());
        recordDecision(c, action, label, ProjectStore::now());
        transaction.commit();
    } catch (...) {
        discardStaged(label);
        throw;
    }
}

ProjectRounds::StagedLabel ProjectRounds::stageLabel(const CandidateRecord& c, ReviewAction action,
                                                    const std::string& editedMask) {
    StagedLabel label;
    label.box = c.box;
    label.voxelCount = c.voxelCount;
    const bool accepting = action != ReviewAction::Reject;
    if (!accepting || (c.absent && action != ReviewAction::AcceptEdited)) return label;
    const ScanRecord scan = store_.requireScan(c.scanId);
    // A name no other decision uses (another process may stage the same scan x organ meanwhile);
    // recordDecision gives it its version's name under the write lock.
    label.staged = temporarySiblingPath(store_.pathOf("labels/" + c.scanName + "/" + std::to_string(c.organIndex) +
                                                      "_c" + std::to_string(c.id) + ".nii.gz"));
    fs::create_directories(fs::path(label.staged).parent_path());
    try {
        if (action == ReviewAction::AcceptEdited) {
            const LabelMap edited = readLabelMap(editedMask);
            if (!edited.geometry().sameGrid(scan.geometry))
                throw Error(editedMask, "does not lie on the grid of scan " + scan.name + " (" +
                                            edited.geometry().describeDifference(scan.geometry) + ")");
            LabelMap binary(edited.geometry(), 0);
            for (std::size_t v = 0; v < edited.voxelCount(); ++v) binary.data()[v] = edited.data()[v] != 0;
            const auto extents = labelExtents(binary);
            if (extents.empty())
                throw Error(editedMask, "is empty; reject the candidate instead (or accept an absent candidate)");
            writeVolume(cropMask(binary, extents[0]), label.staged);
            label.box = {extents[0].first[0], extents[0].first[1], extents[0].first[2], extents[0].last[0] + 1,
                         extents[0].last[1] + 1, extents[0].last[2] + 1};
            label.voxelCount = std::int64_t(extents[0].voxelCount);
            label.sha256 = Sha256::ofFile(label.staged);
        } else {
            label.sha256 = copyFileAtomically(store_.pathOf(c.file), label.staged);
        }
    } catch (...) {
        discardStaged(label);  // a file written in part
        throw;
    }
    return label;
}

void ProjectRounds::discardStaged(const StagedLabel& label) {
    std::error_code ignored;
    if (!label.staged.empty()) fs::remove(label.staged, ignored);
    // Placed under its version's name inside a transaction that did not commit: that name belongs
    // to no row (versions are numbered under the write lock).
    if (!label.file.empty()) fs::remove(store_.pathOf(label.file), ignored);
}

void ProjectRounds::recordDecision(const CandidateRecord& c, ReviewAction action, StagedLabel& label,
                                   const std::string& time) {
    const bool accepting = action != ReviewAction::Reject;
    std::optional<std::int64_t> versionId;
    SqliteStatement roundOf(store_.database(), "SELECT round_id FROM candidates WHERE id = ?1");
    roundOf.bind(1, c.id);
    roundOf.step();
    const std::int64_t roundId = roundOf.columnInt(0);
    // Checked again under the write lock: another process (the GUI, a second CLI) may have decided
    // it, or rolled its round back, since it was read.
    SqliteStatement current(store_.database(), "SELECT status FROM candidates WHERE id = ?1");
    current.bind(1, c.id);
    if (!current.step() || current.columnText(0) != "pending")
        throw Error(store_.folder(), "candidate " + std::to_string(c.id) + " was decided meanwhile (now " +
                                         (current.columnIsNull(0) ? std::string("gone") : current.columnText(0)) + ")");
    if (!label.staged.empty()) {
        SqliteStatement next(store_.database(), "SELECT COALESCE(MAX(version), 0) + 1 FROM label_versions "
                                                "WHERE scan_id = ?1 AND organ_id = ?2");
        next.bind(1, c.scanId).bind(2, c.organIndex);
        next.step();
        label.version = int(next.columnInt(0));
        label.file = "labels/" + c.scanName + "/" + std::to_string(c.organIndex) + "_v" +
                     std::to_string(label.version) + ".nii.gz";
        fs::rename(label.staged, store_.pathOf(label.file));
        label.staged.clear();
        syncDirectory(fs::path(store_.pathOf(label.file)).parent_path().string());
        const json provenance = {{"round", c.round},
                                 {"candidate", c.id},
                                 {"checkpoint_sha256", c.checkpointSha256},
                                 {"generalist", json::parse(c.generalistJson)},
                                 {"prompts", json::parse(c.promptsJson)},
                                 {"scores", json::parse(c.scoresJson)},
                                 {"decision", toString(action)},
                                 {"user", user_},
                                 {"time", time}};
        SqliteStatement insert(store_.database(),
                               "INSERT INTO label_versions (scan_id, organ_id, version, file, sha256, voxel_count, box, "
                               "source, provenance, created_at, candidate_id) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
        insert.bind(1, c.scanId).bind(2, c.organIndex).bind(3, label.version).bind(4, label.file).bind(5, label.sha256)
            .bind(6, label.voxelCount).bind(7, boxToJson(label.box))
            .bind(8, action == ReviewAction::AcceptEdited ? "edit" : "pseudo").bind(9, provenance.dump())
            .bind(10, time).bind(11, c.id);
        insert.run();
        versionId = store_.database().lastInsertId();
    }
    SqliteStatement decision(store_.database(),
                             "INSERT INTO decisions (candidate_id, action, user, time, label_version_id) "
                             "VALUES (?1, ?2, ?3, ?4, ?5)");
    decision.bind(1, c.id).bind(2, toString(action))
        .bind(3, action == ReviewAction::AutoAccept ? std::string("auto-accept policy") : user_).bind(4, time)
        .bind(5, versionId);
    decision.run();
    SqliteStatement status(store_.database(), "UPDATE candidates SET status = ?2 WHERE id = ?1");
    status.bind(1, c.id).bind(2, accepting ? "accepted" : "rejected");
    status.run();
    if (accepting) {
        changeCoverage(roundId, c.scanId, c.organIndex,
                       versionId ? CoverageState::PseudoAccepted : CoverageState::Absent, versionId);
    } else {
        SqliteStatement state(store_.database(), "SELECT state FROM coverage WHERE scan_id = ?1 AND organ_id = ?2");
        state.bind(1, c.scanId).bind(2, c.organIndex);
        if (state.step() && state.columnText(0) == "pseudo-pending")
            changeCoverage(roundId, c.scanId, c.organIndex, CoverageState::Rejected, std::nullopt);
    }
    store_.addEvent("review", json{{"candidate", c.id}, {"action", toString(action)}, {"user", user_}}.dump());
}

std::vector<RoundRecord> ProjectRounds::history() {
    SqliteStatement rows(store_.database(),
                         "SELECT r.id, r.number, r.stage, COALESCE(r.run_id, 0), COALESCE(r.checkpoint_sha256, ''), "
                         "r.settings, r.generalist, r.started_at, COALESCE(r.finished_at, ''), "
                         "(SELECT COUNT(*) FROM candidates x WHERE x.round_id = r.id AND x.status = 'pending'), "
                         "(SELECT COUNT(*) FROM candidates x WHERE x.round_id = r.id AND x.status = 'accepted'), "
                         "(SELECT COUNT(*) FROM candidates x WHERE x.round_id = r.id AND x.status = 'rejected'), "
                         "(SELECT COUNT(*) FROM candidates x WHERE x.round_id = r.id AND x.status = 'superseded'), "
                         "(SELECT COUNT(*) FROM candidates x WHERE x.round_id = r.id AND x.kind = 'absent') "
                         "FROM rounds r ORDER BY r.number");
    std::vector<RoundRecord> out;
    while (rows.step()) {
        RoundRecord r;
        r.id = rows.columnInt(0);
        r.number = int(rows.columnInt(1));
        r.stage = roundStageFromString(rows.columnText(2));
        r.runId = rows.columnInt(3);
        r.checkpointSha256 = rows.columnText(4);
        r.settingsJson = rows.columnText(5);
        r.generalistJson = rows.columnText(6);
        r.startedAt = rows.columnText(7);
        r.finishedAt = rows.columnText(8);
        r.pending = std::size_t(rows.columnInt(9));
        r.accepted = std::size_t(rows.columnInt(10));
        r.rejected = std::size_t(rows.columnInt(11));
        r.superseded = std::size_t(rows.columnInt(12));
        r.absent = std::size_t(rows.columnInt(13));
        out.push_back(r);
    }
    return out;
}

std::int64_t ProjectRounds::roundIdOf(int number) {
    SqliteStatement row(store_.database(), "SELECT id, stage FROM rounds WHERE number = ?1");
    row.bind(1, number);
    if (!row.step()) {
        const std::int64_t last = store_.database().queryInt("SELECT COALESCE(MAX(number), 0) FROM rounds");
        throw Error(store_.folder(), "round " + std::to_string(number) + " does not exist (" +
                                         (last ? "rounds 1.." + std::to_string(last) : std::string("no rounds yet")) + ")");
    }
    if (row.columnText(1) == "rolled-back")
        throw Error(store_.folder(), "round " + std::to_string(number) + " was already rolled back");
    return row.columnInt(0);
}

void ProjectRounds::rollback(int number) {
    roundIdOf(number);
    const std::string time = ProjectStore::now();
    SqliteTransaction transaction(store_.database());
    const std::string later = "(SELECT id FROM rounds WHERE number >= " + std::to_string(number) +
                              " AND stage <> 'rolled-back')";
    // The first change each later round made to a cell holds the cell's state before them.
    SqliteStatement first(store_.database(),
                          "SELECT scan_id, organ_id, previous_state, previous_label_version_id FROM coverage_changes "
                          "WHERE id IN (SELECT MIN(id) FROM coverage_changes WHERE round_id IN " + later +
                              " GROUP BY scan_id, organ_id)");
    struct Restore {
        std::int64_t scan;
        int organ;
        std::string state;
        std::optional<std::int64_t> version;
    };
    std::vector<Restore> restores;
    while (first.step())
        restores.push_back({first.columnInt(0), int(first.columnInt(1)), first.columnText(2),
                            first.columnIsNull(3) ? std::nullopt : std::optional<std::int64_t>(first.columnInt(3))});
    for (const Restore& r : restores) {
        SqliteStatement update(store_.database(),
                               "UPDATE coverage SET state = ?3, label_version_id = ?4, updated_at = ?5 "
                               "WHERE scan_id = ?1 AND organ_id = ?2");
        update.bind(1, r.scan).bind(2, r.organ).bind(3, r.state).bind(4, r.version).bind(5, time);
        update.run();
        if (r.state == "pseudo-pending") {
            // The candidate that was pending then waits again.
            SqliteStatement revive(store_.database(),
                                   "UPDATE candidates SET status = 'pending' WHERE id = (SELECT MAX(id) FROM candidates "
                                   "WHERE scan_id = ?1 AND organ_id = ?2 AND status = 'superseded' AND round_id IN "
                                   "(SELECT id FROM rounds WHERE number < " + std::to_string(number) +
                                       " AND stage <> 'rolled-back'))");
            revive.bind(1, r.scan).bind(2, r.organ);
            revive.run();
        }
    }
    store_.database().execute("UPDATE label_versions SET superseded_at = '" + time +
                              "' WHERE candidate_id IN (SELECT id FROM candidates WHERE round_id IN " + later + ")");
    store_.database().execute("UPDATE candidates SET status = 'superseded' WHERE status = 'pending' AND round_id IN " + later);
    store_.database().execute("UPDATE rounds SET stage = 'rolled-back', finished_at = COALESCE(finished_at, '" + time +
                              "') WHERE id IN " + later);
    store_.addEvent("rollback", json{{"to_before_round", number}, {"cells_restored", restores.size()}}.dump());
    transaction.commit();
}

}  // namespace ipnp
