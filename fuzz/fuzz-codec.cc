/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// libFuzzer target: the payload codecs (input format: fuzz-common.h).
//
//  - path 0: DecodeModule() on a fixed valid layout (weight from the input) followed by the
//    fuzzer's data bytes, fitted to the layout's data size unless a flag says otherwise;
//  - path 1: DecodeModule() on a payload entirely of the fuzzer's bytes;
//  - path 2: EncodeModule() of a module built from the fuzzer's floats, then DecodeModule():
//    the encoder refuses exactly what module-codec.h says it refuses, fp32 comes back
//    bit-exact, fp16 and int8 within the bounds documented in module-codec.h
//    (CheckEncodeDecode() in fuzz-common.h).
//
// Invariants of every decode: the result is ok XOR it has a non-empty detail; a payload
// whose CRC does not match is never accepted; an accepted module is finite with a valid
// layout and a finite non-negative weight, and re-encodes to the same bytes and CRC (fp32,
// fp16) or within the int8 bound (int8).

#include "fuzz-common.h"
#include "ns3/crc32c.h"

#include <cmath>

using namespace hffm::fuzz;

namespace
{

const std::string MODULE_ID = "fuzz/module";

void
Decode(ModuleCodec codec, const std::vector<uint8_t>& payload, bool badCrc)
{
    uint32_t crc = ns3::Crc32c(payload.data(), payload.size());
    if (badCrc)
    {
        crc ^= 0x00800001U;
    }
    const auto r = ns3::DecodeModule(MODULE_ID, codec, payload.data(), payload.size(), crc);
    HFFM_FUZZ_CHECK(r.ok == static_cast<bool>(r.state), "ok and a module go together");
    if (!r.ok)
    {
        HFFM_FUZZ_CHECK(!r.detail.empty(),
                        "rejection '" + ns3::ToString(r.reason) + "' without a detail");
        HFFM_FUZZ_CHECK(static_cast<std::size_t>(r.reason) < ns3::REJECT_REASON_COUNT,
                        "reason out of range");
        return;
    }
    HFFM_FUZZ_CHECK(!badCrc, "accepted a payload whose CRC does not match");
    HFFM_FUZZ_CHECK(static_cast<uint8_t>(codec) <= 2, "accepted an unknown codec");
    CheckDecodedModule(*r.state, MODULE_ID);
    CheckAcceptedPayload(*r.state, codec, payload.data(), payload.size(), crc);
}

std::size_t
DataSize(const std::vector<TensorSpec>& layout, ModuleCodec codec)
{
    std::size_t n = 0;
    for (const auto& t : layout)
    {
        const auto numel = static_cast<std::size_t>(t.Numel());
        n += codec == ModuleCodec::FP32   ? 4 * numel
             : codec == ModuleCodec::FP16 ? 2 * numel
                                          : 4 + numel;
    }
    return n;
}

void
EncodePath(ModuleCodec codec, InputReader& in)
{
    const std::size_t count = 1 + in.Get<uint8_t>() % 4;
    std::vector<TensorSpec> layout(count);
    for (std::size_t t = 0; t < count; ++t)
    {
        layout[t].name = "t" + std::to_string(t);
        const std::size_t rank = 1 + in.Get<uint8_t>() % 3;
        for (std::size_t k = 0; k < rank; ++k)
        {
            layout[t].shape.push_back(1 + in.Get<uint8_t>() % 8);
        }
    }
    double weight = std::fabs(in.Get<double>());
    if (!std::isfinite(weight))
    {
        weight = 0.0;
    }
    ModuleState state(MODULE_ID, layout);
    state.SetSampleWeight(weight);
    float* x = state.GetData();
    for (std::size_t i = 0; i < state.GetNumel(); ++i)
    {
        x[i] = in.Get<float>(); // NaN and infinity too: the encoder must refuse them
    }
    CheckEncodeDecode(state, codec);
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    InputReader in(data, size);
    const auto mode = in.Get<uint8_t>();
    const auto codec = static_cast<ModuleCodec>(mode % 3);
    const auto path = static_cast<uint8_t>(mode / 3 % 3);
    const auto flags = static_cast<uint8_t>(mode / 9);
    const bool badCrc = (flags & CODEC_FLAG_BAD_CRC) != 0;
    switch (path)
    {
        case CODEC_PATH_LAYOUT:
        {
            const auto& layout = CodecLayouts()[in.Get<uint8_t>() % CodecLayouts().size()];
            std::vector<uint8_t> payload = LayoutPreamble(layout, in.Get<double>());
            const std::size_t preamble = payload.size();
            payload.insert(payload.end(), in.Position(), in.Position() + in.Remaining());
            if ((flags & CODEC_FLAG_UNFITTED) == 0)
            {
                payload.resize(preamble + DataSize(layout, codec), 0);
            }
            Decode(codec, payload, badCrc);
            break;
        }
        case CODEC_PATH_RAW:
        {
            // Flag 4: the codec byte comes from the input too, unknown values included.
            const auto rawCodec = (flags & CODEC_FLAG_ANY_CODEC) != 0
                                      ? static_cast<ModuleCodec>(in.Get<uint8_t>())
                                      : codec;
            Decode(rawCodec, std::vector<uint8_t>(in.Position(), in.Position() + in.Remaining()),
                   badCrc);
            break;
        }
        default:
            EncodePath(codec, in);
            break;
    }
    return 0;
}
