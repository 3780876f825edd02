/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/crc32c.h"
#include "ns3/message-format.h"

#include <gtest/gtest.h>
#include <vector>

using namespace ns3;

namespace
{

MessageFields
SampleFields()
{
    MessageFields f;
    f.type = MessageType::MODULE_PUSH;
    f.codec = ModuleCodec::FP16;
    f.round = 0x01020304;
    f.sender = 42;
    f.payloadLength = 123456;
    f.payloadCrc = 0xDEADBEEF;
    f.moduleId = "moe/2/expert/1";
    return f;
}

std::vector<uint8_t>
Write(const MessageFields& f)
{
    std::vector<uint8_t> b(MessageFormat::HeaderSize(f.moduleId.size()));
    EXPECT_EQ(MessageFormat::WriteHeader(f, b.data()), b.size());
    return b;
}

} // namespace

// The byte layout documented in message-format.h, checked byte by byte.
TEST(MessageFormat, LayoutMatchesTheDocumentation)
{
    const auto f = SampleFields();
    const auto b = Write(f);
    ASSERT_EQ(b.size(), 26U + 14U + 4U);
    const std::vector<uint8_t> fixed
        = {'H', 'F', 'F', 'M', 1, 1,    1,    0,    1,    2,    3,    4, 0,
           0,   0,   42,  0,   1, 0xE2, 0x40, 0xDE, 0xAD, 0xBE, 0xEF, 0, 14};
    EXPECT_EQ(std::vector<uint8_t>(b.begin(), b.begin() + 26), fixed);
    EXPECT_EQ(std::string(b.begin() + 26, b.begin() + 40), "moe/2/expert/1");
    const uint32_t crc = Crc32c(b.data(), 40);
    EXPECT_EQ(b[40], crc >> 24);
    EXPECT_EQ(b[43], crc & 0xFF);
}

// A share message carries its consensus step in byte 7.
TEST(MessageFormat, ShareMessageCarriesItsStep)
{
    auto f = SampleFields();
    f.type = MessageType::MODULE_SHARE;
    f.step = 200;
    const auto b = Write(f);
    EXPECT_EQ(b[5], 3);
    EXPECT_EQ(b[7], 200);
    const auto parsed = MessageFormat::ParseHeader(b.data(), b.size());
    ASSERT_TRUE(parsed.ok) << parsed.detail;
    EXPECT_EQ(parsed.fields.step, 200);
    EXPECT_EQ(parsed.fields, f);
    f.step = 0;
    EXPECT_FALSE(MessageFormat::CheckFields(f).empty());
}

TEST(MessageFormat, RoundTrip)
{
    const auto f = SampleFields();
    const auto b = Write(f);
    const auto parsed = MessageFormat::ParseHeader(b.data(), b.size());
    ASSERT_TRUE(parsed.ok) << parsed.detail;
    EXPECT_EQ(parsed.fields, f);
}

TEST(MessageFormat, RejectsEachBadField)
{
    const auto good = Write(SampleFields());
    auto expectReason = [](std::vector<uint8_t> b, RejectReason r)
    {
        const auto parsed = MessageFormat::ParseHeader(b.data(), b.size());
        EXPECT_FALSE(parsed.ok);
        EXPECT_EQ(parsed.reason, r) << ToString(parsed.reason) << ": " << parsed.detail;
        EXPECT_FALSE(parsed.detail.empty());
    };
    auto b = good;
    b[0] = 'X';
    expectReason(b, RejectReason::BAD_MAGIC);
    b = good;
    b[4] = 2;
    expectReason(b, RejectReason::BAD_VERSION);
    b = good;
    b[30] ^= 0x01; // inside the module id
    expectReason(b, RejectReason::BAD_HEADER_CHECKSUM);
    b = good;
    b[17] ^= 0x80; // the payload length: the header CRC protects it
    expectReason(b, RejectReason::BAD_HEADER_CHECKSUM);
    b = good;
    b[25] = 0; // module id length 0
    b[24] = 0;
    expectReason(b, RejectReason::BAD_HEADER_FIELD);
    expectReason(std::vector<uint8_t>(good.begin(), good.begin() + 30), RejectReason::TRUNCATED);
    expectReason(std::vector<uint8_t>(good.begin(), good.begin() + 10), RejectReason::TRUNCATED);

    // Fields that pass the CRC but are not known: written with a valid CRC on purpose.
    auto withValidCrc = [](std::vector<uint8_t> h)
    {
        const std::size_t at = h.size() - 4;
        const uint32_t crc = Crc32c(h.data(), at);
        h[at] = crc >> 24;
        h[at + 1] = (crc >> 16) & 0xFF;
        h[at + 2] = (crc >> 8) & 0xFF;
        h[at + 3] = crc & 0xFF;
        return h;
    };
    b = good;
    b[5] = 9; // type
    expectReason(withValidCrc(b), RejectReason::BAD_HEADER_FIELD);
    b = good;
    b[6] = 7; // codec
    expectReason(withValidCrc(b), RejectReason::BAD_HEADER_FIELD);
    b = good;
    b[7] = 1; // a step in an update message
    expectReason(withValidCrc(b), RejectReason::BAD_HEADER_FIELD);
    b = good;
    b[5] = static_cast<uint8_t>(MessageType::MODULE_SHARE); // a share message without a step
    expectReason(withValidCrc(b), RejectReason::BAD_HEADER_FIELD);
    b = good;
    b[27] = ' '; // not printable ASCII without space
    expectReason(withValidCrc(b), RejectReason::BAD_HEADER_FIELD);
}

TEST(MessageFormat, CodecNames)
{
    ModuleCodec c;
    EXPECT_TRUE(ParseModuleCodec("int8", c));
    EXPECT_EQ(c, ModuleCodec::INT8);
    EXPECT_FALSE(ParseModuleCodec("FP32", c));
    EXPECT_FALSE(ParseModuleCodec("", c));
    EXPECT_EQ(ToString(RejectReason::PAYLOAD_CHECKSUM_MISMATCH), "payload-checksum-mismatch");
}
