#include "RoundCommands.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "AtomicWrite.h"
#include "BuiltinGeneralist.h"
#include "CliSupport.h"
#include "Error.h"
#include "GeneralistContractFile.h"
#include "LineChartImage.h"
#include "ProjectRounds.h"
#include "ProjectSettings.h"
#include "Sha256.h"
#include "SpecialistSettingsJson.h"
#include "SpecialistTraining.h"
#include "SqliteDatabase.h"
#include "TorchScriptGeneralist.h"
#include "TorchSpecialist.h"
#include "TrainingCases.h"
#include "TrainingOptions.h"
#include "TrainingRuns.h"

namespace ipnp {

namespace fs = std::filesystem;
using nlohmann::json;

std::unique_ptr<Generalist> openGeneralist(const std::string& option, const std::string& device) {
    if (option.empty() || option == "builtin") return std::make_unique<BuiltinGeneralist>();
    if (!fs::is_regular_file(option)) throw Error(option, "no such generalist model file (or say 'builtin')");
    auto generalist = std::make_unique<TorchScriptGeneralist>(
        option, readGeneralistContractFile(generalistContractPathFor(option)), Sha256::ofFile(option));
    generalist->setDevice(device);
    return generalist;
}

namespace {

RoundCallbacks stderrRoundCallbacks() {
    RoundCallbacks callbacks;
    callbacks.training.log = [](const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); };
    callbacks.training.step = printTrainingStep;
    callbacks.progress = cli::stderrProgress();
    callbacks.log = [](const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); };
    return callbacks;
}

RoundSummary runRound(ProjectStore& store, const RoundSettings& settings, Generalist& generalist, bool trainingOnly) {
    ProjectRounds rounds(store);
    TorchSpecialist specialist;
    specialist.setDevice(settings.training.device);
    specialist.setThreads(settings.training.threads);
    specialist.setBf16(settings.training.bf16);
    RoundEngine engine(rounds, specialist, generalist);
    const RoundSummary summary = engine.run(settings, stderrRoundCallbacks(), trainingOnly);
    if (!trainingOnly) {
        std::string skipped;
        const OrganSchema schema = store.schema();
        for (const std::string& organ : summary.skippedOrgans) {
            const Organ* known = schema.byIndex(std::stoi(organ));
            skipped += (skipped.empty() ? "" : ", ") + (known ? known->name : organ);
        }
        std::printf("Round %d: %zu candidate(s) on %zu scan(s) (%zu absent), %zu auto-accepted\n", summary.round,
                    summary.candidates, summary.scans, summary.absent, summary.autoAccepted);
        if (!skipped.empty())
            std::fprintf(stderr, "note: the specialist has no output for %s (no training scan labels them)\n",
                         skipped.c_str());
    }
    return summary;
}

}  // namespace

RoundSettings projectRoundSettings(ProjectStore& store, const SpecialistSettings& defaults) {
    RoundSettings settings;
    // Every round of a run trains alike: the first round's settings, else the project's.
    settings.training = roundsTrainingSettings(store, defaults).value_or(defaults);
    ProjectSettings project(store);
    settings.policy.minimumDice = project.autoAcceptDice();
    settings.policy.rangeWidening = project.autoAcceptVolumeWidening();
    settings.warmStart = project.roundsWarmStart();
    return settings;
}

CLI::Option* addVolumeWideningOption(CLI::App& command, double& widening, const std::string& description) {
    return command.add_option("--volume-widening", widening, description)->check([](const std::string& text) {
        try {
            if (std::stod(text) >= 0) return std::string();
        } catch (const std::exception&) {
        }
        return "must be a number, 0 or more, not " + text;
    });
}

namespace {

struct RoundOptions {
    TrainingOptions training;
    std::string generalist;  // empty: the project's (builtin unless set in the app's settings)
    double autoAcceptDice = -1;  // < 0: no unattended acceptance
    double rangeWidening = 0.5;
    double marginMm = 6.0;
    bool mirror = false;
    bool warmStart = true;
    // Not given on the command line: the project's settings (ProjectSettings) decide.
    CLI::Option* warmStartOption = nullptr;
    CLI::Option* rangeWideningOption = nullptr;

    void addTo(CLI::App& command, bool loop) {
        training.addTo(command, false);
        command.add_option("--generalist", generalist,
                           "builtin, or a TorchScript .pt with its contract .json next to it (default: the project's "
                           "setting, builtin unless changed)");
        if (loop)
            command.add_option("--auto-accept-dice", autoAcceptDice,
                               "accept candidates whose specialist-generalist Dice reaches this (and whose volume is "
                               "plausible); default: the project's setting, 0.8 unless changed")
                ->check(cli::between(0, 1, true, true));
        else
            command.add_option("--auto-accept-dice", autoAcceptDice,
                               "accept unattended the candidates whose specialist-generalist Dice reaches this and "
                               "whose volume lies within the labeled range widened by --volume-widening")
                ->check(cli::between(0, 1, true, true));
        rangeWideningOption = addVolumeWideningOption(
            command, rangeWidening,
            "the auto-accept policy's volume check: the organ's range of labeled volumes widened by this fraction at "
            "both ends (default: the project's setting, 0.5 unless changed)");
        command.add_option("--prompt-margin", marginMm, "mm added around the specialist's box")->capture_default_str();
        command.add_flag("--mirror", mirror, "mirror test-time augmentation in the specialist's predictions");
        warmStartOption = command.add_flag(
            "--warm-start,!--from-scratch", warmStart,
            "start each round's training from the previous round's specialist (same iteration budget), or train "
            "every round from random weights (default: the project's setting, warm start unless changed)");
    }

    std::string generalistFor(ProjectStore& store) const {
        return generalist.empty() ? ProjectSettings(store).generalist() : generalist;
    }

    // The project's settings, with what the command line gives instead.
    RoundSettings resolved(ProjectStore& store, bool loop) const {
        RoundSettings settings = projectRoundSettings(store, training.resolved());
        // The training options given change only themselves (a later round's --iterations keeps
        // round 1's network and patch).
        settings.training = training.appliedTo(settings.training);
        settings.prompts.marginMm = marginMm;
        settings.autoAccept = loop || autoAcceptDice >= 0;
        if (autoAcceptDice >= 0) settings.policy.minimumDice = autoAcceptDice;
        if (rangeWideningOption && rangeWideningOption->count() > 0) settings.policy.rangeWidening = rangeWidening;
        settings.mirror = mirror;
        if (warmStartOption && warmStartOption->count() > 0) settings.warmStart = warmStart;
        return settings;
    }
};

std::string formatScore(const json& scores, const char* key, const char* format) {
    if (!scores.contains(key) || scores[key].is_null()) return "-";
    char text[32];
    std::snprintf(text, sizeof text, format, scores[key].get<double>());
    return text;
}

void printCandidates(std::vector<CandidateRecord> candidates, const std::string& sort) {
    if (sort == "worst" || sort == "best")
        std::stable_sort(candidates.begin(), candidates.end(), [&](const CandidateRecord& a, const CandidateRecord& b) {
            return sort == "worst" ? a.dice < b.dice : a.dice > b.dice;
        });
    std::printf("%6s %5s  %-18s %-20s %7s %6s %9s %6s  %s\n", "id", "round", "scan", "organ", "dice", "conf", "volume", "plaus",
                "status");
    for (const CandidateRecord& c : candidates) {
        const json scores = json::parse(c.scoresJson);
        std::printf("%6lld %5d  %-18s %-20s %7s %6s %9s %6s  %s\n", static_cast<long long>(c.id), c.round,
                    c.scanName.c_str(), c.organName.c_str(),
                    c.absent ? "absent" : formatScore(scores, "specialist_generalist_dice", "%.3f").c_str(),
                    formatScore(scores, "mean_confidence", "%.2f").c_str(),
                    c.absent        ? "-"
                    : c.emptyMask() ? "empty"
                                    : (formatScore(scores, "volume_ml", "%.1f") + "ml").c_str(),
                    formatScore(scores, "volume_plausibility", "%.2f").c_str(), c.status.c_str());
    }
    std::printf("%zu candidate(s)\n", candidates.size());
}

void writeTextFile(const std::string& path, const std::string& text) {
    writeFileAtomically(path, [&](const std::string& temporary) {
        std::ofstream out(temporary, std::ios::binary);
        out << text;
        if (!out.flush()) throw Error(temporary, "cannot be written");
    });
}

std::string fixed(double value, int digits = 4) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

std::string optionalFixed(const std::optional<double>& value, int digits = 2) {
    return value ? fixed(*value, digits) : std::string("n/a");
}

}  // namespace

LoopResult runLoop(ProjectStore& store, const RoundSettings& settings, Generalist& generalist, int rounds) {
    LoopResult result;
    for (int n = 0; n < rounds; ++n) {
        if (!ProjectRounds(store).unfinishedRound() && ProjectRounds(store).cellsToPseudoLabel() == 0) {
            std::fprintf(stderr, "nothing left to pseudo-label: the loop stops after %d round(s)\n", n);
            result.stoppedEarly = true;
            break;
        }
        std::fprintf(stderr, "== IPnP round %d of %d ==\n", n + 1, rounds);
        const RoundSummary summary = runRound(store, settings, generalist, false);
        ++result.roundsRun;
        if (settings.autoAccept && summary.autoAccepted == 0) {
            std::fprintf(stderr, "round %d accepted nothing new: the loop stops\n", summary.round);
            result.stoppedEarly = true;
            break;
        }
    }
    std::fprintf(stderr, "== closing training (the model the last round's labels give) ==\n");
    runRound(store, settings, generalist, true);
    return result;
}

void trainReference(ProjectStore& store, const SpecialistSettings& settings) {
    TorchSpecialist specialist;
    specialist.setDevice(settings.device);
    specialist.setThreads(settings.threads);
    specialist.setBf16(settings.bf16);
    TrainingCallbacks callbacks;
    callbacks.step = printTrainingStep;
    callbacks.log = [](const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); };
    ipnp::trainReference(store, specialist, settings, callbacks);
}

EvaluationReport evaluate(ProjectStore& store, const std::string& device, int threads, bool bf16) {
    TorchSpecialist specialist;
    specialist.setDevice(device);
    specialist.setThreads(threads);
    const bool predictInBf16 = bf16 || device == "cuda";
    specialist.setBf16(predictInBf16);
    EvaluationReport report = evaluateProject(store, specialist, cli::stderrProgress());
    report.bf16 = predictInBf16;
    return report;
}

std::string writeEvaluation(ProjectStore& store, const EvaluationReport& report, const std::string& folder) {
    fs::create_directories(folder);
    // JSON: everything, per organ and per scan.
    json models = json::array();
    for (const ModelScores& model : report.models) {
        json organs = json::object();
        for (const OrganScores& organ : model.organs) {
            json hd = json::array();
            for (const auto& h : organ.hd95) hd.push_back(h ? json(*h) : json(nullptr));
            organs[organ.name] = {{"dice", organ.dice},
                                  {"hd95_mm", hd},
                                  {"mean_dice", organ.meanDice},
                                  {"mean_hd95_mm", organ.meanHd95 ? json(*organ.meanHd95) : json(nullptr)},
                                  {"hd95_undefined", organ.hd95Undefined}};
        }
        models.push_back({{"model", model.label},
                          {"trained_in_round", model.trainedInRound},
                          {"checkpoint", model.checkpoint},
                          {"mean_dice", model.meanDice},
                          {"mean_hd95_mm", model.meanHd95 ? json(*model.meanHd95) : json(nullptr)},
                          {"organs", organs}});
    }
    json pseudo = json::array();
    for (const PseudoLabelRound& r : report.pseudoLabels) {
        json organs = json::object();
        for (const auto& [name, d] : r.organDice) organs[name] = d;
        pseudo.push_back({{"round", r.round},
                          {"candidates", r.candidates},
                          {"accepted", r.accepted},
                          {"rejected", r.rejected},
                          {"pending", r.pending},
                          {"superseded", r.superseded},
                          {"absent", r.absent},
                          {"mean_dice_vs_hidden_truth", r.meanDice ? json(*r.meanDice) : json(nullptr)},
                          {"mean_dice_accepted", r.meanDiceAccepted ? json(*r.meanDiceAccepted) : json(nullptr)},
                          {"organ_dice", organs}});
    }
    const json document = {{"test_scans", report.testScans},
                           {"prediction_precision", report.bf16 ? "bf16" : "float32"},
                           {"models", models},
                           {"pseudo_labels", pseudo},
                           {"gap_recovery", report.gapRecovery ? json(*report.gapRecovery) : json(nullptr)},
                           {"metric_definitions",
                            "Dice = 2|A n B|/(|A|+|B|), 1 when both empty; HD95 = 95th percentile of pooled symmetric "
                            "surface distances in mm (surface = mask minus its 6-connected erosion), undefined when "
                            "one mask is empty (left out of means, counted)"}};
    writeTextFile((fs::path(folder) / "evaluation.json").string(), document.dump(2) + "\n");

    // Markdown: the headline table (mean Dice / HD95 per model), per-organ Dice, pseudo-label quality.
    std::ostringstream table;
    table << "| model | mean test Dice | mean HD95 (mm) |\n|---|---|---|\n";
    for (const ModelScores& model : report.models)
        table << "| " << model.label << " | " << fixed(model.meanDice) << " | " << optionalFixed(model.meanHd95) << " |\n";
    if (report.gapRecovery)
        table << "\nGap recovery (IPnP - baseline) / (reference - baseline): **" << fixed(*report.gapRecovery, 2)
              << "**\n";
    else
        table << "\n" << whyNoGapRecovery(report) << "\n";
    std::ostringstream md;
    md << "# IPnP evaluation\n\n" << report.testScans << " test scans with full truth; project " << store.folder()
       << "; predictions in " << (report.bf16 ? "bf16" : "float32") << ".\n\n## Test split\n\n" << table.str()
       << "\n### Dice per organ\n\n| organ |";
    for (const ModelScores& model : report.models) md << " " << model.label << " |";
    md << "\n|---|";
    for (std::size_t n = 0; n < report.models.size(); ++n) md << "---|";
    md << "\n";
    std::vector<std::string> organNames;
    if (!report.models.empty())
        for (const OrganScores& organ : report.models.front().organs) organNames.push_back(organ.name);
    for (const std::string& name : organNames) {
        md << "| " << name << " |";
        for (const ModelScores& model : report.models)
            for (const OrganScores& organ : model.organs)
                if (organ.name == name)
                    md << " " << fixed(organ.meanDice, 3) << " / " << optionalFixed(organ.meanHd95, 1) << " mm |";
        md << "\n";
    }
    md << "\n(Dice / HD95 per cell; HD95 undefined where a prediction is empty is left out of the mean.)\n\n"
       << "## Pseudo-labels of the training split against its hidden truth\n\n"
       << "| round | candidates | accepted | rejected | pending | superseded | absent | mean Dice (all) | mean Dice (accepted) |\n"
       << "|---|---|---|---|---|---|---|---|---|\n";
    for (const PseudoLabelRound& r : report.pseudoLabels)
        md << "| " << r.round << " | " << r.candidates << " | " << r.accepted << " | " << r.rejected << " | " << r.pending
           << " | " << r.superseded << " | " << r.absent << " | " << optionalFixed(r.meanDice, 4) << " | "
           << optionalFixed(r.meanDiceAccepted, 4) << " |\n";
    md << "\n![Test Dice per round](test_dice.png)\n\n![Pseudo-label quality](pseudo_label_dice.png)\n";
    writeTextFile((fs::path(folder) / "evaluation.md").string(), md.str());

    // Plots: test Dice per model per organ (plus the mean); pseudo-label Dice per round.
    LineChart testChart;
    testChart.title = "Test Dice per organ, baseline -> IPnP rounds -> reference";
    testChart.xLabel = "model";
    testChart.yLabel = "Dice";
    testChart.yMin = 0.0;
    testChart.yMax = 1.0;
    for (const ModelScores& model : report.models) testChart.xTicks.push_back(model.label);
    ChartSeries mean{"mean", {}};
    for (const ModelScores& model : report.models) mean.values.push_back(model.meanDice);
    testChart.series.push_back(mean);
    for (const std::string& name : organNames) {
        ChartSeries series{name, {}};
        for (const ModelScores& model : report.models) {
            std::optional<double> value;
            for (const OrganScores& organ : model.organs)
                if (organ.name == name) value = organ.meanDice;
            series.values.push_back(value);
        }
        testChart.series.push_back(series);
    }
    writeLineChartPng(testChart, (fs::path(folder) / "test_dice.png").string());

    LineChart pseudoChart;
    pseudoChart.title = "Pseudo-labels against the hidden truth of the training split";
    pseudoChart.xLabel = "round";
    pseudoChart.yLabel = "Dice";
    pseudoChart.yMin = 0.0;
    pseudoChart.yMax = 1.0;
    ChartSeries all{"all candidates", {}}, accepted{"accepted", {}};
    for (const PseudoLabelRound& r : report.pseudoLabels) {
        pseudoChart.xTicks.push_back("round " + std::to_string(r.round));
        all.values.push_back(r.meanDice);
        accepted.values.push_back(r.meanDiceAccepted);
    }
    pseudoChart.series = {all, accepted};
    if (!pseudoChart.xTicks.empty()) writeLineChartPng(pseudoChart, (fs::path(folder) / "pseudo_label_dice.png").string());
    return table.str();
}

void addRoundCommands(CLI::App& app, std::string& projectOption) {
    // ipnp round
    auto* round = app.add_subcommand(
        "round", "Run one IPnP round: train the specialist, prompt the generalist for every organ still unknown, store "
                 "the candidates for review (or finish an interrupted round)");
    static RoundOptions roundOptions;
    roundOptions.addTo(*round, false);
    round->callback([&projectOption] {
        auto store = cli::openProject(projectOption);
        const RoundSettings settings = roundOptions.resolved(*store, false);
        const auto generalist = openGeneralist(roundOptions.generalistFor(*store), settings.training.device);
        runRound(*store, settings, *generalist, false);
        std::printf("Review the candidates with `ipnp review`.\n");
    });

    // ipnp loop
    auto* loop = app.add_subcommand(
        "loop", "Run IPnP rounds unattended (auto-accept policy), then the closing training");
    static RoundOptions loopOptions;
    static int roundCount = 3;
    loop->add_option("--rounds", roundCount, "rounds to run")->capture_default_str()->check(cli::atLeast(1));
    loopOptions.addTo(*loop, true);
    loop->callback([&projectOption] {
        auto store = cli::openProject(projectOption);
        const RoundSettings settings = loopOptions.resolved(*store, true);
        const auto generalist = openGeneralist(loopOptions.generalistFor(*store), settings.training.device);
        const LoopResult result = runLoop(*store, settings, *generalist, roundCount);
        std::printf("Ran %d round(s)%s. See `ipnp rounds` and `ipnp eval`.\n", result.roundsRun,
                    result.stoppedEarly ? " (stopped early)" : "");
    });

    // ipnp review
    auto* review = app.add_subcommand(
        "review", "List the pending candidates with their scores, or decide on them");
    static std::vector<std::int64_t> acceptIds, rejectIds;
    static std::string mask, sort = "id", status = "pending";
    static double acceptAbove = -1;
    static bool dryRun = false, reviewJson = false;
    review->add_flag("--json", reviewJson, "list as JSON (id, round, scan, organ, kind, status, scores, prompts)");
    review->add_option("--accept", acceptIds, "accept these candidates");
    review->add_option("--reject", rejectIds, "reject these candidates");
    review->add_option("--mask", mask, "with one --accept: the edited mask (the scan's grid, non-zero = organ)");
    review
        ->add_option("--accept-all-above", acceptAbove,
                     "accept every pending candidate with specialist-generalist Dice >= T")
        ->check(cli::between(0, 1, true, true));
    review->add_flag("--dry-run", dryRun, "with --accept-all-above: only count");
    review->add_option("--sort", sort, "id, worst or best (by specialist-generalist Dice)")
        ->capture_default_str()
        ->check(CLI::IsMember({"id", "worst", "best"}));
    review->add_option("--status", status, "list candidates with this status (pending, accepted, rejected, superseded, all)")
        ->capture_default_str()
        ->check(CLI::IsMember({"pending", "accepted", "rejected", "superseded", "all"}));
    review->callback([&projectOption] {
        // Command-line mistakes (exit 2) before the project is opened: nothing is decided.
        const bool decisions = !acceptIds.empty() || !rejectIds.empty();
        if (!mask.empty() && (acceptIds.size() != 1 || !rejectIds.empty() || acceptAbove >= 0))
            throw CLI::ValidationError("--mask", "goes with exactly one --accept ID and no other decision");
        if (dryRun && (acceptAbove < 0 || decisions))
            throw CLI::ValidationError("--dry-run", "only counts what --accept-all-above would accept; it cannot "
                                                   "be given alone or with --accept/--reject");
        std::vector<std::int64_t> named = acceptIds;
        named.insert(named.end(), rejectIds.begin(), rejectIds.end());
        std::sort(named.begin(), named.end());
        if (const auto twice = std::adjacent_find(named.begin(), named.end()); twice != named.end())
            throw CLI::ValidationError("--accept/--reject", "candidate " + std::to_string(*twice) +
                                                                " is named twice; decide each one once");
        auto store = cli::openProject(projectOption);
        ProjectRounds rounds(*store);
        if (!mask.empty()) {
            rounds.acceptEdited(acceptIds.front(), mask);
            std::printf("Accepted candidate %lld with the edited mask %s\n", static_cast<long long>(acceptIds.front()),
                        mask.c_str());
            return;
        }
        // All of them checked before any is decided (a mistake in the list changes nothing).
        rounds.decideAll(acceptIds, rejectIds, [](std::int64_t id, bool accepted) {
            std::printf("%s candidate %lld\n", accepted ? "Accepted" : "Rejected", static_cast<long long>(id));
            std::fflush(stdout);
        });
        if (acceptAbove >= 0) {
            const auto ids = rounds.acceptAllAbove(acceptAbove, dryRun);
            std::printf("%s %zu candidate(s) with Dice >= %g\n", dryRun ? "Would accept" : "Accepted", ids.size(), acceptAbove);
        }
        if (acceptIds.empty() && rejectIds.empty() && acceptAbove < 0) {
            const auto candidates = rounds.candidates(status == "all" ? "" : status);
            if (!reviewJson) return printCandidates(candidates, sort);
            json list = json::array();
            for (const CandidateRecord& c : candidates)
                list.push_back({{"id", c.id}, {"round", c.round}, {"scan", c.scanName}, {"organ", c.organName},
                                {"organ_index", c.organIndex}, {"kind", c.absent ? "absent" : "mask"},
                                {"status", c.status}, {"scores", json::parse(c.scoresJson)},
                                {"prompts", json::parse(c.promptsJson)}, {"generalist", json::parse(c.generalistJson)},
                                {"checkpoint_sha256", c.checkpointSha256}, {"created_at", c.createdAt}});
            std::printf("%s\n", list.dump(2).c_str());
        }
    });

    // ipnp rounds [rollback N]
    auto* history = app.add_subcommand("rounds", "The rounds' history; `rounds rollback N` undoes round N and later ones");
    auto* rollback = history->add_subcommand("rollback", "Return the labels to their state before round N (decisions stay on record)");
    static int rollbackRound = 0;
    rollback->add_option("round", rollbackRound, "round number")->required();
    rollback->callback([&projectOption] {
        auto store = cli::openProject(projectOption);
        ProjectRounds(*store).rollback(rollbackRound);
        std::printf("Rolled back to the state before round %d\n", rollbackRound);
    });
    history->callback([&projectOption, rollback] {
        if (rollback->parsed()) return;
        auto store = cli::openProject(projectOption);
        const auto records = ProjectRounds(*store).history();
        if (records.empty()) {
            std::printf("No rounds yet: run `ipnp round` or `ipnp loop`.\n");
            return;
        }
        std::printf("%5s  %-11s %-24s %7s %8s %8s %10s %6s  %s\n", "round", "stage", "started", "pending", "accepted",
                    "rejected", "superseded", "absent", "checkpoint");
        for (const RoundRecord& r : records)
            std::printf("%5d  %-11s %-24s %7zu %8zu %8zu %10zu %6zu  %s\n", r.number, toString(r.stage), r.startedAt.c_str(),
                        r.pending, r.accepted, r.rejected, r.superseded, r.absent,
                        r.checkpointSha256.empty() ? "-" : r.checkpointSha256.substr(0, 12).c_str());
    });

    // ipnp eval
    auto* eval = app.add_subcommand(
        "eval", "Evaluate on the test split (Dice, HD95) the baseline, every round and the reference, and the "
                "pseudo-labels against the hidden truth: JSON, Markdown and PNG plots");
    static std::string evalOut, evalDevice = "cpu";
    static int evalThreads = 0;
    static bool evalBf16 = false;
    eval->add_option("--out", evalOut, "report folder (default: the project's reports/)");
    eval->add_option("--device", evalDevice, "cpu or cuda")
        ->capture_default_str()
        ->check(CLI::IsMember({"cpu", "cuda"}));
    eval->add_option("--threads", evalThreads, "CPU threads")->capture_default_str()->check(cli::atLeast(0));
    CLI::Option* evalBf16Option =
        eval->add_flag("--bf16,!--no-bf16", evalBf16,
                       "bf16 autocast for the predictions (default: as the project's rounds train; always on with cuda)");
    eval->callback([&projectOption, evalBf16Option] {
        auto store = cli::openProject(projectOption);
        // The models are scored in the precision they were trained and prompted in.
        const bool bf16 = evalBf16Option->count() > 0
                              ? evalBf16
                              : roundsTrainingSettings(*store, {}).value_or(SpecialistSettings{}).bf16;
        const EvaluationReport report = evaluate(*store, evalDevice, evalThreads, bf16);
        const std::string folder = evalOut.empty() ? store->pathOf("reports") : evalOut;
        std::printf("%s\nReport: %s/evaluation.md (JSON and PNG plots beside it)\n",
                    writeEvaluation(*store, report, folder).c_str(), folder.c_str());
    });
}

}  // namespace ipnp
