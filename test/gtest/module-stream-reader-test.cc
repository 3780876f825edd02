/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "../hffm-test-util.h"
#include "memory-limit.h"
#include "ns3/crc32c.h"
#include "ns3/module-codec.h"
#include "ns3/module-stream-reader.h"

#include <cstring>
#include <gtest/gtest.h>
#include <limits>
#include <random>

using namespace ns3;

namespace
{

using hffmtest::Concat;
using hffmtest::Message;
using hffmtest::MessageWithPayload;

ModuleState
Module(const std::string& id, int64_t n, float base)
{
    return hffmtest::MakeModule(id, n, base);
}

struct Collector
{
    std::vector<std::shared_ptr<ModuleState>> modules;
    std::vector<MessageFields> fields;
    std::vector<RejectReason> rejects;
    std::vector<bool> rejectHadFields;

    explicit Collector(ModuleStreamReader& r)
    {
        r.SetMessageCallback(
            [this](const MessageFields& f, std::shared_ptr<ModuleState> s)
            {
                fields.push_back(f);
                modules.push_back(std::move(s));
            });
        r.SetRejectCallback(
            [this](RejectReason reason, const std::string& detail, const MessageFields* f)
            {
                EXPECT_FALSE(detail.empty());
                rejects.push_back(reason);
                rejectHadFields.push_back(f != nullptr);
            });
    }
};

void
FeedInChunks(ModuleStreamReader& r, const std::vector<uint8_t>& bytes, std::mt19937& rng,
             std::size_t maxChunk)
{
    std::size_t at = 0;
    while (at < bytes.size())
    {
        const std::size_t n = std::min<std::size_t>(bytes.size() - at, 1 + rng() % maxChunk);
        r.Feed(bytes.data() + at, n);
        at += n;
    }
}

} // namespace

TEST(ModuleStreamReader, ReassemblesBackToBackMessagesFromAnyChunking)
{
    const ModuleState a = Module("encoder/image", 5000, 1.0F);
    const ModuleState b = Module("adapter/0", 17, 2.0F);
    const ModuleState c = Module("head/coarse", 1, 3.0F);
    const auto stream = Concat(
        {Message(a, 1), Message(b, 1, ModuleCodec::FP16), Message(c, 1, ModuleCodec::INT8)});
    std::mt19937 rng(1);
    for (std::size_t maxChunk :
         {std::size_t{1}, std::size_t{2}, std::size_t{29}, std::size_t{1448}, stream.size()})
    {
        ModuleStreamReader reader(1 << 20);
        Collector got(reader);
        FeedInChunks(reader, stream, rng, maxChunk);
        ASSERT_EQ(got.modules.size(), 3U) << "maxChunk=" << maxChunk;
        EXPECT_TRUE(got.rejects.empty());
        EXPECT_TRUE(got.modules[0]->IsBitIdentical(a));
        EXPECT_EQ(got.modules[1]->GetModuleId(), "adapter/0");
        EXPECT_EQ(got.fields[1].codec, ModuleCodec::FP16);
        EXPECT_EQ(got.fields[2].codec, ModuleCodec::INT8);
        EXPECT_EQ(got.fields[0].round, 7U);
        EXPECT_TRUE(reader.IsAtMessageBoundary());
        EXPECT_EQ(reader.GetBytesConsumed(), stream.size());
        reader.Finish();
        EXPECT_TRUE(got.rejects.empty());
    }
}

TEST(ModuleStreamReader, WindowsNeverReachPastTheCurrentMessage)
{
    const auto m1 = Message(Module("a", 100, 1.0F), 0);
    const auto m2 = Message(Module("b", 100, 1.0F), 0);
    const auto stream = Concat({m1, m2});
    ModuleStreamReader reader(1 << 20);
    Collector got(reader);
    std::size_t at = 0;
    while (at < stream.size())
    {
        const auto w = reader.GetWriteWindow();
        ASSERT_GE(w.size, 1U);
        if (at < m1.size())
        {
            ASSERT_LE(at + w.size, m1.size()) << "window crosses into the next message";
        }
        const std::size_t n = std::min(w.size, stream.size() - at);
        std::memcpy(w.data, stream.data() + at, n);
        reader.Commit(n);
        at += n;
    }
    EXPECT_EQ(got.modules.size(), 2U);
}

TEST(ModuleStreamReader, CorruptPayloadIsRejectedAndTheNextMessageArrives)
{
    const ModuleState a = Module("a", 300, 1.0F);
    auto bad = Message(a, 2);
    bad[bad.size() - 10] ^= 0x01;
    ModuleStreamReader reader(1 << 20);
    Collector got(reader);
    reader.Feed(Concat({Message(a, 1), bad, Message(a, 3)}).data(),
                Concat({Message(a, 1), bad, Message(a, 3)}).size());
    ASSERT_EQ(got.rejects.size(), 1U);
    EXPECT_EQ(got.rejects[0], RejectReason::PAYLOAD_CHECKSUM_MISMATCH);
    EXPECT_TRUE(got.rejectHadFields[0]);
    ASSERT_EQ(got.fields.size(), 2U);
    EXPECT_EQ(got.fields[0].sender, 1U);
    EXPECT_EQ(got.fields[1].sender, 3U);
}

TEST(ModuleStreamReader, BadHeadersLoseFramingOnceThenResynchronise)
{
    const ModuleState a = Module("a", 300, 1.0F);
    struct Case
    {
        const char* name;
        std::size_t at;
        uint8_t value;
        RejectReason reason;
    };
    for (const Case& c : {Case{"magic", 0, 'X', RejectReason::BAD_MAGIC},
                          Case{"version", 4, 9, RejectReason::BAD_VERSION},
                          Case{"length field", 17, 0x7F, RejectReason::BAD_HEADER_CHECKSUM},
                          Case{"module id", 26, 'z', RejectReason::BAD_HEADER_CHECKSUM}})
    {
        auto bad = Message(a, 2);
        bad[c.at] = c.value;
        const auto stream = Concat({Message(a, 1), bad, Message(a, 3)});
        std::mt19937 rng(4);
        ModuleStreamReader reader(1 << 20);
        Collector got(reader);
        FeedInChunks(reader, stream, rng, 100);
        ASSERT_EQ(got.rejects.size(), 1U) << c.name;
        EXPECT_EQ(got.rejects[0], c.reason) << c.name;
        EXPECT_FALSE(got.rejectHadFields[0]);
        ASSERT_EQ(got.fields.size(), 2U) << c.name;
        EXPECT_EQ(got.fields[1].sender, 3U) << c.name;
    }
}

TEST(ModuleStreamReader, GarbageBetweenMessagesIsOneRejection)
{
    const ModuleState a = Module("a", 50, 1.0F);
    std::vector<uint8_t> garbage(5000);
    std::mt19937 rng(8);
    for (auto& g : garbage)
    {
        g = static_cast<uint8_t>(rng());
    }
    // Partial magics inside the garbage, one right before the real header.
    std::memcpy(garbage.data() + 100, "HFF", 3);
    std::memcpy(garbage.data() + 4997, "HFF", 3);
    ModuleStreamReader reader(1 << 20);
    Collector got(reader);
    const auto stream = Concat({Message(a, 1), garbage, Message(a, 2), Message(a, 3)});
    FeedInChunks(reader, stream, rng, 700);
    ASSERT_EQ(got.rejects.size(), 1U);
    EXPECT_EQ(got.rejects[0], RejectReason::BAD_MAGIC);
    ASSERT_EQ(got.fields.size(), 3U);
    EXPECT_EQ(got.fields[1].sender, 2U);
}

TEST(ModuleStreamReader, OversizedPayloadIsSkippedWithoutLosingFraming)
{
    const auto small = Message(Module("small", 10, 1.0F), 1);
    const auto big = Message(Module("big", 100000, 2.0F), 2);
    ModuleStreamReader reader(10000);
    Collector got(reader);
    std::mt19937 rng(2);
    FeedInChunks(reader, Concat({small, big, small}), rng, 3000);
    ASSERT_EQ(got.rejects.size(), 1U);
    EXPECT_EQ(got.rejects[0], RejectReason::PAYLOAD_TOO_LARGE);
    EXPECT_TRUE(got.rejectHadFields[0]);
    EXPECT_EQ(got.fields.size(), 2U);
    EXPECT_TRUE(reader.IsAtMessageBoundary());
}

TEST(ModuleStreamReader, PayloadsThatFailDecodingAreRejectedWithTheirReason)
{
    const ModuleState a = Module("a", 8, 1.0F);
    auto payload = EncodeModule(a, ModuleCodec::FP32).payload->bytes;
    std::vector<uint8_t> shapeless(payload.begin(), payload.end() - 4);
    std::vector<uint8_t> withNan(payload.begin(), payload.end());
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(withNan.data() + withNan.size() - 4, &nan, 4);
    ModuleStreamReader reader(1 << 20);
    Collector got(reader);
    const auto stream = Concat({MessageWithPayload("a", shapeless, 1),
                                MessageWithPayload("a", withNan, 1), Message(a, 5)});
    reader.Feed(stream.data(), stream.size());
    ASSERT_EQ(got.rejects.size(), 2U);
    EXPECT_EQ(got.rejects[0], RejectReason::SHAPE_MISMATCH);
    EXPECT_EQ(got.rejects[1], RejectReason::NON_FINITE_VALUE);
    ASSERT_EQ(got.fields.size(), 1U);
    EXPECT_EQ(got.fields[0].sender, 5U);
}

TEST(ModuleStreamReader, StreamEndingInsideAMessageIsTruncated)
{
    const auto m = Message(Module("a", 100, 1.0F), 1);
    for (std::size_t cut : {std::size_t{5}, std::size_t{30}, m.size() - 1})
    {
        ModuleStreamReader reader(1 << 20);
        Collector got(reader);
        reader.Feed(m.data(), cut);
        EXPECT_FALSE(reader.IsAtMessageBoundary());
        reader.Finish();
        ASSERT_EQ(got.rejects.size(), 1U) << cut;
        EXPECT_EQ(got.rejects[0], RejectReason::TRUNCATED);
        EXPECT_EQ(got.rejectHadFields[0], cut > 30) << "fields are known once the header is";
        EXPECT_TRUE(got.modules.empty());
    }
}

// A message cut short in the middle of a stream: its payload swallows the next message's
// bytes, the CRC rejects it, and the reader is back in step for the message after.
TEST(ModuleStreamReader, TruncationInsideAStreamCostsOneMoreMessageAtMost)
{
    const ModuleState a = Module("a", 100, 1.0F);
    const ModuleState b = Module("b", 100, 1.0F);
    auto cut = Message(a, 1);
    cut.resize(cut.size() - 40);
    ModuleStreamReader reader(1 << 20);
    Collector got(reader);
    const auto stream = Concat({cut, Message(b, 2), Message(a, 3)});
    reader.Feed(stream.data(), stream.size());
    ASSERT_GE(got.rejects.size(), 1U);
    EXPECT_EQ(got.rejects[0], RejectReason::PAYLOAD_CHECKSUM_MISMATCH);
    ASSERT_EQ(got.fields.size(), 1U);
    EXPECT_EQ(got.fields[0].sender, 3U);
}

TEST(ModuleStreamReader, RandomCorruptionNeverCrashes)
{
    std::mt19937 rng(77);
    const auto good = Message(Module("x", 64, 1.0F), 1);
    for (int trial = 0; trial < 300; ++trial)
    {
        std::vector<uint8_t> stream;
        for (int k = 0; k < 6; ++k)
        {
            auto m = good;
            if (rng() % 2)
            {
                for (int e = 0; e < 3; ++e)
                {
                    m[rng() % m.size()] = static_cast<uint8_t>(rng());
                }
            }
            if (rng() % 5 == 0)
            {
                m.resize(rng() % m.size());
            }
            stream.insert(stream.end(), m.begin(), m.end());
        }
        ModuleStreamReader reader(4096);
        Collector got(reader);
        FeedInChunks(reader, stream, rng, 50);
        reader.Finish();
        EXPECT_TRUE(reader.IsAtMessageBoundary());
        for (const auto& s : got.modules)
        {
            EXPECT_EQ(s->FindNonFinite(), s->GetNumel());
        }
        EXPECT_LE(got.modules.size(), 6U);
    }
}

namespace
{

/// The header of a message that declares \p payloadLength payload bytes.
std::vector<uint8_t>
HeaderDeclaring(uint32_t payloadLength)
{
    MessageFields f;
    f.moduleId = "adapter/0";
    f.payloadLength = payloadLength;
    std::vector<uint8_t> h(MessageFormat::HeaderSize(f.moduleId.size()));
    MessageFormat::WriteHeader(f, h.data());
    return h;
}

} // namespace

// A header is a promise, not bytes: what a reader holds follows what has arrived. (Sized
// from the header, one 30-byte header per connection reserved up to the payload limit.)
TEST(ModuleStreamReader, MemoryFollowsTheBytesThatArrived)
{
    const uint32_t declared = 200U << 20;
    const auto header = HeaderDeclaring(declared);
    std::vector<ModuleStreamReader> readers;
    readers.reserve(1000);
    std::size_t held = 0;
    for (int i = 0; i < 1000; ++i)
    {
        readers.emplace_back(256U << 20);
        readers.back().Feed(header.data(), header.size());
        held += readers.back().GetWriteWindow().size;
    }
    EXPECT_LE(held, std::size_t{1000} * 64 * 1024) << "bytes made ready for 1000 headers";

    // 1 MB later the buffer has grown with the bytes, to at most twice what arrived
    ModuleStreamReader& r = readers.front();
    const std::vector<uint8_t> chunk(1 << 20, 0);
    r.Feed(chunk.data(), chunk.size());
    EXPECT_LE(chunk.size() + r.GetWriteWindow().size, 2 * chunk.size());
}

// A module larger than the first buffer arrives bit-exact through every growth step, in
// chunks of any size.
TEST(ModuleStreamReader, LargeModulesArriveWholeAsTheBufferGrows)
{
    std::mt19937 rng(11);
    const ModuleState big = Module("backbone/0", 300000, 0.5F); // 1.2 MB
    const ModuleState small = Module("head/fine", 10, 2.0F);
    const auto stream = Concat({Message(big, 1), Message(small, 2), Message(big, 3)});
    for (std::size_t maxChunk : {std::size_t{7}, std::size_t{1500}, std::size_t{1} << 20})
    {
        ModuleStreamReader reader(16U << 20);
        Collector got(reader);
        FeedInChunks(reader, stream, rng, maxChunk);
        ASSERT_EQ(got.modules.size(), 3U) << maxChunk;
        EXPECT_TRUE(got.rejects.empty());
        EXPECT_TRUE(got.modules[0]->IsBitIdentical(big));
        EXPECT_TRUE(got.modules[1]->IsBitIdentical(small));
        EXPECT_TRUE(got.modules[2]->IsBitIdentical(big));
    }
}

// Memory runs out while a large payload arrives: that message is rejected with a reason,
// its bytes are skipped, the next message arrives, and nothing escapes the reader.
TEST(ModuleStreamReader, AnAllocationThatFailsIsARejection)
{
    if (!hffmtest::CanLimitMemory())
    {
        GTEST_SKIP() << "address space limits do not work under AddressSanitizer";
    }
    const std::string outcome = hffmtest::RunWithMemoryHeadroom(
        std::size_t{96} << 20,
        []
        {
            const uint32_t declared = 512U << 20;
            ModuleStreamReader reader(1U << 30);
            std::vector<RejectReason> rejects;
            std::vector<std::shared_ptr<ModuleState>> modules;
            reader.SetRejectCallback([&](RejectReason reason, const std::string&,
                                         const MessageFields*) { rejects.push_back(reason); });
            reader.SetMessageCallback([&](const MessageFields&, std::shared_ptr<ModuleState> s)
                                      { modules.push_back(std::move(s)); });
            const auto header = HeaderDeclaring(declared);
            reader.Feed(header.data(), header.size());
            const std::vector<uint8_t> chunk(1 << 20, 0);
            for (uint32_t sent = 0; sent < declared; sent += chunk.size())
            {
                reader.Feed(chunk.data(), chunk.size());
            }
            const ModuleState after = Module("head/fine", 10, 2.0F);
            const auto next = Message(after, 2);
            reader.Feed(next.data(), next.size());
            if (rejects != std::vector<RejectReason>{RejectReason::OUT_OF_MEMORY})
            {
                return 2;
            }
            return modules.size() == 1 && modules[0]->IsBitIdentical(after) ? 0 : 3;
        });
    EXPECT_EQ(outcome, "exit 0") << "2: not one out-of-memory rejection; 3: next message lost";
}
