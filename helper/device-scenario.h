/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_DEVICE_SCENARIO_H
#define HFFM_DEVICE_SCENARIO_H

#include "ns3/m3t-spec.h"

#include <string>
#include <vector>

/**
 * \file
 * \ingroup hffm
 * What each device of a scenario has (modalities, tasks) and how fast it computes, in code or
 * from a file. No ns-3, no LibTorch.
 */

namespace ns3
{

/// What a device has and how fast it computes.
struct DeviceSpec
{
    NodeProfile profile;
    double macsPerSecond{5e9}; //!< DeviceApp::MacsPerSecond
    double computePower{2.0};  //!< DeviceApp::ComputePower, watts
};

/// Outcome of ReadScenarioFile() and ParseScenario().
struct ScenarioContents
{
    std::vector<DeviceSpec> devices; //!< empty on error
    std::string error;               //!< empty on success
};

/**
 * \ingroup hffm
 * \brief Read a scenario file: one device per line, in device-index order.
 *
 * Lines that are empty or start with '#' are skipped. Every other line is
 *
 *     modalities,tasks,macs_per_second,compute_watts
 *
 * where modalities are '+'-joined names of Modality ("image+text"), tasks '+'-joined task
 * names of \p config ("fine+question"; "-" for none: the device then takes no part), the
 * compute speed in multiply-adds per second (positive) and the power drawn while training
 * in watts (non-negative). Each profile must pass NodeProfile::Check(). Numbers are read by
 * strtod() (with the "C" locale's decimal point, the locale ns-3 programs run in); subnormal
 * values are accepted, a number that overflows a double or that underflows to zero from a
 * nonzero text is refused. All or nothing: the first bad line gives an error naming the
 * file, the line number and the value.
 */
ScenarioContents ReadScenarioFile(const std::string& path, const M3TConfig& config = {});

/**
 * \ingroup hffm
 * \brief Parse the text of a scenario file, as ReadScenarioFile() reads a file.
 * \param text the whole text, lines separated by '\n' (a '\r' before it is dropped)
 * \param name what errors call the text (e.g. the file's path)
 * \param config the model configuration that names the tasks
 */
ScenarioContents ParseScenario(const std::string& text, const std::string& name,
                               const M3TConfig& config = {});

/**
 * \return the line ParseScenario() and ReadScenarioFile() read back as \p spec: the numbers
 * in their shortest text that reads back to the same double, bit for bit (std::to_chars), so
 * that writing and reading a scenario changes nothing
 */
std::string FormatScenarioLine(const DeviceSpec& spec);

} // namespace ns3

#endif /* HFFM_DEVICE_SCENARIO_H */
