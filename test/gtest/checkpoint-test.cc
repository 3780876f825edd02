/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "../hffm-test-util.h"
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
