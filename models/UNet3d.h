#pragma once
// nnU-Net-style 3D U-Net (models/ only: includes LibTorch). Per stage two 3x3x3 convolutions with
// instance norm and leaky ReLU; strided convolutions go down, transposed convolutions come up,
// skip connections join them; an optional segmentation head on every decoder stage gives deep
// supervision. Registered names are checkpoint keys: keep them stable.
#include <torch/torch.h>

#include <vector>

#include "TrainingPlan.h"

namespace ipnp {

class ConvBlockImpl : public torch::nn::Module {
public:
    ConvBlockImpl(int in, int out, int stride);
    torch::Tensor forward(torch::Tensor x);

private:
    torch::nn::Conv3d conv1{nullptr}, conv2{nullptr};
    torch::nn::InstanceNorm3d norm1{nullptr}, norm2{nullptr};
};
TORCH_MODULE(ConvBlock);

class UNet3dImpl : public torch::nn::Module {
public:
    UNet3dImpl(const NetworkShape& shape, int inChannels, int outChannels);
    // Logits at full resolution first, then (deep supervision, training only) coarser ones.
    std::vector<torch::Tensor> forward(torch::Tensor x);
    int stageWidth(int stage) const;
    const NetworkShape& shape() const { return shape_; }
    int outChannels() const { return outChannels_; }

private:
    NetworkShape shape_;
    int outChannels_;
    torch::nn::ModuleList encoder, upsamplers, decoder, heads;
};
TORCH_MODULE(UNet3d);

}  // namespace ipnp
