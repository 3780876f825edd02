/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_MODULE_CODEC_H
#define HFFM_MODULE_CODEC_H

#include "ns3/buffer-allocator.h"
#include "ns3/message-format.h"
#include "ns3/module-state.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

/**
 * \file
 * \ingroup hffm
 * The payload of a module message: a module's tensors as bytes, and back.
 *
 * Layout (little-endian):
 *
 *     f64  sample weight
 *     u32  tensor count N
 *     N x  { u16 name length, name bytes, u8 rank R, R x u32 dimension }
 *     0..3 zero bytes, so that the data starts at a multiple of 4 bytes
 *     N x  tensor data, in table order:
 *            fp32: numel x binary32
 *            fp16: numel x binary16
 *            int8: f32 scale s, numel x int8 q   (value = q * s)
 *
 * Error bounds of the lossy codecs, per value x decoded as x':
 *  - fp16: round to nearest even. |x - x'| <= 2^-11 |x| for |x| >= 2^-14 (normal halves) and
 *    |x - x'| <= 2^-25 below. |x| >= 65520 would overflow: encoding such a module fails.
 *  - int8: per tensor, s = max|x| / 127 rounded up to a float (at least 2^-149, the smallest
 *    subnormal, when max|x| > 0; 0 for an all-zero tensor), q = round(x / s) computed in
 *    double, x' = q * s in float. For every finite input, tiny, subnormal and huge scales
 *    included: |x - x'| <= s / 2 + 2^-24 |x'| (half a step, plus the float rounding of
 *    q * s). Near FLT_MAX, where 127 * s would overflow, s is one ulp smaller and the top
 *    values are clamped to 127, within the same bound.
 * fp32 is exact: the decoded values are bit-identical to the encoded ones.
 *
 * Zero, empty and signed: a module carries at least one tensor (an empty table is refused
 * by both sides). A zero sample weight or int8 scale is written +0; a payload with -0 in
 * either place is refused like a negative one, so that every value has one encoding.
 */

namespace ns3
{

/// An encoded payload, immutable once made so that one encoding can go to many receivers.
struct EncodedPayload
{
    ModuleCodec codec{ModuleCodec::FP32};
    std::vector<uint8_t, BufferAllocator<uint8_t>> bytes;
    uint32_t crc{0}; //!< CRC-32C of bytes
};

/// Outcome of EncodeModule().
struct EncodeResult
{
    std::shared_ptr<const EncodedPayload> payload; //!< null on failure
    std::string error;                             //!< why it failed, empty on success
};

/// Outcome of DecodeModule().
struct DecodeResult
{
    bool ok{false};
    RejectReason reason{RejectReason::MALFORMED_PAYLOAD}; //!< when !ok
    std::string detail;                                   //!< when !ok, human-readable
    std::shared_ptr<ModuleState> state;                   //!< when ok
};

/**
 * Encode a module's tensors. Fails (with a reason) when a value or the sample weight is not
 * finite, or when a value is out of the codec's range.
 */
EncodeResult EncodeModule(const ModuleState& state, ModuleCodec codec);

/// \return the payload size EncodeModule() produces for \p state with \p codec
std::size_t EncodedPayloadSize(const ModuleState& state, ModuleCodec codec);

/**
 * Decode and validate a payload. Never trusts a count or length in it: every read is
 * bounds-checked, the data must fill the payload exactly, and every decoded value must be
 * finite.
 * \param moduleId the module id from the message header
 * \param codec the codec from the message header
 * \param data the payload bytes
 * \param size the payload length
 * \param expectedCrc the payload CRC from the message header
 */
DecodeResult DecodeModule(const std::string& moduleId, ModuleCodec codec, const uint8_t* data,
                          std::size_t size, uint32_t expectedCrc);

/// \return \p value as IEEE binary16 bits, rounded to nearest even (overflow gives infinity)
uint16_t FloatToHalf(float value);
/// \return the binary16 value \p bits as a float (exact)
float HalfToFloat(uint16_t bits);

} // namespace ns3

#endif /* HFFM_MODULE_CODEC_H */
