// bench_loop_truth_generalist PROJECT MODE [ROUNDS]: the IPnP loop with a stand-in generalist that
// answers every prompt from the hidden truth, to tell what limits the loop: the generalist, or the
// rest of it (prompts, selection, policy, training). No speed target.
//
// PROJECT: a fresh `ipnp demo --setup-only --out X` project (X/project: partial labels, hidden
// truth, the demo's saved settings; nothing trained yet). The bench runs what `ipnp loop` runs
// there (ROUNDS rounds, default 3, unattended with the project's policy and training settings, then
// the closing training), with the generalist below instead of the built-in one, trains the fully
// labeled reference and writes `ipnp eval`'s report into X/report-truth-MODE; it prints the
// headline and the gap recovery against its target (>= 0.6, issue 4). The trainings are the
// demo's, so on the same machine and seed the baseline and the reference are the demo's own.
//
// MODE: `exact` returns the organ's hidden truth inside the prompt's region (a perfect generalist:
// the most any generalist can give the loop); `blocksN` returns it coarsened by N-voxel blocks
// (coarsenByBlocks; a generalist with a blurred outline). The stand-in never sees the specialist's
// mask, so the selection mask still keeps only where the two agree, as DESIGN.md step 4 says.
// This is a measuring tool, not a generalist anyone could ship: no real model knows the truth.
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "Error.h"
#include "MaskMorphology.h"
#include "ProjectRounds.h"
#include "ProjectStore.h"
#include "PromptBuilder.h"
#include "RoundCommands.h"
#include "TrainingCases.h"

using namespace ipnp;

namespace {

class TruthGeneralist : public Generalist {
public:
    TruthGeneralist(ProjectStore& store, std::string mode, std::size_t block) : mode_(std::move(mode)), block_(block) {
        ProjectRounds rounds(store);
        for (const ScanRecord& scan : store.scans()) {
            if (scan.split != "train" || store.truthLabels(scan.id).empty()) continue;
            const FloatVolume image = rounds.readImage(scan.id);
            scans_.push_back({fingerprint(image), composeTruthLabelMap(store, scan)});
        }
        if (scans_.empty())
            throw Error(store.folder(), "no training scan with hidden truth (made by simulate-partial?)");
    }

    // Recorded with every candidate: no model file and no contract, so the provenance says so.
    GeneralistIdentity identity() const override { return {"bench-truth-" + mode_, "hidden-truth", "none"}; }

    Mask segment(const FloatVolume& image, const PromptSet& prompt) override {
        const std::size_t key = fingerprint(image);
        for (const auto& [scanKey, truth] : scans_) {
            if (scanKey != key) continue;
            Mask organ = organMask(truth, prompt.organ);
            if (block_ > 1) organ = coarsenByBlocks(organ, block_);
            return cropToRegion(organ, prompt.region);
        }
        throw Error("bench-truth-" + mode_, "an image that is no training scan with hidden truth");
    }

private:
    // The images the rounds pass are the stored scans themselves, so their bytes identify them.
    static std::size_t fingerprint(const FloatVolume& image) {
        const auto* bytes = reinterpret_cast<const char*>(image.data());
        return std::hash<std::string_view>{}(std::string_view(bytes, image.voxelCount() * sizeof(float)));
    }

    std::string mode_;
    std::size_t block_;
    std::vector<std::pair<std::size_t, LabelMap>> scans_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        std::fprintf(stderr, "usage: bench_loop_truth_generalist PROJECT exact|blocksN [ROUNDS]\n");
        return 2;
    }
    try {
        const std::string mode = argv[2];
        std::size_t block = 1;
        const bool blocks = mode.rfind("blocks", 0) == 0 && mode.size() > 6 &&
                            mode.find_first_not_of("0123456789", 6) == std::string::npos;
        if (blocks)
            block = std::stoul(mode.substr(6));
        else if (mode != "exact")
            throw Error(mode, "unknown mode (exact, or blocksN with N a whole number)");
        int rounds = 3;
        if (argc == 4) {
            const std::string text = argv[3];
            if (text.empty() || text.size() > 3 || text.find_first_not_of("0123456789") != std::string::npos ||
                std::stoi(text) < 1)
                throw Error(text, "ROUNDS must be a whole number from 1 to 999");
            rounds = std::stoi(text);
        }

        auto store = ProjectStore::open(argv[1]);
        TruthGeneralist generalist(*store, mode, block);
        // What `ipnp loop` without options runs with.
        RoundSettings settings = projectRoundSettings(*store, SpecialistSettings());
        settings.autoAccept = true;
        std::fprintf(stderr, "loop: %d rounds, %d iterations per training, auto-accept at %.2f, %s\n", rounds,
                     settings.training.iterations, settings.policy.minimumDice,
                     settings.warmStart ? "warm start" : "from scratch");
        runLoop(*store, settings, generalist, rounds);
        trainReference(*store, settings.training);
        const EvaluationReport report =
            evaluate(*store, settings.training.device, settings.training.threads, settings.training.bf16);
        const std::string folder = std::string(argv[1]) + "/../report-truth-" + mode;
        std::printf("%s\n", writeEvaluation(*store, report, folder).c_str());
        for (const PseudoLabelRound& round : report.pseudoLabels)
            std::printf("round %d: %zu candidates, %zu accepted; Dice against the hidden truth %.4f (accepted %.4f), "
                        "specialist-generalist agreement %.4f\n",
                        round.round, round.candidates, round.accepted, round.meanDice.value_or(0.0),
                        round.meanDiceAccepted.value_or(0.0), round.meanAgreement.value_or(0.0));
        if (report.gapRecovery)
            std::printf("generalist %s: gap recovery %.2f (target >= 0.60: %s); report in %s\n", mode.c_str(),
                        *report.gapRecovery, *report.gapRecovery >= 0.6 ? "OK" : "MISSED", folder.c_str());
        else
            std::printf("generalist %s: no gap recovery (the reference is not above the baseline)\n", mode.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
