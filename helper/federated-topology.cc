/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/federated-topology.h"

#include "ns3/config.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/mac48-address.h"
#include "ns3/mobility-helper.h"
#include "ns3/nstime.h"
#include "ns3/rectangle.h"
#include "ns3/simple-net-device.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>

namespace ns3
{

CellPartition
CellPartition::Even(uint32_t fogs, uint32_t ranks, uint32_t rank)
{
    CellPartition p;
    p.ranks = ranks;
    p.rank = rank;
    for (uint32_t f = 0; f < fogs; ++f)
    {
        p.fogRank.push_back(static_cast<uint32_t>(uint64_t{f} * ranks / fogs));
    }
    return p;
}

std::string
CellPartition::Parse(const std::string& list, uint32_t fogs, uint32_t ranks, uint32_t rank,
                     CellPartition& partition)
{
    CellPartition p;
    p.ranks = ranks;
    p.rank = rank;
    std::istringstream in(list);
    std::string item;
    while (std::getline(in, item, ','))
    {
        char* end = nullptr;
        const unsigned long value = std::strtoul(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || item[0] == '-' || value >= ranks)
        {
            return "fogRanks '" + list + "': '" + item + "' is not a rank in 0.."
                   + std::to_string(ranks - 1);
        }
        p.fogRank.push_back(static_cast<uint32_t>(value));
    }
    if (p.fogRank.size() != fogs)
    {
        return "fogRanks '" + list + "' names " + std::to_string(p.fogRank.size()) + " ranks for "
               + std::to_string(fogs) + " fogs (one per fog)";
    }
    const std::string error = p.Check(fogs);
    if (error.empty())
    {
        partition = p;
    }
    return error;
}

std::string
CellPartition::Check(uint32_t fogs) const
{
    if (ranks == 0 || rank >= ranks)
    {
        return "rank " + std::to_string(rank) + " is not in 0.." + std::to_string(ranks) + "-1";
    }
    if (ranks > 1 && ranks > fogs)
    {
        return "ranks " + std::to_string(ranks) + " are more than fogs " + std::to_string(fogs)
               + ": a fog's cell is the smallest part a rank runs";
    }
    if (!fogRank.empty() && fogRank.size() != fogs)
    {
        return "the partition names " + std::to_string(fogRank.size()) + " ranks for "
               + std::to_string(fogs) + " fogs";
    }
    std::vector<uint32_t> cells(ranks, 0);
    for (uint32_t f = 0; f < fogs; ++f)
    {
        const uint32_t r = GetFogRank(f);
        if (r >= ranks)
        {
            return "fog " + std::to_string(f) + "'s rank " + std::to_string(r) + " is not in 0.."
                   + std::to_string(ranks - 1);
        }
        ++cells[r];
    }
    for (uint32_t r = 1; r < ranks; ++r)
    {
        if (cells[r] == 0)
        {
            return "rank " + std::to_string(r) + " runs no cell";
        }
    }
    return "";
}

uint32_t
CellPartition::GetFogRank(uint32_t f) const
{
    return fogRank.empty() ? 0 : fogRank.at(f);
}

bool
CellPartition::IsLocalFog(uint32_t f) const
{
    return GetFogRank(f) == rank;
}

bool
CellPartition::IsCloudLocal() const
{
    return rank == 0;
}

bool
CellPartition::IsDistributed() const
{
    return ranks > 1;
}

bool
FederatedTopology::IsLocalDevice(uint32_t i) const
{
    return partition.IsLocalFog(fogOf.at(i));
}

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
    const std::string cells = partition.Check(fogs);
    if (!cells.empty())
    {
        return cells;
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
CreateNodes(FederatedTopology& t, uint32_t devices, uint32_t fogs)
{
    for (uint32_t i = 0; i < devices; ++i)
    {
        t.devices.Add(CreateObject<Node>(t.partition.GetFogRank(t.fogOf.at(i))));
    }
    for (uint32_t f = 0; f < fogs; ++f)
    {
        t.fogs.Add(CreateObject<Node>(t.partition.GetFogRank(f)));
    }
    t.cloud.Add(CreateObject<Node>(0));
}

void
SkipMacAddresses(std::size_t count)
{
    for (std::size_t k = 0; k < count; ++k)
    {
        Mac48Address::Allocate();
    }
}

void
AddPlaceholderDevice(Ptr<Node> node)
{
    node->AddDevice(CreateObject<SimpleNetDevice>());
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
