/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_OUTPUT_FOLDER_H
#define HFFM_OUTPUT_FOLDER_H

#include <string>

/**
 * \file
 * \ingroup hffm
 * The output folder of an example or benchmark, made ready before any work. No ns-3.
 */

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Create the folder \p path with its missing parents and check that a file can be
 * written in it.
 *
 * Meant to run before a simulation starts, so that a folder that cannot be used stops the
 * program at once rather than after the work (ns-3's PCAP writer aborts on a file it cannot
 * open). The check writes and removes a small file in the folder.
 *
 * \return an empty string on success, else a message naming \p path and the reason (an
 *         empty path, a parent that is a regular file, no permission, ...)
 */
std::string PrepareOutputFolder(const std::string& path);

} // namespace ns3

#endif // HFFM_OUTPUT_FOLDER_H
