/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/federated-topology.h"

#include <cmath>
#include <random>

namespace ns3
{

std::string
TopologyConfig::CheckCommon() const
{
    if (fogs == 0 || fogs > 250)
    {
        return "fogs " + std::to_string(fogs) + " is not in 1..250";
    }
    if (devices < fogs)
    {
        return "devices " + std::to_string(devices) + " are fewer than fogs "
               + std::to_string(fogs);
    }
    if (!(deviceRadius > 0.0) || !(fogSpacing > 0.0))
    {
        return "deviceRadius and fogSpacing must be positive";
    }
    return "";
}

Placement
PlaceNodes(const TopologyConfig& config, double fogHeight, double deviceHeight)
{
    Placement p;
    p.fogs = CreateObject<ListPositionAllocator>();
    p.devices = CreateObject<ListPositionAllocator>();
    for (uint32_t f = 0; f < config.fogs; ++f)
    {
        p.fogs->Add(Vector(f * config.fogSpacing, 0.0, fogHeight));
    }
    std::mt19937_64 rng(config.seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (uint32_t i = 0; i < config.devices; ++i)
    {
        const uint32_t f = i % config.fogs;
        const double r = config.deviceRadius * std::sqrt(u(rng));
        const double a = 2.0 * M_PI * u(rng);
        p.devices->Add(
            Vector(f * config.fogSpacing + r * std::cos(a), r * std::sin(a), deviceHeight));
        p.fogOf.push_back(f);
    }
    return p;
}

} // namespace ns3
