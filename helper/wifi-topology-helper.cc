/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/wifi-topology-helper.h"

#include "ns3/abort.h"
#include "ns3/backhaul-link.h"
#include "ns3/config.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/ipv4-static-routing-helper.h"
#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/mobility-helper.h"
#include "ns3/nstime.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/position-allocator.h"
#include "ns3/qos-txop.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/ssid.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"
#include "ns3/wifi-helper.h"
#include "ns3/wifi-mac.h"
#include "ns3/wifi-net-device.h"
#include "ns3/yans-wifi-helper.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("WifiTopologyHelper");

namespace
{

bool
ParseStandard(const std::string& name, WifiStandard& standard)
{
    if (name == "80211n")
    {
        standard = WIFI_STANDARD_80211n;
    }
    else if (name == "80211ac")
    {
        standard = WIFI_STANDARD_80211ac;
    }
    else if (name == "80211ax")
    {
        standard = WIFI_STANDARD_80211ax;
    }
    else
    {
        return false;
    }
    return true;
}

/// The first interface of \p node whose subnet \p mask holds \p address.
uint32_t
InterfaceTowards(Ptr<Node> node, Ipv4Address address, Ipv4Mask mask)
{
    const int32_t interface = node->GetObject<Ipv4>()->GetInterfaceForPrefix(address, mask);
    NS_ABORT_MSG_IF(interface < 0, "WifiTopologyHelper: no interface towards " << address);
    return static_cast<uint32_t>(interface);
}

/**
 * The routes of a tree: a device's default route is its access point, a fog's is the cloud,
 * and the cloud reaches each cell through that cell's fog. These are the routes ns-3's global
 * routing computes for this network (it has no other paths), without its shortest-path runs
 * from every node over every link-state advertisement, whose cost grew with the square of the
 * nodes (doc/hffm.rst, "Set-up at scale"); they also need no knowledge of other processes'
 * cells in a distributed run.
 */
void
AddStaticRoutes(const FederatedTopology& t)
{
    Ipv4StaticRoutingHelper routing;
    const Ipv4Mask cell("255.255.255.0");
    const Ipv4Mask link("255.255.255.252");
    for (uint32_t i = 0; i < t.devices.GetN(); ++i)
    {
        if (!t.IsLocalDevice(i))
        {
            continue;
        }
        Ptr<Node> node = t.devices.Get(i);
        const Ipv4Address gateway = t.fogDeviceAddress.at(t.fogOf.at(i));
        routing.GetStaticRouting(node->GetObject<Ipv4>())
            ->SetDefaultRoute(gateway, InterfaceTowards(node, gateway, cell));
    }
    Ptr<Node> cloud = t.cloud.Get(0);
    for (uint32_t f = 0; f < t.fogs.GetN(); ++f)
    {
        Ptr<Node> fog = t.fogs.Get(f);
        const Ipv4Address toCloud = t.cloudAddress.at(f);
        if (t.partition.IsLocalFog(f))
        {
            routing.GetStaticRouting(fog->GetObject<Ipv4>())
                ->SetDefaultRoute(toCloud, InterfaceTowards(fog, toCloud, link));
        }
        if (t.partition.IsCloudLocal())
        {
            const Ipv4Address toFog = t.fogBackhaulAddress.at(f);
            routing.GetStaticRouting(cloud->GetObject<Ipv4>())
                ->AddNetworkRouteTo(t.fogDeviceAddress.at(f).CombineMask(cell), cell, toFog,
                                    InterfaceTowards(cloud, toFog, link));
        }
    }
}

} // namespace

std::string
WifiTopologyHelper::Check(const Config& config)
{
    WifiStandard standard{WIFI_STANDARD_80211ax};
    if (!ParseStandard(config.standard, standard))
    {
        return "Wi-Fi standard '" + config.standard + "' is not one of 80211n, 80211ac, 80211ax";
    }
    const std::string common = config.CheckCommon();
    if (!common.empty())
    {
        return common;
    }
    if (config.devices / config.fogs + 1 > 250)
    {
        return "more than 250 devices per fog";
    }
    return "";
}

FederatedTopology
WifiTopologyHelper::Build(const Config& config)
{
    const std::string error = Check(config);
    NS_ABORT_MSG_IF(!error.empty(), "WifiTopologyHelper: " << error);
    WifiStandard standard{WIFI_STANDARD_80211ax};
    ParseStandard(config.standard, standard);

    ApplyTransportDefaults(config);
    const CellPartition& cells = config.partition;
    FederatedTopology t;
    t.radio = "wifi";
    t.partition = cells;
    const Placement placement = PlaceNodes(config, 0.0, 1.5);
    t.fogOf = placement.fogOf;
    CreateNodes(t, config.devices, config.fogs);
    t.radioPoints = t.fogs;
    t.energy = CreateObject<RadioEnergyMeter>();
    InstallInternetStacks(t);

    MobilityHelper mobility;
    mobility.SetMobilityModel("ns3::ConstantPositionMobilityModel");
    mobility.SetPositionAllocator(placement.fogs);
    mobility.Install(t.fogs);
    InstallDeviceMobility(config, placement, t.devices);
    auto cloudPosition = CreateObject<ListPositionAllocator>();
    cloudPosition->Add(Vector(0.0, -config.fogSpacing, 0.0)); // the cloud, off the air
    mobility.SetPositionAllocator(cloudPosition);
    mobility.Install(t.cloud);

    WifiHelper wifi;
    wifi.SetStandard(standard);
    t.deviceAddress.resize(config.devices);
    Ipv4AddressHelper ipv4;
    std::vector<std::vector<CellRadios>> radios(config.fogs); // per cell: its AP, its stations
    for (uint32_t f = 0; f < config.fogs; ++f)
    {
        NodeContainer stations;
        std::vector<uint32_t> members;
        for (uint32_t i = f; i < config.devices; i += config.fogs)
        {
            stations.Add(t.devices.Get(i));
            members.push_back(i);
        }
        const auto stationCount = static_cast<uint32_t>(members.size());
        std::ostringstream base;
        base << "10.1." << f << ".0";
        ipv4.SetBase(base.str().c_str(), "255.255.255.0");
        if (!cells.IsLocalFog(f))
        {
            // another rank runs this cell: take what building it takes from the process-wide
            // counters (a MAC address per radio, its IP addresses), so that every later
            // device has the same addresses as in one process
            SkipMacAddresses(members.size() + 1);
            t.fogDeviceAddress.push_back(ipv4.NewAddress());
            for (uint32_t i : members)
            {
                t.deviceAddress[i] = ipv4.NewAddress();
            }
            AddPlaceholderDevice(t.fogs.Get(f)); // the access point's device index
            radios[f] = {{NetDeviceContainer(), 1}, {NetDeviceContainer(), stationCount}};
            continue;
        }
        // one channel per cell: a frequency plan without co-channel interference
        YansWifiChannelHelper channel = YansWifiChannelHelper::Default();
        YansWifiPhyHelper phy;
        phy.SetChannel(channel.Create());
        phy.SetPcapDataLinkType(WifiPhyHelper::DLT_IEEE802_11_RADIO);
        WifiMacHelper mac;
        const Ssid ssid("hffm-fog-" + std::to_string(f));
        mac.SetType("ns3::StaWifiMac", "Ssid", SsidValue(ssid));
        if (!config.ampdu)
        {
            mac.SetType("ns3::StaWifiMac", "Ssid", SsidValue(ssid), "BE_MaxAmpduSize",
                        UintegerValue(0));
        }
        NetDeviceContainer staDevices = wifi.Install(phy, mac, stations);
        mac.SetType("ns3::ApWifiMac", "Ssid", SsidValue(ssid));
        if (!config.ampdu)
        {
            mac.SetType("ns3::ApWifiMac", "Ssid", SsidValue(ssid), "BE_MaxAmpduSize",
                        UintegerValue(0));
        }
        NetDeviceContainer apDevice = wifi.Install(phy, mac, t.fogs.Get(f));
        HoldBlockAckSetup(staDevices);
        HoldBlockAckSetup(apDevice);
        if (!config.pcapPrefix.empty())
        {
            phy.EnablePcap(config.pcapPrefix, apDevice.Get(0), true);
        }
        Ipv4InterfaceContainer apIf = ipv4.Assign(apDevice);
        Ipv4InterfaceContainer staIf = ipv4.Assign(staDevices);
        t.fogDeviceAddress.push_back(apIf.GetAddress(0));
        for (std::size_t k = 0; k < members.size(); ++k)
        {
            t.deviceAddress[members[k]] = staIf.GetAddress(static_cast<uint32_t>(k));
            t.energy->WatchWifi(
                members[k], DynamicCast<WifiNetDevice>(staDevices.Get(static_cast<uint32_t>(k))));
        }
        radios[f] = {{apDevice, 1}, {staDevices, stationCount}};
    }
    // fixed random streams: every run of a scenario draws the same backoffs, whatever ran
    // before it in the process
    AssignCellStreams(radios, 1000);

    PointToPointHelper backhaul; // its PCAP
    for (uint32_t f = 0; f < config.fogs; ++f)
    {
        NetDeviceContainer link = InstallBackhaulLink(t.fogs.Get(f), t.cloud.Get(0),
                                                      config.backhaulRate, config.backhaulDelay);
        std::ostringstream base;
        base << "10.2." << f << ".0";
        ipv4.SetBase(base.str().c_str(), "255.255.255.252");
        Ipv4InterfaceContainer ifs = ipv4.Assign(link);
        t.fogBackhaulAddress.push_back(ifs.GetAddress(0));
        t.cloudAddress.push_back(ifs.GetAddress(1));
        if (!config.pcapPrefix.empty() && cells.IsCloudLocal())
        {
            backhaul.EnablePcap(config.pcapPrefix, link.Get(1), true);
        }
    }
    t.cloudDeviceAddress.assign(config.devices, t.cloudAddress.at(0));
    AddStaticRoutes(t);
    return t;
}

void
WifiTopologyHelper::AssignCellStreams(const std::vector<std::vector<CellRadios>>& cells,
                                      int64_t stream)
{
    // each kind's streams per radio, from the first radio of that kind built here
    WifiHelper wifi;
    std::vector<int64_t> perRadio;
    for (const auto& cell : cells)
    {
        for (std::size_t kind = perRadio.size(); kind < cell.size(); ++kind)
        {
            if (cell[kind].built.GetN() == 0)
            {
                break;
            }
            perRadio.push_back(wifi.AssignStreams(NetDeviceContainer(cell[kind].built.Get(0)), 0));
        }
    }
    for (const auto& cell : cells)
    {
        for (std::size_t kind = 0; kind < cell.size(); ++kind)
        {
            const CellRadios& radios = cell[kind];
            if (radios.built.GetN() == 0)
            {
                stream += kind < perRadio.size() ? perRadio[kind] * radios.count : 0;
                continue;
            }
            const int64_t used = wifi.AssignStreams(radios.built, stream);
            NS_ABORT_MSG_IF(used != perRadio.at(kind) * radios.built.GetN(),
                            "WifiTopologyHelper: radios of one kind take different stream counts");
            stream += used;
        }
    }
}

void
WifiTopologyHelper::HoldBlockAckSetup(const NetDeviceContainer& devices)
{
    for (uint32_t d = 0; d < devices.GetN(); ++d)
    {
        Ptr<WifiNetDevice> device = DynamicCast<WifiNetDevice>(devices.Get(d));
        if (!device || !device->GetMac()->GetQosSupported())
        {
            continue;
        }
        for (AcIndex ac : {AC_BE, AC_BK, AC_VI, AC_VO})
        {
            device->GetMac()->GetQosTxop(ac)->SetAttribute(
                "AddBaResponseTimeout", TimeValue(MilliSeconds(ADDBA_RESPONSE_TIMEOUT_MS)));
        }
    }
}

} // namespace ns3
