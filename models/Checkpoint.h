#pragma once
// Training checkpoints (models/ only: LibTorch): network, optimizer, the sampler's random state,
// the iteration and the plan, in one LibTorch archive written atomically.
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "TrainingPlan.h"
#include "UNet3d.h"

namespace ipnp {

struct CheckpointProgress {
    int iteration = 0;             // iterations done
    int iterations = 0;            // the run's budget
    std::uint64_t randomState = 0; // SeededRandom::state() after `iteration` steps
    double loss = 0;               // the last step's loss
};

void saveCheckpoint(const std::string& path, UNet3d& model, const torch::optim::Optimizer* optimizer,
                    const TrainingPlan& plan, const CheckpointProgress& progress);

// Opens a checkpoint; throws ipnp::Error naming the file when it is missing or not a checkpoint.
// Its tensors are read onto `device` whatever device wrote them, so that weights trained on a GPU
// load on a machine without one, and a resumed optimizer's state lands where its parameters are.
class CheckpointReader {
public:
    explicit CheckpointReader(const std::string& path, torch::Device device = torch::kCPU);
    const TrainingPlan& plan() const { return plan_; }
    const CheckpointProgress& progress() const { return progress_; }
    void loadModel(UNet3d& model);
    void loadOptimizer(torch::optim::Optimizer& optimizer);

private:
    std::string path_;
    torch::serialize::InputArchive archive_;
    TrainingPlan plan_;
    CheckpointProgress progress_;
};

}  // namespace ipnp
