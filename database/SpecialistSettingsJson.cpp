#include "SpecialistSettingsJson.h"

#include <nlohmann/json.hpp>

#include "Error.h"

namespace ipnp {

using nlohmann::json;

std::string specialistSettingsToJson(const SpecialistSettings& s) {
    const json j = {{"iterations", s.iterations},       {"batch_size", s.batchSize},
                    {"patch_size", s.patchSize},        {"stages", s.network.stages},
                    {"base_width", s.network.baseWidth}, {"max_width", s.network.maxWidth},
                    {"deep_supervision", s.network.deepSupervision}, {"optimizer", s.optimizer},
                    {"learning_rate", s.learningRate},  {"weight_decay", s.weightDecay},
                    {"gradient_clip", s.gradientClip},  {"foreground_fraction", s.foregroundFraction},
                    {"augment", s.augment},             {"marginal_loss", s.marginalLoss},
                    {"exclusion_weight", s.exclusionWeight}, {"seed", s.seed},
                    {"checkpoint_every", s.checkpointEvery}, {"modality", s.modality}, {"bf16", s.bf16},
                    {"threads", s.threads},             {"device", s.device},
                    {"initial_weights", s.initialWeights}};
    return j.dump();
}

SpecialistSettings specialistSettingsFromJson(const std::string& text, SpecialistSettings s) {
    try {
        const json j = json::parse(text);
        s.iterations = j.value("iterations", s.iterations);
        s.batchSize = j.value("batch_size", s.batchSize);
        s.patchSize = j.value("patch_size", s.patchSize);
        s.network.stages = j.value("stages", s.network.stages);
        s.network.baseWidth = j.value("base_width", s.network.baseWidth);
        s.network.maxWidth = j.value("max_width", s.network.maxWidth);
        s.network.deepSupervision = j.value("deep_supervision", s.network.deepSupervision);
        s.optimizer = j.value("optimizer", s.optimizer);
        s.learningRate = j.value("learning_rate", s.learningRate);
        s.weightDecay = j.value("weight_decay", s.weightDecay);
        s.gradientClip = j.value("gradient_clip", s.gradientClip);
        s.foregroundFraction = j.value("foreground_fraction", s.foregroundFraction);
        s.augment = j.value("augment", s.augment);
        s.marginalLoss = j.value("marginal_loss", s.marginalLoss);
        s.exclusionWeight = j.value("exclusion_weight", s.exclusionWeight);
        s.seed = j.value("seed", s.seed);
        s.checkpointEvery = j.value("checkpoint_every", s.checkpointEvery);
        s.modality = j.value("modality", s.modality);
        s.bf16 = j.value("bf16", s.bf16);
        s.threads = j.value("threads", s.threads);
        s.device = j.value("device", s.device);
        s.initialWeights = j.value("initial_weights", s.initialWeights);
    } catch (const json::exception& e) {
        throw Error("training settings: " + std::string(e.what()));
    }
    return s;
}

}  // namespace ipnp
