/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/checked-command-line.h"

#include <charconv>
#include <cmath>
#include <iostream>
#include <sstream>
#include <system_error>
#include <type_traits>

namespace ns3
{

namespace
{

/// A value as the help text and the messages show it.
template <typename T>
std::string
Format(T value)
{
    std::ostringstream os;
    os << value;
    return os.str();
}

/// \return whether \p value lies in \p range
template <typename T>
bool
Contains(const ValueRange<T>& range, T value)
{
    return (range.minExclusive ? value > range.min : value >= range.min)
           && (range.maxExclusive ? value < range.max : value <= range.max);
}

template <typename T>
std::string
Parse(const std::string& text, const ValueRange<T>& range, T& value)
{
    const char* first = text.data();
    const char* last = text.data() + text.size();
    T parsed{};
    std::from_chars_result result;
    if constexpr (std::is_floating_point_v<T>)
    {
        result = std::from_chars(first, last, parsed, std::chars_format::general);
    }
    else
    {
        result = std::from_chars(first, last, parsed, 10);
    }
    const bool whole = result.ec == std::errc() && result.ptr == last;
    bool finite = true;
    if constexpr (std::is_floating_point_v<T>)
    {
        finite = std::isfinite(parsed);
    }
    if (!whole || !finite || !Contains(range, parsed))
    {
        return "not " + range.Describe();
    }
    value = parsed;
    return "";
}

/// Print why \p text is refused for option \p name; CommandLine adds its own line.
bool
Refuse(const std::string& name, const std::string& text, const std::string& error)
{
    std::cerr << "--" << name << "=" << text << ": " << error << std::endl;
    return false;
}

template <typename T>
void
Add(CommandLine& cmd, const std::string& name, const std::string& help, T& value,
    const ValueRange<T>& range)
{
    cmd.AddValue(name, help + " (" + range.Describe() + ")",
                 Callback<bool, std::string>(
                     [name, range, &value](std::string text)
                     {
                         const std::string error = Parse(text, range, value);
                         return error.empty() || Refuse(name, text, error);
                     }),
                 Format(value));
}

} // namespace

template <typename T>
std::string
ValueRange<T>::Describe() const
{
    std::ostringstream os;
    if constexpr (std::is_floating_point_v<T>)
    {
        const bool lowOpen = std::isinf(min) && min < 0;
        const bool highOpen = std::isinf(max) && max > 0;
        if (lowOpen && highOpen)
        {
            os << "a finite number";
        }
        else if (highOpen)
        {
            os << "a number " << (minExclusive ? "> " : ">= ") << min;
        }
        else if (lowOpen)
        {
            os << "a number " << (maxExclusive ? "< " : "<= ") << max;
        }
        else
        {
            os << "a number in " << (minExclusive ? "(" : "[") << min << ", " << max
               << (maxExclusive ? ")" : "]");
        }
    }
    else
    {
        // integers: exclusive bounds shown as the inclusive ones next to them
        const T low = minExclusive && min < std::numeric_limits<T>::max() ? T(min + 1) : min;
        const T high = maxExclusive && max > std::numeric_limits<T>::lowest() ? T(max - 1) : max;
        os << "an integer from " << low << " to " << high;
    }
    return os.str();
}

template struct ValueRange<uint32_t>;
template struct ValueRange<uint64_t>;
template struct ValueRange<int64_t>;
template struct ValueRange<double>;

std::string
ParseCheckedValue(const std::string& text, const ValueRange<uint32_t>& range, uint32_t& value)
{
    return Parse(text, range, value);
}

std::string
ParseCheckedValue(const std::string& text, const ValueRange<uint64_t>& range, uint64_t& value)
{
    return Parse(text, range, value);
}

std::string
ParseCheckedValue(const std::string& text, const ValueRange<int64_t>& range, int64_t& value)
{
    return Parse(text, range, value);
}

std::string
ParseCheckedValue(const std::string& text, const ValueRange<double>& range, double& value)
{
    return Parse(text, range, value);
}

std::string
ParseCheckedTime(const std::string& text, Time& value)
{
    // split as Time(std::string) does: the number, then the unit (none: seconds)
    const std::size_t unitAt = text.find_first_not_of("+-0123456789.eE");
    const std::string number = text.substr(0, unitAt);
    const std::string unit = unitAt == std::string::npos ? "" : text.substr(unitAt);
    static const std::pair<const char*, double> units[]
        = {{"", 1.0},     {"s", 1.0},     {"ms", 1e-3},          {"us", 1e-6},
           {"ns", 1e-9},  {"ps", 1e-12},  {"fs", 1e-15},         {"min", 60.0},
           {"h", 3600.0}, {"d", 86400.0}, {"y", 365.0 * 86400.0}};
    for (const auto& [name, seconds] : units)
    {
        double amount = 0.0;
        if (unit == name && ParseCheckedValue(number, {0.0}, amount).empty()
            && amount * seconds <= Time::Max().GetSeconds() / 2)
        {
            value = Time(text);
            return "";
        }
    }
    return "not a time >= 0 with a unit (s, ms, us, ns, ps, fs, min, h, d, y), e.g. 2ms";
}

std::string
ParseCheckedDataRate(const std::string& text, DataRate& value)
{
    // a number, then one of DataRate's units (bps, kbps, Mbps, MB/s, GiB/s, ...)
    const std::size_t unitAt = text.find_first_not_of("0123456789.");
    double amount = 0.0;
    DataRate perUnit;
    if (unitAt != std::string::npos && text.find_first_of(" \t\n\r\f\v") == std::string::npos
        && ParseCheckedValue(text.substr(0, unitAt), ValueRange<double>::Positive(), amount)
               .empty())
    {
        std::istringstream unit("1" + text.substr(unitAt));
        unit >> perUnit;
        if (unit.fail() || !(unit >> std::ws).eof())
        {
            perUnit = DataRate(0);
        }
    }
    // DataRate counts bit/s in 64 bits
    const double bits = amount * static_cast<double>(perUnit.GetBitRate());
    if (!(bits >= 1.0 && bits < 9.2e18))
    {
        return "not a positive data rate with a unit, e.g. 100Mbps";
    }
    value = DataRate(text);
    return "";
}

void
AddCheckedValue(CommandLine& cmd, const std::string& name, const std::string& help, uint32_t& value,
                const ValueRange<uint32_t>& range)
{
    Add(cmd, name, help, value, range);
}

void
AddCheckedValue(CommandLine& cmd, const std::string& name, const std::string& help, uint64_t& value,
                const ValueRange<uint64_t>& range)
{
    Add(cmd, name, help, value, range);
}

void
AddCheckedValue(CommandLine& cmd, const std::string& name, const std::string& help, int64_t& value,
                const ValueRange<int64_t>& range)
{
    Add(cmd, name, help, value, range);
}

void
AddCheckedValue(CommandLine& cmd, const std::string& name, const std::string& help, double& value,
                const ValueRange<double>& range)
{
    Add(cmd, name, help, value, range);
}

namespace
{

/// Register a text option that \p parse checks as it is read, keeping the text as given.
template <typename T>
void
AddCheckedText(CommandLine& cmd, const std::string& name, const std::string& help,
               std::string& text, std::string (*parse)(const std::string&, T&))
{
    cmd.AddValue(name, help,
                 Callback<bool, std::string>(
                     [name, &text, parse](std::string given)
                     {
                         T parsed;
                         const std::string error = parse(given, parsed);
                         if (!error.empty())
                         {
                             return Refuse(name, given, error);
                         }
                         text = given;
                         return true;
                     }),
                 text);
}

} // namespace

void
AddCheckedTime(CommandLine& cmd, const std::string& name, const std::string& help,
               std::string& text)
{
    AddCheckedText<Time>(cmd, name, help, text, &ParseCheckedTime);
}

void
AddCheckedDataRate(CommandLine& cmd, const std::string& name, const std::string& help,
                   std::string& text)
{
    AddCheckedText<DataRate>(cmd, name, help, text, &ParseCheckedDataRate);
}

int
RunProgram(const std::string& program, const std::function<int()>& body)
{
    try
    {
        return body();
    }
    catch (const std::exception& e)
    {
        std::cerr << program << ": " << e.what() << "\n";
        return 1;
    }
}

} // namespace ns3
