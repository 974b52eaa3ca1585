#include "TrainingOptions.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>

#include "CliSupport.h"

namespace ipnp {

void TrainingOptions::addTo(CLI::App& command, bool withBaseline) {
    // Only the options added here shape the training: a command's own (`loop --rounds`, --help)
    // must not count as "training options given". Values out of range are command-line mistakes
    // (exit 2), refused before anything is opened.
    const std::vector<CLI::Option*> before = command.get_options();
    const CLI::Validator atLeastOne = cli::atLeast(1);
    command.add_option("--iterations", settings.iterations, "training iterations (each one batch)")
        ->capture_default_str()->check(atLeastOne);
    command.add_option("--batch", settings.batchSize, "patches per iteration")
        ->capture_default_str()->check(atLeastOne);
    command.add_option("--patch", patch, "patch edge in voxels (capped by the median scan)")
        ->capture_default_str()->check(cli::between(1, 1024, true, true));
    command.add_option("--stages", settings.network.stages, "U-Net resolution stages")
        ->capture_default_str()->check(cli::between(1, 8, true, true));
    command.add_option("--base-width", settings.network.baseWidth, "feature maps at full resolution")
        ->capture_default_str()->check(cli::between(1, 1024, true, true));
    command.add_flag("--no-deep-supervision", noDeepSupervision, "supervise the full-resolution output only");
    command.add_option("--optimizer", settings.optimizer, "sgd (Nesterov, momentum 0.99) or adamw")
        ->capture_default_str()->check(CLI::IsMember({"sgd", "adamw"}));
    command.add_option("--lr", settings.learningRate, "initial learning rate (poly decay)")
        ->capture_default_str()->check(cli::above(0));
    command.add_option("--seed", settings.seed, "random seed")->capture_default_str();
    command.add_option("--checkpoint-every", settings.checkpointEvery, "iterations between checkpoints")
        ->capture_default_str()->check(atLeastOne);
    command.add_option("--threads", threads, "CPU threads (0: LibTorch's default)")
        ->capture_default_str()->check(cli::atLeast(0));
    command.add_option("--device", device, "cpu or cuda")->capture_default_str()->check(CLI::IsMember({"cpu", "cuda"}));
    command.add_flag("--bf16,!--no-bf16", bf16, "bf16 autocast (CPUs with AVX512-BF16; always on with --device cuda)");
    command.add_flag("--no-augment", noAugment, "no flips, rotations, scaling or intensity changes");
    // Where it runs (threads, device) is not part of the budget that rounds and the reference share.
    for (const CLI::Option* option : command.get_options())
        if (std::find(before.begin(), before.end(), option) == before.end() && !option->check_lname("threads") &&
            !option->check_lname("device"))
            given_.push_back(option);
    if (withBaseline)
        command.add_flag("--background-baseline", backgroundBaseline,
                         "the naive baseline: unlabeled organs count as background (no marginal or exclusion loss)");
}

SpecialistSettings TrainingOptions::resolved() const {
    SpecialistSettings s = settings;
    s.patchSize = {patch, patch, patch};
    s.augment = !noAugment;
    s.marginalLoss = !backgroundBaseline;
    s.network.deepSupervision = !noDeepSupervision;
    s.device = device;
    s.threads = threads;
    s.bf16 = bf16 || device == "cuda";
    return s;
}

SpecialistSettings TrainingOptions::appliedTo(SpecialistSettings base) const {
    const SpecialistSettings mine = resolved();
    auto given = [&](const char* name) {
        for (const CLI::Option* option : given_)
            if (option->check_lname(name)) return option->count() > 0;
        return false;
    };
    if (given("iterations")) base.iterations = mine.iterations;
    if (given("batch")) base.batchSize = mine.batchSize;
    if (given("patch")) base.patchSize = mine.patchSize;
    if (given("stages")) base.network.stages = mine.network.stages;
    if (given("base-width")) base.network.baseWidth = mine.network.baseWidth;
    if (given("no-deep-supervision")) base.network.deepSupervision = false;
    if (given("optimizer")) base.optimizer = mine.optimizer;
    if (given("lr")) base.learningRate = mine.learningRate;
    if (given("seed")) base.seed = mine.seed;
    if (given("checkpoint-every")) base.checkpointEvery = mine.checkpointEvery;
    if (given("bf16")) base.bf16 = mine.bf16;
    if (given("no-augment")) base.augment = false;
    if (backgroundBaseline) base.marginalLoss = false;
    // bf16 is forced on with cuda: settings trained there say nothing about bf16 on this CPU.
    if (base.device == "cuda" && mine.device != "cuda" && !given("bf16")) base.bf16 = mine.bf16;
    base.device = mine.device;
    base.threads = mine.threads;
    if (base.device == "cuda") base.bf16 = true;
    return base;
}

void printTrainingStep(const TrainingStep& step) {
    const double eta = step.secondsPerIteration * (step.iterations - step.iteration);
    std::fprintf(stderr, "[%d/%d] loss %.4f (ce %.4f, dice %.4f, exclusion %.4f)  %.2f s/it  ETA %dm%02ds\n",
                 step.iteration, step.iterations, step.loss, step.crossEntropy, step.dice, step.exclusion,
                 step.secondsPerIteration, int(eta) / 60, int(eta) % 60);
}

}  // namespace ipnp
