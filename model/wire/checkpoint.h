/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_CHECKPOINT_H
#define HFFM_CHECKPOINT_H

#include "ns3/module-state.h"

#include <memory>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Write modules to a checkpoint file: one fp32 module message after another, in the
 * wire format of message-format.h, so that every module carries its checksums.
 * \return an empty string, or why the file could not be written (naming it)
 */
std::string WriteCheckpoint(const std::string& path,
                            const std::vector<std::shared_ptr<const ModuleState>>& modules);

/// Outcome of ReadCheckpoint().
struct CheckpointContents
{
    std::vector<std::shared_ptr<ModuleState>> modules; //!< empty on error
    std::string error;                                 //!< empty on success
};

/**
 * \ingroup hffm
 * \brief Read a checkpoint. All or nothing: any damaged, truncated or invalid message, or a
 * file without any module, gives an error naming the file and the reason, and no module.
 */
CheckpointContents ReadCheckpoint(const std::string& path);

} // namespace ns3

#endif /* HFFM_CHECKPOINT_H */
