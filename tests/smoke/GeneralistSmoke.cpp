// TorchScript generalists on a device (the CORE_ONLY check, run on GPU machines by
// tests/smoke/cuda_check.sh): one model per contract (point3d, box2d), built here with
// torch::jit::Module::define and a weight buffer that must travel to the device with the module,
// segments the same prompt on the CPU and on the device given (twice, released in between). The
// crops, normalisation and paste-back run on the CPU either way and the models' logits are +-10,
// so both devices must give exactly the same voxels; the expected voxels themselves are the models' tests' business
// (tests/models/TorchScriptGeneralistTest.cpp), here only their plausibility (inside the box,
// neither empty nor the whole region).
// Usage: ipnp_generalist_smoke [cpu|cuda]
#include <torch/script.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <unistd.h>

#include "CrashTrace.h"
#include "MaskMorphology.h"
#include "RemoveTree.h"
#include "TorchScriptGeneralist.h"

using namespace ipnp;
namespace fs = std::filesystem;

namespace {

// point3d: +10 on the crop voxels inside the box it is given whose normalised intensity is above
// the crop's mean, -10 elsewhere. `self.scale` is a 1-element buffer (20): a module left on the
// CPU fails on a GPU input.
const char* kPoint3dModel =
    "def forward(self, image, points, labels, box):\n"
    "    d = image.size(2)\n"
    "    h = image.size(3)\n"
    "    w = image.size(4)\n"
    "    z = torch.arange(d, device=image.device).float().view(d, 1, 1)\n"
    "    y = torch.arange(h, device=image.device).float().view(1, h, 1)\n"
    "    x = torch.arange(w, device=image.device).float().view(1, 1, w)\n"
    "    b = box[0]\n"
    "    inside = (z >= b[0]) & (z <= b[3]) & (y >= b[1]) & (y <= b[4]) & (x >= b[2]) & (x <= b[5])\n"
    "    bright = image[0, 0] > 0\n"
    "    return ((inside & bright).float() * self.scale - 10.0).view(1, 1, d, h, w)\n";

// box2d: +10 on the output pixels whose centre lies inside the slice's box, -10 elsewhere.
const char* kBox2dModel =
    "def forward(self, image, box):\n"
    "    oh = image.size(2)\n"
    "    ow = image.size(3)\n"
    "    y = torch.arange(oh, device=image.device).float() + 0.5\n"
    "    x = torch.arange(ow, device=image.device).float() + 0.5\n"
    "    b = box[0]\n"
    "    iy = ((y >= b[1]) & (y < b[3])).float().view(oh, 1)\n"
    "    ix = ((x >= b[0]) & (x < b[2])).float().view(1, ow)\n"
    "    return (iy * ix * self.scale - 10.0).view(1, 1, oh, ow)\n";

std::string saveModel(const fs::path& folder, const std::string& name, const char* source) {
    torch::jit::Module module("SmokeGeneralist");
    module.register_buffer("scale", torch::full({1}, 20.0f));
    module.define(source);
    const std::string path = (folder / (name + ".pt")).string();
    module.save(path);
    return path;
}

// A 48 x 40 x 24 scan at 1.5 x 1.5 x 3 mm: a bright ellipsoid (200) on a dim ramp.
FloatVolume scan() {
    ImageGeometry geometry;
    geometry.size = {48, 40, 24};
    geometry.spacing = {1.5, 1.5, 3.0};
    FloatVolume image(geometry);
    for (std::size_t k = 0; k < 24; ++k)
        for (std::size_t j = 0; j < 40; ++j)
            for (std::size_t i = 0; i < 48; ++i) {
                const double u = (double(i) - 24) / 10, v = (double(j) - 20) / 8, w = (double(k) - 12) / 5;
                image.at(i, j, k) = u * u + v * v + w * w <= 1 ? 200.0f : float(i + j) * 0.5f;
            }
    return image;
}

PromptSet prompt(const ImageGeometry& geometry) {
    PromptSet prompt;
    prompt.organ = 1;
    prompt.box = {{14, 12, 7}, {35, 29, 18}};
    prompt.region = {{10, 8, 5}, {39, 33, 20}};
    prompt.positivePoints = {{24, 20, 12}};
    prompt.negativePoints = {{11, 9, 6}};
    for (long k = prompt.box.first[2]; k < prompt.box.end[2]; ++k)
        prompt.sliceBoxes.push_back(
            {k, prompt.box.first[0], prompt.box.first[1], prompt.box.end[0], prompt.box.end[1]});
    prompt.coarse = Mask(geometry.region(prompt.region.first, prompt.region.size()));
    prompt.others = Mask(geometry.region(prompt.region.first, prompt.region.size()));
    return prompt;
}

// Whether every voxel of `mask` (on prompt.region's grid) lies within the prompt box widened by
// `slack` voxels.
bool insideBox(const Mask& mask, const PromptSet& prompt, long slack) {
    const auto& size = mask.size();
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i) {
                if (!mask.at(i, j, k)) continue;
                const long p[3] = {prompt.region.first[0] + long(i), prompt.region.first[1] + long(j),
                                   prompt.region.first[2] + long(k)};
                for (int a = 0; a < 3; ++a)
                    if (p[a] < prompt.box.first[a] - slack || p[a] >= prompt.box.end[a] + slack) return false;
            }
    return true;
}

bool check(const char* what, const std::string& path, const GeneralistContract& contract, const std::string& device) {
    const FloatVolume image = scan();
    const PromptSet request = prompt(image.geometry());
    TorchScriptGeneralist onCpu(path, contract, "smoke");
    TorchScriptGeneralist onDevice(path, contract, "smoke");
    onDevice.setDevice(device);
    const Mask expected = onCpu.segment(image, request);
    Mask got = onDevice.segment(image, request);
    // Between rounds the model goes back to the CPU; the next prompt brings it to the device again.
    onDevice.release();
    const Mask again = onDevice.segment(image, request);
    std::size_t differing = 0;
    for (std::size_t v = 0; v < got.voxels().size(); ++v)
        differing += got.voxels()[v] != expected.voxels()[v] || again.voxels()[v] != expected.voxels()[v];
    const std::size_t voxels = countSet(got);
    const bool ok = differing == 0 && got.size() == expected.size() && voxels > 100 &&
                    voxels < got.voxels().size() && insideBox(got, request, 1);
    std::printf("%s: %s generalist on %s: %zu voxels, %zu differ from the CPU's\n", ok ? "ok" : "FAILED", what,
                device.c_str(), voxels, differing);
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    smoke::installCrashTrace();
    const std::string device = argc > 1 ? argv[1] : "cpu";
    try {
        const fs::path folder = fs::temp_directory_path() / ("ipnp-generalist-smoke-" + std::to_string(::getpid()));
        fs::create_directories(folder);
        GeneralistContract point3d;
        point3d.kind = GeneralistContract::Kind::Point3d;
        point3d.cropSize = {16, 32, 32};
        point3d.cropSpacingMm = {3.0, 1.5, 1.5};
        point3d.maxPoints = 4;
        point3d.padPoints = true;
        point3d.boxInput = true;
        GeneralistContract box2d;
        box2d.kind = GeneralistContract::Kind::Box2d;
        box2d.normalization = GeneralistContract::Normalization::MinMax;
        box2d.inputSize = {64, 64};
        box2d.outputSize = {64, 64};
        const bool ok = check("point3d", saveModel(folder, "point3d", kPoint3dModel), point3d, device) &
                        check("box2d", saveModel(folder, "box2d", kBox2dModel), box2d, device);
        removeTree(folder.string());
        return ok ? 0 : 1;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "FAILED: %s\n", error.what());
        return 1;
    }
}
