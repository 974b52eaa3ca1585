#pragma once
// A TorchScript promptable segmenter behind core's Generalist (DESIGN.md, "The method", step 3),
// run frozen (eval mode, no gradients), under one of the two contracts of docs/generalists.md:
// point3d (SAM-Med3D-like) or box2d (MedSAM-like). This header includes no LibTorch (pImpl), so
// the CLI and the GUI can hold one.
//
// Opening one, in a layer that has core/io (this one cannot: models builds without OpenSSL and
// nlohmann-json in the CORE_ONLY configuration):
//   TorchScriptGeneralist generalist(pt, readGeneralistContractFile(generalistContractPathFor(pt)),
//                                    Sha256::ofFile(pt));
#include <memory>
#include <string>

#include "Generalist.h"
#include "GeneralistContract.h"

namespace ipnp {

class TorchScriptGeneralist final : public Generalist {
public:
    // `modelPath`: the TorchScript file (torch.jit.save / torch::jit::Module::save). `contract`:
    // what the JSON next to it says. `sha256`: of the model file, as the caller computed it; only
    // recorded in identity(). Throws ipnp::Error(modelPath, ...) when the file cannot be read, is
    // "not a TorchScript model: ...", has no forward method, or its forward cannot take the
    // contract's inputs.
    TorchScriptGeneralist(const std::string& modelPath, const GeneralistContract& contract, std::string sha256);
    ~TorchScriptGeneralist() override;
    TorchScriptGeneralist(const TorchScriptGeneralist&) = delete;
    TorchScriptGeneralist& operator=(const TorchScriptGeneralist&) = delete;

    // name = the model file's name (no folder), sha256 as given, contract = "point3d" / "box2d".
    GeneralistIdentity identity() const override;
    // See docs/generalists.md for the exact crops, coordinates and paste-back. Throws ipnp::Error
    // naming the model file when the model fails, or when its output breaks the contract (the
    // message names the contract, the expected and the actual shape); and for an absent or empty
    // prompt.
    Mask segment(const FloatVolume& image, const PromptSet& prompt) override;
    // Moves the model back to the CPU (it goes to the device again at the next segment call).
    void release() override;

    const GeneralistContract& contract() const;
    // "cpu" (the default), or "cuda" when this LibTorch was built with CUDA and a GPU is present;
    // throws ipnp::Error naming the model file otherwise. The model goes there at the first
    // segment call, and back to the CPU at release().
    void setDevice(const std::string& device);

private:
    Mask segmentPoint3d(const FloatVolume& image, const PromptSet& prompt);
    Mask segmentBox2d(const FloatVolume& image, const PromptSet& prompt);
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace ipnp
