#include "StudioFactories.h"

#include "RoundCommands.h"
#include "TorchSpecialist.h"

namespace ipnp {

RoundFactories torchRoundFactories() {
    RoundFactories factories;
    factories.specialist = [](const SpecialistSettings& settings) {
        auto specialist = std::make_unique<TorchSpecialist>();
        specialist->setDevice(settings.device);
        specialist->setThreads(settings.threads);
        specialist->setBf16(settings.bf16);
        return std::unique_ptr<Specialist>(std::move(specialist));
    };
    factories.generalist = openGeneralist;
    factories.cudaAvailable = TorchSpecialist::cudaAvailable;
    factories.evaluationFiles = [](ProjectStore& store, const EvaluationReport& report, const std::string& folder) {
        writeEvaluation(store, report, folder);
    };
    return factories;
}

}  // namespace ipnp
