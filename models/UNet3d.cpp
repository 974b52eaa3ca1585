#include "UNet3d.h"

#include <algorithm>

namespace ipnp {

namespace nn = torch::nn;

namespace {
constexpr double kLeakySlope = 0.01;  // nnU-Net's leaky ReLU
constexpr double kNormEpsilon = 1e-5;

nn::Conv3d conv3(int in, int out, int stride) {
    return nn::Conv3d(nn::Conv3dOptions(in, out, 3).stride(stride).padding(1).bias(true));
}
nn::InstanceNorm3d instanceNorm(int channels) {
    return nn::InstanceNorm3d(nn::InstanceNorm3dOptions(channels).eps(kNormEpsilon).affine(true));
}
}  // namespace

ConvBlockImpl::ConvBlockImpl(int in, int out, int stride)
    : conv1(register_module("conv1", conv3(in, out, stride))),
      conv2(register_module("conv2", conv3(out, out, 1))),
      norm1(register_module("norm1", instanceNorm(out))),
      norm2(register_module("norm2", instanceNorm(out))) {}

torch::Tensor ConvBlockImpl::forward(torch::Tensor x) {
    x = torch::leaky_relu(norm1(conv1(x)), kLeakySlope);
    return torch::leaky_relu(norm2(conv2(x)), kLeakySlope);
}

UNet3dImpl::UNet3dImpl(const NetworkShape& shape, int inChannels, int outChannels)
    : shape_(shape), outChannels_(outChannels) {
    for (int stage = 0; stage < shape_.stages; ++stage)
        encoder->push_back(ConvBlock(stage == 0 ? inChannels : stageWidth(stage - 1), stageWidth(stage), stage == 0 ? 1 : 2));
    // Decoder stage s rebuilds resolution s from s + 1; index 0 is the coarsest decoder stage.
    for (int stage = shape_.stages - 2; stage >= 0; --stage) {
        upsamplers->push_back(nn::ConvTranspose3d(
            nn::ConvTranspose3dOptions(stageWidth(stage + 1), stageWidth(stage), 2).stride(2).bias(false)));
        decoder->push_back(ConvBlock(2 * stageWidth(stage), stageWidth(stage), 1));
        heads->push_back(nn::Conv3d(nn::Conv3dOptions(stageWidth(stage), outChannels, 1).bias(true)));
    }
    register_module("encoder", encoder);
    register_module("upsamplers", upsamplers);
    register_module("decoder", decoder);
    register_module("heads", heads);
}

int UNet3dImpl::stageWidth(int stage) const {
    return std::min(shape_.baseWidth << stage, shape_.maxWidth);
}

std::vector<torch::Tensor> UNet3dImpl::forward(torch::Tensor x) {
    std::vector<torch::Tensor> skips;
    for (std::size_t stage = 0; stage < encoder->size(); ++stage) {
        x = encoder[stage]->as<ConvBlock>()->forward(x);
        skips.push_back(x);
    }
    std::vector<torch::Tensor> outputs;  // coarse to fine while decoding
    const bool supervised = shape_.deepSupervision && is_training();
    for (std::size_t step = 0; step < decoder->size(); ++step) {
        const torch::Tensor& skip = skips[skips.size() - 2 - step];
        x = upsamplers[step]->as<nn::ConvTranspose3d>()->forward(x);
        x = decoder[step]->as<ConvBlock>()->forward(torch::cat({x, skip}, 1));
        const bool last = step + 1 == decoder->size();
        if (last || supervised) outputs.push_back(heads[step]->as<nn::Conv3d>()->forward(x));
    }
    std::reverse(outputs.begin(), outputs.end());
    return outputs;
}

}  // namespace ipnp
