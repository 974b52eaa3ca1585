// Writes a TorchScript generalist for the CLI's tests, which do not link LibTorch themselves: a
// box2d model that answers "not this organ" everywhere (logits -10 on its input's grid, on its
// input's device), so every candidate it gives has 0 voxels, whatever the prompts. Prints
// "cuda: yes" or "cuda: no" (whether `--device cuda` can work here).
// Usage: ipnp_test_make_generalist OUT.pt
#include <torch/cuda.h>
#include <torch/script.h>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: ipnp_test_make_generalist OUT.pt\n");
        return 2;
    }
    try {
        torch::jit::Module module("NothingGeneralist");
        module.define(
            "def forward(self, image, box):\n"
            "    return torch.full([1, 1, image.size(2), image.size(3)], -10.0, device=image.device)\n");
        module.save(argv[1]);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "%s: %s\n", argv[1], error.what());
        return 1;
    }
    std::printf("cuda: %s\n", torch::cuda::is_available() ? "yes" : "no");
    return 0;
}
