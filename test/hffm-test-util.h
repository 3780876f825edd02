/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_TEST_UTIL_H
#define HFFM_TEST_UTIL_H

// Helpers shared by the GoogleTest and ns-3 tests: build module messages byte by byte, the
// way ModuleStreamSender puts them on the wire, including deliberately broken ones.

#include "ns3/crc32c.h"
#include "ns3/m3t-spec.h"
#include "ns3/message-format.h"
#include "ns3/module-codec.h"
#include "ns3/module-state.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{
namespace hffmtest
{

/// A tiny M3T model (width 16, one block, two experts): a round trains in milliseconds.
inline M3TConfig
TinyModelConfig()
{
    M3TConfig c;
    c.width = 16;
    c.heads = 2;
    c.blocks = 1;
    c.adapterWidth = 4;
    c.experts = 2;
    c.topK = 1;
    c.expertHidden = 16;
    return c;
}

/// A module with values base + 0.001 i and sample weight base.
inline ModuleState
MakeModule(const std::string& id, int64_t n, float base)
{
    ModuleState s(id, {{"w", {n}}, {"b", {3}}});
    for (std::size_t i = 0; i < s.GetNumel(); ++i)
    {
        s.GetData()[i] = base + 0.001F * static_cast<float>(i);
    }
    s.SetSampleWeight(base);
    return s;
}

/// Header bytes for \p payload, with the payload's length and CRC.
inline std::vector<uint8_t>
HeaderFor(const std::string& id, const std::vector<uint8_t>& payload, uint32_t sender,
          ModuleCodec codec = ModuleCodec::FP32)
{
    MessageFields f;
    f.codec = codec;
    f.sender = sender;
    f.round = 7;
    f.moduleId = id;
    f.payloadLength = static_cast<uint32_t>(payload.size());
    f.payloadCrc = Crc32c(payload.data(), payload.size());
    std::vector<uint8_t> h(MessageFormat::HeaderSize(id.size()));
    MessageFormat::WriteHeader(f, h.data());
    return h;
}

/// A whole message carrying \p payload as is (valid CRCs over whatever it holds).
inline std::vector<uint8_t>
MessageWithPayload(const std::string& id, const std::vector<uint8_t>& payload, uint32_t sender,
                   ModuleCodec codec = ModuleCodec::FP32)
{
    auto m = HeaderFor(id, payload, sender, codec);
    m.insert(m.end(), payload.begin(), payload.end());
    return m;
}

/// The encoded payload of \p s.
inline std::vector<uint8_t>
PayloadOf(const ModuleState& s, ModuleCodec codec = ModuleCodec::FP32)
{
    const auto enc = EncodeModule(s, codec);
    return enc.payload ? std::vector<uint8_t>(enc.payload->bytes.begin(), enc.payload->bytes.end())
                       : std::vector<uint8_t>();
}

/// A valid message carrying \p s.
inline std::vector<uint8_t>
Message(const ModuleState& s, uint32_t sender, ModuleCodec codec = ModuleCodec::FP32)
{
    return MessageWithPayload(s.GetModuleId(), PayloadOf(s, codec), sender, codec);
}

inline std::vector<uint8_t>
Concat(std::initializer_list<std::vector<uint8_t>> parts)
{
    std::vector<uint8_t> out;
    for (const auto& p : parts)
    {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

} // namespace hffmtest
} // namespace ns3

#endif /* HFFM_TEST_UTIL_H */
