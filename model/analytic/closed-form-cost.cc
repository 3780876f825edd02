/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/closed-form-cost.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace ns3
{

std::string
ClosedFormConfig::Check() const
{
    auto positive = [](const char* name, double v) -> std::string
    {
        return v > 0.0 && std::isfinite(v)
                   ? ""
                   : std::string(name) + " " + std::to_string(v) + " is not positive";
    };
    for (const auto& e : {positive("bandwidthHz", bandwidthHz), positive("txPowerW", txPowerW),
                          positive("pathLossExponent", pathLossExponent),
                          positive("referenceDistanceM", referenceDistanceM),
                          positive("backhaulRateBps", backhaulRateBps)})
    {
        if (!e.empty())
        {
            return e;
        }
    }
    if (!std::isfinite(beta0Db) || !std::isfinite(noiseDbmPerHz))
    {
        return "beta0Db and noiseDbmPerHz must be finite";
    }
    if (!(backhaulDelayS >= 0.0) || !std::isfinite(backhaulDelayS))
    {
        return "backhaulDelayS " + std::to_string(backhaulDelayS) + " is negative";
    }
    return "";
}

double
ChannelPowerGain(const ClosedFormConfig& config, double distanceM)
{
    if (!(distanceM > 0.0))
    {
        throw std::invalid_argument("ChannelPowerGain: distance " + std::to_string(distanceM)
                                    + " m is not positive");
    }
    const double db
        = config.beta0Db
          - 10.0 * config.pathLossExponent * std::log10(distanceM / config.referenceDistanceM);
    return std::pow(10.0, db / 10.0);
}

double
ShannonRate(const ClosedFormConfig& config, double distanceM, double fading)
{
    const double noiseW = std::pow(10.0, config.noiseDbmPerHz / 10.0) * 1e-3 * config.bandwidthHz;
    const double snr = config.txPowerW * ChannelPowerGain(config, distanceM) * fading / noiseW;
    return config.bandwidthHz * std::log2(1.0 + snr);
}

TransferCost
RadioTransferCost(const ClosedFormConfig& config, double bits, double distanceM, double fading)
{
    TransferCost c;
    c.seconds = bits / ShannonRate(config, distanceM, fading);
    c.joules = config.txPowerW * c.seconds;
    return c;
}

TransferCost
BackhaulTransferCost(const ClosedFormConfig& config, double bits)
{
    TransferCost c;
    c.seconds = bits / config.backhaulRateBps + config.backhaulDelayS;
    return c;
}

TransferCost
ClosedFormRound(const ClosedFormConfig& config, const std::vector<ClosedFormUpload>& uploads,
                const std::vector<double>& backhaulBits, const std::vector<ClosedFormD2dSend>& d2d)
{
    TransferCost round;
    std::map<uint32_t, double> busy; // per D2D sender, the time of its sends
    for (const auto& s : d2d)
    {
        const TransferCost c = RadioTransferCost(config, s.bits, s.distanceM, s.fading);
        busy[s.sender] += c.seconds;
        round.joules += c.joules;
    }
    for (const auto& [sender, seconds] : busy)
    {
        round.seconds = std::max(round.seconds, seconds);
    }
    double upload = 0.0;
    for (const auto& u : uploads)
    {
        const TransferCost c = RadioTransferCost(config, u.bits, u.distanceM, u.fading);
        upload = std::max(upload, c.seconds);
        round.joules += c.joules;
    }
    round.seconds += upload;
    double backhaul = 0.0;
    for (double bits : backhaulBits)
    {
        backhaul = std::max(backhaul, BackhaulTransferCost(config, bits).seconds);
    }
    round.seconds += backhaul;
    return round;
}

} // namespace ns3
