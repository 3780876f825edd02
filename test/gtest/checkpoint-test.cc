/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "../hffm-test-util.h"
#include "memory-limit.h"
#include "ns3/checkpoint.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <limits>

using namespace ns3;

namespace
{

std::string
TempPath(const std::string& name)
{
    return (std::filesystem::temp_directory_path() / name).string();
}

std::vector<char>
ReadAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

void
WriteAll(const std::string& path, const std::vector<char>& bytes)
{
    std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
}

std::vector<std::shared_ptr<const ModuleState>>
Modules()
{
    return {std::make_shared<ModuleState>(hffmtest::MakeModule("backbone/0", 5000, 1.0F)),
            std::make_shared<ModuleState>(hffmtest::MakeModule("encoder/image", 300, 2.0F))};
}

} // namespace

TEST(Checkpoint, RoundTripIsBitExact)
{
    const auto path = TempPath("hffm-ckpt-ok.bin");
    const auto modules = Modules();
    ASSERT_EQ(WriteCheckpoint(path, modules), "");
    const auto read = ReadCheckpoint(path);
    ASSERT_EQ(read.error, "");
    ASSERT_EQ(read.modules.size(), 2U);
    EXPECT_TRUE(read.modules[0]->IsBitIdentical(*modules[0]));
    EXPECT_TRUE(read.modules[1]->IsBitIdentical(*modules[1]));
    std::filesystem::remove(path);
}

TEST(Checkpoint, CorruptFilesAreRejectedWholeWithAReason)
{
    const auto path = TempPath("hffm-ckpt-bad.bin");
    ASSERT_EQ(WriteCheckpoint(path, Modules()), "");
    const auto good = ReadAll(path);

    auto flipped = good;
    flipped[good.size() / 3] ^= 0x40; // inside the first module's data
    WriteAll(path, flipped);
    auto read = ReadCheckpoint(path);
    EXPECT_TRUE(read.modules.empty());
    EXPECT_NE(read.error.find("payload-checksum-mismatch"), std::string::npos) << read.error;
    EXPECT_NE(read.error.find(path), std::string::npos) << read.error;

    WriteAll(path, std::vector<char>(good.begin(), good.end() - 100));
    read = ReadCheckpoint(path);
    EXPECT_TRUE(read.modules.empty());
    EXPECT_NE(read.error.find("truncated"), std::string::npos) << read.error;

    WriteAll(path, {});
    read = ReadCheckpoint(path);
    EXPECT_NE(read.error.find("no module"), std::string::npos) << read.error;

    WriteAll(path, std::vector<char>(100, 'x'));
    read = ReadCheckpoint(path);
    EXPECT_NE(read.error.find("bad-magic"), std::string::npos) << read.error;

    read = ReadCheckpoint(TempPath("hffm-no-such-checkpoint.bin"));
    EXPECT_NE(read.error.find("cannot open"), std::string::npos);
    std::filesystem::remove(path);
}

// The file is written beside its path and renamed over it: an old checkpoint stays whole
// until the new one is, and neither a success nor a failure leaves a partial file behind.
// (Written in place, a write that failed at its second module left a file holding only the
// first, which reads cleanly.)
TEST(Checkpoint, AWriteReplacesTheFileWholeOrNotAtAll)
{
    const auto folder = std::filesystem::temp_directory_path() / "hffm-ckpt-replace";
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    const auto path = (folder / "foundation.hffm").string();
    auto onlyFiles = [&]()
    {
        std::vector<std::string> names;
        for (const auto& entry : std::filesystem::directory_iterator(folder))
        {
            names.push_back(entry.path().filename().string());
        }
        return names;
    };
    ASSERT_EQ(WriteCheckpoint(path, {Modules()[1]}), "");
    ASSERT_EQ(WriteCheckpoint(path, Modules()), "");
    auto read = ReadCheckpoint(path);
    ASSERT_EQ(read.error, "");
    EXPECT_EQ(read.modules.size(), 2U);
    EXPECT_EQ(onlyFiles(), std::vector<std::string>{"foundation.hffm"});

    // the second module cannot be encoded: the error says why, the old file is untouched
    auto bad = std::make_shared<ModuleState>(hffmtest::MakeModule("encoder/text", 10, 0.0F));
    bad->GetData()[3] = std::numeric_limits<float>::quiet_NaN();
    const std::string error = WriteCheckpoint(path, {Modules()[0], bad});
    EXPECT_NE(error.find("non-finite"), std::string::npos) << error;
    read = ReadCheckpoint(path);
    ASSERT_EQ(read.error, "");
    ASSERT_EQ(read.modules.size(), 2U);
    EXPECT_TRUE(read.modules[0]->IsBitIdentical(*Modules()[0]));
    EXPECT_TRUE(read.modules[1]->IsBitIdentical(*Modules()[1]));
    EXPECT_EQ(onlyFiles(), std::vector<std::string>{"foundation.hffm"});
    std::filesystem::remove_all(folder);
}

// All or nothing, at every length: no prefix of a checkpoint reads as a checkpoint. (In
// format 1 the cut between the two modules read cleanly, with one module.)
TEST(Checkpoint, EveryTruncationIsRefused)
{
    const auto path = TempPath("hffm-ckpt-cut.bin");
    const auto modules = std::vector<std::shared_ptr<const ModuleState>>{
        std::make_shared<ModuleState>(hffmtest::MakeModule("backbone/0", 20, 1.0F)),
        std::make_shared<ModuleState>(hffmtest::MakeModule("encoder/image", 12, 2.0F))};
    ASSERT_EQ(WriteCheckpoint(path, modules), "");
    const auto whole = ReadAll(path);
    const auto* bytes = reinterpret_cast<const uint8_t*>(whole.data());
    ASSERT_EQ(ParseCheckpoint(bytes, whole.size(), "whole").error, "");
    for (std::size_t n = 0; n < whole.size(); ++n)
    {
        const auto read = ParseCheckpoint(bytes, n, "cut");
        EXPECT_TRUE(read.modules.empty()) << n << " of " << whole.size() << " bytes";
        EXPECT_NE(read.error, "") << n << " of " << whole.size() << " bytes";
    }
    auto longer = whole;
    longer.push_back(0);
    auto read
        = ParseCheckpoint(reinterpret_cast<const uint8_t*>(longer.data()), longer.size(), "longer");
    EXPECT_TRUE(read.modules.empty());
    EXPECT_NE(read.error.find("follow the trailer"), std::string::npos) << read.error;
    // a flipped bit in the trailer's count or CRC
    for (std::size_t back : {std::size_t{1}, std::size_t{5}})
    {
        auto flipped = whole;
        flipped[flipped.size() - back] ^= 0x01;
        read = ParseCheckpoint(reinterpret_cast<const uint8_t*>(flipped.data()), flipped.size(),
                               "flipped");
        EXPECT_TRUE(read.modules.empty()) << back;
    }
    std::filesystem::remove(path);
}

// A file in format 1 (module messages back to back, what earlier versions wrote) is refused
// with a message that says what it is, not read with the risk of a missing module.
TEST(Checkpoint, FormatOneIsRefusedByName)
{
    const auto message
        = hffmtest::Message(hffmtest::MakeModule("backbone/0", 20, 1.0F), 0, ModuleCodec::FP32);
    const auto read = ParseCheckpoint(message.data(), message.size(), "old.hffm");
    EXPECT_TRUE(read.modules.empty());
    EXPECT_NE(read.error.find("format 1"), std::string::npos) << read.error;
    EXPECT_NE(read.error.find("old.hffm"), std::string::npos) << read.error;
}

// A length field never decides an allocation: the reader allocates by the file's size. The
// 43 bytes of a format-1 file (a header declaring a 4 GiB payload, 12 bytes of it) made the
// reader allocate 4 GiB, and where memory was short std::bad_alloc ended the process.
TEST(Checkpoint, ALengthFieldNeverDecidesAnAllocation)
{
    MessageFields f;
    f.type = MessageType::MODULE_PUSH;
    f.moduleId = "a";
    f.payloadLength = std::numeric_limits<uint32_t>::max();
    std::vector<uint8_t> header(MessageFormat::HeaderSize(1));
    MessageFormat::WriteHeader(f, header.data());
    std::vector<uint8_t> old = header;
    old.resize(old.size() + 12, 0);
    ASSERT_EQ(old.size(), 43U);
    const auto path = TempPath("hffm-ckpt-4gib.bin");
    WriteAll(path, std::vector<char>(old.begin(), old.end()));
    if (hffmtest::CanLimitMemory())
    {
        const std::string outcome = hffmtest::RunWithMemoryHeadroom(
            std::size_t{256} << 20,
            [&]
            {
                const auto r = ReadCheckpoint(path);
                return r.modules.empty() && !r.error.empty() ? 0 : 1;
            });
        EXPECT_EQ(outcome, "exit 0");
    }
    // the same header inside a format-2 file: refused as truncated, naming the length
    std::vector<uint8_t> file = {'H', 'F', 'F', 'M', 'C', 'K', 'P', 'T', 0, 0, 0, 2, 0, 0, 0, 1};
    file.insert(file.end(), old.begin(), old.end());
    WriteAll(path, std::vector<char>(file.begin(), file.end()));
    const auto read = ReadCheckpoint(path);
    EXPECT_TRUE(read.modules.empty());
    EXPECT_NE(read.error.find("truncated"), std::string::npos) << read.error;
    EXPECT_NE(read.error.find("4294967295"), std::string::npos) << read.error;
    std::filesystem::remove(path);
}
