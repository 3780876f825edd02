/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/device-scenario.h"

#include <cmath>
#include <fstream>
#include <sstream>

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

/// \return an empty string and the number, or why \p text is not a finite number
std::string
ParseNumber(const std::string& text, const char* what, double& out)
{
    std::size_t used = 0;
    try
    {
        out = std::stod(text, &used);
    }
    catch (const std::exception&)
    {
        used = 0;
    }
    if (used == 0 || used != text.size() || !std::isfinite(out))
    {
        return std::string(what) + " '" + text + "' is not a number";
    }
    return "";
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
ReadScenarioFile(const std::string& path, const M3TConfig& config)
{
    ScenarioContents out;
    std::ifstream in(path);
    if (!in)
    {
        out.error = path + ": cannot be opened";
        return out;
    }
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
            out.error = path + ":" + std::to_string(number) + ": " + error;
            return out;
        }
        devices.push_back(spec);
    }
    if (devices.empty())
    {
        out.error = path + ": no device";
        return out;
    }
    out.devices = std::move(devices);
    return out;
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
    os << "," << spec.macsPerSecond << "," << spec.computePower;
    return os.str();
}

} // namespace ns3
