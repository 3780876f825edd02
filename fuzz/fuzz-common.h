/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_FUZZ_COMMON_H
#define HFFM_FUZZ_COMMON_H

#include "ns3/crc32c.h"
#include "ns3/message-format.h"
#include "ns3/module-codec.h"
#include "ns3/module-state.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

/**
 * \file
 * What the fuzz targets of this folder share: their input formats (read by the targets,
 * written by make-corpus) and the invariants they check on what the wire code accepts.
 */

/**
 * Check an invariant: when \p cond is false, print \p what and abort, which libFuzzer
 * reports as a crash and saves the input as an artifact.
 */
#define HFFM_FUZZ_CHECK(cond, what)                              \
    do                                                           \
    {                                                            \
        if (!(cond))                                             \
        {                                                        \
            ::hffm::fuzz::Fail(__FILE__, __LINE__, #cond, what); \
        }                                                        \
    } while (false)

namespace hffm
{
namespace fuzz
{

using ns3::ModuleCodec;
using ns3::ModuleState;
using ns3::TensorSpec;

[[noreturn]] inline void
Fail(const char* file, int line, const char* cond, const std::string& what)
{
    std::fprintf(stderr, "\n==hffm-fuzz== invariant failed at %s:%d: %s\n==hffm-fuzz== %s\n", file,
                 line, cond, what.c_str());
    std::abort();
}

/// Little-endian reader over the fuzzer's bytes: past the end, values read as zero.
class InputReader
{
  public:
    InputReader(const uint8_t* data, std::size_t size)
        : m_data(data)
        , m_size(size)
    {
    }

    template <typename T>
    T Get()
    {
        T v{};
        const std::size_t n = std::min(sizeof(T), Remaining());
        std::memcpy(&v, m_data + m_pos, n);
        m_pos += n;
        return v;
    }

    std::size_t Remaining() const { return m_size - m_pos; }

    const uint8_t* Position() const { return m_data + m_pos; }

    void Skip(std::size_t n) { m_pos += std::min(n, Remaining()); }

  private:
    const uint8_t* m_data;
    std::size_t m_size;
    std::size_t m_pos{0};
};

/// Appends little-endian values: the inverse of InputReader, for make-corpus.
class InputWriter
{
  public:
    template <typename T>
    InputWriter& Put(T v)
    {
        const auto* p = reinterpret_cast<const uint8_t*>(&v);
        m_bytes.insert(m_bytes.end(), p, p + sizeof(T));
        return *this;
    }

    InputWriter& PutBytes(const uint8_t* p, std::size_t n)
    {
        m_bytes.insert(m_bytes.end(), p, p + n);
        return *this;
    }

    template <typename Container>
    InputWriter& PutBytes(const Container& c)
    {
        return PutBytes(reinterpret_cast<const uint8_t*>(c.data()), c.size());
    }

    const std::vector<uint8_t>& Bytes() const { return m_bytes; }

  private:
    std::vector<uint8_t> m_bytes;
};

// ---- fuzz-stream-reader input ----------------------------------------------------------
//
//     u8   flags: bit 0  call Finish() mid-stream, before stream byte finishAt % (size + 1)
//                 bit 1  hand chunks over with Feed() instead of window by window
//                 bits 2-4  the reader's payload limit, an index into StreamLimits()
//                 bit 5  fix the CRCs of the stream's messages first (FixMessageCrcs()),
//                        so that mutated payloads get past the checksums to the decoder
//     u8   n: chunk sizes that follow (n % 17; none: the stream in one piece)
//     n x  u16 chunk size (0 counts as 1), used in turn, again and again
//     u32  finishAt
//     ...  the stream

/// Payload limits the stream reader is fuzzed with.
inline const std::vector<uint32_t>&
StreamLimits()
{
    static const std::vector<uint32_t> limits{1U << 20, 0,           64,  4096,
                                              1U << 16, 0xFFFFFFFFU, 100, 1U << 24};
    return limits;
}

struct StreamInput
{
    bool finishMidStream{false};
    bool useFeed{false};
    bool fixCrcs{false};
    uint32_t maxPayload{1U << 20};
    std::vector<uint16_t> chunks;
    uint32_t finishAt{0};
    const uint8_t* stream{nullptr};
    std::size_t streamSize{0};
};

inline StreamInput
ParseStreamInput(const uint8_t* data, std::size_t size)
{
    InputReader in(data, size);
    StreamInput s;
    const auto flags = in.Get<uint8_t>();
    s.finishMidStream = (flags & 1U) != 0;
    s.useFeed = (flags & 2U) != 0;
    s.maxPayload = StreamLimits()[(flags >> 2) & 7U];
    s.fixCrcs = (flags & 32U) != 0;
    const std::size_t n = in.Get<uint8_t>() % 17;
    for (std::size_t i = 0; i < n; ++i)
    {
        s.chunks.push_back(in.Get<uint16_t>());
    }
    s.finishAt = in.Get<uint32_t>();
    s.stream = in.Position();
    s.streamSize = in.Remaining();
    return s;
}

/// \param limitIndex index into StreamLimits()
inline std::vector<uint8_t>
MakeStreamInput(const std::vector<uint8_t>& stream, const std::vector<uint16_t>& chunks,
                std::size_t limitIndex = 0, bool finishMidStream = false, uint32_t finishAt = 0,
                bool useFeed = false, bool fixCrcs = false)
{
    InputWriter w;
    w.Put<uint8_t>(static_cast<uint8_t>((finishMidStream ? 1U : 0U) | (useFeed ? 2U : 0U)
                                        | (limitIndex << 2) | (fixCrcs ? 32U : 0U)));
    w.Put<uint8_t>(static_cast<uint8_t>(chunks.size()));
    for (auto c : chunks)
    {
        w.Put<uint16_t>(c);
    }
    w.Put<uint32_t>(finishAt);
    w.PutBytes(stream);
    return w.Bytes();
}

/**
 * If the bytes at \p p (\p avail of them) start with a header whose fixed part is valid
 * (magic, version, module id length) and that fits: set its payload CRC to the CRC of the
 * payload bytes that follow (as many as there are, up to the declared length), then its
 * header CRC, so that a mutated message gets past both checksums.
 * \return the bytes of the message (header and declared payload), or 0 for no header
 */
inline std::size_t
FixMessageCrcs(uint8_t* p, std::size_t avail)
{
    using ns3::MessageFormat;
    if (avail < MessageFormat::FIXED_SIZE)
    {
        return 0;
    }
    const auto fixed = MessageFormat::ParseFixed(p);
    const std::size_t header = MessageFormat::HeaderSize(fixed.idLength);
    if (!fixed.ok || avail < header)
    {
        return 0;
    }
    auto put = [](uint8_t* at, uint32_t v)
    {
        at[0] = static_cast<uint8_t>(v >> 24);
        at[1] = static_cast<uint8_t>(v >> 16);
        at[2] = static_cast<uint8_t>(v >> 8);
        at[3] = static_cast<uint8_t>(v);
    };
    const uint64_t length = (uint64_t{p[16]} << 24) | (uint64_t{p[17]} << 16)
                            | (uint64_t{p[18]} << 8) | uint64_t{p[19]};
    const std::size_t present
        = static_cast<std::size_t>(std::min<uint64_t>(length, avail - header));
    put(p + 20, ns3::Crc32c(p + header, present));
    const std::size_t crcAt = MessageFormat::FIXED_SIZE + fixed.idLength;
    put(p + crcAt, ns3::Crc32c(p, crcAt));
    return header + present;
}

/// Fix the CRCs of every message found walking through \p bytes (see FixMessageCrcs()).
inline void
FixStreamCrcs(std::vector<uint8_t>& bytes)
{
    for (std::size_t pos = 0; pos < bytes.size();)
    {
        const std::size_t n = FixMessageCrcs(bytes.data() + pos, bytes.size() - pos);
        pos += n > 0 ? n : 1;
    }
}

// ---- fuzz-codec input --------------------------------------------------------------------
//
//     u8   mode: codec = mode % 3 (fp32, fp16, int8); path = mode / 3 % 3; flags = mode / 9
//                flag 1: pass a CRC that does not match (decoding must then fail)
//                flag 2: path 0 takes the data bytes as they are, without fitting them to
//                        the layout's data size
//                flag 4: path 1 reads the codec from a u8 before the payload (any value)
//     path 0, a fixed valid layout:  u8 layout (index into CodecLayouts()), f64 sample
//            weight, the data bytes
//     path 1, a payload entirely of the fuzzer's bytes: the rest of the input
//     path 2, encode a module from the fuzzer's floats: u8 tensor count (1 + n % 4), each
//            tensor's u8 rank (1 + r % 3) and u8 dimensions (1 + d % 8), f64 sample weight,
//            then the values as binary32 (missing ones are 0)

constexpr uint8_t CODEC_PATH_LAYOUT = 0;
constexpr uint8_t CODEC_PATH_RAW = 1;
constexpr uint8_t CODEC_PATH_ENCODE = 2;
constexpr uint8_t CODEC_FLAG_BAD_CRC = 1;
constexpr uint8_t CODEC_FLAG_UNFITTED = 2;
constexpr uint8_t CODEC_FLAG_ANY_CODEC = 4;

inline uint8_t
CodecMode(ModuleCodec codec, uint8_t path, uint8_t flags = 0)
{
    return static_cast<uint8_t>(static_cast<uint8_t>(codec) + 3 * path + 9 * flags);
}

/// Layouts of path 0: single values, padding of every length, high ranks, many tensors.
inline const std::vector<std::vector<TensorSpec>>&
CodecLayouts()
{
    static const std::vector<std::vector<TensorSpec>> layouts{
        {{"w", {1}}},
        {{"weight", {4, 3}}, {"bias", {3}}},
        {{"a", {2, 2, 2}}, {"bb", {5}}, {"ccc", {1, 7}}, {"dddd", {3}}},
        {{"fc1.weight", {16, 16}}},
        {{"t", {1, 1, 1, 1, 1, 1, 1, 2}}, {"u", {9}}},
        {{"x0", {1}}, {"x1", {2}}, {"x2", {3}}, {"x3", {4}}, {"x4", {5}}, {"x5", {6}}},
    };
    return layouts;
}

/// \return the payload bytes before the data (sample weight, table, padding) of a layout
inline std::vector<uint8_t>
LayoutPreamble(const std::vector<TensorSpec>& layout, double weight)
{
    ModuleState state("layout", layout);
    state.SetSampleWeight(0.0);
    const auto enc = ns3::EncodeModule(state, ModuleCodec::FP32);
    const std::size_t tableSize = enc.payload->bytes.size() - state.GetValueBytes();
    std::vector<uint8_t> preamble(enc.payload->bytes.begin(),
                                  enc.payload->bytes.begin() + tableSize);
    std::memcpy(preamble.data(), &weight, sizeof(weight));
    return preamble;
}

// ---- invariants --------------------------------------------------------------------------

inline double
Ulp24(float x)
{
    return std::ldexp(std::fabs(static_cast<double>(x)), -24);
}

/// A decoded module is finite, has a valid layout and a finite, non-negative weight (+0 for 0).
inline void
CheckDecodedModule(const ModuleState& state, const std::string& moduleId)
{
    HFFM_FUZZ_CHECK(state.GetModuleId() == moduleId, "module id " + state.GetModuleId());
    HFFM_FUZZ_CHECK(ModuleState::CheckLayout(state.GetTensors()).empty(),
                    ModuleState::CheckLayout(state.GetTensors()));
    HFFM_FUZZ_CHECK(state.GetTensorCount() >= 1, "a decoded module without a tensor");
    HFFM_FUZZ_CHECK(state.FindNonFinite() == state.GetNumel(),
                    "non-finite value at index " + std::to_string(state.FindNonFinite()));
    const double w = state.GetSampleWeight();
    HFFM_FUZZ_CHECK(std::isfinite(w) && !std::signbit(w), "sample weight " + std::to_string(w));
}

/**
 * The int8 scale module-codec.h documents for a tensor whose largest magnitude is \p maxAbs:
 * maxAbs / 127 rounded up to a float (so at least 2^-149 when maxAbs > 0), 0 for an all-zero
 * tensor, and one ulp smaller where 127 * s would overflow a float.
 */
inline float
DocumentedInt8Scale(float maxAbs)
{
    if (maxAbs == 0.0F)
    {
        return 0.0F;
    }
    const double exact = static_cast<double>(maxAbs) / 127.0;
    auto s = static_cast<float>(exact);
    if (static_cast<double>(s) < exact)
    {
        s = std::nextafter(s, std::numeric_limits<float>::infinity());
    }
    if (!std::isfinite(127.0F * s))
    {
        s = std::nextafter(s, 0.0F);
    }
    return s;
}

/// \return the int8 scales written in an int8 payload of \p state's layout
inline std::vector<float>
Int8Scales(const ModuleState& state, const uint8_t* payload, std::size_t size)
{
    // The data (scale and values of each tensor) fills the end of the payload.
    std::size_t dataSize = 0;
    for (const auto& t : state.GetTensors())
    {
        dataSize += 4 + static_cast<std::size_t>(t.Numel());
    }
    HFFM_FUZZ_CHECK(dataSize <= size, "int8 payload shorter than its data");
    const uint8_t* p = payload + size - dataSize;
    std::vector<float> scales;
    for (const auto& t : state.GetTensors())
    {
        float s;
        std::memcpy(&s, p, 4);
        scales.push_back(s);
        p += 4 + static_cast<std::size_t>(t.Numel());
    }
    return scales;
}

/**
 * Encode \p original with \p codec and decode it again. The encoder must refuse exactly the
 * modules module-codec.h says it refuses (a non-finite value; for fp16 a value with
 * |x| >= 65520); otherwise the payload has the size EncodedPayloadSize() gives and its CRC,
 * and the decoded values are within the documented bounds of module-codec.h:
 *  - fp32: bit-identical;
 *  - fp16: |x - x'| <= 2^-11 |x| for |x| >= 2^-14, |x - x'| <= 2^-25 below;
 *  - int8: per tensor, s = max|x| / 127 rounded up to a float (DocumentedInt8Scale()), and
 *    |x - x'| <= s / 2 + 2^-24 |x'| for every value.
 * \return the decoded module, or null when the encoder refused the module
 */
inline std::shared_ptr<ModuleState>
CheckEncodeDecode(const ModuleState& original, ModuleCodec codec)
{
    const std::size_t numel = original.GetNumel();
    const float* x = original.GetData();
    bool refuse = original.FindNonFinite() != numel;
    if (codec == ModuleCodec::FP16)
    {
        for (std::size_t i = 0; i < numel; ++i)
        {
            refuse = refuse || std::fabs(x[i]) >= 65520.0F;
        }
    }
    const auto enc = ns3::EncodeModule(original, codec);
    if (refuse)
    {
        HFFM_FUZZ_CHECK(!enc.payload && !enc.error.empty(),
                        "the " + ns3::ToString(codec) + " encoder took a module it must refuse");
        return nullptr;
    }
    HFFM_FUZZ_CHECK(enc.payload && enc.error.empty(),
                    ns3::ToString(codec) + " encoder refused a valid module: " + enc.error);
    const auto& bytes = enc.payload->bytes;
    HFFM_FUZZ_CHECK(bytes.size() == ns3::EncodedPayloadSize(original, codec),
                    "payload size " + std::to_string(bytes.size()));
    HFFM_FUZZ_CHECK(enc.payload->crc == ns3::Crc32c(bytes.data(), bytes.size()),
                    "payload CRC does not match its bytes");
    const auto dec = ns3::DecodeModule(original.GetModuleId(), codec, bytes.data(), bytes.size(),
                                       enc.payload->crc);
    HFFM_FUZZ_CHECK(dec.ok, "an encoded module does not decode (" + ns3::ToString(dec.reason)
                                + "): " + dec.detail);
    const ModuleState& back = *dec.state;
    CheckDecodedModule(back, original.GetModuleId());
    HFFM_FUZZ_CHECK(back.HasSameLayout(original), "decoded layout differs");
    HFFM_FUZZ_CHECK(back.GetSampleWeight() == original.GetSampleWeight(), "sample weight differs");
    const float* y = back.GetData();
    switch (codec)
    {
        case ModuleCodec::FP32:
            HFFM_FUZZ_CHECK(back.IsBitIdentical(original), "fp32 is not bit-exact");
            break;
        case ModuleCodec::FP16:
            for (std::size_t i = 0; i < numel; ++i)
            {
                const double err = std::fabs(static_cast<double>(x[i]) - static_cast<double>(y[i]));
                const double bound = std::fabs(x[i]) >= std::ldexp(1.0F, -14)
                                         ? std::ldexp(std::fabs(static_cast<double>(x[i])), -11)
                                         : std::ldexp(1.0, -25);
                if (!(err <= bound))
                {
                    char what[160];
                    std::snprintf(what, sizeof(what), "fp16: %.9g decoded as %.9g (bound %.3g)",
                                  x[i], y[i], bound);
                    HFFM_FUZZ_CHECK(err <= bound, what);
                }
            }
            break;
        case ModuleCodec::INT8:
        {
            const auto scales = Int8Scales(original, bytes.data(), bytes.size());
            for (std::size_t t = 0; t < original.GetTensorCount(); ++t)
            {
                const float* xt = original.GetTensorData(t);
                const float* yt = back.GetTensorData(t);
                const auto n = static_cast<std::size_t>(original.GetTensors()[t].Numel());
                float maxAbs = 0.0F;
                for (std::size_t i = 0; i < n; ++i)
                {
                    maxAbs = std::max(maxAbs, std::fabs(xt[i]));
                }
                const float s = scales[t];
                if (s != DocumentedInt8Scale(maxAbs) || std::signbit(s))
                {
                    char what[160];
                    std::snprintf(what, sizeof(what),
                                  "int8 scale %.9g of tensor %zu, max|x| %.9g: documented %.9g", s,
                                  t, maxAbs, DocumentedInt8Scale(maxAbs));
                    HFFM_FUZZ_CHECK(false, what);
                }
                for (std::size_t i = 0; i < n; ++i)
                {
                    const double err
                        = std::fabs(static_cast<double>(xt[i]) - static_cast<double>(yt[i]));
                    const double bound = static_cast<double>(s) / 2 + Ulp24(yt[i]);
                    if (!(err <= bound))
                    {
                        char what[200];
                        std::snprintf(what, sizeof(what),
                                      "int8: %.9g decoded as %.9g, scale %.9g (bound %.3g)", xt[i],
                                      yt[i], s, bound);
                        HFFM_FUZZ_CHECK(err <= bound, what);
                    }
                }
            }
            break;
        }
    }
    return dec.state;
}

/**
 * A payload the decoder accepted, with its CRC: encoding the decoded module with the same
 * codec gives the same bytes and CRC for fp32 and fp16 (their encodings are canonical). int8
 * payloads are not canonical (any scale, q = -128), so for int8 the decoded module is
 * encoded and decoded once more, which must stay within the documented int8 bound of
 * module-codec.h (see CheckEncodeDecode()).
 */
inline void
CheckAcceptedPayload(const ModuleState& state, ModuleCodec codec, const uint8_t* payload,
                     std::size_t size, uint32_t crc)
{
    HFFM_FUZZ_CHECK(ns3::Crc32c(payload, size) == crc, "accepted a payload with a wrong CRC");
    if (codec == ModuleCodec::INT8)
    {
        CheckEncodeDecode(state, codec);
        return;
    }
    const auto enc = ns3::EncodeModule(state, codec);
    HFFM_FUZZ_CHECK(enc.payload, "a decoded module does not encode: " + enc.error);
    const auto& bytes = enc.payload->bytes;
    HFFM_FUZZ_CHECK(bytes.size() == size && std::memcmp(bytes.data(), payload, size) == 0,
                    ns3::ToString(codec) + ": re-encoding gives other bytes ("
                        + std::to_string(bytes.size()) + " vs " + std::to_string(size) + ")");
    HFFM_FUZZ_CHECK(enc.payload->crc == crc, "re-encoding gives another CRC");
}

} // namespace fuzz
} // namespace hffm

#endif /* HFFM_FUZZ_COMMON_H */
