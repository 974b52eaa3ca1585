// The specialist without Qt, ITK or SQLite (the CORE_ONLY check, also run on GPU machines):
// trains a few iterations on in-memory phantoms, predicts one, and checks what can be checked
// without a long training. `ipnp_models_smoke cuda` runs the same on the GPU (bf16 autocast);
// `ipnp_models_smoke cpu bf16` checks bf16 autocast on the CPU; `ipnp_models_smoke cuda oom` asks
// for far more GPU memory than any card has and checks the advice the user gets.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "Error.h"
#include "PhantomGenerator.h"
#include "TorchSpecialist.h"

using namespace ipnp;

int main(int argc, char** argv) {
    const std::string device = argc > 1 ? argv[1] : "cpu";
    const std::string mode = argc > 2 ? argv[2] : "";
    const bool bf16 = device == "cuda" || mode == "bf16";
    const bool exhaustMemory = mode == "oom";
    try {
        PhantomOptions options;
        options.size = {40, 40, 32};
        options.spacing = {6, 6, 6};
        const PhantomGenerator generator(options);
        std::vector<SpecialistTrainingCase> cases;
        for (int n = 0; n < 3; ++n) {
            SpecialistTrainingCase item = generator.trainingCase(n);
            if (n > 0) {  // partial labels in cases 1, 2: the even organs only
                auto& organs = item.labeledOrgans;
                organs.erase(std::remove_if(organs.begin(), organs.end(), [](int organ) { return organ % 2 == 1; }),
                             organs.end());
                for (std::uint8_t& voxel : item.labels.voxels())
                    if (voxel % 2 == 1) voxel = 0;
            }
            cases.push_back(std::move(item));
        }
        SpecialistSettings settings;
        settings.iterations = 12;
        settings.patchSize = {32, 32, 32};
        settings.network.stages = 3;
        settings.network.baseWidth = 8;
        settings.device = device;
        settings.bf16 = bf16;
        if (exhaustMemory) {
            // 256 patches x 512 feature maps x 32^3 voxels: about 17 GB per activation, hundreds in all.
            settings.iterations = 1;
            settings.batchSize = 256;
            settings.augment = false;
            settings.network.baseWidth = 512;
            settings.network.maxWidth = 512;
        }
        double first = 0, last = 0, seconds = 0;
        TrainingCallbacks callbacks;
        callbacks.step = [&](const TrainingStep& step) {
            if (step.iteration == 1) first = step.loss;
            last = step.loss;
            seconds += step.secondsPerIteration;
        };
        TorchSpecialist specialist;
        specialist.setBf16(bf16);
        if (exhaustMemory) {
            try {
                specialist.train(cases, settings, "", callbacks);
                std::printf("FAILED: training that needs far more memory than the GPU has did not fail\n");
                return 1;
            } catch (const Error& error) {
                const bool advised = std::string(error.what()).find("smaller --patch") != std::string::npos;
                std::printf("%s: out of memory reported as: %s\n", advised ? "ok" : "FAILED", error.what());
                return advised ? 0 : 1;
            }
        }
        specialist.train(cases, settings, "", callbacks);
        const SpecialistPrediction prediction = specialist.predict(cases[0].image, true, false);
        const bool ok = std::isfinite(first) && std::isfinite(last) &&
                        prediction.labels.size() == cases[0].image.size() &&
                        prediction.probabilities.size() == PhantomGenerator::organs().size() &&
                        specialist.plan().channels() == int(PhantomGenerator::organs().size()) + 1;
        std::printf("%s: device %s%s, loss %.4f -> %.4f, %.3f s per iteration, %d channels\n", ok ? "ok" : "FAILED",
                    device.c_str(), bf16 ? " (bf16)" : "", first, last, seconds / settings.iterations, specialist.plan().channels());
        return ok ? 0 : 1;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "FAILED: %s\n", error.what());
        return 1;
    }
}
