/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_CHECKPOINT_H
#define HFFM_CHECKPOINT_H

#include "ns3/module-state.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

/**
 * \file
 * \ingroup hffm
 * Checkpoint files: a set of modules, stored so that a reader knows the file is whole.
 *
 * Format version 2 (all integers in network byte order):
 *
 *     offset size field
 *          0    8 magic "HFFMCKPT"
 *          8    4 format version (2)
 *         12    4 module count N (at least 1)
 *         16      N module messages, one after another: the wire format of
 *                 message-format.h, type push, codec fp32, each with its own checksums
 *       end-16    8 trailer magic "HFFMCEND"
 *       end-8     4 module count N again
 *       end-4     4 CRC-32C of every byte of the file before this field
 *
 * A file is read whole or not at all: a reader refuses a file that is cut anywhere (the
 * trailer, the count or the file CRC gives it away, also at a module boundary), that has
 * bytes after the trailer, that holds a damaged message or a module that does not decode,
 * and a file of another format version. Format 1 (messages without preamble or trailer)
 * could not tell a file cut between two modules from a whole one; it is refused with a
 * message that says so.
 */

namespace ns3
{

/// Checkpoint file constants.
struct CheckpointFormat
{
    static constexpr uint32_t VERSION = 2;
    static constexpr std::size_t PREAMBLE_SIZE = 16; //!< magic, version, module count
    static constexpr std::size_t TRAILER_SIZE = 16;  //!< magic, module count, file CRC
};

/**
 * \ingroup hffm
 * \brief Write modules to a checkpoint file (format above). The file is written beside its
 * path and renamed over it: a reader sees the old file or the whole new one.
 * \return an empty string, or why the file could not be written (naming it)
 */
std::string WriteCheckpoint(const std::string& path,
                            const std::vector<std::shared_ptr<const ModuleState>>& modules);

/// Outcome of ReadCheckpoint() and ParseCheckpoint().
struct CheckpointContents
{
    std::vector<std::shared_ptr<ModuleState>> modules; //!< empty on error
    std::string error;                                 //!< empty on success
};

/**
 * \ingroup hffm
 * \brief Read a checkpoint file. All or nothing: any damaged, truncated or invalid part
 * gives an error naming the file and the reason, and no module. Nothing is allocated from
 * a length field that the file's size does not cover.
 */
CheckpointContents ReadCheckpoint(const std::string& path);

/**
 * \ingroup hffm
 * \brief Parse the bytes of a checkpoint, as ReadCheckpoint() does a file.
 * \param data the bytes
 * \param size their number
 * \param name what errors call the bytes (e.g. the file's path)
 */
CheckpointContents ParseCheckpoint(const uint8_t* data, std::size_t size, const std::string& name);

} // namespace ns3

#endif /* HFFM_CHECKPOINT_H */
