/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// libFuzzer target: ParseScenario() (device-scenario.h) on arbitrary text.
//
// Invariants:
//  - all or nothing: an error and no device, or devices and no error; an error names the
//    input, and a line's error its line number;
//  - every accepted device has a runnable profile, a positive finite speed and a finite
//    non-negative power;
//  - FormatScenarioLine() of each accepted device parses back to an identical DeviceSpec
//    (the doubles compared bit for bit), line by line and as a whole file;
//  - the other way round, from the first 17 bytes of the input (a profile byte and two
//    doubles, when the doubles are a valid speed and power): the line FormatScenarioLine()
//    writes for such a device is accepted and reads back bit for bit. Subnormal, the
//    largest and the smallest numbers included.

#include "fuzz-common.h"
#include "ns3/device-scenario.h"

using namespace hffm::fuzz;

namespace
{

bool
SameBits(double a, double b)
{
    return std::memcmp(&a, &b, sizeof(a)) == 0;
}

void
CheckSame(const ns3::DeviceSpec& a, const ns3::DeviceSpec& b, const std::string& line)
{
    HFFM_FUZZ_CHECK(a.profile.modalities == b.profile.modalities, "modalities of " + line);
    HFFM_FUZZ_CHECK(a.profile.tasks == b.profile.tasks, "tasks of " + line);
    HFFM_FUZZ_CHECK(SameBits(a.macsPerSecond, b.macsPerSecond),
                    "macs_per_second of " + line + " read back as " + ns3::FormatScenarioLine(b));
    HFFM_FUZZ_CHECK(SameBits(a.computePower, b.computePower),
                    "compute_watts of " + line + " read back as " + ns3::FormatScenarioLine(b));
}

/// Build a valid device from 17 bytes of the input; write it, read it, compare.
void
CheckWrittenDevice(const uint8_t* data, const ns3::M3TConfig& config)
{
    ns3::DeviceSpec spec;
    const uint8_t profile = data[0];
    if ((profile & 1U) != 0 || (profile & 2U) == 0)
    {
        spec.profile.modalities.insert(ns3::Modality::IMAGE);
    }
    if ((profile & 2U) != 0)
    {
        spec.profile.modalities.insert(ns3::Modality::TEXT);
    }
    const char* tasks[] = {"fine", "coarse", "question"};
    for (unsigned k = 0; k < 3; ++k)
    {
        if ((profile & (4U << k)) != 0)
        {
            spec.profile.tasks.insert(tasks[k]);
        }
    }
    if (!spec.profile.Check(config).empty())
    {
        spec.profile.tasks.erase("question"); // it needs the text modality
    }
    std::memcpy(&spec.macsPerSecond, data + 1, 8);
    std::memcpy(&spec.computePower, data + 9, 8);
    if (!(std::isfinite(spec.macsPerSecond) && spec.macsPerSecond > 0
          && std::isfinite(spec.computePower) && spec.computePower >= 0))
    {
        return;
    }
    const std::string line = ns3::FormatScenarioLine(spec);
    const ns3::ScenarioContents back = ns3::ParseScenario(line, "written", config);
    HFFM_FUZZ_CHECK(back.error.empty() && back.devices.size() == 1,
                    "the written line '" + line + "' does not read back: " + back.error);
    CheckSame(spec, back.devices[0], line);
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    static const std::string name = "fuzz.csv";
    static const ns3::M3TConfig config;
    if (size >= 17)
    {
        CheckWrittenDevice(data, config);
    }
    const std::string text(reinterpret_cast<const char*>(data), size);
    const ns3::ScenarioContents s = ns3::ParseScenario(text, name, config);
    HFFM_FUZZ_CHECK(s.error.empty() != s.devices.empty(),
                    "not all or nothing: " + std::to_string(s.devices.size())
                        + " devices and error '" + s.error + "'");
    if (!s.error.empty())
    {
        HFFM_FUZZ_CHECK(s.error.compare(0, name.size() + 1, name + ":") == 0,
                        "the error does not name the input: " + s.error);
        return 0;
    }
    std::string all;
    for (const auto& d : s.devices)
    {
        HFFM_FUZZ_CHECK(d.profile.Check(config).empty(), d.profile.Check(config));
        HFFM_FUZZ_CHECK(std::isfinite(d.macsPerSecond) && d.macsPerSecond > 0,
                        "macs_per_second " + std::to_string(d.macsPerSecond));
        HFFM_FUZZ_CHECK(std::isfinite(d.computePower) && d.computePower >= 0,
                        "compute_watts " + std::to_string(d.computePower));
        const std::string line = ns3::FormatScenarioLine(d);
        const ns3::ScenarioContents again = ns3::ParseScenario(line, "line", config);
        HFFM_FUZZ_CHECK(again.error.empty() && again.devices.size() == 1,
                        "'" + line + "' does not read back: " + again.error);
        CheckSame(d, again.devices[0], line);
        all += line + "\n";
    }
    const ns3::ScenarioContents whole = ns3::ParseScenario(all, "whole", config);
    HFFM_FUZZ_CHECK(whole.error.empty() && whole.devices.size() == s.devices.size(),
                    "the formatted file does not read back: " + whole.error);
    for (std::size_t i = 0; i < s.devices.size(); ++i)
    {
        CheckSame(s.devices[i], whole.devices[i], ns3::FormatScenarioLine(s.devices[i]));
    }
    return 0;
}
