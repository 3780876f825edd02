/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_MODULE_STATE_TORCH_H
#define HFFM_MODULE_STATE_TORCH_H

// Learning side only: this header pulls in LibTorch. Never include it from a header that
// the ns-3 side includes.

#include "ns3/module-state.h"

#include <string>
#include <torch/torch.h>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Copy a torch module's parameters into a ModuleState.
 *
 * The tensors are taken in the order of \p module's named_parameters(), under their
 * parameter names; buffers (e.g. batch-norm statistics) are not parameters and are not
 * included.
 * \param moduleId the id of the module, e.g. "adapter/3"
 * \param module the torch module
 * \param sampleWeight the sample weight to record
 * \throws std::invalid_argument if a parameter is not a float tensor or the layout is invalid
 */
ModuleState ExportModuleState(const std::string& moduleId, const torch::nn::Module& module,
                              double sampleWeight = 0.0);

/**
 * \ingroup hffm
 * \brief Copy a ModuleState's values into a torch module's parameters.
 *
 * The state must have exactly the module's parameter names and shapes; otherwise nothing is
 * written and std::invalid_argument names the first difference.
 */
void ImportModuleState(const ModuleState& state, torch::nn::Module& module);

/**
 * \ingroup hffm
 * \brief A tensor that views (does not copy) tensor \p index of \p state.
 *
 * The view is valid only while \p state lives and is not resized.
 */
torch::Tensor ViewTensor(ModuleState& state, std::size_t index);

} // namespace ns3

#endif /* HFFM_MODULE_STATE_TORCH_H */
