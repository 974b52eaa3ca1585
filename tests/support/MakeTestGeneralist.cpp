// Writes a TorchScript generalist for the tests that do not link LibTorch themselves (the CLI's,
// the dashboard's): a box2d model that answers "not this organ" everywhere (logits -10 on its
// input's grid, on its input's device), so every candidate it gives has 0 voxels, whatever the
// prompts; and its contract next to it (OUT.json). Prints "cuda: yes" or "cuda: no" (whether
// `--device cuda` can work here).
// Usage: ipnp_test_make_generalist OUT.pt
#include <torch/cuda.h>
#include <torch/script.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

int main(int argc, char** argv) {
    const std::string out = argc == 2 ? argv[1] : "";
    if (out.size() < 4 || out.compare(out.size() - 3, 3, ".pt") != 0) {
        std::fprintf(stderr, "usage: ipnp_test_make_generalist OUT.pt\n");
        return 2;
    }
    try {
        torch::jit::Module module("NothingGeneralist");
        module.define(
            "def forward(self, image, box):\n"
            "    return torch.full([1, 1, image.size(2), image.size(3)], -10.0, device=image.device)\n");
        module.save(out);
        const std::string contract = out.substr(0, out.size() - 3) + ".json";
        std::ofstream file(contract);
        file << R"({"contract": "box2d", "input_size": [32, 32], "channels": 1, "output_size": [32, 32], )"
                R"("normalization": "minmax", "threshold": 0})" << "\n";
        if (!file.flush()) throw std::runtime_error("cannot write " + contract);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "%s: %s\n", out.c_str(), error.what());
        return 1;
    }
    std::printf("cuda: %s\n", torch::cuda::is_available() ? "yes" : "no");
    return 0;
}
