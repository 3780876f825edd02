/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-codec.h"

#include "ns3/crc32c.h"
#include "ns3/vectorize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HFFM_CODEC_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace ns3
{

namespace
{

uint32_t
FloatBits(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, sizeof(u));
    return u;
}

float
BitsFloat(uint32_t u)
{
    float f;
    std::memcpy(&f, &u, sizeof(f));
    return f;
}

/// Byte size of the tensor table of a layout, before padding.
std::size_t
UnpaddedTableSize(const std::vector<TensorSpec>& tensors)
{
    std::size_t n = 8 + 4;
    for (const auto& t : tensors)
    {
        n += 2 + t.name.size() + 1 + 4 * t.shape.size();
    }
    return n;
}

/// Zero bytes after a table of \p size bytes so that the data starts 4-byte aligned.
std::size_t
TablePadding(std::size_t size)
{
    return (4 - size % 4) % 4;
}

/// Byte size of the tensor table of a layout, padding included.
std::size_t
TableSize(const std::vector<TensorSpec>& tensors)
{
    const std::size_t n = UnpaddedTableSize(tensors);
    return n + TablePadding(n);
}

std::size_t
BytesPerValue(ModuleCodec codec)
{
    switch (codec)
    {
        case ModuleCodec::FP32:
            return 4;
        case ModuleCodec::FP16:
            return 2;
        case ModuleCodec::INT8:
            return 1;
    }
    return 4;
}

/// Bytes of per-tensor side information (the int8 scale).
std::size_t
BytesPerTensor(ModuleCodec codec)
{
    return codec == ModuleCodec::INT8 ? 4 : 0;
}

/// Little-endian writer over a buffer of known size.
class Writer
{
  public:
    explicit Writer(uint8_t* p)
        : m_p(p)
    {
    }

    template <typename T>
    void Put(T v)
    {
        std::memcpy(m_p, &v, sizeof(T));
        m_p += sizeof(T);
    }

    void PutBytes(const void* src, std::size_t n)
    {
        std::memcpy(m_p, src, n);
        m_p += n;
    }

    uint8_t* Position() const { return m_p; }

    void Advance(std::size_t n) { m_p += n; }

  private:
    uint8_t* m_p;
};

/// Bounds-checked little-endian reader: every Get fails cleanly past the end.
class Reader
{
  public:
    Reader(const uint8_t* p, std::size_t size)
        : m_p(p)
        , m_end(p + size)
    {
    }

    template <typename T>
    bool Get(T& v)
    {
        if (Remaining() < sizeof(T))
        {
            return false;
        }
        std::memcpy(&v, m_p, sizeof(T));
        m_p += sizeof(T);
        return true;
    }

    bool GetString(std::size_t n, std::string& s)
    {
        if (Remaining() < n)
        {
            return false;
        }
        s.assign(reinterpret_cast<const char*>(m_p), n);
        m_p += n;
        return true;
    }

    std::size_t Remaining() const { return static_cast<std::size_t>(m_end - m_p); }

    const uint8_t* Position() const { return m_p; }

  private:
    const uint8_t* m_p;
    const uint8_t* m_end;
};

// ---- fp16 batch conversion: F16C when the processor has it, scalar otherwise ----

#ifdef HFFM_CODEC_X86
__attribute__((target("avx,f16c"))) void
ToHalfF16c(const float* in, uint16_t* out, std::size_t n)
{
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
    {
        __m256 v = _mm256_loadu_ps(in + i);
        __m128i h = _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), h);
    }
    for (; i < n; ++i)
    {
        out[i] = FloatToHalf(in[i]);
    }
}

__attribute__((target("avx,f16c"))) void
FromHalfF16c(const uint8_t* in, float* out, std::size_t n)
{
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
    {
        __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 2 * i));
        _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
    }
    for (; i < n; ++i)
    {
        uint16_t h;
        std::memcpy(&h, in + 2 * i, 2);
        out[i] = HalfToFloat(h);
    }
}

bool
HasF16c()
{
    // CPUID leaf 1, ECX: bit 27 OSXSAVE, bit 28 AVX, bit 29 F16C. __builtin_cpu_supports
    // would do, but clang 14 does not know "f16c". The OS must also save the AVX state
    // (XCR0 bits 1 and 2), or AVX instructions fault.
    static const bool has = []
    {
        unsigned eax = 0;
        unsigned ebx = 0;
        unsigned ecx = 0;
        unsigned edx = 0;
        if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0)
        {
            return false;
        }
        const unsigned needed = (1U << 27) | (1U << 28) | (1U << 29);
        if ((ecx & needed) != needed)
        {
            return false;
        }
        uint32_t xcr0Low = 0;
        uint32_t xcr0High = 0;
        __asm__("xgetbv" : "=a"(xcr0Low), "=d"(xcr0High) : "c"(0));
        return (xcr0Low & 0x6U) == 0x6U;
    }();
    return has;
}
#endif

void
ToHalf(const float* in, uint16_t* out, std::size_t n)
{
#ifdef HFFM_CODEC_X86
    if (HasF16c())
    {
        ToHalfF16c(in, out, n);
        return;
    }
#endif
    for (std::size_t i = 0; i < n; ++i)
    {
        out[i] = FloatToHalf(in[i]);
    }
}

void
FromHalf(const uint8_t* in, float* out, std::size_t n)
{
#ifdef HFFM_CODEC_X86
    if (HasF16c())
    {
        FromHalfF16c(in, out, n);
        return;
    }
#endif
    for (std::size_t i = 0; i < n; ++i)
    {
        uint16_t h;
        std::memcpy(&h, in + 2 * i, 2);
        out[i] = HalfToFloat(h);
    }
}

/**
 * Copy \p count floats (as bytes, either side may be unaligned) while computing their CRC and
 * checking that each is finite, one cache-sized block at a time: the check reads a block
 * that the copy has just brought into cache, so memory is swept once, not twice.
 * \param[out] firstBad the index of the first non-finite value, or \p count
 * \return the CRC of all the bytes, chained from \p crc
 */
uint32_t
CopyFloatsChecked(uint8_t* dst, const uint8_t* src, std::size_t count, uint32_t crc,
                  std::size_t& firstBad)
{
    constexpr std::size_t block = 16384; // floats: 64 KiB
    firstBad = count;
    for (std::size_t start = 0; start < count; start += block)
    {
        const std::size_t n = std::min(block, count - start);
        crc = Crc32cCopy(dst + 4 * start, src + 4 * start, 4 * n, crc);
        if (firstBad == count)
        {
            const std::size_t bad = FindNonFiniteValue(dst + 4 * start, n);
            firstBad = bad != n ? start + bad : count;
        }
    }
    return crc;
}

/**
 * The int8 scale of a tensor whose largest magnitude is \p maxAbs: maxAbs / 127 rounded up to
 * a float, so that no |x| / s exceeds 127 and a tiny or subnormal maxAbs keeps a nonzero
 * scale (at least the smallest subnormal, 2^-149). Where 127 * s would overflow a float
 * (maxAbs within an ulp or two of FLT_MAX), s steps down by one ulp and the largest values
 * are clamped to 127, which costs less than half a step.
 */
float
Int8Scale(float maxAbs)
{
    if (maxAbs == 0.0F)
    {
        return 0.0F;
    }
    const double exact = static_cast<double>(maxAbs) / 127.0;
    float scale = static_cast<float>(exact);
    if (static_cast<double>(scale) < exact)
    {
        scale = std::nextafter(scale, std::numeric_limits<float>::infinity());
    }
    if (!std::isfinite(127.0F * scale))
    {
        scale = std::nextafter(scale, 0.0F);
    }
    return scale;
}

/// q[i] = round(x[i] / scale), ties to even, clamped to [-127, 127]; all zero for scale 0.
/// Computed in double: 1 / scale overflows a float for scales below 2^-128.
HFFM_AVX2_CLONE void
Quantize(const float* __restrict x, int8_t* __restrict q, std::size_t n, float scale)
{
    const double inverse = scale > 0.0F ? 1.0 / static_cast<double>(scale) : 0.0;
    // Adding and removing 1.5 * 2^52 rounds to the nearest integer, ties to even, for
    // magnitudes below 2^51, without a call to nearbyint() per value.
    const double roundMagic = 6755399441055744.0;
    for (std::size_t i = 0; i < n; ++i)
    {
        const double r = (static_cast<double>(x[i]) * inverse + roundMagic) - roundMagic;
        q[i] = static_cast<int8_t>(std::min(127.0, std::max(-127.0, r)));
    }
}

/// The largest |x[i]| of finite values: the largest sign-cleared bit pattern, an integer
/// maximum, which vectorises.
HFFM_AVX2_CLONE float
MaxAbs(const float* x, std::size_t n)
{
    uint32_t maxBits = 0;
    for (std::size_t i = 0; i < n; ++i)
    {
        maxBits = std::max(maxBits, FloatBits(x[i]) & 0x7FFFFFFFU);
    }
    return BitsFloat(maxBits);
}

/// out[i] = q[i] * scale; the restrict-qualified pointers let the loop vectorise.
HFFM_AVX2_CLONE void
Dequantize(const int8_t* __restrict q, float* __restrict out, std::size_t n, float scale)
{
    for (std::size_t i = 0; i < n; ++i)
    {
        out[i] = static_cast<float>(q[i]) * scale;
    }
}

DecodeResult
Reject(RejectReason reason, std::string detail)
{
    DecodeResult r;
    r.reason = reason;
    r.detail = std::move(detail);
    return r;
}

} // namespace

uint16_t
FloatToHalf(float value)
{
    // Magic-number conversion: the float adder does the round-to-nearest-even for halves
    // that are subnormal; normal halves round with an integer bias.
    const uint32_t bits = FloatBits(value);
    const uint32_t sign = (bits >> 16) & 0x8000U;
    uint32_t a = bits & 0x7FFFFFFFU;
    uint16_t out;
    if (a >= 0x47800000U) // |x| >= 65536, Inf or NaN
    {
        out = a > 0x7F800000U ? 0x7E00 : 0x7C00;
    }
    else if (a < 0x38800000U) // |x| < 2^-14: the half is subnormal or zero
    {
        const float magic = BitsFloat(0x3F000000U); // 0.5: aligns 2^-24 to the last float bit
        const float shifted = BitsFloat(a) + magic;
        out = static_cast<uint16_t>(FloatBits(shifted) - 0x3F000000U);
    }
    else
    {
        const uint32_t odd = (a >> 13) & 1U;
        a += (static_cast<uint32_t>(15 - 127) << 23) + 0xFFFU + odd;
        out = static_cast<uint16_t>(a >> 13); // a carry into the exponent may give Inf
    }
    return static_cast<uint16_t>(out | sign);
}

float
HalfToFloat(uint16_t bits)
{
    const uint32_t sign = static_cast<uint32_t>(bits & 0x8000U) << 16;
    const uint32_t em = bits & 0x7FFFU;
    if (em >= 0x7C00U) // Inf or NaN
    {
        return BitsFloat(sign | 0x7F800000U | ((em & 0x3FFU) << 13));
    }
    if (em >= 0x0400U) // normal
    {
        return BitsFloat(sign | ((em + (static_cast<uint32_t>(127 - 15) << 10)) << 13));
    }
    const float magnitude = static_cast<float>(em) * BitsFloat(0x33800000U); // em * 2^-24
    return BitsFloat(sign | FloatBits(magnitude));
}

std::size_t
EncodedPayloadSize(const ModuleState& state, ModuleCodec codec)
{
    return TableSize(state.GetTensors()) + state.GetNumel() * BytesPerValue(codec)
           + state.GetTensorCount() * BytesPerTensor(codec);
}

EncodeResult
EncodeModule(const ModuleState& state, ModuleCodec codec)
{
    EncodeResult result;
    auto nonFinite = [&](std::size_t index)
    {
        result.error = "module '" + state.GetModuleId() + "' has a non-finite value at flat index "
                       + std::to_string(index);
        return result;
    };
    if (state.GetTensorCount() == 0)
    {
        result.error
            = "module '" + state.GetModuleId() + "' has no tensor: a module carries at least one";
        return result;
    }
    // fp32 checks values while it copies them; the other codecs read them several times
    // anyway, so one scan up front costs little.
    if (codec != ModuleCodec::FP32)
    {
        const std::size_t bad = state.FindNonFinite();
        if (bad != state.GetNumel())
        {
            return nonFinite(bad);
        }
    }
    const std::size_t numel = state.GetNumel();
    auto payload = std::make_shared<EncodedPayload>();
    payload->codec = codec;
    // The allocator leaves the bytes uninitialised: every one is written below.
    payload->bytes.resize(EncodedPayloadSize(state, codec));
    Writer w(payload->bytes.data());
    w.Put<double>(state.GetSampleWeight() + 0.0); // a zero weight goes out as +0
    w.Put<uint32_t>(static_cast<uint32_t>(state.GetTensorCount()));
    for (const auto& t : state.GetTensors())
    {
        w.Put<uint16_t>(static_cast<uint16_t>(t.name.size()));
        w.PutBytes(t.name.data(), t.name.size());
        w.Put<uint8_t>(static_cast<uint8_t>(t.shape.size()));
        for (int64_t d : t.shape)
        {
            w.Put<uint32_t>(static_cast<uint32_t>(d));
        }
    }
    for (std::size_t pad = TablePadding(UnpaddedTableSize(state.GetTensors())); pad > 0; --pad)
    {
        w.Put<uint8_t>(0);
    }
    const std::size_t tableSize = static_cast<std::size_t>(w.Position() - payload->bytes.data());
    uint32_t crc = Crc32c(payload->bytes.data(), tableSize);

    switch (codec)
    {
        case ModuleCodec::FP32:
        {
            std::size_t bad;
            crc = CopyFloatsChecked(w.Position(), reinterpret_cast<const uint8_t*>(state.GetData()),
                                    numel, crc, bad);
            if (bad != numel)
            {
                return nonFinite(bad);
            }
            break;
        }
        case ModuleCodec::FP16:
        {
            // The data starts 4-byte aligned (the buffer is, and the table is padded).
            auto* h = reinterpret_cast<uint16_t*>(w.Position());
            ToHalf(state.GetData(), h, numel);
            uint32_t overflow = 0; // a branch-free scan, so that it vectorises
            for (std::size_t i = 0; i < numel; ++i)
            {
                overflow |= static_cast<uint32_t>((h[i] & 0x7C00U) == 0x7C00U);
            }
            if (overflow != 0)
            {
                std::size_t i = 0;
                while ((h[i] & 0x7C00U) != 0x7C00U)
                {
                    ++i;
                }
                result.error = "module '" + state.GetModuleId() + "': value "
                               + std::to_string(state.GetData()[i]) + " at flat index "
                               + std::to_string(i) + " is out of fp16 range (|x| < 65520)";
                return result;
            }
            crc = Crc32c(h, 2 * numel, crc);
            break;
        }
        case ModuleCodec::INT8:
        {
            uint8_t* start = w.Position();
            for (std::size_t t = 0; t < state.GetTensorCount(); ++t)
            {
                const float* x = state.GetTensorData(t);
                const auto n = static_cast<std::size_t>(state.GetTensors()[t].Numel());
                // The values are finite: checked above.
                const float scale = Int8Scale(MaxAbs(x, n));
                w.Put<float>(scale);
                Quantize(x, reinterpret_cast<int8_t*>(w.Position()), n, scale);
                w.Advance(n);
            }
            crc = Crc32c(start, static_cast<std::size_t>(w.Position() - start), crc);
            break;
        }
        default:
            result.error = "unknown codec " + std::to_string(static_cast<int>(codec));
            return result;
    }
    payload->crc = crc;
    result.payload = std::move(payload);
    return result;
}

DecodeResult
DecodeModule(const std::string& moduleId, ModuleCodec codec, const uint8_t* data, std::size_t size,
             uint32_t expectedCrc)
{
    // The table is parsed before the CRC is known so that fp32 data can be checksummed while
    // it is copied. A table that fails to parse is reported as a checksum mismatch when the
    // CRC is wrong too: corruption in transit is then the likelier story.
    auto tableFailure = [&](std::string detail)
    {
        if (Crc32c(data, size) != expectedCrc)
        {
            return Reject(RejectReason::PAYLOAD_CHECKSUM_MISMATCH,
                          "payload CRC does not match the header's");
        }
        return Reject(RejectReason::MALFORMED_PAYLOAD, std::move(detail));
    };

    if (codec != ModuleCodec::FP32 && codec != ModuleCodec::FP16 && codec != ModuleCodec::INT8)
    {
        return Reject(RejectReason::BAD_HEADER_FIELD,
                      "unknown codec " + std::to_string(static_cast<int>(codec)));
    }
    Reader r(data, size);
    double weight = 0.0;
    uint32_t count = 0;
    if (!r.Get(weight) || !r.Get(count))
    {
        return tableFailure("payload of " + std::to_string(size)
                            + " bytes is shorter than its 12-byte preamble");
    }
    if (count == 0)
    {
        return tableFailure("the tensor table is empty: a module carries at least one tensor");
    }
    if (count > ModuleState::MAX_TENSORS)
    {
        return tableFailure("tensor count " + std::to_string(count) + " exceeds "
                            + std::to_string(ModuleState::MAX_TENSORS));
    }
    std::vector<TensorSpec> tensors(count);
    for (uint32_t i = 0; i < count; ++i)
    {
        uint16_t nameLength = 0;
        uint8_t rank = 0;
        if (!r.Get(nameLength) || !r.GetString(nameLength, tensors[i].name) || !r.Get(rank))
        {
            return tableFailure("tensor table ends inside entry " + std::to_string(i));
        }
        if (rank > ModuleState::MAX_RANK)
        {
            return tableFailure("tensor " + std::to_string(i) + " has rank "
                                + std::to_string(rank));
        }
        tensors[i].shape.resize(rank);
        for (uint8_t k = 0; k < rank; ++k)
        {
            uint32_t d = 0;
            if (!r.Get(d))
            {
                return tableFailure("tensor table ends inside the shape of entry "
                                    + std::to_string(i));
            }
            tensors[i].shape[k] = d;
        }
    }
    const std::size_t padding = TablePadding(size - r.Remaining());
    for (std::size_t k = 0; k < padding; ++k)
    {
        uint8_t zero = 1;
        if (!r.Get(zero) || zero != 0)
        {
            return tableFailure("tensor table padding is missing or not zero");
        }
    }
    std::string layoutError = ModuleState::CheckLayout(tensors);
    if (layoutError.empty())
    {
        layoutError = ModuleState::CheckModuleId(moduleId);
    }
    if (!layoutError.empty())
    {
        return tableFailure(layoutError);
    }
    const std::size_t tableSize = size - r.Remaining();
    int64_t numel = 0;
    for (const auto& t : tensors)
    {
        numel += t.Numel();
    }
    const std::size_t dataSize
        = static_cast<std::size_t>(numel) * BytesPerValue(codec) + count * BytesPerTensor(codec);
    if (dataSize != r.Remaining())
    {
        if (Crc32c(data, size) != expectedCrc)
        {
            return Reject(RejectReason::PAYLOAD_CHECKSUM_MISMATCH,
                          "payload CRC does not match the header's");
        }
        return Reject(RejectReason::SHAPE_MISMATCH,
                      "declared shapes need " + std::to_string(dataSize)
                          + " data bytes, payload has " + std::to_string(r.Remaining()));
    }

    auto state
        = std::make_shared<ModuleState>(moduleId, std::move(tensors), ModuleState::Uninitialized{});
    const uint8_t* in = r.Position();
    uint32_t crc = Crc32c(data, tableSize);
    std::size_t firstBad = state->GetNumel();
    if (codec == ModuleCodec::FP32)
    {
        crc = CopyFloatsChecked(reinterpret_cast<uint8_t*>(state->GetData()), in, state->GetNumel(),
                                crc, firstBad);
    }
    else
    {
        crc = Crc32c(in, dataSize, crc);
    }
    if (crc != expectedCrc)
    {
        return Reject(RejectReason::PAYLOAD_CHECKSUM_MISMATCH,
                      "payload CRC does not match the header's");
    }
    // A zero weight is written +0: -0 (a sign bit on zero) is refused like any negative.
    if (!std::isfinite(weight) || std::signbit(weight))
    {
        return Reject(RejectReason::NON_FINITE_VALUE,
                      "sample weight " + std::string(weight == 0.0 ? "-0" : std::to_string(weight))
                          + " is not a finite non-negative number");
    }
    state->SetSampleWeight(weight);

    if (codec == ModuleCodec::FP16)
    {
        FromHalf(in, state->GetData(), state->GetNumel());
    }
    else if (codec == ModuleCodec::INT8)
    {
        for (std::size_t t = 0; t < state->GetTensorCount(); ++t)
        {
            float scale;
            std::memcpy(&scale, in, 4);
            in += 4;
            // The encoder writes a zero scale as +0: -0 is refused like a negative scale.
            if (!std::isfinite(scale) || std::signbit(scale))
            {
                return Reject(RejectReason::NON_FINITE_VALUE,
                              "int8 scale of tensor '" + state->GetTensors()[t].name + "' is "
                                  + std::to_string(scale));
            }
            const auto n = static_cast<std::size_t>(state->GetTensors()[t].Numel());
            Dequantize(reinterpret_cast<const int8_t*>(in), state->GetTensorData(t), n, scale);
            in += n;
        }
    }
    if (codec != ModuleCodec::FP32)
    {
        firstBad = state->FindNonFinite();
    }
    if (firstBad != state->GetNumel())
    {
        return Reject(RejectReason::NON_FINITE_VALUE,
                      "value at flat index " + std::to_string(firstBad) + " is not finite");
    }
    DecodeResult ok;
    ok.ok = true;
    ok.state = std::move(state);
    return ok;
}

} // namespace ns3
