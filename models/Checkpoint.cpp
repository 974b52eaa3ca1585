#include "Checkpoint.h"

#include <filesystem>

#include "AtomicWrite.h"
#include "Error.h"
#include "TorchErrorText.h"

namespace ipnp {

namespace {
// Format version of the archive's keys; bump when they change.
constexpr std::int64_t kCheckpointFormat = 1;

torch::Tensor doubles(std::initializer_list<double> values) { return torch::tensor(std::vector<double>(values), torch::kFloat64); }
torch::Tensor integers(const std::vector<std::int64_t>& values) { return torch::tensor(values, torch::kInt64); }

// The archive may have been read onto a GPU: the numbers come back to the CPU first.
std::vector<std::int64_t> readIntegers(torch::serialize::InputArchive& archive, const char* key) {
    torch::Tensor tensor;
    archive.read(key, tensor);
    tensor = tensor.to(torch::kCPU, torch::kInt64).contiguous();
    return std::vector<std::int64_t>(tensor.data_ptr<std::int64_t>(), tensor.data_ptr<std::int64_t>() + tensor.numel());
}
std::vector<double> readDoubles(torch::serialize::InputArchive& archive, const char* key) {
    torch::Tensor tensor;
    archive.read(key, tensor);
    tensor = tensor.to(torch::kCPU, torch::kFloat64).contiguous();
    return std::vector<double>(tensor.data_ptr<double>(), tensor.data_ptr<double>() + tensor.numel());
}
}  // namespace

void saveCheckpoint(const std::string& path, UNet3d& model, const torch::optim::Optimizer* optimizer,
                    const TrainingPlan& plan, const CheckpointProgress& progress) {
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive modelArchive;
    model->save(modelArchive);
    archive.write("model", modelArchive);
    if (optimizer) {
        torch::serialize::OutputArchive optimizerArchive;
        optimizer->save(optimizerArchive);
        archive.write("optimizer", optimizerArchive);
    }
    const IntensityNormalization& n = plan.normalization;
    archive.write("format", integers({kCheckpointFormat}));
    archive.write("plan_spacing", doubles({plan.targetSpacing[0], plan.targetSpacing[1], plan.targetSpacing[2]}));
    archive.write("plan_patch", integers({plan.patchSize[0], plan.patchSize[1], plan.patchSize[2]}));
    archive.write("plan_normalization",
                  doubles({n.mode == IntensityNormalization::Mode::CtForeground ? 0.0 : 1.0, n.clipLow, n.clipHigh, n.mean, n.sd}));
    archive.write("plan_organs", integers(std::vector<std::int64_t>(plan.organs.begin(), plan.organs.end())));
    archive.write("plan_network", integers({plan.network.stages, plan.network.baseWidth, plan.network.maxWidth,
                                            plan.network.deepSupervision ? 1 : 0, plan.modality == "MR" ? 1 : 0}));
    // The random state is a full 64-bit pattern: stored bit for bit in an int64.
    archive.write("progress", integers({progress.iteration, progress.iterations,
                                        static_cast<std::int64_t>(progress.randomState)}));
    archive.write("loss", doubles({progress.loss}));
    writeFileAtomically(path, [&](const std::string& temp) { archive.save_to(temp); });
}

CheckpointReader::CheckpointReader(const std::string& path, torch::Device device) : path_(path) {
    if (!std::filesystem::exists(path)) throw Error(path, "no such checkpoint");
    try {
        archive_.load_from(path, device);
        if (readIntegers(archive_, "format").at(0) > kCheckpointFormat)
            throw Error(path, "written by a newer IPnP Studio; update to use it");
        const auto spacing = readDoubles(archive_, "plan_spacing");
        const auto patch = readIntegers(archive_, "plan_patch");
        const auto normalization = readDoubles(archive_, "plan_normalization");
        const auto organs = readIntegers(archive_, "plan_organs");
        const auto network = readIntegers(archive_, "plan_network");
        const auto progress = readIntegers(archive_, "progress");
        plan_.targetSpacing = {spacing.at(0), spacing.at(1), spacing.at(2)};
        plan_.patchSize = {int(patch.at(0)), int(patch.at(1)), int(patch.at(2))};
        plan_.normalization.mode = normalization.at(0) == 0.0 ? IntensityNormalization::Mode::CtForeground
                                                              : IntensityNormalization::Mode::PerScanZScore;
        plan_.normalization.clipLow = normalization.at(1);
        plan_.normalization.clipHigh = normalization.at(2);
        plan_.normalization.mean = normalization.at(3);
        plan_.normalization.sd = normalization.at(4);
        plan_.organs.assign(organs.begin(), organs.end());
        plan_.network = {int(network.at(0)), int(network.at(1)), int(network.at(2)), network.at(3) != 0};
        plan_.modality = network.at(4) ? "MR" : "CT";
        progress_.iteration = int(progress.at(0));
        progress_.iterations = int(progress.at(1));
        progress_.randomState = static_cast<std::uint64_t>(progress.at(2));
        progress_.loss = readDoubles(archive_, "loss").at(0);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& error) {
        throw Error(path, std::string("not a readable IPnP checkpoint (damaged or another kind of file): ") +
                              torchErrorText(error));
    }
}

void CheckpointReader::loadModel(UNet3d& model) {
    try {
        torch::serialize::InputArchive modelArchive;
        archive_.read("model", modelArchive);
        model->load(modelArchive);
    } catch (const std::exception& error) {
        throw Error(path_, std::string("the network weights cannot be read: ") + torchErrorText(error));
    }
}

void CheckpointReader::loadOptimizer(torch::optim::Optimizer& optimizer) {
    try {
        torch::serialize::InputArchive optimizerArchive;
        archive_.read("optimizer", optimizerArchive);
        optimizer.load(optimizerArchive);
    } catch (const std::exception& error) {
        throw Error(path_, std::string("the optimizer state cannot be read: ") + torchErrorText(error));
    }
}

}  // namespace ipnp
