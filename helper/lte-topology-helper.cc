/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/lte-topology-helper.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/component-carrier-enb.h"
#include "ns3/config.h"
#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/ipv4-static-routing-helper.h"
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
#include "ns3/nstime.h"
#include "ns3/point-to-point-epc-helper.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/position-allocator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <cmath>
#include <set>
#include <sstream>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LteTopologyHelper");

namespace
{

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
    return "";
}

double
LteTopologyHelper::CellEdgeLossDb(double groundDistanceM)
{
    const double d = std::hypot(groundDistanceM, 30.0 - 1.5);
    const double lambda = 299792458.0 / 2120e6;
    return 20.0 * std::log10(4.0 * M_PI * d / lambda);
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
    FederatedTopology t;
    t.radio = "lte";
    auto lte = CreateObject<LteHelper>();
    auto epc = CreateObject<PointToPointEpcHelper>();
    lte->SetEpcHelper(epc);
    t.keepAlive = {lte, epc}; // the EPC's nodes and applications need their helpers
    if (config.maxLossDb > 0.0)
    {
        lte->SetSpectrumChannelAttribute("MaxLossDb", DoubleValue(config.maxLossDb));
    }
    lte->SetEnbDeviceAttribute("UlBandwidth", UintegerValue(config.resourceBlocks));
    lte->SetEnbDeviceAttribute("DlBandwidth", UintegerValue(config.resourceBlocks));
    Ptr<Node> pgw = epc->GetPgwNode();

    NodeContainer enbs;
    enbs.Create(config.fogs);
    t.devices.Create(config.devices);
    t.fogs.Create(config.fogs);
    t.cloud.Create(1);
    t.radioPoints = enbs;
    t.energy = CreateObject<RadioEnergyMeter>();

    const Placement placement = PlaceNodes(config, 30.0, 1.5);
    t.fogOf = placement.fogOf;
    MobilityHelper mobility;
    mobility.SetMobilityModel("ns3::ConstantPositionMobilityModel");
    mobility.SetPositionAllocator(placement.fogs);
    mobility.Install(enbs);
    InstallDeviceMobility(config, placement, t.devices);

    NetDeviceContainer enbDevices = lte->InstallEnbDevice(enbs);
    NetDeviceContainer ueDevices = lte->InstallUeDevice(t.devices);
    // fixed random streams: every run of a scenario draws the same, whatever ran before it
    int64_t stream = 1000;
    stream += lte->AssignStreams(enbDevices, stream);
    lte->AssignStreams(ueDevices, stream);
    InstallInternetStacks(t, NodeContainer(epc->GetPgwNode(), epc->GetSgwNode()));
    Ipv4InterfaceContainer ueIfs = epc->AssignUeIpv4Address(ueDevices);
    Ipv4StaticRoutingHelper routing;
    for (uint32_t i = 0; i < config.devices; ++i)
    {
        t.deviceAddress.push_back(ueIfs.GetAddress(i));
        routing.GetStaticRouting(t.devices.Get(i)->GetObject<Ipv4>())
            ->SetDefaultRoute(epc->GetUeDefaultGatewayAddress(), 1);
        lte->Attach(ueDevices.Get(i), enbDevices.Get(t.fogOf[i]));
        t.energy->WatchLteUe(i, DynamicCast<LteUeNetDevice>(ueDevices.Get(i)));
    }
    // after Attach, which tunes each UE to its cell's carrier
    if (config.channelPerCell)
    {
        std::vector<std::vector<Ptr<LteUeNetDevice>>> cellUes(config.fogs);
        for (uint32_t i = 0; i < config.devices; ++i)
        {
            cellUes[t.fogOf[i]].push_back(DynamicCast<LteUeNetDevice>(ueDevices.Get(i)));
        }
        for (uint32_t f = 0; f < config.fogs; ++f)
        {
            GiveCellItsChannels(lte, DynamicCast<LteEnbNetDevice>(enbDevices.Get(f)), cellUes[f],
                                config.maxLossDb);
        }
    }

    Ipv4AddressHelper ipv4;
    PointToPointHelper mec;
    mec.SetDeviceAttribute("DataRate", StringValue(config.mecRate));
    mec.SetChannelAttribute("Delay", StringValue(config.mecDelay));
    PointToPointHelper backhaul;
    backhaul.SetDeviceAttribute("DataRate", StringValue(config.backhaulRate));
    backhaul.SetChannelAttribute("Delay", StringValue(config.backhaulDelay));
    std::vector<Ipv4Address> pgwSide;
    for (uint32_t f = 0; f < config.fogs; ++f)
    {
        // the fog's MEC host behind the PGW
        NetDeviceContainer link = mec.Install(pgw, t.fogs.Get(f));
        std::ostringstream base;
        base << "10.3." << f << ".0";
        ipv4.SetBase(base.str().c_str(), "255.255.255.252");
        Ipv4InterfaceContainer ifs = ipv4.Assign(link);
        pgwSide.push_back(ifs.GetAddress(0));
        t.fogDeviceAddress.push_back(ifs.GetAddress(1));
        // the fog's backhaul to the cloud
        NetDeviceContainer up = backhaul.Install(t.fogs.Get(f), t.cloud.Get(0));
        std::ostringstream upBase;
        upBase << "10.2." << f << ".0";
        ipv4.SetBase(upBase.str().c_str(), "255.255.255.252");
        Ipv4InterfaceContainer upIfs = ipv4.Assign(up);
        t.fogBackhaulAddress.push_back(upIfs.GetAddress(0));
        t.cloudAddress.push_back(upIfs.GetAddress(1));
        AddRoute(t.fogs.Get(f), "7.0.0.0", "255.0.0.0", pgwSide.back());
        if (!config.pcapPrefix.empty())
        {
            mec.EnablePcap(config.pcapPrefix, link.Get(1), true);
            backhaul.EnablePcap(config.pcapPrefix, up.Get(1), true);
        }
    }
    // the cloud's own link to the PGW, for the star baseline
    NetDeviceContainer internetLink = backhaul.Install(pgw, t.cloud.Get(0));
    ipv4.SetBase("10.4.0.0", "255.255.255.252");
    Ipv4InterfaceContainer internetIfs = ipv4.Assign(internetLink);
    t.cloudDeviceAddress = internetIfs.GetAddress(1);
    AddRoute(t.cloud.Get(0), "7.0.0.0", "255.0.0.0", internetIfs.GetAddress(0));
    if (!config.pcapPrefix.empty())
    {
        backhaul.EnablePcap(config.pcapPrefix, internetLink.Get(1), true);
    }
    return t;
}

} // namespace ns3
