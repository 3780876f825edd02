/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/device-scenario.h"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <limits>

using namespace ns3;

namespace
{

std::string
WriteFile(const std::string& name, const std::string& text)
{
    const auto path = (std::filesystem::temp_directory_path() / name).string();
    std::ofstream(path) << text;
    return path;
}

} // namespace

TEST(DeviceScenario, ReadsDevicesInOrder)
{
    const auto path = WriteFile("hffm-scenario-ok.csv", "# two devices\n"
                                                        "image+text,fine+question,5e9,2.5\r\n"
                                                        "\n"
                                                        "text,-,1000,0\n");
    const ScenarioContents s = ReadScenarioFile(path);
    ASSERT_EQ(s.error, "");
    ASSERT_EQ(s.devices.size(), 2U);
    EXPECT_EQ(s.devices[0].profile.modalities,
              (std::set<Modality>{Modality::IMAGE, Modality::TEXT}));
    EXPECT_EQ(s.devices[0].profile.tasks, (std::set<std::string>{"fine", "question"}));
    EXPECT_EQ(s.devices[0].macsPerSecond, 5e9);
    EXPECT_EQ(s.devices[0].computePower, 2.5);
    EXPECT_EQ(s.devices[1].profile.modalities, (std::set<Modality>{Modality::TEXT}));
    EXPECT_TRUE(s.devices[1].profile.tasks.empty());
    EXPECT_EQ(s.devices[1].macsPerSecond, 1000.0);
    // a formatted line reads back as the same device
    const auto again = ReadScenarioFile(
        WriteFile("hffm-scenario-again.csv", FormatScenarioLine(s.devices[0]) + "\n"
                                                 + FormatScenarioLine(s.devices[1]) + "\n"));
    ASSERT_EQ(again.error, "");
    EXPECT_EQ(again.devices[0].profile.tasks, s.devices[0].profile.tasks);
    EXPECT_EQ(again.devices[1].profile.modalities, s.devices[1].profile.modalities);
    EXPECT_EQ(again.devices[0].macsPerSecond, 5e9);
}

TEST(DeviceScenario, BadLinesAreRejectedNamingLineAndValue)
{
    struct Case
    {
        std::string line;
        std::string expect;
    };
    for (const Case& c : std::vector<Case>{
             {"image,fine,5e9", "4 comma-separated fields"},
             {"radar,fine,5e9,1", "modality 'radar'"},
             {"image,question,5e9,1", "needs the text modality"},
             {"image,colour,5e9,1", "unknown task 'colour'"},
             {"image,fine,fast,1", "macs_per_second 'fast'"},
             {"image,fine,0,1", "macs_per_second '0' is not positive"},
             {"image,fine,5e9,-1", "compute_watts '-1' is negative"},
             {"image,fine,5e9,nan", "compute_watts 'nan'"},
         })
    {
        const auto path
            = WriteFile("hffm-scenario-bad.csv", "# header\nimage,fine,1e9,1\n" + c.line + "\n");
        const ScenarioContents s = ReadScenarioFile(path);
        EXPECT_TRUE(s.devices.empty()) << c.line;
        EXPECT_NE(s.error.find(":3: "), std::string::npos) << s.error;
        EXPECT_NE(s.error.find(c.expect), std::string::npos) << s.error;
    }
    EXPECT_NE(ReadScenarioFile("/nonexistent/scenario.csv").error.find("cannot be opened"),
              std::string::npos);
    EXPECT_NE(ReadScenarioFile(WriteFile("hffm-scenario-empty.csv", "# nothing\n"))
                  .error.find("no device"),
              std::string::npos);
}

namespace
{

/// \return true if both doubles have the same bits (tells -0 from +0)
bool
SameBits(double a, double b)
{
    uint64_t x;
    uint64_t y;
    std::memcpy(&x, &a, sizeof(x));
    std::memcpy(&y, &b, sizeof(y));
    return x == y;
}

} // namespace

TEST(DeviceScenario, WrittenNumbersReadBackBitForBit)
{
    // Edge values of both numbers: beyond 6 significant digits, the largest and smallest
    // normal doubles, the smallest subnormal, values with no short decimal form, zero watts.
    const std::vector<double> values{5000000001.0,
                                     std::numeric_limits<double>::max(),
                                     std::numeric_limits<double>::min(),
                                     std::numeric_limits<double>::denorm_min(),
                                     0.1,
                                     1.0 / 3.0,
                                     123456789.123456789,
                                     1e300};
    std::vector<DeviceSpec> written;
    for (double v : values)
    {
        DeviceSpec spec;
        spec.profile.modalities = {Modality::IMAGE};
        spec.profile.tasks = {"fine"};
        spec.macsPerSecond = v;
        spec.computePower = v;
        written.push_back(spec);
    }
    DeviceSpec idle;
    idle.profile.modalities = {Modality::TEXT};
    idle.macsPerSecond = 1.0;
    idle.computePower = 0.0;
    written.push_back(idle);

    std::string text = "# modalities,tasks,macs_per_second,compute_watts\n";
    for (const auto& spec : written)
    {
        text += FormatScenarioLine(spec) + "\n";
    }
    const ScenarioContents read = ReadScenarioFile(WriteFile("hffm-scenario-roundtrip.csv", text));
    ASSERT_EQ(read.error, "") << text;
    ASSERT_EQ(read.devices.size(), written.size());
    for (std::size_t i = 0; i < written.size(); ++i)
    {
        const DeviceSpec& a = written[i];
        const DeviceSpec& b = read.devices[i];
        EXPECT_EQ(a.profile.modalities, b.profile.modalities) << i;
        EXPECT_EQ(a.profile.tasks, b.profile.tasks) << i;
        EXPECT_TRUE(SameBits(a.macsPerSecond, b.macsPerSecond))
            << FormatScenarioLine(a) << " read back as " << FormatScenarioLine(b);
        EXPECT_TRUE(SameBits(a.computePower, b.computePower))
            << FormatScenarioLine(a) << " read back as " << FormatScenarioLine(b);
    }
    // The text is the shortest that reads back: no 17-digit noise for 0.1.
    DeviceSpec tenth;
    tenth.profile.modalities = {Modality::IMAGE};
    tenth.macsPerSecond = 5000000001.0;
    tenth.computePower = 0.1;
    EXPECT_EQ(FormatScenarioLine(tenth), "image,-,5000000001,0.1");
    // The same text parses the same way from memory.
    const ScenarioContents parsed = ParseScenario(text, "in-memory");
    ASSERT_EQ(parsed.error, "");
    ASSERT_EQ(parsed.devices.size(), written.size());
    EXPECT_TRUE(SameBits(parsed.devices[3].macsPerSecond, values[3]));
}

TEST(DeviceScenario, OutOfRangeNumbersAreRejectedNamingLineAndValue)
{
    struct Case
    {
        std::string line;
        std::string expect;
    };
    for (const Case& c : std::vector<Case>{
             {"image,fine,1e309,1", "macs_per_second '1e309' is out of range: it overflows"},
             {"image,fine,5e9,1e400", "compute_watts '1e400' is out of range: it overflows"},
             {"image,fine,1e-400,1", "macs_per_second '1e-400' is out of range: it underflows"},
             {"image,fine,5e9,2e-324", "compute_watts '2e-324' is out of range: it underflows"},
             {"image,fine,inf,1", "macs_per_second 'inf' is infinite"},
             {"image,fine,5e9,1e", "compute_watts '1e' is not a number"},
         })
    {
        const ScenarioContents s
            = ParseScenario("image,fine,1e9,1\n\n" + c.line + "\n", "scenario.csv");
        EXPECT_TRUE(s.devices.empty()) << c.line;
        EXPECT_NE(s.error.find("scenario.csv:3: "), std::string::npos) << s.error;
        EXPECT_NE(s.error.find(c.expect), std::string::npos) << s.error;
    }
    // Subnormal and exact-zero texts are numbers: strtod() flags the former with ERANGE.
    const ScenarioContents tiny = ParseScenario("image,fine,4.9406564584124654e-324,0e-400\n"
                                                "text,-,2.2250738585072014e-308,1e-310\n",
                                                "tiny.csv");
    ASSERT_EQ(tiny.error, "");
    ASSERT_EQ(tiny.devices.size(), 2U);
    EXPECT_EQ(tiny.devices[0].macsPerSecond, std::numeric_limits<double>::denorm_min());
    EXPECT_TRUE(SameBits(tiny.devices[0].computePower, 0.0));
    EXPECT_EQ(tiny.devices[1].macsPerSecond, std::numeric_limits<double>::min());
    EXPECT_EQ(tiny.devices[1].computePower, 1e-310);
}
