// The specialist without Qt, ITK or SQLite (the CORE_ONLY check, also run on GPU machines):
// trains a few iterations on in-memory phantoms (one case with a selection mask, checkpoints every
// 6 iterations), predicts one, resumes the run from its first checkpoint, and checks what can be
// checked without a long training.
//   ipnp_models_smoke [cpu|cuda]         the check on that device (bf16 autocast on cuda); on cuda
//                                        also: the last checkpoint loaded on the CPU predicts what
//                                        the GPU predicts in float32
//   ipnp_models_smoke cpu bf16           bf16 autocast on the CPU
//   ipnp_models_smoke cuda keep DIR      the cuda check, its checkpoints kept in DIR
//   ipnp_models_smoke cpu from DIR       what a machine without a GPU does with DIR's checkpoints
//                                        (tests/smoke/cuda_check.sh hides the GPU for it): loads the
//                                        last one and predicts, resumes the run from the first one
//   ipnp_models_smoke cuda oom           asks for far more GPU memory than any card has and checks
//                                        the advice the user gets
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "CrashTrace.h"
#include "Error.h"
#include "PhantomGenerator.h"
#include "RemoveTree.h"
#include "TorchSpecialist.h"

using namespace ipnp;
namespace fs = std::filesystem;

namespace {

constexpr int kIterations = 12;
constexpr int kCheckpointEvery = 6;

std::string checkpointIn(const fs::path& folder, int iteration) {
    return (folder / ("iter" + std::to_string(iteration) + ".pt")).string();
}

// Phantom 0 fully labeled; 1 and 2 with the even organs only; 2 counts only on its lower half
// (a selection mask, as accepted pseudo-labels bring).
std::vector<SpecialistTrainingCase> trainingCases() {
    PhantomOptions options;
    options.size = {40, 40, 32};
    options.spacing = {6, 6, 6};
    const PhantomGenerator generator(options);
    std::vector<SpecialistTrainingCase> cases;
    for (int n = 0; n < 3; ++n) {
        SpecialistTrainingCase item = generator.trainingCase(n);
        if (n > 0) {
            auto& organs = item.labeledOrgans;
            organs.erase(std::remove_if(organs.begin(), organs.end(), [](int organ) { return organ % 2 == 1; }),
                         organs.end());
            for (std::uint8_t& voxel : item.labels.voxels())
                if (voxel % 2 == 1) voxel = 0;
        }
        if (n == 2) {
            item.valid = Mask(item.image.geometry());
            const auto& size = item.valid.size();
            for (std::size_t k = 0; k < size[2] / 2; ++k)
                for (std::size_t j = 0; j < size[1]; ++j)
                    for (std::size_t i = 0; i < size[0]; ++i) item.valid.at(i, j, k) = 1;
        }
        cases.push_back(std::move(item));
    }
    return cases;
}

SpecialistSettings smallSettings(const std::string& device, bool bf16) {
    SpecialistSettings settings;
    settings.iterations = kIterations;
    settings.checkpointEvery = kCheckpointEvery;
    settings.patchSize = {32, 32, 32};
    settings.network.stages = 3;
    settings.network.baseWidth = 8;
    settings.device = device;
    settings.bf16 = bf16;
    return settings;
}

struct Losses {
    int firstIteration = 0;
    double first = 0, last = 0, seconds = 0;
    int steps = 0;
};

TrainingCallbacks recording(Losses& losses, const fs::path& checkpoints) {
    TrainingCallbacks callbacks;
    callbacks.step = [&losses](const TrainingStep& step) {
        if (losses.steps++ == 0) {
            losses.firstIteration = step.iteration;
            losses.first = step.loss;
        }
        losses.last = step.loss;
        losses.seconds += step.secondsPerIteration;
    };
    if (!checkpoints.empty())
        callbacks.checkpointPath = [checkpoints](int iteration) { return checkpointIn(checkpoints, iteration); };
    return callbacks;
}

bool report(bool ok, const std::string& text) {
    std::printf("%s: %s\n", ok ? "ok" : "FAILED", text.c_str());
    return ok;
}

bool predictionFits(const SpecialistPrediction& prediction, const FloatVolume& image,
                    const TorchSpecialist& specialist) {
    return prediction.labels.size() == image.size() &&
           prediction.probabilities.size() == PhantomGenerator::organs().size() &&
           specialist.plan().channels() == int(PhantomGenerator::organs().size()) + 1;
}

// The run continued from its first checkpoint: iterations 7..12, finite losses.
bool resumes(const std::vector<SpecialistTrainingCase>& cases, const SpecialistSettings& settings,
             const fs::path& checkpoints) {
    TorchSpecialist specialist;
    specialist.setBf16(settings.bf16);
    Losses losses;
    specialist.train(cases, settings, checkpointIn(checkpoints, kCheckpointEvery), recording(losses, {}));
    return report(losses.firstIteration == kCheckpointEvery + 1 && losses.steps == kIterations - kCheckpointEvery &&
                      std::isfinite(losses.last),
                  "resumed on " + settings.device + " from iteration " + std::to_string(kCheckpointEvery) + ": " +
                      std::to_string(losses.steps) + " steps from iteration " + std::to_string(losses.firstIteration) +
                      ", loss " + std::to_string(losses.last));
}

// The GPU's last checkpoint on the CPU: the same labels as the GPU's float32 prediction (TF32
// convolutions on the GPU may flip a voxel where two organs' logits nearly tie).
bool loadsOnTheCpu(TorchSpecialist& onGpu, const fs::path& checkpoints, const FloatVolume& image) {
    TorchSpecialist onCpu;
    onCpu.load(checkpointIn(checkpoints, kIterations));
    onGpu.setBf16(false);
    const LabelMap cpu = onCpu.predict(image, false, false).labels;
    const LabelMap gpu = onGpu.predict(image, false, false).labels;
    std::size_t same = 0;
    for (std::size_t v = 0; v < cpu.voxels().size(); ++v) same += cpu.voxels()[v] == gpu.voxels()[v];
    const double agreement = double(same) / double(cpu.voxels().size());
    return report(agreement >= 0.98, "the cuda checkpoint on the CPU: " + std::to_string(agreement * 100) +
                                         " % of the voxels labeled as on the GPU (float32)");
}

// What a machine without a GPU does with checkpoints written on one.
int useCheckpointsFrom(const fs::path& checkpoints) {
    const auto cases = trainingCases();
    TorchSpecialist specialist;
    specialist.load(checkpointIn(checkpoints, kIterations));
    const SpecialistPrediction prediction = specialist.predict(cases[0].image, true, false);
    bool ok = report(predictionFits(prediction, cases[0].image, specialist),
                     "checkpoint " + checkpointIn(checkpoints, kIterations) + " loaded and predicted on the CPU");
    ok = resumes(cases, smallSettings("cpu", false), checkpoints) && ok;
    return ok ? 0 : 1;
}

int exhaustMemory() {
    SpecialistSettings settings = smallSettings("cuda", true);
    // 256 patches x 512 feature maps x 32^3 voxels: about 17 GB per activation, hundreds in all.
    settings.iterations = 1;
    settings.batchSize = 256;
    settings.augment = false;
    settings.network.baseWidth = 512;
    settings.network.maxWidth = 512;
    TorchSpecialist specialist;
    specialist.setBf16(true);
    Losses losses;
    try {
        specialist.train(trainingCases(), settings, "", recording(losses, {}));
        return report(false, "training that needs far more memory than the GPU has did not fail") ? 0 : 1;
    } catch (const Error& error) {
        const bool advised = std::string(error.what()).find("smaller --patch") != std::string::npos;
        return report(advised, std::string("out of memory reported as: ") + error.what()) ? 0 : 1;
    }
}

int trainPredictResume(const std::string& device, bool bf16, const fs::path& checkpoints) {
    const auto cases = trainingCases();
    const SpecialistSettings settings = smallSettings(device, bf16);
    TorchSpecialist specialist;
    specialist.checkDevice(device);
    specialist.setBf16(bf16);
    Losses losses;
    specialist.train(cases, settings, "", recording(losses, checkpoints));
    const SpecialistPrediction prediction = specialist.predict(cases[0].image, true, false);
    char text[200];
    std::snprintf(text, sizeof text, "device %s%s, loss %.4f -> %.4f, %.3f s per iteration, %d channels",
                  device.c_str(), bf16 ? " (bf16)" : "", losses.first, losses.last, losses.seconds / kIterations,
                  specialist.plan().channels());
    bool ok = report(std::isfinite(losses.first) && std::isfinite(losses.last) &&
                         predictionFits(prediction, cases[0].image, specialist) &&
                         fs::exists(checkpointIn(checkpoints, kCheckpointEvery)) &&
                         fs::exists(checkpointIn(checkpoints, kIterations)),
                     text);
    ok = resumes(cases, settings, checkpoints) && ok;
    if (device == "cuda") ok = loadsOnTheCpu(specialist, checkpoints, cases[0].image) && ok;
    return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    smoke::installCrashTrace();
    const std::string device = argc > 1 ? argv[1] : "cpu";
    const std::string mode = argc > 2 ? argv[2] : "";
    const std::string folder = argc > 3 ? argv[3] : "";
    if ((mode == "keep" || mode == "from") && folder.empty()) {
        std::fprintf(stderr, "usage: ipnp_models_smoke [cpu|cuda] [bf16|oom|keep DIR|from DIR]\n");
        return 2;
    }
    try {
        if (mode == "oom") return exhaustMemory();
        if (mode == "from") return useCheckpointsFrom(folder);
        const bool keep = mode == "keep";
        const fs::path checkpoints =
            keep ? fs::path(folder) : fs::temp_directory_path() / ("ipnp-models-smoke-" + std::to_string(::getpid()));
        fs::create_directories(checkpoints);
        const int status = trainPredictResume(device, device == "cuda" || mode == "bf16", checkpoints);
        if (!keep) removeTree(checkpoints.string());
        return status;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "FAILED: %s\n", error.what());
        return 1;
    }
}
