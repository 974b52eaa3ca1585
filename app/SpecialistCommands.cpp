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
#include "TrainingRuns.h"

namespace ipnp {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json settingsToJson(const SpecialistSettings& s) {
    return {{"iterations", s.iterations},       {"batch_size", s.batchSize},
            {"patch_size", s.patchSize},        {"stages", s.network.stages},
            {"base_width", s.network.baseWidth}, {"max_width", s.network.maxWidth},
            {"deep_supervision", s.network.deepSupervision}, {"optimizer", s.optimizer},
            {"learning_rate", s.learningRate},  {"weight_decay", s.weightDecay},
            {"gradient_clip", s.gradientClip},  {"foreground_fraction", s.foregroundFraction},
            {"augment", s.augment},             {"marginal_loss", s.marginalLoss},
            {"exclusion_weight", s.exclusionWeight}, {"seed", s.seed},
            {"checkpoint_every", s.checkpointEvery}, {"modality", s.modality}, {"bf16", s.bf16}};
}

SpecialistSettings settingsFromJson(const json& j, SpecialistSettings s) {
    s.iterations = j.at("iterations");
    s.batchSize = j.at("batch_size");
    s.patchSize = j.at("patch_size").get<std::array<int, 3>>();
    s.network.stages = j.at("stages");
    s.network.baseWidth = j.at("base_width");
    s.network.maxWidth = j.at("max_width");
    s.network.deepSupervision = j.at("deep_supervision");
    s.optimizer = j.at("optimizer");
    s.learningRate = j.at("learning_rate");
    s.weightDecay = j.at("weight_decay");
    s.gradientClip = j.at("gradient_clip");
    s.foregroundFraction = j.at("foreground_fraction");
    s.augment = j.at("augment");
    s.marginalLoss = j.at("marginal_loss");
    s.exclusionWeight = j.at("exclusion_weight");
    s.seed = j.at("seed");
    s.checkpointEvery = j.at("checkpoint_every");
    s.modality = j.at("modality");
    s.bf16 = j.value("bf16", false);
    return s;
}

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

void printStep(const TrainingStep& step) {
    const double eta = step.secondsPerIteration * (step.iterations - step.iteration);
    std::fprintf(stderr, "[%d/%d] loss %.4f (ce %.4f, dice %.4f, exclusion %.4f)  %.2f s/it  ETA %dm%02ds\n",
                 step.iteration, step.iterations, step.loss, step.crossEntropy, step.dice, step.exclusion,
                 step.secondsPerIteration, int(eta) / 60, int(eta) % 60);
}

}  // namespace

void addSpecialistCommands(CLI::App& app, std::string& projectOption) {
    auto* train = app.add_subcommand(
        "train", "Train the specialist (3D U-Net) on the project's training scans: manual labels and accepted "
                 "pseudo-labels, with the partial-label loss");
    static SpecialistSettings settings;
    static int patch = 64, threads = 0;
    static bool resume = false, baseline = false, noAugment = false, noDeepSupervision = false, bf16 = false;
    static std::string device = "cpu";
    train->add_option("--iterations", settings.iterations, "training iterations (each one batch)")->capture_default_str();
    train->add_option("--batch", settings.batchSize, "patches per iteration")->capture_default_str();
    train->add_option("--patch", patch, "patch edge in voxels (capped by the median scan)")->capture_default_str();
    train->add_option("--stages", settings.network.stages, "U-Net resolution stages")->capture_default_str();
    train->add_option("--base-width", settings.network.baseWidth, "feature maps at full resolution")->capture_default_str();
    train->add_flag("--no-deep-supervision", noDeepSupervision, "supervise the full-resolution output only");
    train->add_option("--optimizer", settings.optimizer, "sgd (Nesterov, momentum 0.99) or adamw")->capture_default_str();
    train->add_option("--lr", settings.learningRate, "initial learning rate (poly decay)")->capture_default_str();
    train->add_option("--seed", settings.seed, "random seed")->capture_default_str();
    train->add_option("--checkpoint-every", settings.checkpointEvery, "iterations between checkpoints")->capture_default_str();
    train->add_option("--threads", threads, "CPU threads (0: LibTorch's default)")->capture_default_str();
    train->add_option("--device", device, "cpu or cuda")->capture_default_str();
    train->add_flag("--bf16", bf16, "bf16 autocast (CPUs with AVX512-BF16; always on with --device cuda)");
    train->add_flag("--no-augment", noAugment, "no flips, rotations, scaling or intensity changes");
    train->add_flag("--background-baseline", baseline,
                    "the baseline: unlabeled organs count as background (no marginal or exclusion loss)");
    train->add_flag("--resume", resume, "continue the last interrupted run from its checkpoint, with its settings");
    train->callback([&projectOption] {
        auto store = cli::openProject(projectOption);
        TrainingRuns runs(*store);
        settings.patchSize = {patch, patch, patch};
        settings.augment = !noAugment;
        settings.marginalLoss = !baseline;
        settings.network.deepSupervision = !noDeepSupervision;
        settings.device = device;
        settings.threads = threads;
        settings.bf16 = bf16 || device == "cuda";

        std::int64_t runId = 0;
        std::string resumeFrom;
        if (resume) {
            const auto run = runs.latestUnfinished();
            if (!run) throw Error(store->folder(), "no interrupted training run to resume");
            runId = run->id;
            const auto checkpoint = runs.checkpointOf(runId);
            resumeFrom = store->pathOf(checkpoint->file);
            settings = settingsFromJson(json::parse(run->settingsJson), settings);
        }
        std::vector<SpecialistTrainingCase> cases = loadTrainingCases(*store, cli::stderrProgress());
        if (cases.empty())
            throw Error(store->folder(), "no training scan has a label: import label maps (or accept pseudo-labels) first");
        for (const ScanRecord& scan : store->scans())
            if (scan.split == "train") {
                settings.modality = scan.modality;
                break;
            }
        if (!resume) runId = runs.start(settingsToJson(settings).dump(), cases.size());

        TorchSpecialist specialist;
        TrainingCallbacks callbacks;
        callbacks.log = [](const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); };
        callbacks.step = printStep;
        callbacks.checkpointPath = [&](int iteration) {
            char name[64];
            std::snprintf(name, sizeof name, "checkpoints/run%03lld_iter%06d.pt", static_cast<long long>(runId), iteration);
            return store->pathOf(name);
        };
        std::optional<CheckpointRecord> last;
        callbacks.checkpointWritten = [&](const std::string& path, int iteration, double loss) {
            last = runs.recordCheckpoint(runId, fs::relative(path, store->folder()).string(), iteration,
                                         settings.iterations, loss);
        };
        std::fprintf(stderr, "training on %zu scan(s), run %lld\n", cases.size(), static_cast<long long>(runId));
        try {
            specialist.train(cases, settings, resumeFrom, callbacks);
        } catch (...) {
            runs.setStatus(runId, "failed");
            throw;
        }
        runs.setStatus(runId, "finished");
        const TrainingPlan& plan = specialist.plan();
        std::printf("Trained run %lld: %d output channels, patch %dx%dx%d at %.3gx%.3gx%.3g mm; checkpoint %s\n",
                    static_cast<long long>(runId), plan.channels(), plan.patchSize[0], plan.patchSize[1],
                    plan.patchSize[2], plan.targetSpacing[0], plan.targetSpacing[1], plan.targetSpacing[2],
                    last ? last->file.c_str() : "(none)");
        std::string missing;
        for (const Organ& organ : store->schema().organs())
            if (plan.channelOf(organ.index) == 0) missing += (missing.empty() ? "" : ", ") + organ.name;
        if (!missing.empty())
            std::fprintf(stderr, "note: no training scan has voxels of these organs, so the network has no output for them: %s\n",
                         missing.c_str());
        const json metrics = evaluateOnTestSplit(*store, specialist);
        if (last && !metrics.empty()) {
            runs.setMetrics(last->id, metrics.dump());
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
    predict->add_option("--split", split, "train, test or all")->capture_default_str();
    predict->add_flag("--probabilities", probabilities, "also write one probability map per organ");
    predict->add_flag("--mirror", mirror, "mirror test-time augmentation (8 flips per window)");
    predict->add_option("--device", predictDevice, "cpu or cuda")->capture_default_str();
    predict->add_flag("--bf16", predictBf16, "bf16 autocast (always on with --device cuda)");
    predict->add_option("--threads", predictThreads, "CPU threads")->capture_default_str();
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
        fs::create_directories(out);
        const OrganSchema schema = store->schema();
        std::size_t written = 0;
        for (const ScanRecord& scan : store->scans()) {
            const bool named = std::find(scanNames.begin(), scanNames.end(), scan.name) != scanNames.end();
            if (scanNames.empty() ? (split != "all" && scan.split != split) : !named) continue;
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
        if (written == 0) throw Error("no scan matched (--scans or --split)");
        std::printf("Wrote %zu prediction(s) to %s\n", written, out.c_str());
    });
}

}  // namespace ipnp
