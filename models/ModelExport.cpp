#include "ModelExport.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "AtomicWrite.h"
#include "Checkpoint.h"
#include "Error.h"
#include "UNet3d.h"

namespace ipnp {

namespace {

// TorchScript attribute names cannot hold '.': "encoder.0.conv1.weight" -> "encoder_0_conv1_weight".
std::string attributeName(const std::string& key) {
    std::string name = key;
    for (char& c : name)
        if (c == '.') c = '_';
    return name;
}

// The TorchScript source of one conv block (conv, instance norm, leaky ReLU, twice), reading `in`
// and assigning `out`.
std::string convBlockSource(const std::string& prefix, int stride, const std::string& in, const std::string& out) {
    std::ostringstream s;
    const std::string p = "self." + prefix;
    s << "        " << out << " = torch.conv3d(" << in << ", " << p << "_conv1_weight, " << p << "_conv1_bias, ["
      << stride << ", " << stride << ", " << stride << "], [1, 1, 1])\n"
      << "        " << out << " = torch.leaky_relu(torch.instance_norm(" << out << ", " << p << "_norm1_weight, " << p
      << "_norm1_bias, None, None, True, 0.1, 1e-05, False), 0.01)\n"
      << "        " << out << " = torch.conv3d(" << out << ", " << p << "_conv2_weight, " << p
      << "_conv2_bias, [1, 1, 1], [1, 1, 1])\n"
      << "        " << out << " = torch.leaky_relu(torch.instance_norm(" << out << ", " << p << "_norm2_weight, " << p
      << "_norm2_bias, None, None, True, 0.1, 1e-05, False), 0.01)\n";
    return s.str();
}

// forward(x: [B, 1, D, H, W] normalised intensities) -> logits [B, C, D, H, W].
std::string forwardSource(const NetworkShape& shape) {
    std::ostringstream s;
    s << "    def forward(self, x):\n";
    for (int stage = 0; stage < shape.stages; ++stage)
        s << convBlockSource("encoder_" + std::to_string(stage), stage == 0 ? 1 : 2, stage == 0 ? "x" : "s" + std::to_string(stage - 1),
                             "s" + std::to_string(stage));
    std::string current = "s" + std::to_string(shape.stages - 1);
    const int steps = shape.stages - 1;
    for (int step = 0; step < steps; ++step) {
        const int skip = shape.stages - 2 - step;
        s << "        u = torch.conv_transpose3d(" << current << ", self.upsamplers_" << step
          << "_weight, None, [2, 2, 2])\n"
          << "        u = torch.cat([u, s" << skip << "], 1)\n"
          << convBlockSource("decoder_" + std::to_string(step), 1, "u", "d" + std::to_string(step));
        current = "d" + std::to_string(step);
    }
    s << "        return torch.conv3d(" << current << ", self.heads_" << steps - 1 << "_weight, self.heads_" << steps - 1
      << "_bias)\n";
    return s.str();
}

}  // namespace

void exportSpecialist(const std::string& checkpointPath, const std::string& outputFolder) {
    CheckpointReader reader(checkpointPath);
    const TrainingPlan& plan = reader.plan();
    UNet3d model(plan.network, 1, plan.channels());
    reader.loadModel(model);

    torch::jit::Module module("IPnPSpecialist");
    for (const auto& item : model->named_parameters())
        module.register_parameter(attributeName(item.key()), item.value().detach().clone(), false);
    module.define(forwardSource(plan.network));
    module.eval();

    std::error_code ec;
    std::filesystem::create_directories(outputFolder, ec);
    if (ec) throw Error(outputFolder, "cannot create the output folder: " + ec.message());
    const std::string modelPath = (std::filesystem::path(outputFolder) / "specialist.pt").string();
    const std::string planPath = (std::filesystem::path(outputFolder) / "plan.json").string();
    writeFileAtomically(modelPath, [&](const std::string& temp) { module.save(temp); });
    writeFileAtomically(planPath, [&](const std::string& temp) {
        std::ofstream out(temp);
        out << plan.toJson();
        if (!out.flush()) throw Error(planPath, "cannot write");
    });
}

}  // namespace ipnp
