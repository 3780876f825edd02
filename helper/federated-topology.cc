/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/federated-topology.h"

#include "ns3/config.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/mobility-helper.h"
#include "ns3/nstime.h"
#include "ns3/rectangle.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <cmath>
#include <map>
#include <random>
#include <sstream>

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
    if (tcpSegmentBytes < 536 || tcpSegmentBytes > 1448)
    {
        return "tcpSegmentBytes " + std::to_string(tcpSegmentBytes)
               + " is not in 536..1448 (a 1500-byte MTU)";
    }
    if (!(deviceSpeed >= 0.0) || !std::isfinite(deviceSpeed))
    {
        return "deviceSpeed " + std::to_string(deviceSpeed) + " m/s is not 0 or more";
    }
    if (groupSize > 0 && !(groupRadius > 0.0 && groupRadius < deviceRadius))
    {
        return "groupRadius " + std::to_string(groupRadius) + " m is not between 0 and "
               + "deviceRadius " + std::to_string(deviceRadius) + " m";
    }
    return "";
}

void
InstallDeviceMobility(const TopologyConfig& config, const Placement& placement,
                      NodeContainer devices)
{
    MobilityHelper mobility;
    mobility.SetPositionAllocator(placement.devices);
    if (config.deviceSpeed == 0.0)
    {
        mobility.SetMobilityModel("ns3::ConstantPositionMobilityModel");
        mobility.Install(devices);
        return;
    }
    const double r = config.deviceRadius;
    std::ostringstream speed;
    speed << "ns3::ConstantRandomVariable[Constant=" << config.deviceSpeed << "]";
    for (uint32_t i = 0; i < devices.GetN(); ++i)
    {
        // one allocator position per device: install them in order, each in its fog's square
        const double x = placement.fogOf.at(i) * config.fogSpacing;
        mobility.SetMobilityModel("ns3::RandomWalk2dMobilityModel", "Bounds",
                                  RectangleValue(Rectangle(x - r, x + r, -r, r)), "Mode",
                                  StringValue("Time"), "Time", TimeValue(Seconds(1)), "Speed",
                                  StringValue(speed.str()));
        mobility.Install(devices.Get(i));
    }
    mobility.AssignStreams(devices, 7000);
}

void
InstallInternetStacks(const FederatedTopology& t, const NodeContainer& alsoFix)
{
    InternetStackHelper internet;
    internet.Install(t.devices);
    internet.Install(t.fogs);
    internet.Install(t.cloud);
    int64_t stream = 5000;
    stream += internet.AssignStreams(t.devices, stream);
    stream += internet.AssignStreams(t.fogs, stream);
    stream += internet.AssignStreams(t.cloud, stream);
    internet.AssignStreams(alsoFix, stream);
}

void
ApplyTransportDefaults(const TopologyConfig& config)
{
    Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(config.tcpSegmentBytes));
    Config::SetDefault("ns3::ArpCache::DeadTimeout", TimeValue(Seconds(1)));
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
    auto inDisc = [&](double radius)
    {
        const double r = radius * std::sqrt(u(rng));
        const double a = 2.0 * M_PI * u(rng);
        return std::make_pair(r * std::cos(a), r * std::sin(a));
    };
    std::map<std::pair<uint32_t, uint32_t>, std::pair<double, double>> centres; // fog, group
    for (uint32_t i = 0; i < config.devices; ++i)
    {
        const uint32_t f = i % config.fogs;
        std::pair<double, double> at;
        if (config.groupSize == 0)
        {
            at = inDisc(config.deviceRadius);
        }
        else
        {
            const auto key = std::make_pair(f, (i / config.fogs) / config.groupSize);
            if (!centres.count(key))
            {
                centres[key] = inDisc(config.deviceRadius - config.groupRadius);
            }
            const auto offset = inDisc(config.groupRadius);
            at = {centres[key].first + offset.first, centres[key].second + offset.second};
        }
        p.devices->Add(Vector(f * config.fogSpacing + at.first, at.second, deviceHeight));
        p.fogOf.push_back(f);
    }
    return p;
}

} // namespace ns3
