#pragma once
// Exports a trained specialist for use without this app: a TorchScript module (built in C++ with
// torch::jit::Module::define, mirroring UNet3d's inference path, with the trained parameters) and
// its plan as JSON. This header includes no LibTorch.
#include <string>

namespace ipnp {

// Writes OUT/specialist.pt and OUT/plan.json from a checkpoint. Throws ipnp::Error.
void exportSpecialist(const std::string& checkpointPath, const std::string& outputFolder);

}  // namespace ipnp
