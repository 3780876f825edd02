/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/crc32c.h"
#include "ns3/module-codec.h"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <limits>
#include <random>

using namespace ns3;

namespace
{

ModuleState
RandomModule(unsigned seed, float scale = 1.0F)
{
    ModuleState s("head/fine", {{"fc.weight", {10, 33}}, {"fc.bias", {10}}, {"norm", {2, 3, 4}}});
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0F, scale);
    for (std::size_t i = 0; i < s.GetNumel(); ++i)
    {
        s.GetData()[i] = normal(rng);
    }
    s.SetSampleWeight(640.0);
    return s;
}

/// Decode with the CRC the bytes actually have: exercises the checks behind the checksum.
DecodeResult
DecodeTrusted(const std::vector<uint8_t>& bytes, ModuleCodec codec)
{
    return DecodeModule("head/fine", codec, bytes.data(), bytes.size(),
                        Crc32c(bytes.data(), bytes.size()));
}

std::vector<uint8_t>
Bytes(const EncodedPayload& p)
{
    return std::vector<uint8_t>(p.bytes.begin(), p.bytes.end());
}

/// binary16 to double from the format's definition, independent of HalfToFloat.
double
HalfByDefinition(uint16_t h)
{
    const int sign = (h >> 15) ? -1 : 1;
    const int e = (h >> 10) & 0x1F;
    const int m = h & 0x3FF;
    if (e == 0x1F)
    {
        return m ? std::numeric_limits<double>::quiet_NaN()
                 : sign * std::numeric_limits<double>::infinity();
    }
    if (e == 0)
    {
        return sign * std::ldexp(static_cast<double>(m), -24);
    }
    return sign * std::ldexp(1.0 + m / 1024.0, e - 15);
}

} // namespace

TEST(ModuleCodec, PayloadSizeIsAsDocumented)
{
    ModuleState s("m", {{"w", {2, 3}}});
    // preamble 12 + entry (2 + 1 + 1 + 2 x 4) = 24 table bytes
    EXPECT_EQ(EncodedPayloadSize(s, ModuleCodec::FP32), 24U + 6 * 4);
    EXPECT_EQ(EncodedPayloadSize(s, ModuleCodec::FP16), 24U + 6 * 2);
    EXPECT_EQ(EncodedPayloadSize(s, ModuleCodec::INT8), 24U + 4 + 6);
    // a 2-character name: 12 + (2 + 2 + 1 + 4) = 21 table bytes, padded to 24
    ModuleState p("m", {{"ab", {5}}});
    EXPECT_EQ(EncodedPayloadSize(p, ModuleCodec::FP32), 24U + 5 * 4);
    EXPECT_EQ(EncodedPayloadSize(p, ModuleCodec::INT8), 24U + 4 + 5);
    for (auto c : {ModuleCodec::FP32, ModuleCodec::FP16, ModuleCodec::INT8})
    {
        const auto padded = EncodeModule(p, c);
        ASSERT_TRUE(padded.payload) << padded.error;
        EXPECT_EQ(padded.payload->bytes[21], 0);
        EXPECT_EQ(padded.payload->bytes[23], 0);
        const auto enc = EncodeModule(s, c);
        ASSERT_TRUE(enc.payload) << enc.error;
        EXPECT_EQ(enc.payload->bytes.size(), EncodedPayloadSize(s, c));
        EXPECT_EQ(enc.payload->crc, Crc32c(enc.payload->bytes.data(), enc.payload->bytes.size()));
    }
}

TEST(ModuleCodec, Fp32IsBitExact)
{
    ModuleState s = RandomModule(1);
    // Values whose bits matter: negative zero, the smallest subnormal, the largest float.
    s.GetData()[0] = -0.0F;
    s.GetData()[1] = std::numeric_limits<float>::denorm_min();
    s.GetData()[2] = -std::numeric_limits<float>::max();
    const auto enc = EncodeModule(s, ModuleCodec::FP32);
    ASSERT_TRUE(enc.payload);
    const auto dec = DecodeModule("head/fine", ModuleCodec::FP32, enc.payload->bytes.data(),
                                  enc.payload->bytes.size(), enc.payload->crc);
    ASSERT_TRUE(dec.ok) << dec.detail;
    EXPECT_TRUE(dec.state->IsBitIdentical(s));
}

TEST(ModuleCodec, HalfToFloatMatchesTheDefinitionForAllHalves)
{
    for (uint32_t h = 0; h < 65536; ++h)
    {
        const double expected = HalfByDefinition(static_cast<uint16_t>(h));
        const float got = HalfToFloat(static_cast<uint16_t>(h));
        if (std::isnan(expected))
        {
            ASSERT_TRUE(std::isnan(got)) << h;
        }
        else
        {
            ASSERT_EQ(static_cast<double>(got), expected) << h;
        }
    }
}

// FloatToHalf must return the nearest half, ties to the even one.
TEST(ModuleCodec, FloatToHalfRoundsToNearestEven)
{
    std::mt19937 rng(5);
    std::uniform_int_distribution<uint32_t> bits(0, 0x477FDFFF); // |x| below 65520
    std::vector<float> values
        = {0.0F,           -0.0F,          65504.0F,       65519.99F,         6.1035156e-05F,
           5.9604645e-08F, 2.9802322e-08F, 2.9802326e-08F, 1.0F + 1.0F / 2048};
    for (int i = 0; i < 200000; ++i)
    {
        uint32_t u = bits(rng) | ((rng() & 1U) << 31);
        float f;
        std::memcpy(&f, &u, 4);
        values.push_back(f);
    }
    for (float x : values)
    {
        const uint16_t h = FloatToHalf(x);
        const double got = HalfByDefinition(h);
        const double err = std::fabs(got - x);
        // No other half is nearer: check the neighbours on both sides.
        for (int d : {-1, 1})
        {
            const uint16_t mag = h & 0x7FFF;
            if ((d < 0 && mag == 0) || (d > 0 && mag >= 0x7BFF))
            {
                continue;
            }
            const uint16_t n = static_cast<uint16_t>((h & 0x8000) | (mag + d));
            const double nerr = std::fabs(HalfByDefinition(n) - x);
            ASSERT_LE(err, nerr) << "x=" << x << " h=" << h;
            if (err == nerr)
            {
                ASSERT_EQ(h & 1, 0) << "tie not to even, x=" << x;
            }
        }
    }
    EXPECT_EQ(FloatToHalf(65520.0F), 0x7C00); // overflows to infinity
    EXPECT_EQ(FloatToHalf(-1e9F), 0xFC00);
}

TEST(ModuleCodec, Fp16MeetsItsDocumentedBoundAndMatchesScalarConversion)
{
    ModuleState s = RandomModule(2, 30.0F);
    s.GetData()[0] = 1e-6F; // subnormal half range
    s.GetData()[1] = 65504.0F;
    s.GetData()[2] = -3e-9F; // rounds to zero
    const auto enc = EncodeModule(s, ModuleCodec::FP16);
    ASSERT_TRUE(enc.payload) << enc.error;
    // The data section holds exactly FloatToHalf of every value (the batch path may be F16C).
    const std::size_t dataAt = enc.payload->bytes.size() - 2 * s.GetNumel();
    for (std::size_t i = 0; i < s.GetNumel(); ++i)
    {
        uint16_t h;
        std::memcpy(&h, enc.payload->bytes.data() + dataAt + 2 * i, 2);
        ASSERT_EQ(h, FloatToHalf(s.GetData()[i])) << i;
    }
    const auto dec = DecodeModule("head/fine", ModuleCodec::FP16, enc.payload->bytes.data(),
                                  enc.payload->bytes.size(), enc.payload->crc);
    ASSERT_TRUE(dec.ok) << dec.detail;
    for (std::size_t i = 0; i < s.GetNumel(); ++i)
    {
        const double x = s.GetData()[i];
        const double bound = std::max(std::ldexp(std::fabs(x), -11), std::ldexp(1.0, -25));
        ASSERT_LE(std::fabs(x - dec.state->GetData()[i]), bound) << "x=" << x;
    }
    EXPECT_EQ(dec.state->GetSampleWeight(), 640.0);
}

TEST(ModuleCodec, Fp16RejectsValuesOutOfRange)
{
    ModuleState s = RandomModule(3);
    s.GetData()[7] = 70000.0F;
    const auto enc = EncodeModule(s, ModuleCodec::FP16);
    EXPECT_FALSE(enc.payload);
    EXPECT_NE(enc.error.find("fp16 range"), std::string::npos) << enc.error;
    EXPECT_TRUE(EncodeModule(s, ModuleCodec::FP32).payload);
}

TEST(ModuleCodec, Int8MeetsItsDocumentedBound)
{
    ModuleState s = RandomModule(4, 0.05F);
    std::fill(s.GetTensorData(1), s.GetTensorData(1) + 10, 0.0F); // an all-zero tensor
    const auto enc = EncodeModule(s, ModuleCodec::INT8);
    ASSERT_TRUE(enc.payload) << enc.error;
    const auto dec = DecodeModule("head/fine", ModuleCodec::INT8, enc.payload->bytes.data(),
                                  enc.payload->bytes.size(), enc.payload->crc);
    ASSERT_TRUE(dec.ok) << dec.detail;
    for (std::size_t t = 0; t < s.GetTensorCount(); ++t)
    {
        const auto n = static_cast<std::size_t>(s.GetTensors()[t].Numel());
        const float* x = s.GetTensorData(t);
        const float* y = dec.state->GetTensorData(t);
        double maxAbs = 0.0;
        for (std::size_t i = 0; i < n; ++i)
        {
            maxAbs = std::max(maxAbs, std::fabs(double{x[i]}));
        }
        const double halfStep = maxAbs / 127.0 / 2.0;
        for (std::size_t i = 0; i < n; ++i)
        {
            ASSERT_LE(std::fabs(double{x[i]} - y[i]), halfStep * (1.0 + 1e-5) + 1e-12)
                << "tensor " << t << " value " << i;
        }
    }
    for (std::size_t i = 0; i < 10; ++i)
    {
        EXPECT_EQ(dec.state->GetTensorData(1)[i], 0.0F);
    }
}

TEST(ModuleCodec, EncodeRejectsNonFiniteValues)
{
    ModuleState s = RandomModule(5);
    s.GetData()[100] = std::numeric_limits<float>::quiet_NaN();
    for (auto c : {ModuleCodec::FP32, ModuleCodec::FP16, ModuleCodec::INT8})
    {
        const auto enc = EncodeModule(s, c);
        EXPECT_FALSE(enc.payload);
        EXPECT_NE(enc.error.find("non-finite"), std::string::npos) << enc.error;
    }
}

TEST(ModuleCodec, DecodeRejectsCorruption)
{
    const ModuleState s = RandomModule(6);
    const auto enc = EncodeModule(s, ModuleCodec::FP32);
    auto bytes = Bytes(*enc.payload);

    // A flipped bit anywhere: the payload CRC catches it.
    for (std::size_t at : {std::size_t{0}, std::size_t{13}, bytes.size() / 2, bytes.size() - 1})
    {
        auto b = bytes;
        b[at] ^= 0x10;
        const auto dec
            = DecodeModule("head/fine", ModuleCodec::FP32, b.data(), b.size(), enc.payload->crc);
        EXPECT_FALSE(dec.ok);
        EXPECT_EQ(dec.reason, RejectReason::PAYLOAD_CHECKSUM_MISMATCH) << at;
    }
    // The checks behind the CRC, with a CRC that matches what was sent.
    auto expectReason = [](const std::vector<uint8_t>& b, ModuleCodec c, RejectReason r)
    {
        const auto dec = DecodeTrusted(b, c);
        EXPECT_FALSE(dec.ok);
        EXPECT_EQ(dec.reason, r) << ToString(dec.reason) << ": " << dec.detail;
        EXPECT_FALSE(dec.detail.empty());
    };
    // data one byte short / one byte long
    expectReason(std::vector<uint8_t>(bytes.begin(), bytes.end() - 1), ModuleCodec::FP32,
                 RejectReason::SHAPE_MISMATCH);
    auto longer = bytes;
    longer.push_back(0);
    expectReason(longer, ModuleCodec::FP32, RejectReason::SHAPE_MISMATCH);
    // declared shape [10,33] changed to [10,34]: the data no longer fits
    auto reshaped = bytes;
    // table: 12 preamble, entry 0 = u16 9, "fc.weight", u8 2, u32 10, u32 33
    ASSERT_EQ(reshaped[12 + 2 + 9 + 1 + 4], 33);
    reshaped[12 + 2 + 9 + 1 + 4] = 34;
    expectReason(reshaped, ModuleCodec::FP32, RejectReason::SHAPE_MISMATCH);
    // the payload read with another codec than it was written with
    expectReason(bytes, ModuleCodec::FP16, RejectReason::SHAPE_MISMATCH);
    // an absurd tensor count, a rank over the limit, a zero dimension, a name past the end
    auto b = bytes;
    b[8] = 0xFF;
    b[9] = 0xFF;
    expectReason(b, ModuleCodec::FP32, RejectReason::MALFORMED_PAYLOAD);
    b = bytes;
    b[12 + 2 + 9] = 9;
    expectReason(b, ModuleCodec::FP32, RejectReason::MALFORMED_PAYLOAD);
    b = bytes;
    b[12 + 2 + 9 + 1 + 4] = 0;
    expectReason(b, ModuleCodec::FP32, RejectReason::MALFORMED_PAYLOAD);
    b = bytes;
    b[12] = 0xFF;
    b[13] = 0xFF;
    expectReason(b, ModuleCodec::FP32, RejectReason::MALFORMED_PAYLOAD);
    expectReason(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 5), ModuleCodec::FP32,
                 RejectReason::MALFORMED_PAYLOAD);
    // non-zero padding after the table ("norm" is the last entry: 12 + 2+9+1+8 + 2+7+1+4
    // + 2+4+1+12 = 65 bytes, so three padding bytes at 65..67)
    b = bytes;
    ASSERT_EQ(b[66], 0);
    b[66] = 1;
    expectReason(b, ModuleCodec::FP32, RejectReason::MALFORMED_PAYLOAD);
    // a NaN value and a negative sample weight
    b = bytes;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(b.data() + b.size() - 8, &nan, 4);
    expectReason(b, ModuleCodec::FP32, RejectReason::NON_FINITE_VALUE);
    b = bytes;
    const double negative = -1.0;
    std::memcpy(b.data(), &negative, 8);
    expectReason(b, ModuleCodec::FP32, RejectReason::NON_FINITE_VALUE);
    // fp16 infinity and an int8 NaN scale
    const auto enc16 = EncodeModule(s, ModuleCodec::FP16);
    b = Bytes(*enc16.payload);
    b[b.size() - 2] = 0x00;
    b[b.size() - 1] = 0x7C;
    expectReason(b, ModuleCodec::FP16, RejectReason::NON_FINITE_VALUE);
    const auto enc8 = EncodeModule(s, ModuleCodec::INT8);
    b = Bytes(*enc8.payload);
    const std::size_t tableSize = EncodedPayloadSize(s, ModuleCodec::FP32) - 4 * s.GetNumel();
    std::memcpy(b.data() + tableSize, &nan, 4);
    expectReason(b, ModuleCodec::INT8, RejectReason::NON_FINITE_VALUE);
}

// Random mutations of valid payloads, CRC recomputed so the parser sees them: every
// outcome is a clean accept or a reject with a reason, never a crash or an overrun
// (run under AddressSanitizer to see the latter).
TEST(ModuleCodec, SurvivesRandomMutations)
{
    std::mt19937 rng(99);
    const ModuleState s = RandomModule(7);
    for (auto codec : {ModuleCodec::FP32, ModuleCodec::FP16, ModuleCodec::INT8})
    {
        const auto base = Bytes(*EncodeModule(s, codec).payload);
        for (int i = 0; i < 3000; ++i)
        {
            auto b = base;
            const int edits = 1 + static_cast<int>(rng() % 4);
            for (int e = 0; e < edits; ++e)
            {
                const auto at = rng() % std::min<std::size_t>(b.size(), 64);
                b[at] = static_cast<uint8_t>(rng());
            }
            if (rng() % 4 == 0)
            {
                b.resize(rng() % b.size());
            }
            const auto dec = DecodeTrusted(b, codec);
            if (dec.ok)
            {
                ASSERT_EQ(dec.state->FindNonFinite(), dec.state->GetNumel());
                ASSERT_EQ(EncodedPayloadSize(*dec.state, codec), b.size());
            }
            else
            {
                ASSERT_FALSE(dec.detail.empty());
            }
        }
    }
}

namespace
{

/// The int8 bound of module-codec.h, from max|x| alone: half a step of max|x| / 127 (rounded
/// up to a float: a relative 2^-23 for normal steps, 2^-149 for subnormal ones), plus the
/// float rounding of the decoded value.
double
Int8Bound(double maxAbs, double decoded)
{
    const double step = maxAbs / 127.0 * (1.0 + std::ldexp(1.0, -23)) + std::ldexp(1.0, -149);
    return step / 2.0 + std::ldexp(std::fabs(decoded), -24);
}

/// Encode one tensor with int8 and check every decoded value against Int8Bound().
void
ExpectInt8WithinBound(const std::vector<float>& values, const std::string& what)
{
    ModuleState s("adapter/0", {{"w", {static_cast<int64_t>(values.size())}}});
    std::copy(values.begin(), values.end(), s.GetData());
    const auto enc = EncodeModule(s, ModuleCodec::INT8);
    ASSERT_TRUE(enc.payload) << what << ": " << enc.error;
    const auto dec = DecodeModule("adapter/0", ModuleCodec::INT8, enc.payload->bytes.data(),
                                  enc.payload->bytes.size(), enc.payload->crc);
    ASSERT_TRUE(dec.ok) << what << ": " << dec.detail;
    double maxAbs = 0.0;
    for (float v : values)
    {
        maxAbs = std::max(maxAbs, std::fabs(double{v}));
    }
    for (std::size_t i = 0; i < values.size(); ++i)
    {
        const double x = values[i];
        const double y = dec.state->GetData()[i];
        ASSERT_LE(std::fabs(x - y), Int8Bound(maxAbs, y))
            << what << ": value " << i << " " << x << " decoded as " << y;
        if (x == 0.0)
        {
            EXPECT_EQ(y, 0.0) << what << ": a zero decodes as zero";
        }
    }
}

} // namespace

// The bound holds for every finite input. (127 / max|x| overflowed below about 3.7e-37:
// {1e-37, 5e-38, 0} decoded as {1e-37, 1e-37, -1e-37}, and subnormal tensors as zeros.)
TEST(ModuleCodec, Int8BoundHoldsAtTinySubnormalAndHugeScales)
{
    const float tiny = std::numeric_limits<float>::denorm_min();
    const float big = std::numeric_limits<float>::max();
    ExpectInt8WithinBound({1e-37F, 5e-38F, 0.0F}, "below 3.7e-37");
    ExpectInt8WithinBound({1e-40F, -3e-41F, 7e-42F, 0.0F}, "subnormal");
    ExpectInt8WithinBound({tiny, -tiny, 0.0F}, "the smallest subnormal");
    ExpectInt8WithinBound({200 * tiny, 3 * tiny, -tiny}, "a few subnormal steps");
    ExpectInt8WithinBound({big, -big, 1.0F, 0.0F}, "FLT_MAX");
    ExpectInt8WithinBound({std::nextafter(big, 0.0F), big / 3, -1e30F}, "just below FLT_MAX");
    ExpectInt8WithinBound({std::numeric_limits<float>::min(), 0.0F}, "FLT_MIN");
    // every binary exponent, random mantissas and signs
    std::mt19937 rng(9);
    std::uniform_real_distribution<float> mantissa(-1.0F, 1.0F);
    for (int e = -149; e <= 127; ++e)
    {
        std::vector<float> values(64);
        for (auto& v : values)
        {
            v = std::ldexp(mantissa(rng), e);
        }
        values[5] = 0.0F;
        ExpectInt8WithinBound(values, "exponent " + std::to_string(e));
    }
}

// A zero weight or scale has one encoding, +0: -0 is refused like a negative, and a zero
// weight set as -0 goes out as +0.
TEST(ModuleCodec, NegativeZeroWeightAndScaleAreRefused)
{
    ModuleState s = RandomModule(21);
    s.SetSampleWeight(-0.0);
    EXPECT_FALSE(std::signbit(s.GetSampleWeight()));
    std::fill(s.GetTensorData(1), s.GetTensorData(1) + 10, 0.0F); // int8 scale 0 here
    for (auto c : {ModuleCodec::FP32, ModuleCodec::FP16, ModuleCodec::INT8})
    {
        const auto enc = EncodeModule(s, c);
        ASSERT_TRUE(enc.payload) << enc.error;
        auto bytes = Bytes(*enc.payload);
        double weight = 1.0;
        std::memcpy(&weight, bytes.data(), 8);
        EXPECT_EQ(weight, 0.0);
        EXPECT_FALSE(std::signbit(weight)) << ToString(c);
        auto dec = DecodeTrusted(bytes, c);
        ASSERT_TRUE(dec.ok) << dec.detail;
        EXPECT_EQ(dec.state->GetSampleWeight(), 0.0);

        const double negativeZero = -0.0;
        std::memcpy(bytes.data(), &negativeZero, 8);
        dec = DecodeTrusted(bytes, c);
        EXPECT_FALSE(dec.ok) << ToString(c) << ": a -0 weight was accepted";
        EXPECT_EQ(dec.reason, RejectReason::NON_FINITE_VALUE);
    }
    // the int8 scale of tensor 1 (all zeros) is +0; written as -0 it is refused
    const auto enc = EncodeModule(s, ModuleCodec::INT8);
    auto bytes = Bytes(*enc.payload);
    const std::size_t table = bytes.size() - (s.GetNumel() + 4 * s.GetTensorCount());
    const std::size_t scale1 = table + 4 + static_cast<std::size_t>(s.GetTensors()[0].Numel());
    float scale = 1.0F;
    std::memcpy(&scale, bytes.data() + scale1, 4);
    ASSERT_EQ(scale, 0.0F);
    ASSERT_FALSE(std::signbit(scale));
    const float negativeZero = -0.0F;
    std::memcpy(bytes.data() + scale1, &negativeZero, 4);
    const auto dec = DecodeTrusted(bytes, ModuleCodec::INT8);
    EXPECT_FALSE(dec.ok) << "a -0 int8 scale was accepted";
    EXPECT_EQ(dec.reason, RejectReason::NON_FINITE_VALUE);
}

// A module carries at least one tensor: neither side makes or takes an empty table.
TEST(ModuleCodec, AModuleWithoutTensorsIsRefused)
{
    const ModuleState empty("head/fine", {});
    for (auto c : {ModuleCodec::FP32, ModuleCodec::FP16, ModuleCodec::INT8})
    {
        const auto enc = EncodeModule(empty, c);
        EXPECT_FALSE(enc.payload) << ToString(c);
        EXPECT_NE(enc.error.find("no tensor"), std::string::npos) << enc.error;
        // weight 1.0 and a tensor count of 0: the whole payload of an empty module
        std::vector<uint8_t> bytes(12, 0);
        const double one = 1.0;
        std::memcpy(bytes.data(), &one, 8);
        const auto dec = DecodeTrusted(bytes, c);
        EXPECT_FALSE(dec.ok) << ToString(c) << ": an empty module was accepted";
        EXPECT_EQ(dec.reason, RejectReason::MALFORMED_PAYLOAD);
    }
}
