// bench_generalist_on_predictions PROJECT PREDICTIONS: the built-in generalist as a round uses it,
// on a real specialist's predictions, scored against the hidden truth. No speed target: this
// measures what the loop's pseudo-labels can be, in a second, without running a round.
//
// PROJECT: a project made with `simulate-partial` (the demo's `ipnp-demo/project`); PREDICTIONS:
// `ipnp predict --split train --probabilities --checkpoint C PREDICTIONS -p PROJECT` (C: e.g. the
// first round's checkpoint, which made round 1's prompts). For every training scan x organ with
// hidden truth: the prompts PromptBuilder makes from the prediction (weak detection included) with
// the scan's locked labels, the generalist's mask G, and per organ the mean Dice against the truth
// of G and of the specialist's mask S, Dice(G, S), both volumes relative to the truth's, how many
// pass the default auto-accept policy, and the share of wrong targets among the voxels the
// selection mask would keep for the passing ones (G where G and S agree).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "BuiltinGeneralist.h"
#include "CandidateSelection.h"
#include "Error.h"
#include "ImageFile.h"
#include "MaskMorphology.h"
#include "Metrics.h"
#include "ProjectRounds.h"
#include "ProjectStore.h"
#include "PromptBuilder.h"
#include "TrainingCases.h"

using namespace ipnp;

namespace {

struct OrganFigures {
    int candidates = 0, passing = 0;
    double generalistDice = 0, specialistDice = 0, agreement = 0, generalistVolume = 0, specialistVolume = 0;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: bench_generalist_on_predictions PROJECT PREDICTIONS\n");
        return 2;
    }
    try {
        const std::string predictions = argv[2];
        auto store = ProjectStore::open(argv[1]);
        ProjectRounds rounds(*store);
        BuiltinGeneralist generalist;
        const PromptBuilder builder;
        std::map<int, OrganFigures> figures;
        int absent = 0;
        double seconds = 0, kept = 0, keptWrong = 0;
        for (const ScanRecord& scan : store->scans()) {
            const std::vector<LabelFileRecord> hiddenLabels = scan.split == "train" ? store->truthLabels(scan.id)
                                                                                   : std::vector<LabelFileRecord>{};
            if (hiddenLabels.empty()) continue;
            const std::string predictionFile = predictions + "/" + scan.name + ".nii.gz";
            if (!std::filesystem::exists(predictionFile))
                throw Error(predictionFile, "no prediction for training scan " + scan.name +
                                                " (run `ipnp predict --split train --probabilities`)");
            const LabelMap predicted = readLabelMap(predictionFile);
            const LabelMap truth = composeTruthLabelMap(*store, scan);
            const FloatVolume image = rounds.readImage(scan.id);
            const LabelMap locked = rounds.lockedLabels(scan.id);
            for (const LabelFileRecord& hidden : hiddenLabels) {
                const int organ = hidden.organIndex;
                const std::string probabilityFile =
                    predictions + "/" + scan.name + "_" + std::to_string(organ) + "_probability.nii.gz";
                Volume<std::uint8_t> probability(scan.geometry, 0);
                std::optional<LabelMap> weak;
                if (std::filesystem::exists(probabilityFile)) {
                    probability = readVolume<std::uint8_t>(probabilityFile);
                    weak = withWeakDetection(predicted, probability, organ, builder.settings().weakDetectionFloor);
                }
                const LabelMap& prompted = weak ? *weak : predicted;
                const PromptSet prompt = builder.build(prompted, locked, organ);
                if (prompt.absent) {
                    ++absent;
                    continue;
                }
                const auto start = std::chrono::steady_clock::now();
                const Mask g = generalist.segment(image, prompt);
                seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

                LabelMap pasted(scan.geometry, 0);
                pasteRegion(pasted, g, prompt.region, 1);
                const Mask gFull = organMask(pasted, 1), sFull = organMask(prompted, organ), t = organMask(truth, organ);
                const Mask s = cropToRegion(sFull, prompt.region);
                const std::optional<VolumeRange> range = rounds.labeledVolumes(organ);
                const CandidateScores scores = scoreCandidate(g, s, cropToRegion(probability, prompt.region), range);
                const bool passes = passesAutoAccept(scores, false, AutoAcceptPolicy{}, range);
                const double truthVoxels = double(countSet(t));
                OrganFigures& f = figures[organ];
                ++f.candidates;
                f.passing += passes;
                f.generalistDice += dice(gFull, t);
                f.specialistDice += dice(sFull, t);
                f.agreement += dice(g, s);
                f.generalistVolume += double(countSet(gFull)) / truthVoxels;
                f.specialistVolume += double(countSet(sFull)) / truthVoxels;
                if (passes) {
                    const Mask tCrop = cropToRegion(t, prompt.region);
                    for (std::size_t n = 0; n < g.voxelCount(); ++n)
                        if (g.data()[n] == s.data()[n]) {
                            kept += 1;
                            keptWrong += (g.data()[n] != 0) != (tCrop.data()[n] != 0);
                        }
                }
            }
        }
        if (figures.empty()) throw Error(argv[1], "no training scan with hidden truth (a project made with simulate-partial?)");
        std::printf("organ  candidates  Dice(G,truth)  Dice(S,truth)  Dice(G,S)  vol G/truth  vol S/truth  pass policy\n");
        OrganFigures all;
        for (const auto& [organ, f] : figures) {
            const double n = f.candidates;
            std::printf("%5d  %10d  %13.3f  %13.3f  %9.3f  %11.2f  %11.2f  %11d\n", organ, f.candidates,
                        f.generalistDice / n, f.specialistDice / n, f.agreement / n, f.generalistVolume / n,
                        f.specialistVolume / n, f.passing);
            all.candidates += f.candidates;
            all.passing += f.passing;
            all.generalistDice += f.generalistDice;
            all.specialistDice += f.specialistDice;
        }
        std::printf("all: %d candidates (%d absent), Dice(G, truth) %.4f, Dice(S, truth) %.4f, %d pass the policy; "
                    "wrong targets among the kept voxels of those: %.2f %%; generalist %.2f s in all\n",
                    all.candidates, absent, all.generalistDice / all.candidates, all.specialistDice / all.candidates,
                    all.passing, kept > 0 ? 100.0 * keptWrong / kept : 0.0, seconds);
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "bench_generalist_on_predictions: %s\n", error.what());
        return 1;
    }
}
