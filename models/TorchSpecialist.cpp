#include "TorchSpecialist.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "Checkpoint.h"
#include "CpuThreads.h"
#include "Error.h"
#include "PartialLabelLoss.h"
#include "Preprocessing.h"
#include "SeededRandom.h"
#include "SlidingWindowPredictor.h"
#include "TrainingData.h"
#include "UNet3d.h"

namespace ipnp {

namespace {
constexpr double kPolyExponent = 0.9;  // nnU-Net's learning-rate decay
constexpr double kMomentum = 0.99;

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(UNet3d& model, const SpecialistSettings& settings) {
    if (settings.optimizer == "adamw")
        return std::make_unique<torch::optim::AdamW>(
            model->parameters(), torch::optim::AdamWOptions(settings.learningRate).weight_decay(settings.weightDecay));
    if (settings.optimizer != "sgd") throw Error("unknown optimizer '" + settings.optimizer + "' (sgd or adamw)");
    return std::make_unique<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(settings.learningRate)
                                                                        .momentum(kMomentum)
                                                                        .nesterov(true)
                                                                        .weight_decay(settings.weightDecay));
}

void setLearningRate(torch::optim::Optimizer& optimizer, double rate) {
    for (auto& group : optimizer.param_groups()) group.options().set_lr(rate);
}

// LibTorch 2.4 replaced the per-backend autocast calls by ones taking the device type (the old
// ones warn on every call there); 1.13 (Debian) has only the old ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
void setBf16Autocast(bool cuda, bool enabled) {
    const at::DeviceType type = cuda ? at::kCUDA : at::kCPU;
    if (enabled) at::autocast::set_autocast_dtype(type, at::kBFloat16);
    at::autocast::set_autocast_enabled(type, enabled);
}
#else
void setBf16Autocast(bool cuda, bool enabled) {
    if (cuda) {
        if (enabled) at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(enabled);
    } else {
        if (enabled) at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(enabled);
    }
}
#endif

// bf16 autocast for the forward passes inside its scope (CPU or CUDA); a no-op when off.
class Bf16Autocast {
public:
    Bf16Autocast(bool enabled, const torch::Device& device) : enabled_(enabled), cuda_(device.is_cuda()) {
        if (enabled_) setBf16Autocast(cuda_, true);
    }
    ~Bf16Autocast() {
        if (!enabled_) return;
        at::autocast::clear_cache();
        setBf16Autocast(cuda_, false);
    }
    Bf16Autocast(const Bf16Autocast&) = delete;
    Bf16Autocast& operator=(const Bf16Autocast&) = delete;

private:
    bool enabled_, cuda_;
};

// LibTorch reports an exhausted GPU as a generic c10::Error; turn it into advice a person can act on.
template <typename Work>
auto withMemoryAdvice(const torch::Device& device, Work work) -> decltype(work()) {
    try {
        return work();
    } catch (const c10::Error& error) {
        const std::string text = error.what();
        if (device.is_cuda() && text.find("out of memory") != std::string::npos)
            throw Error("the GPU ran out of memory; use a smaller --patch or --batch, or --device cpu");
        throw;
    }
}

// Weights trained under `trained` can start a run planned as `planned`: same output channels,
// network, patch and spacing (the intensity normalisation may differ a little; the trained one is kept).
bool planFitsWeights(const TrainingPlan& planned, const TrainingPlan& trained) {
    const NetworkShape &a = planned.network, &b = trained.network;
    return planned.organs == trained.organs && planned.patchSize == trained.patchSize &&
           planned.targetSpacing == trained.targetSpacing && planned.modality == trained.modality &&
           a.stages == b.stages && a.baseWidth == b.baseWidth && a.maxWidth == b.maxWidth &&
           a.deepSupervision == b.deepSupervision;
}

}  // namespace

struct TorchSpecialist::State {
    TrainingPlan plan;
    UNet3d model{nullptr};
    torch::Device device = torch::kCPU;
    bool bf16 = false;
};

TorchSpecialist::TorchSpecialist() : state_(std::make_unique<State>()) {}
TorchSpecialist::~TorchSpecialist() = default;

bool TorchSpecialist::cudaAvailable() { return torch::cuda::is_available(); }

void TorchSpecialist::checkDevice(const std::string& device) const {
    if (device == "cuda" && !cudaAvailable())
        throw Error("--device cuda: this LibTorch has no CUDA support or no GPU is visible; use --device cpu");
    if (device != "cpu" && device != "cuda") throw Error("unknown device '" + device + "' (cpu or cuda)");
}

void TorchSpecialist::setDevice(const std::string& device) {
    checkDevice(device);
    state_->device = device == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    if (state_->model) state_->model->to(state_->device);
}

void TorchSpecialist::setBf16(bool enabled) { state_->bf16 = enabled; }

void TorchSpecialist::setThreads(int threads) { useCpuThreads(threads); }

const TrainingPlan& TorchSpecialist::plan() const {
    if (!state_->model) throw Error("the specialist has not been trained or loaded yet");
    return state_->plan;
}

void TorchSpecialist::load(const std::string& checkpointPath) {
    CheckpointReader reader(checkpointPath, state_->device);
    state_->plan = reader.plan();
    state_->model = UNet3d(state_->plan.network, 1, state_->plan.channels());
    reader.loadModel(state_->model);
    state_->model->to(state_->device);
}

void TorchSpecialist::train(const std::vector<SpecialistTrainingCase>& cases, const SpecialistSettings& settings,
                            const std::string& resumeFrom, const TrainingCallbacks& callbacks) {
    setDevice(settings.device);
    setThreads(settings.threads);
    withMemoryAdvice(state_->device, [&] {
        trainOnDevice(cases, settings, resumeFrom, callbacks);
        return 0;
    });
}

void TorchSpecialist::trainOnDevice(const std::vector<SpecialistTrainingCase>& cases, const SpecialistSettings& settings,
                                    const std::string& resumeFrom, const TrainingCallbacks& callbacks) {
    auto log = [&](const std::string& text) {
        if (callbacks.log) callbacks.log(text);
    };

    std::unique_ptr<CheckpointReader> resumed, initial;
    if (!resumeFrom.empty()) resumed = std::make_unique<CheckpointReader>(resumeFrom, state_->device);
    if (resumed) {
        state_->plan = resumed->plan();
    } else {
        state_->plan = planTraining(cases, settings, settings.modality, log);
        if (!settings.initialWeights.empty()) {
            initial = std::make_unique<CheckpointReader>(settings.initialWeights, state_->device);
            if (planFitsWeights(state_->plan, initial->plan())) {
                // The weights were learnt with that plan's normalisation: keep it.
                state_->plan = initial->plan();
                log("starting from the weights of " + settings.initialWeights);
            } else {
                log("the weights of " + settings.initialWeights +
                    " do not fit this training (other organs, network, patch or spacing); starting from scratch");
                initial.reset();
            }
        }
    }
    const TrainingPlan& plan = state_->plan;
    torch::manual_seed(settings.seed);
    state_->model = UNet3d(plan.network, 1, plan.channels());
    if (resumed) resumed->loadModel(state_->model);
    else if (initial) initial->loadModel(state_->model);
    state_->model->to(state_->device);
    state_->model->train();
    auto optimizer = makeOptimizer(state_->model, settings);
    if (resumed) resumed->loadOptimizer(*optimizer);
    SeededRandom random(resumed ? resumed->progress().randomState : settings.seed);
    const int first = resumed ? resumed->progress().iteration : 0;
    if (resumed) log("resuming from " + resumeFrom + " at iteration " + std::to_string(first));

    std::vector<PreparedCase> prepared;
    for (const SpecialistTrainingCase& item : cases) prepared.push_back(prepareCase(item, plan, settings.marginalLoss));
    const PatchSampler sampler(prepared, plan, settings);
    PartialLabelLossWeights weights;
    weights.exclusion = settings.marginalLoss ? settings.exclusionWeight : 0.0;

    double lastLoss = resumed ? resumed->progress().loss : 0;
    for (int iteration = first; iteration < settings.iterations; ++iteration) {
        if (callbacks.cancel && callbacks.cancel->load()) {
            log("cancelled at iteration " + std::to_string(iteration));
            break;
        }
        const auto started = std::chrono::steady_clock::now();
        setLearningRate(*optimizer, settings.learningRate *
                                        std::pow(1.0 - double(iteration) / settings.iterations, kPolyExponent));
        TrainingBatch batch = sampler.next(random);
        batch.targets.target = batch.targets.target.to(state_->device);
        batch.targets.valid = batch.targets.valid.to(state_->device);
        batch.targets.labeled = batch.targets.labeled.to(state_->device);
        std::vector<torch::Tensor> outputs;
        {
            const Bf16Autocast autocast(settings.bf16, state_->device);
            outputs = state_->model->forward(batch.image.to(state_->device));
        }
        const PartialLabelLossTerms loss = deepSupervisionLoss(outputs, batch.targets, weights);
        const double value = loss.total.item<double>();
        if (!std::isfinite(value))
            throw Error("training diverged: the loss is " + std::to_string(value) + " at iteration " +
                        std::to_string(iteration + 1) +
                        "; the last good checkpoint is kept (lower the learning rate, or check the labels)");
        optimizer->zero_grad();
        loss.total.backward();
        torch::nn::utils::clip_grad_norm_(state_->model->parameters(), settings.gradientClip);
        optimizer->step();
        lastLoss = value;

        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (callbacks.step)
            callbacks.step({iteration + 1, settings.iterations, value, loss.crossEntropy.item<double>(),
                            loss.dice.item<double>(), loss.exclusion.item<double>(), seconds});
        const bool last = iteration + 1 == settings.iterations;
        const std::string path = ((iteration + 1) % settings.checkpointEvery == 0 || last) && callbacks.checkpointPath
                                     ? callbacks.checkpointPath(iteration + 1)
                                     : std::string();
        if (!path.empty()) {
            // A step can blow the weights up before any loss shows it: never save such a network.
            for (const torch::Tensor& parameter : state_->model->parameters())
                if (!torch::isfinite(parameter).all().item<bool>())
                    throw Error("training diverged: the network's weights are no longer finite after iteration " +
                                std::to_string(iteration + 1) +
                                "; the last good checkpoint is kept (lower the learning rate, or check the labels)");
            saveCheckpoint(path, state_->model, optimizer.get(), plan,
                           {iteration + 1, settings.iterations, random.state(), lastLoss});
            if (callbacks.checkpointWritten) callbacks.checkpointWritten(path, iteration + 1, lastLoss);
        }
    }
    state_->model->eval();
}

SpecialistPrediction TorchSpecialist::predict(const FloatVolume& image, bool withProbabilities, bool mirror) {
    const TrainingPlan& plan = this->plan();
    SlidingWindowOptions options;
    options.patchSize = plan.patchSize;
    options.mirror = mirror;
    options.probabilities = withProbabilities;
    options.device = state_->device;
    const Bf16Autocast autocast(state_->bf16, state_->device);
    const ChannelPrediction channels = withMemoryAdvice(state_->device, [&] {
        return predictSlidingWindow(state_->model, preprocessImage(image, plan), plan.channels(), options);
    });

    SpecialistPrediction prediction;
    // Back on the scan's own grid. Labels by nearest neighbour (nnU-Net resamples probabilities
    // first; nearest keeps memory flat and differs only along organ borders).
    prediction.labels = resampleNearest(channels.argmax, image.geometry());
    std::array<std::uint8_t, 256> organOf{};
    for (int channel = 1; channel < plan.channels(); ++channel) organOf[channel] = static_cast<std::uint8_t>(plan.organs[channel - 1]);
    for (std::uint8_t& voxel : prediction.labels.voxels()) voxel = organOf[voxel];
    for (std::size_t n = 0; n < channels.probabilities.size(); ++n) {
        FloatVolume probability(channels.probabilities[n].geometry());
        for (std::size_t v = 0; v < probability.voxelCount(); ++v) probability.data()[v] = channels.probabilities[n].data()[v];
        const FloatVolume back = resampleLinear(probability, image.geometry());
        Volume<std::uint8_t> quantised(image.geometry());
        for (std::size_t v = 0; v < back.voxelCount(); ++v)
            quantised.data()[v] = static_cast<std::uint8_t>(std::lround(std::clamp(back.data()[v], 0.0f, 255.0f)));
        prediction.organs.push_back(plan.organs[n]);
        prediction.probabilities.push_back(std::move(quantised));
    }
    return prediction;
}

}  // namespace ipnp
