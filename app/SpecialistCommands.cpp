#include "SpecialistCommands.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "CliSupport.h"
#include "Error.h"
#include "ImageFile.h"
#include "Metrics.h"
#include "ModelExport.h"
#include "TorchSpecialist.h"
#include "TrainingCases.h"
#include "ProjectRounds.h"
#include "SpecialistTraining.h"
#include "TrainingOptions.h"
#include "TrainingRuns.h"

namespace ipnp {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Mean Dice per organ of the specialist on the test-split scans that hold hidden truth.
json evaluateOnTestSplit(ProjectStore& store, TorchSpecialist& specialist) {
    json perOrgan = json::object();
    std::map<int, std::vector<double>> scores;
    for (const ScanRecord& scan : store.scans()) {
        if (scan.split != "test" || store.truthLabels(scan.id).empty()) continue;
        const LabelMap truth = composeTruthLabelMap(store, scan);
        const SpecialistPrediction prediction =
            specialist.predict(readVolume<float>(store.pathOf(scan.file)), false, false);
        for (const LabelFileRecord& record : store.truthLabels(scan.id))
            scores[record.organIndex].push_back(dice(prediction.labels, truth, record.organIndex));
    }
    if (scores.empty()) return json::object();
    const OrganSchema schema = store.schema();
    double sum = 0;
    for (const auto& [organ, values] : scores) {
        double mean = 0;
        for (double value : values) mean += value / values.size();
        perOrgan[schema.byIndex(organ) ? schema.byIndex(organ)->name : std::to_string(organ)] = mean;
        sum += mean;
    }
    return {{"test_dice", perOrgan}, {"mean_test_dice", sum / scores.size()}, {"test_organs", scores.size()}};
}

}  // namespace

void addSpecialistCommands(CLI::App& app, std::string& projectOption) {
    auto* train = app.add_subcommand(
        "train", "Train the specialist (3D U-Net) on the project's training scans: manual labels and accepted "
                 "pseudo-labels, with the partial-label loss");
    static TrainingOptions options;
    static bool resume = false, reference = false;
    options.addTo(*train);
    train->add_flag("--resume", resume, "continue the last interrupted run from its checkpoint, with its settings");
    train->add_flag("--reference", reference,
                    "train the fully labeled reference on manual labels plus the hidden truth of the training split "
                    "(projects made with simulate-partial; scoring only, `ipnp eval` compares against it)");
    train->callback([&projectOption] {
        auto store = cli::openProject(projectOption);
        SpecialistSettings settings = options.resolved();
        // The reference compares with the rounds: it trains with their settings, but for the options given.
        if (reference)
            if (auto rounds = roundsTrainingSettings(*store, settings)) settings = options.appliedTo(*rounds);
        const std::string purpose = reference ? "reference" : "specialist";
        TrainingJob job;
        job.purpose = purpose;
        if (resume) {
            const auto run = TrainingRuns(*store).latestUnfinished(purpose);
            if (!run) throw Error(store->folder(), "no interrupted " + purpose + " training run to resume");
            job.resumeRunId = run->id;
        }
        const std::vector<SpecialistTrainingCase> cases = loadTrainingCases(
            *store, cli::stderrProgress(), reference ? TrainingLabels::Reference : TrainingLabels::Current);
        if (reference && store->database().queryInt("SELECT COUNT(*) FROM truth") == 0)
            throw Error(store->folder(), "--reference needs hidden truth: make the project with `ipnp simulate-partial`");
        for (const ScanRecord& scan : store->scans())
            if (scan.split == "train") {
                settings.modality = scan.modality;
                break;
            }
        TorchSpecialist specialist;
        TrainingCallbacks callbacks;
        callbacks.log = [](const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); };
        callbacks.step = printTrainingStep;
        job.runStarted = [&](std::int64_t runId) {
            std::fprintf(stderr, "training on %zu scan(s), run %lld\n", cases.size(), static_cast<long long>(runId));
        };
        const TrainingResult result = SpecialistTraining(*store).run(specialist, cases, settings, job, callbacks);
        const TrainingPlan& plan = specialist.plan();
        std::printf("Trained run %lld: %d output channels, patch %dx%dx%d at %.3gx%.3gx%.3g mm; checkpoint %s\n",
                    static_cast<long long>(result.runId), plan.channels(), plan.patchSize[0], plan.patchSize[1],
                    plan.patchSize[2], plan.targetSpacing[0], plan.targetSpacing[1], plan.targetSpacing[2],
                    result.checkpoint.file.c_str());
        std::string missing;
        const OrganSchema schema = store->schema();  // organs() refers into it: keep it alive
        for (const Organ& organ : schema.organs())
            if (plan.channelOf(organ.index) == 0) missing += (missing.empty() ? "" : ", ") + organ.name;
        if (!missing.empty())
            std::fprintf(stderr, "note: no training scan has voxels of these organs, so the network has no output for them: %s\n",
                         missing.c_str());
        const json metrics = evaluateOnTestSplit(*store, specialist);
        if (!metrics.empty()) {
            TrainingRuns(*store).setMetrics(result.checkpoint.id, metrics.dump());
            std::printf("Mean Dice on the test split: %.4f over %d organ(s)\n", metrics["mean_test_dice"].get<double>(),
                        metrics["test_organs"].get<int>());
        }
    });

    auto* exportModel = app.add_subcommand(
        "export-model", "Write the trained specialist as TorchScript (specialist.pt) plus its plan (plan.json), "
                        "usable without this app (e.g. torch.jit.load in Python)");
    static std::string exportOut, exportCheckpoint;
    exportModel->add_option("out", exportOut, "output folder")->required();
    exportModel->add_option("--checkpoint", exportCheckpoint, "checkpoint file (default: the latest finished run's)");
    exportModel->callback([&projectOption] {
        std::string file = exportCheckpoint;
        if (file.empty()) {
            auto store = cli::openProject(projectOption);
            const auto latest = TrainingRuns(*store).latestFinishedCheckpoint();
            if (!latest) throw Error(store->folder(), "no trained specialist yet: run `ipnp train` first");
            file = store->pathOf(latest->file);
        }
        exportSpecialist(file, exportOut);
        std::printf("Wrote %s/specialist.pt and %s/plan.json\n", exportOut.c_str(), exportOut.c_str());
    });

    auto* predict = app.add_subcommand("predict", "Predict label maps with the latest trained specialist");
    static std::string out, checkpoint, split = "test";
    static std::vector<std::string> scanNames;
    static bool probabilities = false, mirror = false, predictBf16 = false;
    static std::string predictDevice = "cpu";
    static int predictThreads = 0;
    predict->add_option("out", out, "output folder for SCAN.nii.gz (and SCAN_ORGAN_probability.nii.gz)")->required();
    predict->add_option("--checkpoint", checkpoint, "checkpoint file (default: the latest finished run's)");
    predict->add_option("--scans", scanNames, "scan names (default: every scan of --split)");
    predict->add_option("--split", split, "train, test or all")
        ->capture_default_str()
        ->check(CLI::IsMember({"train", "test", "all"}));
    predict->add_flag("--probabilities", probabilities, "also write one probability map per organ");
    predict->add_flag("--mirror", mirror, "mirror test-time augmentation (8 flips per window)");
    predict->add_option("--device", predictDevice, "cpu or cuda")
        ->capture_default_str()
        ->check(CLI::IsMember({"cpu", "cuda"}));
    predict->add_flag("--bf16", predictBf16, "bf16 autocast (always on with --device cuda)");
    predict->add_option("--threads", predictThreads, "CPU threads")->capture_default_str()->check(cli::atLeast(0));
    predict->callback([&projectOption] {
        auto store = cli::openProject(projectOption);
        std::string file = checkpoint;
        if (file.empty()) {
            const auto latest = TrainingRuns(*store).latestFinishedCheckpoint();
            if (!latest) throw Error(store->folder(), "no trained specialist yet: run `ipnp train` first");
            file = store->pathOf(latest->file);
        }
        TorchSpecialist specialist;
        specialist.setDevice(predictDevice);
        specialist.setThreads(predictThreads);
        specialist.setBf16(predictBf16 || predictDevice == "cuda");
        specialist.load(file);
        // A name or split that matches nothing is refused before any file is written.
        std::vector<ScanRecord> selected;
        const std::vector<ScanRecord> scans = store->scans();
        for (const std::string& name : scanNames)
            if (std::none_of(scans.begin(), scans.end(), [&](const ScanRecord& scan) { return scan.name == name; }))
                throw Error(store->folder(), "no scan named '" + name + "' in the project (see `ipnp status`)");
        for (const ScanRecord& scan : scans) {
            const bool named = std::find(scanNames.begin(), scanNames.end(), scan.name) != scanNames.end();
            if (scanNames.empty() ? (split == "all" || scan.split == split) : named) selected.push_back(scan);
        }
        if (selected.empty()) throw Error(store->folder(), "the project has no scan in the split '" + split + "'");
        fs::create_directories(out);
        const OrganSchema schema = store->schema();
        std::size_t written = 0;
        for (const ScanRecord& scan : selected) {
            const auto started = std::chrono::steady_clock::now();
            const SpecialistPrediction prediction =
                specialist.predict(readVolume<float>(store->pathOf(scan.file)), probabilities, mirror);
            writeVolume(prediction.labels, (fs::path(out) / (scan.name + ".nii.gz")).string());
            for (std::size_t n = 0; n < prediction.organs.size(); ++n)
                writeVolume(prediction.probabilities[n],
                            (fs::path(out) / (scan.name + "_" + std::to_string(prediction.organs[n]) + "_probability.nii.gz"))
                                .string());
            ++written;
            std::string scores;
            if (!store->truthLabels(scan.id).empty()) {
                const LabelMap truth = composeTruthLabelMap(*store, scan);
                double sum = 0;
                int count = 0;
                for (const LabelFileRecord& record : store->truthLabels(scan.id)) {
                    sum += dice(prediction.labels, truth, record.organIndex);
                    ++count;
                }
                char text[64];
                std::snprintf(text, sizeof text, ", mean Dice vs hidden truth %.4f", sum / count);
                scores = text;
            }
            std::fprintf(stderr, "%s: %.1f s%s\n", scan.name.c_str(),
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), scores.c_str());
        }
        std::printf("Wrote %zu prediction(s) to %s\n", written, out.c_str());
    });
}

}  // namespace ipnp
