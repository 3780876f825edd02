/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_CRC32C_H
#define HFFM_CRC32C_H

#include <cstddef>
#include <cstdint>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief CRC-32C (Castagnoli, the iSCSI/SCTP polynomial 0x1EDC6F41) of a byte range.
 *
 * Checksums every hffm message header and payload. Calls chain: the CRC of a||b is
 * Crc32c(b, Crc32c(a)). Uses the SSE4.2 crc32 instruction on three interleaved streams
 * when the processor has it, and a portable slicing-by-8 table otherwise; both give the
 * same result (tested).
 *
 * \param data the bytes
 * \param size the number of bytes
 * \param crc the CRC of the bytes before \p data, 0 for none
 * \return the CRC of everything so far
 */
uint32_t Crc32c(const void* data, std::size_t size, uint32_t crc = 0);

/**
 * \ingroup hffm
 * \brief Copy \p size bytes from \p src to \p dst and return their CRC-32C, in one pass.
 *
 * Same result as memcpy followed by Crc32c(); used by the codec so that checksumming a
 * large module does not cost a second sweep over memory. The ranges must not overlap.
 */
uint32_t Crc32cCopy(void* dst, const void* src, std::size_t size, uint32_t crc = 0);

/**
 * \ingroup hffm
 * \brief The portable implementation, exposed so tests can compare it with the fast one.
 */
uint32_t Crc32cPortable(const void* data, std::size_t size, uint32_t crc = 0);

/// \return true if Crc32c() uses the processor's crc32 instruction
bool Crc32cIsHardwareAccelerated();

} // namespace ns3

#endif /* HFFM_CRC32C_H */
