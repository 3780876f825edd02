/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/torchscript-import.h"

#include <algorithm>
#include <stdexcept>
#include <torch/script.h>
#include <vector>

namespace ns3
{

ModuleState
ReadTorchScriptModule(const std::string& path, const std::string& moduleId, double sampleWeight)
{
    torch::jit::Module scripted;
    try
    {
        scripted = torch::jit::load(path);
    }
    catch (const c10::Error& e)
    {
        throw std::runtime_error("cannot load TorchScript file " + path + ": "
                                 + e.what_without_backtrace());
    }
    std::vector<TensorSpec> specs;
    std::vector<torch::Tensor> values;
    for (const auto& p : scripted.named_parameters(/*recurse=*/true))
    {
        if (p.value.scalar_type() != torch::kFloat32)
        {
            throw std::invalid_argument("TorchScript file " + path + ": parameter '" + p.name
                                        + "' is not float32");
        }
        specs.push_back({p.name, p.value.sizes().vec()});
        values.push_back(p.value.detach().contiguous());
    }
    ModuleState state(moduleId, std::move(specs));
    state.SetSampleWeight(sampleWeight);
    for (std::size_t i = 0; i < values.size(); ++i)
    {
        std::copy_n(values[i].data_ptr<float>(), values[i].numel(), state.GetTensorData(i));
    }
    return state;
}

} // namespace ns3
