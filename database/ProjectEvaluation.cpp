#include "ProjectEvaluation.h"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "Error.h"
#include "ImageFile.h"
#include "LabelMaskOps.h"
#include "Metrics.h"
#include "ProjectExporter.h"
#include "SqliteDatabase.h"
#include "TrainingCases.h"

namespace ipnp {

namespace {

struct TestCase {
    ScanRecord scan;
    FloatVolume image;
    LabelMap truth;
    std::vector<int> organs;
};

struct TrainedModel {
    std::string label, checkpoint;
    int round = 0;
};

ModelScores scoreModel(const TrainedModel& model, ProjectStore& store, Specialist& specialist,
                       const std::vector<TestCase>& tests, const OrganSchema& schema) {
    const std::string path = store.pathOf(model.checkpoint);
    specialist.load(path);
    std::map<int, OrganScores> organs;
    for (const TestCase& test : tests) {
        const SpecialistPrediction prediction = specialist.predict(test.image, false, false);
        for (int organ : test.organs) {
            OrganScores& scores = organs[organ];
            scores.organ = organ;
            scores.dice.push_back(dice(prediction.labels, test.truth, organ));
            scores.hd95.push_back(hausdorff95(prediction.labels, test.truth, organ));
        }
    }
    ModelScores out{model.label, model.round, model.checkpoint, {}, 0, std::nullopt};
    double hdSum = 0;
    int hdCount = 0;
    for (auto& [organ, scores] : organs) {
        const Organ* known = schema.byIndex(organ);
        scores.name = known ? known->name : std::to_string(organ);
        for (double d : scores.dice) scores.meanDice += d / double(scores.dice.size());
        double sum = 0;
        int defined = 0;
        for (const auto& h : scores.hd95) {
            if (h) sum += *h, ++defined;
            else ++scores.hd95Undefined;
        }
        if (defined) scores.meanHd95 = sum / defined;
        out.meanDice += scores.meanDice / double(organs.size());
        if (scores.meanHd95) hdSum += *scores.meanHd95, ++hdCount;
        out.organs.push_back(scores);
    }
    if (hdCount) out.meanHd95 = hdSum / hdCount;
    return out;
}

// The reference, when there is one, is scored last.
bool endsWithReference(const EvaluationReport& report) {
    return !report.models.empty() && report.models.back().label == "reference";
}

}  // namespace

std::string whyNoGapRecovery(const EvaluationReport& report) {
    if (report.gapRecovery) return "";
    if (!endsWithReference(report))
        return "no gap recovery: there is no fully labeled reference (`ipnp train --reference`)";
    if (report.models.size() < 3) return "no gap recovery: there is no IPnP round's model beside the baseline yet";
    char text[200];
    std::snprintf(text, sizeof text,
                  "no gap recovery: the reference (mean test Dice %.4f) is not above the baseline (%.4f), so there "
                  "is no gap to recover",
                  report.models.back().meanDice, report.models.front().meanDice);
    return text;
}

std::vector<PseudoLabelRound> pseudoLabelQuality(ProjectStore& store, const ProgressCallback& progress) {
    std::vector<PseudoLabelRound> rounds;
    SqliteStatement roundRows(store.database(),
                              "SELECT id, number FROM rounds WHERE stage IN ('review', 'closed') ORDER BY number");
    std::vector<std::pair<std::int64_t, int>> ids;
    while (roundRows.step()) ids.push_back({roundRows.columnInt(0), int(roundRows.columnInt(1))});
    const OrganSchema schema = store.schema();
    const std::vector<ScanRecord> scans = store.scans();
    for (const auto& [roundId, number] : ids) {
        PseudoLabelRound quality;
        quality.round = number;
        SqliteStatement rows(store.database(),
                             "SELECT x.scan_id, x.organ_id, x.kind, COALESCE(x.file, ''), COALESCE(x.box, ''), x.status, "
                             "COALESCE(t.file, ''), COALESCE(t.box, ''), x.scores FROM candidates x "
                             "LEFT JOIN truth t ON t.scan_id = x.scan_id AND t.organ_id = x.organ_id "
                             "WHERE x.round_id = ?1 ORDER BY x.scan_id, x.organ_id");
        rows.bind(1, roundId);
        double sum = 0, acceptedSum = 0, agreementSum = 0;
        std::size_t scored = 0, acceptedScored = 0, agreementCount = 0;
        std::map<int, std::pair<double, int>> perOrgan;
        while (rows.step()) {
            ++quality.candidates;
            const std::string status = rows.columnText(5);
            quality.accepted += status == "accepted";
            quality.rejected += status == "rejected";
            quality.pending += status == "pending";
            quality.superseded += status == "superseded";
            if (rows.columnText(2) == "absent") {
                ++quality.absent;
                continue;
            }
            const auto scores = nlohmann::json::parse(rows.columnText(8), nullptr, false);
            if (scores.is_object() && scores.contains("specialist_generalist_dice") &&
                scores["specialist_generalist_dice"].is_number())
                agreementSum += scores["specialist_generalist_dice"].get<double>(), ++agreementCount;
            if (rows.columnText(6).empty()) continue;  // no hidden truth for this cell
            const std::int64_t scanId = rows.columnInt(0);
            const ScanRecord* scan = nullptr;
            for (const ScanRecord& s : scans)
                if (s.id == scanId) scan = &s;
            LabelMap candidate(scan->geometry, 0), truth(scan->geometry, 0);
            const VoxelBox cbox = boxFromJson(rows.columnText(4)), tbox = boxFromJson(rows.columnText(7));
            pasteMask(candidate, readLabelMap(store.pathOf(rows.columnText(3))), {cbox[0], cbox[1], cbox[2]}, 1);
            pasteMask(truth, readLabelMap(store.pathOf(rows.columnText(6))), {tbox[0], tbox[1], tbox[2]}, 1);
            const double d = dice(candidate, truth, 1);
            sum += d, ++scored;
            if (status == "accepted") acceptedSum += d, ++acceptedScored;
            auto& organ = perOrgan[int(rows.columnInt(1))];
            organ.first += d, ++organ.second;
        }
        if (progress)
            progress(rounds.size() + 1, ids.size(), "scored the pseudo-labels of round " + std::to_string(number));
        if (scored) quality.meanDice = sum / double(scored);
        if (agreementCount) quality.meanAgreement = agreementSum / double(agreementCount);
        if (acceptedScored) quality.meanDiceAccepted = acceptedSum / double(acceptedScored);
        for (const auto& [organ, total] : perOrgan) {
            const Organ* known = schema.byIndex(organ);
            quality.organDice.push_back({known ? known->name : std::to_string(organ), total.first / total.second});
        }
        rounds.push_back(quality);
    }
    return rounds;
}

void requireTestTruth(ProjectStore& store) {
    if (store.database().queryInt(
            "SELECT COUNT(*) FROM truth t JOIN scans s ON s.id = t.scan_id WHERE s.split = 'test'") == 0)
        throw Error(store.folder(), "no test scan with hidden truth: evaluation needs a project made with "
                                    "`ipnp simulate-partial` (or a test split with truth)");
}

EvaluationReport evaluateProject(ProjectStore& store, Specialist& specialist, const ProgressCallback& progress) {
    requireTestTruth(store);
    EvaluationReport report;
    std::vector<TestCase> tests;
    for (const ScanRecord& scan : store.scans()) {
        if (scan.split != "test") continue;
        const std::vector<LabelFileRecord> truth = store.truthLabels(scan.id);
        if (truth.empty()) continue;
        TestCase test;
        test.scan = scan;
        test.image = readScanVolume<float>(store, scan);
        test.truth = composeTruthLabelMap(store, scan);
        for (const LabelFileRecord& r : truth) test.organs.push_back(r.organIndex);
        tests.push_back(std::move(test));
    }
    report.testScans = tests.size();

    std::vector<TrainedModel> models;
    SqliteStatement trained(store.database(),
                            "SELECT r.number, c.file FROM rounds r JOIN training_runs t ON t.id = r.run_id "
                            "JOIN checkpoints c ON c.run_id = t.id WHERE r.stage <> 'rolled-back' AND t.status = 'finished' "
                            "ORDER BY r.number");
    // The first live round's training is the baseline (manual labels only); each later one learned
    // from the live round before it, whose number names it (after a rollback the live rounds are
    // not numbered from 1, and the pseudo-label section uses the same numbers).
    int previousRound = 0;
    while (trained.step()) {
        const int number = int(trained.columnInt(0));
        const std::string label = models.empty() ? "baseline" : "round " + std::to_string(previousRound);
        models.push_back({label, trained.columnText(1), number});
        previousRound = number;
    }
    if (models.empty()) throw Error(store.folder(), "no trained round to evaluate: run `ipnp round` or `ipnp loop` first");
    SqliteStatement reference(store.database(),
                              "SELECT c.file FROM training_runs t JOIN checkpoints c ON c.run_id = t.id "
                              "WHERE t.purpose = 'reference' AND t.status = 'finished' ORDER BY t.id DESC LIMIT 1");
    if (reference.step()) models.push_back({"reference", reference.columnText(0), 0});

    const OrganSchema schema = store.schema();
    for (std::size_t n = 0; n < models.size(); ++n) {
        if (progress) progress(n, models.size(), "scoring " + models[n].label + " on " + std::to_string(tests.size()) + " test scans");
        report.models.push_back(scoreModel(models[n], store, specialist, tests, schema));
    }
    report.pseudoLabels = pseudoLabelQuality(store, progress);
    const bool hasReference = endsWithReference(report);
    const std::size_t ipnpModels = report.models.size() - (hasReference ? 1 : 0);
    if (hasReference && ipnpModels >= 2) {
        const double baseline = report.models.front().meanDice, reference = report.models.back().meanDice;
        const double last = report.models[ipnpModels - 1].meanDice;
        if (reference - baseline > 1e-9) report.gapRecovery = (last - baseline) / (reference - baseline);
    }
    return report;
}

}  // namespace ipnp
