#include "Specialist.h"

#include <string>

#include "Error.h"

namespace ipnp {

namespace {

void require(bool ok, const std::string& what) {
    if (!ok) throw Error("training settings: " + what);
}

}  // namespace

void checkSpecialistSettings(const SpecialistSettings& s) {
    require(s.iterations >= 1, "iterations must be at least 1 (got " + std::to_string(s.iterations) + ")");
    require(s.batchSize >= 1, "the batch must hold at least 1 patch (got " + std::to_string(s.batchSize) + ")");
    for (int edge : s.patchSize)
        require(edge >= 1 && edge <= 1024, "the patch edge must be 1..1024 voxels (got " + std::to_string(edge) + ")");
    // 2^(stages-1) must divide the patch; more than 8 stages would halve a 1024-voxel patch to 4.
    require(s.network.stages >= 1 && s.network.stages <= 8,
            "the U-Net needs 1..8 stages (got " + std::to_string(s.network.stages) + ")");
    require(s.network.baseWidth >= 1 && s.network.baseWidth <= 1024,
            "the base width must be 1..1024 feature maps (got " + std::to_string(s.network.baseWidth) + ")");
    require(s.optimizer == "sgd" || s.optimizer == "adamw", "unknown optimizer '" + s.optimizer + "' (sgd or adamw)");
    require(s.learningRate > 0, "the learning rate must be above 0 (got " + std::to_string(s.learningRate) + ")");
    require(s.checkpointEvery >= 1, "checkpoints need at least 1 iteration between them (got " +
                                        std::to_string(s.checkpointEvery) + ")");
    require(s.threads >= 0, "threads must be 0 (LibTorch's default) or more (got " + std::to_string(s.threads) + ")");
    require(s.device == "cpu" || s.device == "cuda", "unknown device '" + s.device + "' (cpu or cuda)");
}

}  // namespace ipnp
