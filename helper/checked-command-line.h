/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_CHECKED_COMMAND_LINE_H
#define HFFM_CHECKED_COMMAND_LINE_H

#include "ns3/command-line.h"
#include "ns3/data-rate.h"
#include "ns3/nstime.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <string>

/**
 * \file
 * \ingroup hffm
 * Numeric command-line options that are checked as they are read: the whole text must be a
 * number of the option's type inside the option's range. ns-3's CommandLine reads an
 * unsigned option with operator>>, which wraps "-1" to the type's largest value and stops
 * quietly at the first character it cannot read ("5x" is 5, "1.5" is 1).
 */

namespace ns3
{

/**
 * \ingroup hffm
 * \brief The values a numeric option may take: from min to max, each bound included unless
 * marked exclusive.
 *
 * The defaults leave a side open: an integer's max is its type's largest value, a double's
 * max +infinity (its min -infinity). Non-finite doubles (inf, nan) are never accepted.
 * Written as a braced list at the call site: `{1}` (1 or more), `{0.0, 1.0}` (a
 * probability), `{0.0, 1.0, true}` (0 excluded, 1 included). T is one of uint32_t,
 * uint64_t, int64_t and double, the types ParseCheckedValue() reads.
 */
template <typename T>
struct ValueRange
{
    T min{std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                               : std::numeric_limits<T>::lowest()};
    T max{std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity()
                                               : std::numeric_limits<T>::max()};
    bool minExclusive{false}; //!< min itself is not allowed
    bool maxExclusive{false}; //!< max itself is not allowed

    /// \return the range of values above zero (1 or more for an integer type)
    static ValueRange Positive()
    {
        ValueRange r;
        r.min = 0;
        r.minExclusive = true;
        return r;
    }

    /// \return the range in words, e.g. "an integer from 1 to 50000", "a number in (0, 1]",
    ///         "a number >= 0"
    std::string Describe() const;
};

/**
 * \ingroup hffm
 * \brief Read \p text as a number of \p value's type inside \p range.
 *
 * The whole text must be the number: decimal digits (a leading '-' for signed types only),
 * for a double also a fraction and an exponent ("2.5e-3"); no blanks, no '+', no trailing
 * characters. \p value is set only on success.
 *
 * \return an empty string on success, else why the text is refused, e.g.
 *         "not an integer from 1 to 4294967295"
 */
std::string ParseCheckedValue(const std::string& text, const ValueRange<uint32_t>& range,
                              uint32_t& value);
/// \copydoc ParseCheckedValue(const std::string&,const ValueRange<uint32_t>&,uint32_t&)
std::string ParseCheckedValue(const std::string& text, const ValueRange<uint64_t>& range,
                              uint64_t& value);
/// \copydoc ParseCheckedValue(const std::string&,const ValueRange<uint32_t>&,uint32_t&)
std::string ParseCheckedValue(const std::string& text, const ValueRange<int64_t>& range,
                              int64_t& value);
/// \copydoc ParseCheckedValue(const std::string&,const ValueRange<uint32_t>&,uint32_t&)
std::string ParseCheckedValue(const std::string& text, const ValueRange<double>& range,
                              double& value);

/**
 * \ingroup hffm
 * \brief Read \p text as a time that is not negative, as ns-3's Time reads it: a number and
 * one of the units s, ms, us, ns, ps, fs, min, h, d, y, or a bare number of seconds ("2ms",
 * "1.5"). ns-3's own Time(std::string) ends the program on text it cannot read.
 * \return an empty string on success (\p value set), else why the text is refused
 */
std::string ParseCheckedTime(const std::string& text, Time& value);

/**
 * \ingroup hffm
 * \brief Read \p text as a positive data rate, as ns-3's DataRate reads it ("100Mbps").
 * \return an empty string on success (\p value set), else why the text is refused
 */
std::string ParseCheckedDataRate(const std::string& text, DataRate& value);

/**
 * \ingroup hffm
 * \brief Register a numeric option on \p cmd whose value ParseCheckedValue() reads.
 *
 * \p value's current value is the default shown by --help, and the range is added to
 * \p help. A text that is refused makes CommandLine::Parse() print
 * "--NAME=TEXT: <why>" and "Invalid command-line argument: --NAME=TEXT" on stderr, then the
 * usage, and end the program with exit status 1; \p value then keeps its default.
 */
void AddCheckedValue(CommandLine& cmd, const std::string& name, const std::string& help,
                     uint32_t& value, const ValueRange<uint32_t>& range);
/// \copydoc AddCheckedValue(CommandLine&,const std::string&,const std::string&,uint32_t&,const
/// ValueRange<uint32_t>&)
void AddCheckedValue(CommandLine& cmd, const std::string& name, const std::string& help,
                     uint64_t& value, const ValueRange<uint64_t>& range);
/// \copydoc AddCheckedValue(CommandLine&,const std::string&,const std::string&,uint32_t&,const
/// ValueRange<uint32_t>&)
void AddCheckedValue(CommandLine& cmd, const std::string& name, const std::string& help,
                     int64_t& value, const ValueRange<int64_t>& range);
/// \copydoc AddCheckedValue(CommandLine&,const std::string&,const std::string&,uint32_t&,const
/// ValueRange<uint32_t>&)
void AddCheckedValue(CommandLine& cmd, const std::string& name, const std::string& help,
                     double& value, const ValueRange<double>& range);

/**
 * \ingroup hffm
 * \brief Register an option on \p cmd whose text ParseCheckedTime() must accept; the text
 * itself is stored in \p text (for attributes set from strings). Refusal as in
 * AddCheckedValue().
 */
void AddCheckedTime(CommandLine& cmd, const std::string& name, const std::string& help,
                    std::string& text);

/**
 * \ingroup hffm
 * \brief Register an option on \p cmd whose text ParseCheckedDataRate() must accept; the
 * text itself is stored in \p text. Refusal as in AddCheckedValue().
 */
void AddCheckedDataRate(CommandLine& cmd, const std::string& name, const std::string& help,
                        std::string& text);

/**
 * \ingroup hffm
 * \brief Run a program's body: an exception that escapes it ends the program with its
 * message ("<program>: <what>") on stderr and exit status 1, not with std::terminate.
 * \return what \p body returns, or 1
 */
int RunProgram(const std::string& program, const std::function<int()>& body);

} // namespace ns3

#endif // HFFM_CHECKED_COMMAND_LINE_H
