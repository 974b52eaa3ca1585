#pragma once
// The trainable half of IPnP (DESIGN.md, "The method", step 1), as core sees it: cases in,
// predictions out. models/ implements it with LibTorch; core and the round engine stay free of it.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "TrainingPlan.h"
#include "Volume.h"

namespace ipnp {

struct SpecialistTrainingCase {
    std::string name;
    FloatVolume image;                // intensities as stored (HU for CT), the scan's own grid
    LabelMap labels;                  // organ index per voxel for the labeled organs, 0 elsewhere
    std::vector<int> labeledOrgans;   // L(s): organs known in this scan (manual, accepted, absent)
    Mask valid;                       // selection mask on the same grid (1 counts); empty = all count
};

struct SpecialistSettings {
    int iterations = 250;
    int batchSize = 2;
    std::array<int, 3> patchSize{64, 64, 64};  // capped by the planned median scan size
    NetworkShape network;
    std::string optimizer = "sgd";  // "sgd" (Nesterov, momentum 0.99) or "adamw"
    double learningRate = 0.01;     // nnU-Net's SGD default; poly decay with exponent 0.9
    double weightDecay = 3e-5;
    double gradientClip = 12.0;     // max L2 norm of all gradients together
    double foregroundFraction = 1.0 / 3.0;  // patches centred on a labeled voxel
    bool augment = true;
    bool marginalLoss = true;       // false: the baseline treating unlabeled organs as background
    double exclusionWeight = 1.0;
    std::uint64_t seed = 1;
    int threads = 0;                // 0: LibTorch's default
    std::string device = "cpu";     // "cpu" or "cuda"
    std::string modality = "CT";    // CT: foreground percentile normalisation; MR: per-scan z-score
    // bf16 autocast of the network's forward pass: on CUDA by default (mixed precision), on CPUs
    // with AVX512-BF16 on request (measured here: ~1.4x faster convolutions); losses stay float32.
    bool bf16 = false;
    int checkpointEvery = 50;       // iterations between checkpoints (and at the end)
    // A checkpoint whose weights (and plan) a new run starts from instead of random ones, e.g. the
    // previous IPnP round's specialist; used only when its plan fits these cases and this network
    // (same organs, network, patch and spacing), otherwise training starts from scratch. The
    // optimizer and the learning-rate schedule start afresh; the iteration budget is unchanged.
    std::string initialWeights;
};

// Throws ipnp::Error naming the first setting out of its range (iterations, batch, patch, network,
// optimizer, learning rate, checkpoints, threads, device): run before a training is recorded, so
// that a bad value leaves the project unchanged instead of failing inside the network.
void checkSpecialistSettings(const SpecialistSettings& settings);

struct TrainingStep {
    int iteration = 0;  // 1-based, the step just finished
    int iterations = 0;
    double loss = 0;
    double crossEntropy = 0, dice = 0, exclusion = 0;
    double secondsPerIteration = 0;
};

struct TrainingCallbacks {
    std::function<void(const std::string&)> log;           // one-off messages (plan, ...)
    // Conditions a person should act on (another training on the machine); unset: they go to
    // `log` with a "warning: " prefix.
    std::function<void(const std::string&)> warning;
    std::function<void(const TrainingStep&)> step;          // after every iteration
    // Where the checkpoint after `iteration` goes (a new name each time, so the file a database
    // row names is never rewritten); empty or unset: no checkpoint.
    std::function<std::string(int iteration)> checkpointPath;
    std::function<void(const std::string& path, int iteration, double loss)> checkpointWritten;
    const std::atomic<bool>* cancel = nullptr;              // set to stop at the next iteration
};

struct SpecialistPrediction {
    LabelMap labels;                       // organ index per voxel, on the scan's own grid
    std::vector<int> organs;               // organs with a probability map, in order
    std::vector<Volume<std::uint8_t>> probabilities;  // per organ, 0..255 = 0..1 (when asked)
};

class Specialist {
public:
    virtual ~Specialist() = default;
    // Plans from the cases and trains from scratch, or continues the run saved in `resumeFrom`
    // (its plan, weights, optimizer and random state) up to settings.iterations. Throws ipnp::Error.
    virtual void train(const std::vector<SpecialistTrainingCase>& cases, const SpecialistSettings& settings,
                       const std::string& resumeFrom, const TrainingCallbacks& callbacks) = 0;
    virtual void load(const std::string& checkpointPath) = 0;
    virtual const TrainingPlan& plan() const = 0;
    // Sliding-window prediction of one scan (intensities as stored), back on its own grid.
    virtual SpecialistPrediction predict(const FloatVolume& image, bool withProbabilities, bool mirror) = 0;
    // Throws ipnp::Error when this specialist cannot run on `device` here (cuda without a GPU).
    virtual void checkDevice(const std::string& device) const { (void)device; }
};

}  // namespace ipnp
