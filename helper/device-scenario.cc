/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/device-scenario.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

namespace ns3
{

namespace
{

std::vector<std::string>
Split(const std::string& s, char by)
{
    std::vector<std::string> parts;
    std::stringstream ss(s);
    std::string part;
    while (std::getline(ss, part, by))
    {
        parts.push_back(part);
    }
    if (!s.empty() && s.back() == by)
    {
        parts.emplace_back();
    }
    return parts;
}

/**
 * \return an empty string and the number, or why \p text is not a finite number. A subnormal
 * number (strtod() reports ERANGE but returns it) is accepted; a number that overflows, or
 * that underflows to zero although the text is not zero, is not.
 */
std::string
ParseNumber(const std::string& text, const char* what, double& out)
{
    const char* begin = text.c_str();
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(begin, &end);
    const bool range = errno == ERANGE;
    const auto used = static_cast<std::size_t>(end - begin);
    const std::string named = std::string(what) + " '" + text + "'";
    if (used == 0 || used != text.size())
    {
        return named + " is not a number";
    }
    if (std::isnan(value))
    {
        return named + " is not a number (NaN)";
    }
    if (std::isinf(value))
    {
        return named
               + (range ? " is out of range: it overflows a double (largest 1.79769e+308)"
                        : " is infinite, not a finite number");
    }
    if (range && value == 0.0)
    {
        // strtod() reports ERANGE with a zero result only for a nonzero text.
        return named + " is out of range: it underflows to zero (smallest positive 4.94066e-324)";
    }
    out = value;
    return "";
}

/// \return the shortest text that strtod() reads back as \p value, bit for bit
std::string
FormatNumber(double value)
{
    // Shortest round-trip form: at most 24 characters ("-2.2250738585072014e-308").
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    if (result.ec != std::errc())
    {
        return "nan"; // not reached: the buffer holds any double
    }
    return std::string(buffer, result.ptr);
}

std::string
ParseLine(const std::string& line, const M3TConfig& config, DeviceSpec& spec)
{
    const auto fields = Split(line, ',');
    if (fields.size() != 4)
    {
        return "expected 4 comma-separated fields (modalities,tasks,macs_per_second,"
               "compute_watts), found "
               + std::to_string(fields.size());
    }
    for (const auto& name : Split(fields[0], '+'))
    {
        Modality m;
        if (!ParseModality(name, m))
        {
            return "modality '" + name + "' is not image or text";
        }
        spec.profile.modalities.insert(m);
    }
    if (fields[1] != "-")
    {
        for (const auto& name : Split(fields[1], '+'))
        {
            spec.profile.tasks.insert(name);
        }
    }
    std::string error = spec.profile.Check(config);
    if (!error.empty())
    {
        return error;
    }
    error = ParseNumber(fields[2], "macs_per_second", spec.macsPerSecond);
    if (error.empty() && !(spec.macsPerSecond > 0))
    {
        error = "macs_per_second '" + fields[2] + "' is not positive";
    }
    if (error.empty())
    {
        error = ParseNumber(fields[3], "compute_watts", spec.computePower);
    }
    if (error.empty() && spec.computePower < 0)
    {
        error = "compute_watts '" + fields[3] + "' is negative";
    }
    return error;
}

} // namespace

ScenarioContents
ParseScenario(const std::string& text, const std::string& name, const M3TConfig& config)
{
    ScenarioContents out;
    std::istringstream in(text);
    std::string line;
    std::size_t number = 0;
    std::vector<DeviceSpec> devices;
    while (std::getline(in, line))
    {
        ++number;
        if (!line.empty() && line.back() == '\r')
        {
            line.pop_back();
        }
        if (line.empty() || line[0] == '#')
        {
            continue;
        }
        DeviceSpec spec;
        const std::string error = ParseLine(line, config, spec);
        if (!error.empty())
        {
            out.error = name + ":" + std::to_string(number) + ": " + error;
            return out;
        }
        devices.push_back(spec);
    }
    if (devices.empty())
    {
        out.error = name + ": no device";
        return out;
    }
    out.devices = std::move(devices);
    return out;
}

ScenarioContents
ReadScenarioFile(const std::string& path, const M3TConfig& config)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        ScenarioContents out;
        out.error = path + ": cannot be opened";
        return out;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
    {
        ScenarioContents out;
        out.error = path + ": cannot be read";
        return out;
    }
    return ParseScenario(text.str(), path, config);
}

std::string
FormatScenarioLine(const DeviceSpec& spec)
{
    std::ostringstream os;
    std::string sep;
    for (auto m : spec.profile.modalities)
    {
        os << sep << ToString(m);
        sep = "+";
    }
    os << ",";
    sep = "";
    for (const auto& t : spec.profile.tasks)
    {
        os << sep << t;
        sep = "+";
    }
    if (spec.profile.tasks.empty())
    {
        os << "-";
    }
    os << "," << FormatNumber(spec.macsPerSecond) << "," << FormatNumber(spec.computePower);
    return os.str();
}

} // namespace ns3
