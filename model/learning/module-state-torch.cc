/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-state-torch.h"

#include <stdexcept>
#include <vector>

namespace ns3
{

namespace
{

std::string
ShapeString(c10::IntArrayRef shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
    {
        s += (i ? "," : "") + std::to_string(shape[i]);
    }
    return s + "]";
}

} // namespace

ModuleState
ExportModuleState(const std::string& moduleId, const torch::nn::Module& module, double sampleWeight)
{
    const auto params = module.named_parameters(/*recurse=*/true);
    std::vector<TensorSpec> specs;
    specs.reserve(params.size());
    for (const auto& item : params)
    {
        const torch::Tensor& p = item.value();
        if (p.scalar_type() != torch::kFloat32)
        {
            throw std::invalid_argument("ExportModuleState: parameter '" + item.key()
                                        + "' of module '" + moduleId + "' is not float32");
        }
        specs.push_back({item.key(), p.sizes().vec()});
    }
    ModuleState state(moduleId, std::move(specs), ModuleState::Uninitialized{});
    state.SetSampleWeight(sampleWeight);
    torch::NoGradGuard noGrad;
    std::size_t i = 0;
    for (const auto& item : params)
    {
        ViewTensor(state, i++).copy_(item.value().detach().to(torch::kCPU));
    }
    return state;
}

void
ImportModuleState(const ModuleState& state, torch::nn::Module& module)
{
    auto params = module.named_parameters(/*recurse=*/true);
    const auto& specs = state.GetTensors();
    if (params.size() != specs.size())
    {
        throw std::invalid_argument("ImportModuleState: module '" + state.GetModuleId() + "' has "
                                    + std::to_string(specs.size()) + " tensors, the torch module "
                                    + std::to_string(params.size()) + " parameters");
    }
    std::size_t i = 0;
    for (const auto& item : params)
    {
        const auto& spec = specs[i++];
        if (spec.name != item.key() || spec.shape != item.value().sizes().vec())
        {
            throw std::invalid_argument("ImportModuleState: module '" + state.GetModuleId()
                                        + "' tensor '" + spec.name + "' " + ShapeString(spec.shape)
                                        + " does not match parameter '" + item.key() + "' "
                                        + ShapeString(item.value().sizes()));
        }
    }
    torch::NoGradGuard noGrad;
    i = 0;
    for (auto& item : params)
    {
        // from_blob needs a non-const pointer; the view is only read.
        auto* data = const_cast<float*>(state.GetTensorData(i));
        item.value().copy_(torch::from_blob(data, item.value().sizes(), torch::kFloat32));
        ++i;
    }
}

torch::Tensor
ViewTensor(ModuleState& state, std::size_t index)
{
    const auto& shape = state.GetTensors().at(index).shape;
    return torch::from_blob(state.GetTensorData(index), shape, torch::kFloat32);
}

} // namespace ns3
