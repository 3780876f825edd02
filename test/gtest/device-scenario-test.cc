/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/device-scenario.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

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
