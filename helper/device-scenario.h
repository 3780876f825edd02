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

/// Outcome of ReadScenarioFile().
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
 * in watts (non-negative). Each profile must pass NodeProfile::Check(). All or nothing: the
 * first bad line gives an error naming the file, the line number and the value.
 */
ScenarioContents ReadScenarioFile(const std::string& path, const M3TConfig& config = {});

/// \return the line ReadScenarioFile() reads back as \p spec
std::string FormatScenarioLine(const DeviceSpec& spec);

} // namespace ns3

#endif /* HFFM_DEVICE_SCENARIO_H */
