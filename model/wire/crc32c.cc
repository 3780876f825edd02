/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HFFM_CRC32C_X86 1
#include <nmmintrin.h>
#endif

namespace ns3
{

namespace
{

constexpr uint32_t POLY_REFLECTED = 0x82F63B78U; // 0x1EDC6F41 bit-reversed

/// slicing-by-8 tables: TABLES[k][b] is the register after b followed by k zero bytes
struct SliceTables
{
    std::array<std::array<uint32_t, 256>, 8> t{};

    SliceTables()
    {
        for (uint32_t b = 0; b < 256; ++b)
        {
            uint32_t r = b;
            for (int i = 0; i < 8; ++i)
            {
                r = (r & 1U) ? (r >> 1) ^ POLY_REFLECTED : r >> 1;
            }
            t[0][b] = r;
        }
        for (uint32_t b = 0; b < 256; ++b)
        {
            for (std::size_t k = 1; k < 8; ++k)
            {
                t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFFU];
            }
        }
    }
};

const SliceTables&
Tables()
{
    static const SliceTables tables;
    return tables;
}

/// Advance the raw (not inverted) CRC register over the bytes.
uint32_t
RawPortable(uint32_t r, const uint8_t* p, std::size_t n)
{
    const auto& t = Tables().t;
    while (n >= 8)
    {
        uint64_t w;
        std::memcpy(&w, p, 8);
        w ^= r; // little-endian: the register meets the first four bytes
        r = t[7][w & 0xFF] ^ t[6][(w >> 8) & 0xFF] ^ t[5][(w >> 16) & 0xFF] ^ t[4][(w >> 24) & 0xFF]
            ^ t[3][(w >> 32) & 0xFF] ^ t[2][(w >> 40) & 0xFF] ^ t[1][(w >> 48) & 0xFF]
            ^ t[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n-- > 0)
    {
        r = (r >> 8) ^ t[0][(r ^ *p++) & 0xFFU];
    }
    return r;
}

#ifdef HFFM_CRC32C_X86

/**
 * Tables that advance a raw register over LEN zero bytes, one table per register byte:
 * shift(r) = z[0][r & 0xff] ^ z[1][(r >> 8) & 0xff] ^ ... This is what lets three streams
 * computed independently be joined into the CRC of the whole range.
 */
template <std::size_t LEN>
struct ZeroShift
{
    std::array<std::array<uint32_t, 256>, 4> z{};

    ZeroShift()
    {
        // The effect of each single register bit; the shift is linear, so bytes combine by xor.
        std::array<uint32_t, 32> bit{};
        static const uint8_t zeros[LEN] = {};
        for (int i = 0; i < 32; ++i)
        {
            bit[i] = RawPortable(1U << i, zeros, LEN);
        }
        for (int k = 0; k < 4; ++k)
        {
            for (uint32_t b = 0; b < 256; ++b)
            {
                uint32_t v = 0;
                for (int i = 0; i < 8; ++i)
                {
                    if (b & (1U << i))
                    {
                        v ^= bit[8 * k + i];
                    }
                }
                z[k][b] = v;
            }
        }
    }

    uint32_t operator()(uint32_t r) const
    {
        return z[0][r & 0xFF] ^ z[1][(r >> 8) & 0xFF] ^ z[2][(r >> 16) & 0xFF] ^ z[3][r >> 24];
    }
};

constexpr std::size_t LONG_BLOCK = 8192;
constexpr std::size_t SHORT_BLOCK = 256;

const ZeroShift<LONG_BLOCK>&
LongShift()
{
    static const ZeroShift<LONG_BLOCK> s;
    return s;
}

const ZeroShift<SHORT_BLOCK>&
ShortShift()
{
    static const ZeroShift<SHORT_BLOCK> s;
    return s;
}

/// Three streams of BLOCK bytes each, optionally copying as they go.
template <bool COPY, std::size_t BLOCK, typename Shift>
__attribute__((target("sse4.2"))) inline uint32_t
HwTriple(uint32_t r, const uint8_t*& p, uint8_t*& d, std::size_t& n, const Shift& shift)
{
    while (n >= 3 * BLOCK)
    {
        uint64_t a = r;
        uint64_t b = 0;
        uint64_t c = 0;
        for (std::size_t i = 0; i < BLOCK; i += 8)
        {
            uint64_t wa;
            uint64_t wb;
            uint64_t wc;
            std::memcpy(&wa, p + i, 8);
            std::memcpy(&wb, p + BLOCK + i, 8);
            std::memcpy(&wc, p + 2 * BLOCK + i, 8);
            a = _mm_crc32_u64(a, wa);
            b = _mm_crc32_u64(b, wb);
            c = _mm_crc32_u64(c, wc);
            if constexpr (COPY)
            {
                std::memcpy(d + i, &wa, 8);
                std::memcpy(d + BLOCK + i, &wb, 8);
                std::memcpy(d + 2 * BLOCK + i, &wc, 8);
            }
        }
        r = shift(static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b);
        r = shift(r) ^ static_cast<uint32_t>(c);
        p += 3 * BLOCK;
        if constexpr (COPY)
        {
            d += 3 * BLOCK;
        }
        n -= 3 * BLOCK;
    }
    return r;
}

template <bool COPY>
__attribute__((target("sse4.2"))) uint32_t
RawHardware(uint32_t r, const uint8_t* p, uint8_t* d, std::size_t n)
{
    r = HwTriple<COPY, LONG_BLOCK>(r, p, d, n, LongShift());
    r = HwTriple<COPY, SHORT_BLOCK>(r, p, d, n, ShortShift());
    uint64_t r64 = r;
    while (n >= 8)
    {
        uint64_t w;
        std::memcpy(&w, p, 8);
        r64 = _mm_crc32_u64(r64, w);
        if constexpr (COPY)
        {
            std::memcpy(d, &w, 8);
            d += 8;
        }
        p += 8;
        n -= 8;
    }
    r = static_cast<uint32_t>(r64);
    while (n-- > 0)
    {
        if constexpr (COPY)
        {
            *d++ = *p;
        }
        r = _mm_crc32_u8(r, *p++);
    }
    return r;
}

bool
DetectHardware()
{
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("sse4.2"))
    {
        return false;
    }
    // Build the shift tables now rather than on the first large checksum.
    LongShift();
    ShortShift();
    return true;
}

#endif // HFFM_CRC32C_X86

} // namespace

bool
Crc32cIsHardwareAccelerated()
{
#ifdef HFFM_CRC32C_X86
    static const bool hw = DetectHardware();
    return hw;
#else
    return false;
#endif
}

uint32_t
Crc32cPortable(const void* data, std::size_t size, uint32_t crc)
{
    return ~RawPortable(~crc, static_cast<const uint8_t*>(data), size);
}

uint32_t
Crc32c(const void* data, std::size_t size, uint32_t crc)
{
#ifdef HFFM_CRC32C_X86
    if (Crc32cIsHardwareAccelerated())
    {
        return ~RawHardware<false>(~crc, static_cast<const uint8_t*>(data), nullptr, size);
    }
#endif
    return Crc32cPortable(data, size, crc);
}

uint32_t
Crc32cCopy(void* dst, const void* src, std::size_t size, uint32_t crc)
{
#ifdef HFFM_CRC32C_X86
    if (Crc32cIsHardwareAccelerated())
    {
        return ~RawHardware<true>(~crc, static_cast<const uint8_t*>(src),
                                  static_cast<uint8_t*>(dst), size);
    }
#endif
    if (size > 0)
    {
        std::memcpy(dst, src, size);
    }
    return Crc32cPortable(src, size, crc);
}

} // namespace ns3
