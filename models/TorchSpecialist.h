#pragma once
// The LibTorch specialist behind core's Specialist interface. This header includes no LibTorch
// (pImpl), so the CLI and the GUI can hold a specialist without LibTorch's headers.
#include <memory>

#include "Specialist.h"

namespace ipnp {

class TorchSpecialist final : public Specialist {
public:
    TorchSpecialist();
    ~TorchSpecialist() override;

    void train(const std::vector<SpecialistTrainingCase>& cases, const SpecialistSettings& settings,
               const std::string& resumeFrom, const TrainingCallbacks& callbacks) override;
    void load(const std::string& checkpointPath) override;
    const TrainingPlan& plan() const override;
    SpecialistPrediction predict(const FloatVolume& image, bool withProbabilities, bool mirror) override;
    void checkDevice(const std::string& device) const override;

    // "cpu", or "cuda" when this LibTorch was built with CUDA and a GPU is present; throws otherwise.
    void setDevice(const std::string& device);
    void setThreads(int threads);  // 0: one per CPU (see CpuThreads.h)
    void setBf16(bool enabled);    // bf16 autocast for prediction (see SpecialistSettings::bf16)
    static bool cudaAvailable();

private:
    void trainOnDevice(const std::vector<SpecialistTrainingCase>& cases, const SpecialistSettings& settings,
                       const std::string& resumeFrom, const TrainingCallbacks& callbacks);
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace ipnp
