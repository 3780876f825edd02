/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_TORCHSCRIPT_IMPORT_H
#define HFFM_TORCHSCRIPT_IMPORT_H

// Learning side only.

#include "ns3/module-state.h"

#include <string>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Read a module's pretrained weights from a TorchScript file saved by PyTorch
 * (torch.jit.save(torch.jit.script(m), path)).
 *
 * The file's parameters, in named_parameters() order and under their names, become the
 * state of hffm module \p moduleId; M3TModel::Import() then checks that names and shapes
 * match that module (hffm-model --command=layout lists them) and says which differs.
 * \throws std::runtime_error naming the file when it cannot be loaded, std::invalid_argument
 *         when a parameter is not float32
 */
ModuleState ReadTorchScriptModule(const std::string& path, const std::string& moduleId,
                                  double sampleWeight = 0.0);

} // namespace ns3

#endif /* HFFM_TORCHSCRIPT_IMPORT_H */
