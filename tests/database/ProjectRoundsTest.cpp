// The rounds' storage on a real project: candidates with their files, review decisions, the
// selection masks reaching the training cases, locking, rollback, and an auto-accept verdict
// completed after its decision failed. Candidates are made by hand
// (boxes cut from the phantoms' truth) so that every expected count follows from the arithmetic.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "BuiltinSchemas.h"
#include "DatasetDescription.h"
#include "DatasetImporter.h"
#include "Error.h"
#include "ImageFile.h"
#include "OrganSchemaFile.h"
#include "PartialLabelSimulator.h"
#include "PhantomDataset.h"
#include "ProjectChecker.h"
#include "ProjectRounds.h"
#include "RemoveTree.h"
#include "ScanImporter.h"
#include "SqliteDatabase.h"
#include "ProjectFixtures.h"
#include "TestSupport.h"
#include "TrainingCases.h"
#include "TrainingRuns.h"

using namespace ipnp;
namespace fs = std::filesystem;
using test::boxCandidate;
using test::errorOf;
using test::stateOf;

namespace {

std::int64_t count(ProjectStore& store, const std::string& sql) { return store.database().queryInt(sql); }

std::string coverageDumpOf(ProjectStore& store) {
    std::string out;
    SqliteStatement rows(store.database(),
                         "SELECT scan_id, organ_id, state, COALESCE(label_version_id, 0) FROM coverage ORDER BY 1, 2");
    while (rows.step())
        out += std::to_string(rows.columnInt(0)) + "/" + std::to_string(rows.columnInt(1)) + "=" + rows.columnText(2) +
               ":" + std::to_string(rows.columnInt(3)) + " ";
    return out;
}

// Round 1 of `project`, prompted and left with one pending box candidate per (corner, Dice) given,
// each on another organ unknown in the first training scan; returns that scan.
ScanRecord pendingBoxCandidates(ProjectStore& project, ProjectRounds& rounds,
                                const std::vector<std::pair<Index3, double>>& boxes) {
    const GeneralistIdentity generalist = test::handMadeCandidates();
    RoundInfo round = rounds.beginRound(RoundSettings(), generalist, false);
    const ScanRecord scan = test::trainingScans(project).front();
    std::vector<int> organs;
    for (int organ : {1, 2, 3, 4, 6, 7, 8, 9, 10})
        if (organs.size() < boxes.size() && stateOf(project, scan.id, organ) == "unknown") organs.push_back(organ);
    if (organs.size() != boxes.size()) throw std::runtime_error("too few unknown organs in " + scan.name);
    ScanCandidates stored;
    stored.target = {scan.id, scan.name, organs};
    for (std::size_t n = 0; n < boxes.size(); ++n) {
        stored.candidates.push_back(boxCandidate(scan, organs[n], boxes[n].first, boxes[n].second));
        stored.autoAccepted.push_back(false);
    }
    rounds.saveCandidates(round, generalist, stored);
    rounds.finishPrompting(round);
    return scan;
}

}  // namespace

class ProjectRoundsTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    std::unique_ptr<ProjectStore> store;
    std::vector<ScanRecord> training;
    std::string coverageBefore;

    std::string coverageDump() { return coverageDumpOf(*store); }

    // The first `n` organs of a training scan that are unknown there.
    std::vector<int> unknownOrgans(const ScanRecord& scan, std::size_t n) {
        std::vector<int> out;
        for (int organ : {1, 2, 3, 4, 6, 7, 8, 9, 10})
            if (out.size() < n && stateOf(*store, scan.id, organ) == "unknown") out.push_back(organ);
        return out;
    }

private Q_SLOTS:
    void initTestCase() {
        store = test::makePhantomProject(dir.path().toStdString());
        training = test::trainingScans(*store);
        QCOMPARE(training.size(), std::size_t(3));
        coverageBefore = coverageDump();
    }

    void roundStoresCandidatesDecisionsAndProvenance() {
        ProjectRounds rounds(*store, "tester");
        // The unknown training cells of organs that some training scan has a manual label of (the
        // schema's other organs are in no phantom, so no specialist could propose them).
        std::int64_t unknown = 0;
        for (int organ : {1, 2, 3, 4, 6, 7, 8, 9, 10}) {
            int manual = 0, open = 0;
            for (const ScanRecord& scan : training) {
                manual += stateOf(*store, scan.id, organ) == "manual";
                open += stateOf(*store, scan.id, organ) == "unknown";
            }
            if (manual > 0) unknown += open;
        }
        QCOMPARE(std::int64_t(rounds.cellsToPseudoLabel()), unknown);
        QVERIFY(unknown > 0);

        RoundSettings settings;
        settings.autoAccept = true;
        settings.policy.minimumDice = 0.65;
        settings.prompts.marginMm = 9.5;
        settings.mirror = true;
        settings.training.iterations = 37;
        settings.training.device = "cpu";
        GeneralistIdentity generalist = test::handMadeCandidates();
        RoundInfo round = rounds.beginRound(settings, generalist, false);
        QCOMPARE(round.number, 1);
        QVERIFY(!round.settings.has_value());  // a new round runs with the settings it was given
        // An unfinished round comes back with the settings it began with: resumed by a command
        // with other options, it finishes as it started, on the machine that resumes it.
        const std::optional<RoundInfo> unfinished = rounds.unfinishedRound();
        QVERIFY(unfinished.has_value() && unfinished->settings.has_value());
        RoundSettings later;
        later.training.device = "cuda";
        later.training.threads = 3;
        const RoundSettings resumed = resumedRoundSettings(*unfinished->settings, later);
        QVERIFY(resumed.autoAccept);
        QCOMPARE(resumed.policy.minimumDice, 0.65);
        QCOMPARE(resumed.prompts.marginMm, 9.5);
        QVERIFY(resumed.mirror);
        QCOMPARE(resumed.training.iterations, 37);
        QCOMPARE(resumed.training.device, std::string("cuda"));
        QCOMPARE(resumed.training.threads, 3);
        settings = RoundSettings();
        round.checkpointSha256 = "feedface";  // what trainRound would have filled in
        const std::vector<PromptTarget> targets = rounds.promptTargets(round);
        QCOMPARE(targets.size(), std::size_t(3));

        const ScanRecord& scan = training[0];
        const std::vector<int> organs = unknownOrgans(scan, 3);
        QCOMPARE(organs.size(), std::size_t(3));
        ScanCandidates stored;
        stored.target = {scan.id, scan.name, organs};
        stored.candidates = {boxCandidate(scan, organs[0], {2, 2, 2}, 0.7),
                             makeAbsentCandidate(PromptSet{}),
                             boxCandidate(scan, organs[2], {12, 12, 12}, 0.9, 8)};
        stored.candidates[1].prompt.organ = organs[1];
        stored.autoAccepted = {false, false, true};
        rounds.saveCandidates(round, generalist, stored);

        QCOMPARE(stateOf(*store, scan.id, organs[0]), std::string("pseudo-pending"));
        QCOMPARE(stateOf(*store, scan.id, organs[1]), std::string("pseudo-pending"));
        QCOMPARE(stateOf(*store, scan.id, organs[2]), std::string("pseudo-accepted"));
        QCOMPARE(count(*store, "SELECT COUNT(*) FROM candidates"), std::int64_t(3));
        QCOMPARE(count(*store, "SELECT COUNT(*) FROM decisions WHERE action = 'auto-accept'"), std::int64_t(1));
        // The accepted label names its whole provenance.
        SqliteStatement provenance(store->database(),
                                   "SELECT json_extract(provenance, '$.round'), json_extract(provenance, '$.decision'), "
                                   "json_extract(provenance, '$.generalist.name'), json_extract(provenance, '$.checkpoint_sha256'), "
                                   "json_extract(provenance, '$.prompts.positive_points[0][0]'), source "
                                   "FROM label_versions WHERE candidate_id IS NOT NULL");
        QVERIFY(provenance.step());
        QCOMPARE(provenance.columnInt(0), std::int64_t(1));
        QCOMPARE(provenance.columnText(1), std::string("auto-accept"));
        QCOMPARE(provenance.columnText(2), std::string("test-box-candidates"));
        QCOMPARE(provenance.columnText(3), std::string("feedface"));
        QCOMPARE(provenance.columnInt(4), std::int64_t(14));
        QCOMPARE(provenance.columnText(5), std::string("pseudo"));

        // The review queue, and decisions.
        const auto pending = rounds.candidates("pending");
        QCOMPARE(pending.size(), std::size_t(2));
        const std::int64_t maskId = pending[0].id, absentId = pending[1].id;
        QVERIFY(pending[1].absent);
        rounds.accept(maskId);
        QCOMPARE(stateOf(*store, scan.id, organs[0]), std::string("pseudo-accepted"));
        const auto dump = test::logicalDump(QString::fromStdString(store->pathOf("project.ipnp")));
        QVERIFY(errorOf([&] { rounds.accept(maskId); }).contains("already accepted"));
        QVERIFY(errorOf([&] { rounds.reject(maskId); }).contains("already accepted"));
        QVERIFY(errorOf([&] { rounds.accept(9999); }).contains("no candidate 9999"));
        QCOMPARE(test::logicalDump(QString::fromStdString(store->pathOf("project.ipnp"))), dump);
        rounds.reject(absentId);
        QCOMPARE(stateOf(*store, scan.id, organs[1]), std::string("rejected"));

        // Training cases: the auto-accepted candidate's 8 disagreements are excluded from the loss,
        // the human-accepted one has none; both labels count.
        for (const SpecialistTrainingCase& c : loadTrainingCases(*store)) {
            if (c.name != scan.name) continue;
            QCOMPARE(c.valid.voxelCount(), scan.geometry.voxelCount());
            std::size_t excluded = 0;
            for (auto v : c.valid.voxels()) excluded += v == 0;
            QCOMPARE(excluded, std::size_t(8));
            QVERIFY(std::count(c.labeledOrgans.begin(), c.labeledOrgans.end(), organs[0]) == 1);
            QVERIFY(std::count(c.labeledOrgans.begin(), c.labeledOrgans.end(), organs[2]) == 1);
        }
        // Locked: manual and human-accepted labels; the auto-accepted one stays open to refinement.
        const LabelMap locked = rounds.lockedLabels(scan.id);
        QCOMPARE(int(locked.at(3, 3, 3)), organs[0]);
        QCOMPARE(int(locked.at(13, 13, 13)) == organs[2], false);
        const ProjectCheckReport check = checkProject(*store);
        QVERIFY(check.missingFiles.empty() && check.wrongHashes.empty() && check.unnamedFiles.empty());
        rounds.finishPrompting(round);
    }

    void nextRoundRefinesAutoAcceptedAndRollbackUndoes() {
        ProjectRounds rounds(*store, "tester");
        const ScanRecord& scan = training[0];
        const std::string afterRound1 = coverageDump();
        RoundSettings settings;
        GeneralistIdentity generalist = test::handMadeCandidates();
        RoundInfo round = rounds.beginRound(settings, generalist, false);
        QCOMPARE(round.number, 2);
        // The auto-accepted organ is a target again; the human-accepted one is not.
        SqliteStatement auto_(store->database(),
                              "SELECT organ_id FROM label_versions WHERE json_extract(provenance, '$.decision') = 'auto-accept'");
        QVERIFY(auto_.step());
        const int autoOrgan = int(auto_.columnInt(0));
        SqliteStatement human(store->database(),
                              "SELECT organ_id FROM label_versions WHERE json_extract(provenance, '$.decision') = 'accept'");
        QVERIFY(human.step());
        const int humanOrgan = int(human.columnInt(0));
        const auto targets = rounds.promptTargets(round);
        const auto& organs = targets.front().organs;
        QCOMPARE(targets.front().scanId, scan.id);
        QVERIFY(std::find(organs.begin(), organs.end(), autoOrgan) != organs.end());
        QVERIFY(std::find(organs.begin(), organs.end(), humanOrgan) == organs.end());

        ScanCandidates stored;
        stored.target = {scan.id, scan.name, {autoOrgan}};
        stored.candidates = {boxCandidate(scan, autoOrgan, {10, 10, 10}, 0.95)};
        stored.autoAccepted = {true};
        rounds.saveCandidates(round, generalist, stored);
        QCOMPARE(count(*store, "SELECT COUNT(*) FROM label_versions WHERE organ_id = " + std::to_string(autoOrgan) +
                                   " AND scan_id = " + std::to_string(scan.id) + " AND source = 'pseudo'"),
                 std::int64_t(2));
        QVERIFY(coverageDump() != afterRound1);
        const std::int64_t decisions = count(*store, "SELECT COUNT(*) FROM decisions");

        // Bad rollbacks change nothing.
        QVERIFY(errorOf([&] { rounds.rollback(7); }).contains("round 7 does not exist (rounds 1..2)"));
        rounds.rollback(2);
        QCOMPARE(coverageDump(), afterRound1);
        QVERIFY(errorOf([&] { rounds.rollback(2); }).contains("already rolled back"));
        QCOMPARE(count(*store, "SELECT COUNT(*) FROM decisions"), decisions);  // decisions stay on record
        QCOMPARE(count(*store, "SELECT COUNT(*) FROM label_versions WHERE superseded_at IS NOT NULL"), std::int64_t(1));
        // Back to before round 1: the coverage the simulator left, and the pending absent... the
        // absent candidate was rejected in round 1, so nothing waits.
        rounds.rollback(1);
        QCOMPARE(coverageDump(), coverageBefore);
        QCOMPARE(count(*store, "SELECT COUNT(*) FROM candidates WHERE status = 'pending'"), std::int64_t(0));
        QCOMPARE(count(*store, "SELECT COUNT(*) FROM rounds WHERE stage = 'rolled-back'"), std::int64_t(2));
        // The next round gets a new number; history keeps all three.
        QCOMPARE(rounds.beginRound(settings, generalist, false).number, 3);
        QCOMPARE(rounds.history().size(), std::size_t(3));
    }

    void trainedRoundIsRetrainedOnlyWhenLabelsChange() {
        // Round 1 leaves two candidates pending; round 2 then only trains (a loop's or an
        // evaluation's closing training; its bookkeeping as trainRound leaves it, without the
        // network: the app's dashboard test trains for real). A rejection leaves the labels as
        // training sees them, so round 2 stays trained; an acceptance does not.
        QTemporaryDir own;
        auto project = test::makePhantomProject(own.path().toStdString());
        ProjectRounds rounds(*project, "tester");
        const GeneralistIdentity generalist = test::handMadeCandidates();
        const ScanRecord scan = pendingBoxCandidates(*project, rounds, {{{2, 2, 2}, 0.7}, {{12, 12, 12}, 0.9}});

        const RoundInfo closing = rounds.beginRound(RoundSettings(), generalist, true);
        TrainingRuns(*project).start("{}", 3, "round", [&](std::int64_t runId) {
            project->database().execute("UPDATE rounds SET run_id = " + std::to_string(runId) +
                                        ", stage = 'prompting', checkpoint_sha256 = 'feedface' WHERE id = " +
                                        std::to_string(closing.id));
        });
        QTest::qWait(5);  // the timestamps have millisecond resolution
        const std::vector<CandidateRecord> pending = rounds.candidates();
        QCOMPARE(pending.size(), std::size_t(2));
        const std::string retrains = "SELECT COUNT(*) FROM events WHERE kind = 'retrain'";

        rounds.reject(pending[0].id);
        QCOMPARE(stateOf(*project, scan.id, pending[0].organIndex), std::string("rejected"));
        std::optional<RoundInfo> next = rounds.unfinishedRound();
        QVERIFY(next && next->number == closing.number && next->stage == RoundStage::Prompting);
        QCOMPARE(next->checkpointSha256, std::string("feedface"));
        QCOMPARE(count(*project, retrains), std::int64_t(0));

        rounds.accept(pending[1].id);
        next = rounds.unfinishedRound();
        QVERIFY(next && next->number == closing.number && next->stage == RoundStage::Training);
        QVERIFY(next->checkpointSha256.empty() && next->checkpointFile.empty());
        QCOMPARE(count(*project, "SELECT COUNT(*) FROM rounds WHERE id = " + std::to_string(closing.id) +
                                     " AND stage = 'training' AND run_id IS NULL AND checkpoint_sha256 IS NULL"),
                 std::int64_t(1));
        QCOMPARE(count(*project, retrains), std::int64_t(1));
        // The old run stays on record.
        QCOMPARE(count(*project, "SELECT COUNT(*) FROM training_runs"), std::int64_t(1));
        // Asked again, nothing more happens: it waits to be trained.
        QCOMPARE(rounds.unfinishedRound()->stage, RoundStage::Training);
        QCOMPARE(count(*project, retrains), std::int64_t(1));
    }

    void aListOfDecisionsIsAllOrNothing() {
        // Three pending candidates; the third's mask file is gone, so accepting it fails after the
        // first one's label file was written: none of the list is decided, and that file is deleted
        // (the folder's file count includes the hidden names files are staged under).
        QTemporaryDir own;
        auto project = test::makePhantomProject(own.path().toStdString());
        ProjectRounds rounds(*project, "tester");
        const ScanRecord scan =
            pendingBoxCandidates(*project, rounds, {{{2, 2, 2}, 0.7}, {{12, 2, 2}, 0.8}, {{2, 12, 12}, 0.9}});
        std::vector<CandidateRecord> pending = rounds.candidates();
        QCOMPARE(pending.size(), std::size_t(3));
        std::sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
        QVERIFY(fs::remove(project->pathOf(pending[2].file)));
        const fs::path labels = project->pathOf("labels/" + scan.name);
        auto labelFiles = [&] {
            std::size_t n = 0;
            for (const auto& entry : fs::directory_iterator(labels)) n += entry.is_regular_file();
            return n;
        };
        const std::size_t filesBefore = labelFiles();

        const QString error = errorOf([&] { rounds.decideAll({pending[0].id, pending[2].id}, {pending[1].id}); });
        QVERIFY2(error.contains(QString::fromStdString(pending[2].file)), qPrintable(error));
        for (const CandidateRecord& c : pending)
            QCOMPARE(stateOf(*project, scan.id, c.organIndex), std::string("pseudo-pending"));
        QCOMPARE(rounds.candidates().size(), std::size_t(3));
        QCOMPARE(count(*project, "SELECT COUNT(*) FROM decisions"), std::int64_t(0));
        QCOMPARE(count(*project, "SELECT COUNT(*) FROM label_versions WHERE source = 'pseudo'"), std::int64_t(0));
        QCOMPARE(labelFiles(), filesBefore);

        // A failure inside the transaction (here the second decision's row is refused, after the
        // first one's label file took its version's name): rolled back, and that file deleted.
        project->database().execute("CREATE TEMP TRIGGER refuse BEFORE INSERT ON decisions WHEN NEW.candidate_id = " +
                                    std::to_string(pending[1].id) +
                                    " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
        const QString refused = errorOf([&] { rounds.decideAll({pending[0].id}, {pending[1].id}); });
        QVERIFY2(refused.contains("refused by the test"), qPrintable(refused));
        QCOMPARE(stateOf(*project, scan.id, pending[0].organIndex), std::string("pseudo-pending"));
        QCOMPARE(count(*project, "SELECT COUNT(*) FROM decisions"), std::int64_t(0));
        QCOMPARE(count(*project, "SELECT COUNT(*) FROM label_versions WHERE source = 'pseudo'"), std::int64_t(0));
        QCOMPARE(labelFiles(), filesBefore);
        project->database().execute("DROP TRIGGER refuse");

        // Without the broken one, the list goes through whole.
        std::vector<std::int64_t> heard;
        rounds.decideAll({pending[0].id}, {pending[1].id}, [&](std::int64_t id, bool) { heard.push_back(id); });
        QCOMPARE(heard, (std::vector<std::int64_t>{pending[0].id, pending[1].id}));
        QCOMPARE(stateOf(*project, scan.id, pending[0].organIndex), std::string("pseudo-accepted"));
        QCOMPARE(stateOf(*project, scan.id, pending[1].organIndex), std::string("rejected"));
        QCOMPARE(labelFiles(), filesBefore + 1);
    }

    void aCandidateWithAnEmptyMaskIsNotAcceptedAsItIs() {
        // The generalist found nothing where the specialist saw the organ: the candidate is stored
        // (a person sees it and can reject it or draw the organ), but accepting its empty mask as a
        // label is refused; a bulk accept passes it by; an edited mask is accepted.
        QTemporaryDir own;
        auto project = test::makePhantomProject(own.path().toStdString());
        ProjectRounds rounds(*project, "tester");
        const GeneralistIdentity generalist = test::handMadeCandidates();
        RoundInfo round = rounds.beginRound(RoundSettings(), generalist, false);
        const ScanRecord scan = test::trainingScans(*project).front();
        std::vector<int> organs;
        for (int organ : {1, 2, 3, 4, 6, 7, 8, 9, 10})
            if (organs.size() < 2 && stateOf(*project, scan.id, organ) == "unknown") organs.push_back(organ);
        QCOMPARE(organs.size(), std::size_t(2));
        ScanCandidates stored;
        stored.target = {scan.id, scan.name, organs};
        stored.candidates = {boxCandidate(scan, organs[0], {2, 2, 2}, 0.9),
                             boxCandidate(scan, organs[1], {12, 2, 2}, 0.0)};
        Candidate& empty = stored.candidates[1];
        std::fill(empty.mask.data(), empty.mask.data() + empty.mask.voxelCount(), std::uint8_t(0));
        empty.scores.volumeMl = 0;
        // Flagged for auto-accept as a round stored before this rule could have (policy T = 0): the
        // flag on record does not carry it through.
        stored.autoAccepted = {false, true};
        rounds.saveCandidates(round, generalist, stored);
        rounds.finishPrompting(round);
        QCOMPARE(stateOf(*project, scan.id, organs[1]), std::string("pseudo-pending"));
        std::int64_t full = 0, hollow = 0;
        for (const CandidateRecord& c : rounds.candidates()) (c.organIndex == organs[1] ? hollow : full) = c.id;
        QVERIFY(full != 0 && hollow != 0);

        const std::string before = coverageDumpOf(*project);
        const QString error = errorOf([&] { rounds.accept(hollow); });
        QVERIFY2(error.contains("candidate " + QString::number(hollow)) && error.contains("empty mask") &&
                     error.contains(QString::fromStdString(scan.name)),
                 qPrintable(error));
        // In a list, it stops the whole list before anything is written.
        const QString listError = errorOf([&] { rounds.decideAll({full, hollow}, {}); });
        QVERIFY2(listError.contains("candidate " + QString::number(hollow)) && listError.contains("empty mask"),
                 qPrintable(listError));
        QCOMPARE(coverageDumpOf(*project), before);
        QCOMPARE(count(*project, "SELECT COUNT(*) FROM decisions"), std::int64_t(0));

        // Accept-all at Dice >= 0 takes the full one only.
        QCOMPARE(rounds.acceptAllAbove(0.0), std::vector<std::int64_t>{full});
        QCOMPARE(stateOf(*project, scan.id, organs[0]), std::string("pseudo-accepted"));
        QCOMPARE(stateOf(*project, scan.id, organs[1]), std::string("pseudo-pending"));

        // A mask drawn by a person is accepted: one voxel on the scan's grid.
        LabelMap drawn(scan.geometry, 0);
        drawn.at(13, 3, 3) = 1;
        const std::string drawnFile = own.filePath("drawn.nii.gz").toStdString();
        writeVolume(drawn, drawnFile);
        rounds.acceptEdited(hollow, drawnFile);
        QCOMPARE(stateOf(*project, scan.id, organs[1]), std::string("pseudo-accepted"));
        QCOMPARE(count(*project, "SELECT voxel_count FROM label_versions WHERE scan_id = " + std::to_string(scan.id) +
                                     " AND organ_id = " + std::to_string(organs[1])),
                 std::int64_t(1));
    }

    void autoAcceptOnRecordIsCompletedAfterAFailedDecision() {
        // The policy's verdict is stored with the candidate; when its decision does not get
        // through (a crash, here a label file that cannot be written), the round completes it.
        ProjectRounds rounds(*store, "tester");
        GeneralistIdentity generalist = test::handMadeCandidates();
        std::optional<RoundInfo> open = rounds.unfinishedRound();
        QVERIFY(open.has_value());  // round 3, begun by the previous case
        RoundInfo round = *open;
        const ScanRecord& scan = training[1];
        const std::vector<int> organs = unknownOrgans(scan, 1);
        QCOMPARE(organs.size(), std::size_t(1));
        const int organ = organs[0];
        const std::string cell = " WHERE scan_id = " + std::to_string(scan.id) + " AND organ_id = " + std::to_string(organ);
        // The decision's label file is blocked by a non-empty folder of the same name.
        const std::int64_t version = count(*store, "SELECT COALESCE(MAX(version), 0) + 1 FROM label_versions" + cell);
        const fs::path blocker = store->pathOf("labels/" + scan.name + "/" + std::to_string(organ) + "_v" +
                                               std::to_string(version) + ".nii.gz");
        fs::create_directories(blocker / "in-the-way");

        ScanCandidates stored;
        stored.target = {scan.id, scan.name, {organ}};
        stored.candidates = {boxCandidate(scan, organ, {4, 4, 4}, 0.9)};
        stored.autoAccepted = {true};
        QVERIFY(!errorOf([&] { rounds.saveCandidates(round, generalist, stored); }).isEmpty());
        QCOMPARE(stateOf(*store, scan.id, organ), std::string("pseudo-pending"));
        QCOMPARE(count(*store, "SELECT COUNT(*) FROM candidates" + cell +
                                   " AND status = 'pending' AND json_extract(scores, '$.auto_accept') = 1"),
                 std::int64_t(1));

        removeTree(blocker.string());
        rounds.finishPrompting(round);
        QCOMPARE(stateOf(*store, scan.id, organ), std::string("pseudo-accepted"));
        QCOMPARE(count(*store, "SELECT COUNT(*) FROM candidates" + cell + " AND status = 'accepted'"), std::int64_t(1));
        QCOMPARE(count(*store, "SELECT COUNT(*) FROM label_versions" + cell +
                                   " AND json_extract(provenance, '$.decision') = 'auto-accept'"),
                 std::int64_t(1));
        QCOMPARE(round.stage, RoundStage::Review);
        const ProjectCheckReport check = checkProject(*store);
        QVERIFY(check.missingFiles.empty() && check.wrongHashes.empty());
    }
};

QTEST_APPLESS_MAIN(ProjectRoundsTest)
#include "ProjectRoundsTest.moc"
