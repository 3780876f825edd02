/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/checked-command-line.h"
#include "ns3/output-folder.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <limits>
#include <unistd.h>

using namespace ns3;

TEST(CheckedCommandLine, ReadsWholeNumbersInRange)
{
    uint32_t u = 7;
    EXPECT_EQ(ParseCheckedValue("5", {1}, u), "");
    EXPECT_EQ(u, 5U);
    EXPECT_EQ(ParseCheckedValue("4294967295", {0}, u), "");
    EXPECT_EQ(u, 4294967295U);
    uint64_t big = 0;
    EXPECT_EQ(ParseCheckedValue("1073741824", {8, 1ULL << 30}, big), "");
    EXPECT_EQ(big, 1ULL << 30);
    int64_t s = 0;
    EXPECT_EQ(ParseCheckedValue("-3", {-5, 5}, s), "");
    EXPECT_EQ(s, -3);
    double d = 0;
    EXPECT_EQ(ParseCheckedValue("2.5e-3", ValueRange<double>::Positive(), d), "");
    EXPECT_DOUBLE_EQ(d, 2.5e-3);
    EXPECT_EQ(ParseCheckedValue("1", {0.0, 1.0}, d), "");
    EXPECT_EQ(d, 1.0);
}

TEST(CheckedCommandLine, RefusesNegativeFractionalAndTrailingText)
{
    uint32_t u = 7;
    // what istringstream >> uint32_t accepts: -1 wraps, "5x" is 5, "1.5" is 1
    for (const char* text : {"-1", "-0", "5x", "1.5", "", " 5", "5 ", "+5", "0x10", "1e3"})
    {
        EXPECT_EQ(ParseCheckedValue(text, {1}, u), "not an integer from 1 to 4294967295")
            << "'" << text << "'";
    }
    EXPECT_EQ(u, 7U) << "the value is left alone on refusal";
    EXPECT_NE(ParseCheckedValue("4294967296", {0}, u), "") << "beyond the type";
    EXPECT_NE(ParseCheckedValue("99999999999999999999", {0}, u), "");
    int64_t s = 0;
    EXPECT_EQ(ParseCheckedValue("-1", {1}, s), "not an integer from 1 to 9223372036854775807");
    double d = 0.5;
    for (const char* text : {"nan", "inf", "-inf", "1e400", "0.5x", "", ".", "1,5"})
    {
        EXPECT_NE(ParseCheckedValue(text, {}, d), "") << "'" << text << "'";
    }
    EXPECT_EQ(d, 0.5);
}

TEST(CheckedCommandLine, RefusesValuesOutsideTheRange)
{
    uint32_t u = 0;
    EXPECT_EQ(ParseCheckedValue("0", {1, 50000}, u), "not an integer from 1 to 50000");
    EXPECT_EQ(ParseCheckedValue("50001", {1, 50000}, u), "not an integer from 1 to 50000");
    EXPECT_EQ(ParseCheckedValue("0", ValueRange<uint32_t>::Positive(), u),
              "not an integer from 1 to 4294967295");
    double p = 0;
    EXPECT_EQ(ParseCheckedValue("1.5", {0.0, 1.0}, p), "not a number in [0, 1]");
    EXPECT_EQ(ParseCheckedValue("-0.1", {0.0, 1.0}, p), "not a number in [0, 1]");
    EXPECT_EQ(ParseCheckedValue("0", {0.0, 1.0, true}, p), "not a number in (0, 1]");
    EXPECT_EQ(ParseCheckedValue("0", ValueRange<double>::Positive(), p), "not a number > 0");
    EXPECT_EQ(ParseCheckedValue("-1", {0.0}, p), "not a number >= 0");
    EXPECT_EQ(ParseCheckedValue("0.5", {0.0, 1.0, true}, p), "");
    EXPECT_EQ(p, 0.5);
}

TEST(CheckedCommandLine, ReadsTimesAndRatesAsNs3Does)
{
    Time t;
    EXPECT_EQ(ParseCheckedTime("2ms", t), "");
    EXPECT_EQ(t, MilliSeconds(2));
    EXPECT_EQ(ParseCheckedTime("1.5", t), "");
    EXPECT_EQ(t, Seconds(1.5));
    EXPECT_EQ(ParseCheckedTime("0s", t), "");
    for (const char* text : {"-1ms", "5x", "2msx", "ms", "", "2 ms", "1e300y", "nanms"})
    {
        EXPECT_NE(ParseCheckedTime(text, t), "") << "'" << text << "'";
    }
    DataRate r;
    EXPECT_EQ(ParseCheckedDataRate("100Mbps", r), "");
    EXPECT_EQ(r.GetBitRate(), 100000000U);
    EXPECT_EQ(ParseCheckedDataRate("1.5kbps", r), "");
    EXPECT_EQ(r.GetBitRate(), 1500U);
    for (const char* text :
         {"-1Mbps", "0bps", "5x", "100", "100Mbpsx", "100Mbps ", "1e3bps", "99999999999Gbps", ""})
    {
        EXPECT_NE(ParseCheckedDataRate(text, r), "") << "'" << text << "'";
    }
}

TEST(CheckedCommandLine, ParsesGoodValuesThroughCommandLine)
{
    uint32_t rounds = 8;
    double probability = 0.8;
    std::string delay = "10ms";
    CommandLine cmd;
    AddCheckedValue(cmd, "rounds", "edge rounds", rounds, {1});
    AddCheckedValue(cmd, "probability", "a probability", probability, {0.0, 1.0});
    AddCheckedTime(cmd, "delay", "a delay", delay);
    cmd.Parse(std::vector<std::string>{"prog", "--rounds=3", "--probability=0.25", "--delay=1s"});
    EXPECT_EQ(rounds, 3U);
    EXPECT_EQ(probability, 0.25);
    EXPECT_EQ(delay, "1s");
    std::ostringstream help;
    cmd.PrintHelp(help);
    EXPECT_NE(help.str().find("edge rounds (an integer from 1 to 4294967295) [8]"),
              std::string::npos)
        << help.str();
}

TEST(CheckedCommandLineDeathTest, NamesTheRefusedOptionAndExits)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    auto parse = [](const std::string& arg)
    {
        uint32_t rounds = 8;
        CommandLine cmd;
        AddCheckedValue(cmd, "rounds", "edge rounds", rounds, {1});
        cmd.Parse(std::vector<std::string>{"prog", arg});
    };
    EXPECT_EXIT(parse("--rounds=-1"), testing::ExitedWithCode(1),
                "--rounds=-1: not an integer from 1 to 4294967295");
    EXPECT_EXIT(parse("--rounds=5x"), testing::ExitedWithCode(1), "--rounds=5x: not an integer");
}

TEST(OutputFolder, CreatesNestedFolders)
{
    const auto base = std::filesystem::temp_directory_path()
                      / ("hffm-output-folder-" + std::to_string(static_cast<long>(getpid())));
    std::filesystem::remove_all(base);
    const auto nested = base / "a" / "b" / "c";
    EXPECT_EQ(PrepareOutputFolder(nested.string()), "");
    EXPECT_TRUE(std::filesystem::is_directory(nested));
    EXPECT_TRUE(std::filesystem::is_empty(nested)) << "the write check leaves nothing behind";
    EXPECT_EQ(PrepareOutputFolder(nested.string()), "") << "an existing folder is fine";
    std::filesystem::remove_all(base);
}

TEST(OutputFolder, NamesAFolderThatCannotBeMade)
{
    const auto base = std::filesystem::temp_directory_path()
                      / ("hffm-output-file-" + std::to_string(static_cast<long>(getpid())));
    std::filesystem::remove_all(base);
    std::ofstream(base) << "a regular file\n";
    const std::string below = (base / "sub").string();
    const std::string error = PrepareOutputFolder(below);
    EXPECT_NE(error.find("'" + below + "'"), std::string::npos) << error;
    const std::string same = PrepareOutputFolder(base.string());
    EXPECT_NE(same.find("'" + base.string() + "'"), std::string::npos) << same;
    EXPECT_NE(PrepareOutputFolder(""), "");
    std::filesystem::remove_all(base);
}
