/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/lte-topology-helper.h"

#include "ns3/abort.h"
#include "ns3/backhaul-link.h"
#include "ns3/boolean.h"
#include "ns3/component-carrier-enb.h"
#include "ns3/config.h"
#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/epc-mme-application.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-generator.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/ipv4-static-routing-helper.h"
#include "ns3/ipv6-address-generator.h"
#include "ns3/log.h"
#include "ns3/lte-enb-net-device.h"
#include "ns3/lte-enb-phy.h"
#include "ns3/lte-enb-rrc.h"
#include "ns3/lte-helper.h"
#include "ns3/lte-spectrum-phy.h"
#include "ns3/lte-ue-net-device.h"
#include "ns3/lte-ue-phy.h"
#include "ns3/mobility-helper.h"
#include "ns3/multi-model-spectrum-channel.h"
#include "ns3/node-list.h"
#include "ns3/nstime.h"
#include "ns3/point-to-point-epc-helper.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/position-allocator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LteTopologyHelper");

namespace
{

/// Random streams each regional core may take (eNBs and UEs): region r's start at
/// 1000 + r x REGION_STREAMS, whichever rank builds it.
constexpr int64_t REGION_STREAMS = int64_t{1} << 20;

/// A regional core: its EPC helper, its fogs and devices (in index order), its rank.
struct Region
{
    Ptr<PointToPointEpcHelper> epc;
    std::vector<uint32_t> fogs;
    std::vector<uint32_t> devices;
    uint32_t rank{0};
};

/// The PGW, SGW and MME an EPC helper created (the MME has no accessor in ns-3.37: it is the
/// node created after the SGW, checked by its application).
std::vector<Ptr<Node>>
CoreNodes(Ptr<PointToPointEpcHelper> epc)
{
    Ptr<Node> sgw = epc->GetSgwNode();
    Ptr<Node> mme = NodeList::GetNode(sgw->GetId() + 1);
    NS_ABORT_MSG_IF(mme->GetNApplications() == 0
                        || !DynamicCast<EpcMmeApplication>(mme->GetApplication(0)),
                    "LteTopologyHelper: the node after the SGW is not the EPC's MME");
    return {epc->GetPgwNode(), sgw, mme};
}

/**
 * Forget the IPv4 and IPv6 addresses ns-3's process-wide collision check has seen. Regional
 * cores are separate networks that each number their links from the same bases (ns-3's EPC
 * helper has no setting for them); the check would take their equal addresses for a mistake.
 */
void
ForgetAllocatedAddresses()
{
    Ipv4AddressGenerator::Reset();
    Ipv6AddressGenerator::Reset();
}

/// The smallest SRS periodicity LTE allows that exceeds \p uesPerCell.
uint32_t
SrsPeriodicityFor(uint32_t uesPerCell)
{
    for (uint32_t p : {2U, 5U, 10U, 20U, 40U, 80U, 160U, 320U})
    {
        if (p > uesPerCell)
        {
            return p;
        }
    }
    return 0;
}

/// A spectrum channel with the loss models of \p shared (the LteHelper's channel of the same
/// direction, whose loss model is set to that direction's carrier).
Ptr<SpectrumChannel>
ChannelLike(Ptr<SpectrumChannel> shared, double maxLossDb)
{
    auto channel = CreateObject<MultiModelSpectrumChannel>();
    if (maxLossDb > 0.0)
    {
        channel->SetAttribute("MaxLossDb", DoubleValue(maxLossDb));
    }
    if (Ptr<PropagationLossModel> loss = shared->GetPropagationLossModel())
    {
        channel->AddPropagationLossModel(loss);
    }
    if (Ptr<SpectrumPropagationLossModel> loss = shared->GetSpectrumPropagationLossModel())
    {
        channel->AddSpectrumPropagationLossModel(loss);
    }
    return channel;
}

/// Move a cell's eNB and UEs from the LteHelper's shared channels to a downlink and an
/// uplink channel of their own: the eNB transmits on the first and listens on the second,
/// its UEs the other way round (as LteHelper wires them on the shared ones).
void
GiveCellItsChannels(Ptr<LteHelper> lte, Ptr<LteEnbNetDevice> enb,
                    const std::vector<Ptr<LteUeNetDevice>>& ues, double maxLossDb)
{
    Ptr<SpectrumChannel> sharedDl = lte->GetDownlinkSpectrumChannel();
    Ptr<SpectrumChannel> sharedUl = lte->GetUplinkSpectrumChannel();
    Ptr<SpectrumChannel> dl = ChannelLike(sharedDl, maxLossDb);
    Ptr<SpectrumChannel> ul = ChannelLike(sharedUl, maxLossDb);
    // a PHY's transmitting half sends on one channel, its receiving half listens on the other
    auto move = [&](Ptr<LteSpectrumPhy> tx, Ptr<SpectrumChannel> txChannel, Ptr<LteSpectrumPhy> rx,
                    Ptr<SpectrumChannel> rxChannel)
    {
        for (const auto& phy : {tx, rx})
        {
            sharedDl->RemoveRx(phy);
            sharedUl->RemoveRx(phy);
        }
        tx->SetChannel(txChannel);
        rx->SetChannel(rxChannel);
        rxChannel->AddRx(rx);
    };
    for (const auto& [id, carrier] : enb->GetCcMap())
    {
        Ptr<LteEnbPhy> phy = DynamicCast<ComponentCarrierEnb>(carrier)->GetPhy();
        move(phy->GetDlSpectrumPhy(), dl, phy->GetUlSpectrumPhy(), ul);
    }
    for (const auto& ue : ues)
    {
        for (const auto& [id, carrier] : ue->GetCcMap())
        {
            Ptr<LteUePhy> phy = carrier->GetPhy();
            move(phy->GetUlSpectrumPhy(), ul, phy->GetDlSpectrumPhy(), dl);
        }
    }
}

/// Route \p network/\p mask on \p node through \p gateway.
void
AddRoute(Ptr<Node> node, const char* network, const char* mask, Ipv4Address gateway)
{
    Ptr<Ipv4> ipv4 = node->GetObject<Ipv4>();
    const int32_t interface = ipv4->GetInterfaceForPrefix(gateway, Ipv4Mask("255.255.255.252"));
    NS_ABORT_MSG_IF(interface < 0, "LteTopologyHelper: no interface towards " << gateway);
    Ipv4StaticRoutingHelper helper;
    helper.GetStaticRouting(ipv4)->AddNetworkRouteTo(Ipv4Address(network), Ipv4Mask(mask), gateway,
                                                     static_cast<uint32_t>(interface));
}

} // namespace

std::string
LteTopologyHelper::Check(const Config& config)
{
    // the regions first: more ranks than regions leaves a rank without a cell, which the
    // common check would report
    if (config.fogs > 0 && (config.regions == 0 || config.regions > config.fogs))
    {
        return "regions " + std::to_string(config.regions) + " is not in 1..fogs "
               + std::to_string(config.fogs);
    }
    if (config.partition.IsDistributed() && config.partition.ranks > config.regions)
    {
        return "ranks " + std::to_string(config.partition.ranks) + " are more than LTE regions "
               + std::to_string(config.regions)
               + ": a region's core (EPC) is the smallest part a rank runs (--lteRegions)";
    }
    const std::string common = config.CheckCommon();
    if (!common.empty())
    {
        return common;
    }
    const uint32_t perCell = (config.devices + config.fogs - 1) / config.fogs;
    if (SrsPeriodicityFor(perCell) == 0)
    {
        return std::to_string(perCell) + " UEs per cell exceed LTE's largest SRS periodicity 320";
    }
    const uint16_t rb = config.resourceBlocks;
    if (rb != 6 && rb != 15 && rb != 25 && rb != 50 && rb != 75 && rb != 100)
    {
        return "resourceBlocks " + std::to_string(rb) + " is not one of 6, 15, 25, 50, 75, 100";
    }
    if (config.rlcBufferBytes == 0)
    {
        return "rlcBufferBytes 0 is not positive";
    }
    // a walking UE may stray to the corner of its square (TopologyConfig::deviceSpeed)
    const double farthest = config.deviceRadius * (config.deviceSpeed > 0.0 ? M_SQRT2 : 1.0);
    if (config.maxLossDb < 0.0 || !std::isfinite(config.maxLossDb)
        || (config.maxLossDb > 0.0 && CellEdgeLossDb(farthest) >= config.maxLossDb))
    {
        return "maxLossDb " + std::to_string(config.maxLossDb)
               + " would cut UEs off their own cell (" + std::to_string(CellEdgeLossDb(farthest))
               + " dB at " + std::to_string(farthest) + " m); use 0 to deliver every signal";
    }
    const std::set<uint32_t> cqiPeriods{1, 2, 5, 10, 20, 40, 80, 160};
    if (cqiPeriods.count(config.cqiPeriodMs) == 0)
    {
        return "cqiPeriodMs " + std::to_string(config.cqiPeriodMs)
               + " is not one of 1, 2, 5, 10, 20, 40, 80, 160";
    }
    if (config.regions > 1 && !config.channelPerCell)
    {
        return "regions " + std::to_string(config.regions)
               + " need channelPerCell: cells of different regions on one channel would "
                 "interfere in one process and not across ranks";
    }
    const CellPartition& cells = config.partition;
    std::vector<uint32_t> firstFog(config.regions, config.fogs); // per region
    for (uint32_t f = 0; f < config.fogs; ++f)
    {
        const uint32_t region = RegionOf(f, config.fogs, config.regions);
        const uint32_t first = std::min(firstFog[region], f);
        firstFog[region] = first;
        if (cells.GetFogRank(f) != cells.GetFogRank(first))
        {
            return "fogs " + std::to_string(first) + " and " + std::to_string(f) + " of LTE region "
                   + std::to_string(region) + " are on ranks "
                   + std::to_string(cells.GetFogRank(first)) + " and "
                   + std::to_string(cells.GetFogRank(f))
                   + ": ns-3's EPC cannot span ranks, a region runs on one";
        }
    }
    return "";
}

double
LteTopologyHelper::CellEdgeLossDb(double groundDistanceM)
{
    const double d = std::hypot(groundDistanceM, 30.0 - 1.5);
    const double lambda = 299792458.0 / 2120e6;
    return 20.0 * std::log10(4.0 * M_PI * d / lambda);
}

uint32_t
LteTopologyHelper::RegionOf(uint32_t fog, uint32_t fogs, uint32_t regions)
{
    return static_cast<uint32_t>(uint64_t{fog} * regions / fogs);
}

CellPartition
LteTopologyHelper::EvenByRegion(const Config& config, uint32_t ranks, uint32_t rank)
{
    CellPartition p;
    p.ranks = ranks;
    p.rank = rank;
    const uint32_t regions = std::max(config.regions, 1U);
    for (uint32_t f = 0; f < config.fogs; ++f)
    {
        p.fogRank.push_back(
            static_cast<uint32_t>(uint64_t{RegionOf(f, config.fogs, regions)} * ranks / regions));
    }
    return p;
}

FederatedTopology
LteTopologyHelper::Build(const Config& config)
{
    const std::string error = Check(config);
    NS_ABORT_MSG_IF(!error.empty(), "LteTopologyHelper: " << error);
    const uint32_t perCell = (config.devices + config.fogs - 1) / config.fogs;
    ns3::Config::SetDefault("ns3::LteEnbRrc::SrsPeriodicity",
                            UintegerValue(SrsPeriodicityFor(perCell)));
    ns3::Config::SetDefault("ns3::LteEnbRrc::EpsBearerToRlcMapping",
                            EnumValue(LteEnbRrc::RLC_AM_ALWAYS));
    ns3::Config::SetDefault("ns3::LteRlcAm::MaxTxBufferSize", UintegerValue(config.rlcBufferBytes));
    ns3::Config::SetDefault("ns3::LteUePhy::TxPower", DoubleValue(config.ueTxPowerDbm));
    ns3::Config::SetDefault("ns3::LteUePhy::DownlinkCqiPeriodicity",
                            TimeValue(MilliSeconds(config.cqiPeriodMs)));
    ns3::Config::SetDefault("ns3::LteEnbPhy::TxPower", DoubleValue(config.enbTxPowerDbm));
    ns3::Config::SetDefault("ns3::LteSpectrumPhy::CtrlErrorModelEnabled",
                            BooleanValue(config.controlErrorModel));

    ApplyTransportDefaults(config);
    const CellPartition& cells = config.partition;
    const uint32_t regionCount = config.regions;
    const bool regional = regionCount > 1;
    FederatedTopology t;
    t.radio = "lte";
    t.partition = cells;
    const Placement placement = PlaceNodes(config, 30.0, 1.5);
    t.fogOf = placement.fogOf;

    // one LTE helper numbers every cell and UE of the process (ns-3's ideal RRC finds a UE's
    // eNB by cell id among all nodes); it uses one region's core at a time (SetEpcHelper)
    auto lte = CreateObject<LteHelper>();
    t.keepAlive.push_back(lte);
    if (config.maxLossDb > 0.0)
    {
        lte->SetSpectrumChannelAttribute("MaxLossDb", DoubleValue(config.maxLossDb));
    }
    lte->SetEnbDeviceAttribute("UlBandwidth", UintegerValue(config.resourceBlocks));
    lte->SetEnbDeviceAttribute("DlBandwidth", UintegerValue(config.resourceBlocks));
    // the cores (each EPC helper creates its PGW, SGW and MME), on every rank: node ids are the
    // same everywhere
    std::vector<Region> regions(regionCount);
    for (uint32_t f = 0; f < config.fogs; ++f)
    {
        regions[RegionOf(f, config.fogs, regionCount)].fogs.push_back(f);
    }
    for (uint32_t i = 0; i < config.devices; ++i)
    {
        regions[RegionOf(t.fogOf[i], config.fogs, regionCount)].devices.push_back(i);
    }
    for (uint32_t r = 0; r < regionCount; ++r)
    {
        Region& region = regions[r];
        region.rank = cells.GetFogRank(region.fogs.front());
        if (regional)
        {
            // every core numbers its own links (7.0.0.1 for its PGW's tunnel, 10.0.0.0/30
            // and up for S1-U, 13.0.0.0/30, 14.0.0.0/30) from the same bases: separate
            // networks, whose equal addresses ns-3's collision check would refuse
            ForgetAllocatedAddresses();
        }
        region.epc = CreateObject<PointToPointEpcHelper>();
        t.keepAlive.push_back(region.epc); // the EPC's nodes and applications need its helper
        for (const Ptr<Node>& node : CoreNodes(region.epc))
        {
            node->SetAttribute("SystemId", UintegerValue(region.rank));
        }
    }

    NodeContainer enbs;
    for (uint32_t f = 0; f < config.fogs; ++f)
    {
        enbs.Add(CreateObject<Node>(cells.GetFogRank(f)));
    }
    CreateNodes(t, config.devices, config.fogs);
    NodeContainer gateways; // regional cores only
    for (uint32_t r = 0; regional && r < regionCount; ++r)
    {
        gateways.Add(CreateObject<Node>(regions[r].rank));
    }
    t.radioPoints = enbs;
    t.energy = CreateObject<RadioEnergyMeter>();

    MobilityHelper mobility;
    mobility.SetMobilityModel("ns3::ConstantPositionMobilityModel");
    mobility.SetPositionAllocator(placement.fogs);
    mobility.Install(enbs);
    InstallDeviceMobility(config, placement, t.devices);

    // the radios of this rank's regions
    std::vector<Ptr<LteEnbNetDevice>> enbDevice(config.fogs);
    std::vector<Ptr<LteUeNetDevice>> ueDevice(config.devices);
    for (uint32_t r = 0; r < regionCount; ++r)
    {
        Region& region = regions[r];
        NodeContainer regionEnbs;
        NodeContainer regionUes;
        for (uint32_t f : region.fogs)
        {
            regionEnbs.Add(enbs.Get(f));
        }
        for (uint32_t i : region.devices)
        {
            regionUes.Add(t.devices.Get(i));
        }
        if (region.rank != cells.rank)
        {
            // another rank builds this region: take the MAC addresses of its S1-U links, so
            // that later devices (D2D radios) get the addresses they have in one process
            SkipMacAddresses(2 * region.fogs.size());
            continue;
        }
        if (regional)
        {
            ForgetAllocatedAddresses(); // the core's S1-U addresses, as above
        }
        lte->SetEpcHelper(region.epc);
        NetDeviceContainer regionEnbDevices = lte->InstallEnbDevice(regionEnbs);
        NetDeviceContainer regionUeDevices = lte->InstallUeDevice(regionUes);
        // fixed random streams: every run of a scenario draws the same, whatever ran before
        // it; each region from a base of its own, whichever rank builds it
        int64_t stream = 1000 + static_cast<int64_t>(r) * REGION_STREAMS;
        stream += lte->AssignStreams(regionEnbDevices, stream);
        stream += lte->AssignStreams(regionUeDevices, stream);
        NS_ABORT_MSG_IF(stream > 1000 + static_cast<int64_t>(r + 1) * REGION_STREAMS && regional,
                        "LteTopologyHelper: region " << r << " takes more than " << REGION_STREAMS
                                                     << " random streams");
        for (std::size_t k = 0; k < region.fogs.size(); ++k)
        {
            enbDevice[region.fogs[k]]
                = DynamicCast<LteEnbNetDevice>(regionEnbDevices.Get(static_cast<uint32_t>(k)));
        }
        for (std::size_t k = 0; k < region.devices.size(); ++k)
        {
            ueDevice[region.devices[k]]
                = DynamicCast<LteUeNetDevice>(regionUeDevices.Get(static_cast<uint32_t>(k)));
        }
    }
    NodeContainer fixStreams;
    for (const Region& region : regions)
    {
        fixStreams.Add(region.epc->GetPgwNode());
        fixStreams.Add(region.epc->GetSgwNode());
    }
    InternetStackHelper().Install(gateways);
    fixStreams.Add(gateways);
    InstallInternetStacks(t, fixStreams);

    // UE addresses: one core numbers its UEs 7.0.0.2 and up; regional cores 7.(r+1).0.1 and
    // up, so that the cloud tells the regions apart
    t.deviceAddress.resize(config.devices);
    for (uint32_t r = 0; r < regionCount; ++r)
    {
        Region& region = regions[r];
        const bool local = region.rank == cells.rank;
        NetDeviceContainer regionUeDevices;
        for (uint32_t i : region.devices)
        {
            regionUeDevices.Add(ueDevice[i]);
        }
        if (!regional)
        {
            Ipv4InterfaceContainer ueIfs = region.epc->AssignUeIpv4Address(regionUeDevices);
            for (std::size_t k = 0; k < region.devices.size(); ++k)
            {
                t.deviceAddress[region.devices[k]] = ueIfs.GetAddress(static_cast<uint32_t>(k));
            }
        }
        else
        {
            std::ostringstream base;
            base << "0." << (r + 1) << ".0.1";
            Ipv4AddressHelper ueAddresses("7.0.0.0", "255.0.0.0", base.str().c_str());
            for (uint32_t i : region.devices)
            {
                t.deviceAddress[i]
                    = local ? ueAddresses.Assign(NetDeviceContainer(ueDevice[i])).GetAddress(0)
                            : ueAddresses.NewAddress();
            }
        }
        if (!local)
        {
            continue;
        }
        Ipv4StaticRoutingHelper routing;
        lte->SetEpcHelper(region.epc);
        for (uint32_t i : region.devices)
        {
            routing.GetStaticRouting(t.devices.Get(i)->GetObject<Ipv4>())
                ->SetDefaultRoute(region.epc->GetUeDefaultGatewayAddress(), 1);
            lte->Attach(ueDevice[i], enbDevice[t.fogOf[i]]);
            t.energy->WatchLteUe(i, ueDevice[i]);
        }
        // after Attach, which tunes each UE to its cell's carrier
        if (config.channelPerCell)
        {
            for (uint32_t f : region.fogs)
            {
                std::vector<Ptr<LteUeNetDevice>> cellUes;
                for (uint32_t i : region.devices)
                {
                    if (t.fogOf[i] == f)
                    {
                        cellUes.push_back(ueDevice[i]);
                    }
                }
                GiveCellItsChannels(lte, enbDevice[f], cellUes, config.maxLossDb);
            }
        }
    }

    Ipv4AddressHelper ipv4;
    PointToPointHelper mec;
    mec.SetDeviceAttribute("DataRate", StringValue(config.mecRate));
    mec.SetChannelAttribute("Delay", StringValue(config.mecDelay));
    PointToPointHelper pcap; // PCAP of any point-to-point device
    Ptr<Node> cloud = t.cloud.Get(0);
    for (uint32_t f = 0; f < config.fogs; ++f)
    {
        const Region& region = regions[RegionOf(f, config.fogs, regionCount)];
        Ptr<Node> pgw = region.epc->GetPgwNode();
        // the fog's MEC host behind its core's PGW
        std::ostringstream base;
        base << "10.3." << f << ".0";
        ipv4.SetBase(base.str().c_str(), "255.255.255.252");
        Ipv4Address pgwSide;
        if (cells.IsLocalFog(f))
        {
            NetDeviceContainer link = mec.Install(pgw, t.fogs.Get(f));
            Ipv4InterfaceContainer ifs = ipv4.Assign(link);
            pgwSide = ifs.GetAddress(0);
            t.fogDeviceAddress.push_back(ifs.GetAddress(1));
            if (!config.pcapPrefix.empty())
            {
                pcap.EnablePcap(config.pcapPrefix, link.Get(1), true);
            }
        }
        else
        {
            SkipMacAddresses(2);
            pgwSide = ipv4.NewAddress();
            t.fogDeviceAddress.push_back(ipv4.NewAddress());
            AddPlaceholderDevice(t.fogs.Get(f)); // the MEC link's device index
        }
        // the fog's backhaul to the cloud
        NetDeviceContainer up
            = InstallBackhaulLink(t.fogs.Get(f), cloud, config.backhaulRate, config.backhaulDelay);
        std::ostringstream upBase;
        upBase << "10.2." << f << ".0";
        ipv4.SetBase(upBase.str().c_str(), "255.255.255.252");
        Ipv4InterfaceContainer upIfs = ipv4.Assign(up);
        t.fogBackhaulAddress.push_back(upIfs.GetAddress(0));
        t.cloudAddress.push_back(upIfs.GetAddress(1));
        if (cells.IsLocalFog(f))
        {
            AddRoute(t.fogs.Get(f), "7.0.0.0", "255.0.0.0", pgwSide);
        }
        if (!config.pcapPrefix.empty() && cells.IsCloudLocal())
        {
            pcap.EnablePcap(config.pcapPrefix, up.Get(1), true);
        }
    }
    if (!regional)
    {
        // the cloud's own link to the PGW, for the star baseline
        NetDeviceContainer internetLink = InstallBackhaulLink(
            regions[0].epc->GetPgwNode(), cloud, config.backhaulRate, config.backhaulDelay);
        ipv4.SetBase("10.4.0.0", "255.255.255.252");
        Ipv4InterfaceContainer internetIfs = ipv4.Assign(internetLink);
        t.cloudDeviceAddress.assign(config.devices, internetIfs.GetAddress(1));
        AddRoute(cloud, "7.0.0.0", "255.0.0.0", internetIfs.GetAddress(0));
        if (!config.pcapPrefix.empty())
        {
            pcap.EnablePcap(config.pcapPrefix, internetLink.Get(1), true);
        }
        return t;
    }
    // each region's gateway: behind its PGW as a MEC host, and linked to the cloud
    t.cloudDeviceAddress.resize(config.devices);
    for (uint32_t r = 0; r < regionCount; ++r)
    {
        const Region& region = regions[r];
        const bool local = region.rank == cells.rank;
        Ptr<Node> gateway = gateways.Get(r);
        std::ostringstream coreBase;
        coreBase << "10.5." << r << ".0";
        ipv4.SetBase(coreBase.str().c_str(), "255.255.255.252");
        Ipv4Address pgwSide;
        Ipv4Address gatewayCoreSide;
        if (local)
        {
            NetDeviceContainer link = mec.Install(region.epc->GetPgwNode(), gateway);
            Ipv4InterfaceContainer ifs = ipv4.Assign(link);
            pgwSide = ifs.GetAddress(0);
            gatewayCoreSide = ifs.GetAddress(1);
        }
        else
        {
            SkipMacAddresses(2);
            pgwSide = ipv4.NewAddress();
            gatewayCoreSide = ipv4.NewAddress();
            AddPlaceholderDevice(gateway); // the core link's device index
        }
        NetDeviceContainer up
            = InstallBackhaulLink(gateway, cloud, config.backhaulRate, config.backhaulDelay);
        std::ostringstream upBase;
        upBase << "10.4." << r << ".0";
        ipv4.SetBase(upBase.str().c_str(), "255.255.255.252");
        Ipv4InterfaceContainer upIfs = ipv4.Assign(up);
        for (uint32_t i : region.devices)
        {
            t.cloudDeviceAddress[i] = upIfs.GetAddress(1);
        }
        if (local)
        {
            AddRoute(region.epc->GetPgwNode(), "10.4.0.0", "255.255.0.0", gatewayCoreSide);
            AddRoute(gateway, "7.0.0.0", "255.0.0.0", pgwSide);
            AddRoute(gateway, "0.0.0.0", "0.0.0.0", upIfs.GetAddress(1));
        }
        if (cells.IsCloudLocal())
        {
            std::ostringstream ues;
            ues << "7." << (r + 1) << ".0.0";
            AddRoute(cloud, ues.str().c_str(), "255.255.0.0", upIfs.GetAddress(0));
            if (!config.pcapPrefix.empty())
            {
                pcap.EnablePcap(config.pcapPrefix, up.Get(1), true);
            }
        }
    }
    return t;
}

} // namespace ns3
