/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/crc32c.h"

#include <cstring>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <vector>

using namespace ns3;

namespace
{

/// Bit-at-a-time CRC-32C straight from the definition: the independent reference.
uint32_t
BitwiseCrc32c(const uint8_t* p, std::size_t n)
{
    uint32_t crc = 0xFFFFFFFFU;
    for (std::size_t i = 0; i < n; ++i)
    {
        crc ^= p[i];
        for (int k = 0; k < 8; ++k)
        {
            crc = (crc & 1U) ? (crc >> 1) ^ 0x82F63B78U : crc >> 1;
        }
    }
    return ~crc;
}

std::vector<uint8_t>
RandomBytes(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::vector<uint8_t> v(n);
    for (auto& b : v)
    {
        b = static_cast<uint8_t>(rng());
    }
    return v;
}

} // namespace

// Check values published with the polynomial (RFC 3720 appendix B.4 and the common
// "123456789" check value).
TEST(Crc32c, KnownVectors)
{
    const std::string check = "123456789";
    EXPECT_EQ(Crc32c(check.data(), check.size()), 0xE3069283U);
    std::vector<uint8_t> zeros(32, 0x00);
    EXPECT_EQ(Crc32c(zeros.data(), zeros.size()), 0x8A9136AAU);
    std::vector<uint8_t> ones(32, 0xFF);
    EXPECT_EQ(Crc32c(ones.data(), ones.size()), 0x62A8AB43U);
    std::vector<uint8_t> inc(32);
    for (int i = 0; i < 32; ++i)
    {
        inc[i] = static_cast<uint8_t>(i);
    }
    EXPECT_EQ(Crc32c(inc.data(), inc.size()), 0x46DD794EU);
    EXPECT_EQ(Crc32c(nullptr, 0), 0U);
}

// Every length from 0 to beyond the three-stream block sizes, at odd alignments: the fast
// path, the portable path, the copying path and the bitwise definition all agree.
TEST(Crc32c, AllPathsAgreeWithDefinition)
{
    const auto data = RandomBytes(3 * 8192 * 2 + 3 * 256 + 100, 7);
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n < 800; ++n)
    {
        lengths.push_back(n);
    }
    for (std::size_t n : {3 * 256 - 1, 3 * 256, 3 * 256 + 1, 3 * 8192 - 1, 3 * 8192, 3 * 8192 + 9,
                          2 * 3 * 8192 + 3 * 256 + 17})
    {
        lengths.push_back(n);
    }
    for (std::size_t offset : {0, 1, 3})
    {
        for (std::size_t n : lengths)
        {
            const uint8_t* p = data.data() + offset;
            const uint32_t expected = BitwiseCrc32c(p, n);
            ASSERT_EQ(Crc32c(p, n), expected) << "n=" << n << " offset=" << offset;
            ASSERT_EQ(Crc32cPortable(p, n), expected) << "n=" << n;
            std::vector<uint8_t> copy(n + 1, 0xAB);
            ASSERT_EQ(Crc32cCopy(copy.data(), p, n), expected) << "n=" << n;
            ASSERT_EQ(std::memcmp(copy.data(), p, n), 0) << "n=" << n;
            ASSERT_EQ(copy[n], 0xAB) << "copy wrote past the end, n=" << n;
        }
    }
}

TEST(Crc32c, ChainsAcrossCalls)
{
    const auto data = RandomBytes(100000, 11);
    const uint32_t whole = Crc32c(data.data(), data.size());
    for (std::size_t cut : {0, 1, 4095, 50000, 99999, 100000})
    {
        const uint32_t first = Crc32c(data.data(), cut);
        EXPECT_EQ(Crc32c(data.data() + cut, data.size() - cut, first), whole) << "cut=" << cut;
        EXPECT_EQ(Crc32cPortable(data.data() + cut, data.size() - cut, first), whole);
    }
}

TEST(Crc32c, DetectsEverySingleBitFlip)
{
    auto data = RandomBytes(1000, 3);
    const uint32_t good = Crc32c(data.data(), data.size());
    for (std::size_t i = 0; i < data.size(); ++i)
    {
        for (int b = 0; b < 8; ++b)
        {
            data[i] ^= static_cast<uint8_t>(1U << b);
            ASSERT_NE(Crc32c(data.data(), data.size()), good);
            data[i] ^= static_cast<uint8_t>(1U << b);
        }
    }
}
