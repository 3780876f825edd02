/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/wifi-topology-helper.h"

#include "ns3/abort.h"
#include "ns3/config.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/ipv4-global-routing-helper.h"
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
    FederatedTopology t;
    t.radio = "wifi";
    t.devices.Create(config.devices);
    t.fogs.Create(config.fogs);
    t.cloud.Create(1);
    t.radioPoints = t.fogs;
    t.energy = CreateObject<RadioEnergyMeter>();
    InstallInternetStacks(t);

    const Placement placement = PlaceNodes(config, 0.0, 1.5);
    t.fogOf = placement.fogOf;
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
    int64_t stream = 1000;
    t.deviceAddress.resize(config.devices);
    Ipv4AddressHelper ipv4;
    for (uint32_t f = 0; f < config.fogs; ++f)
    {
        NodeContainer stations;
        std::vector<uint32_t> members;
        for (uint32_t i = f; i < config.devices; i += config.fogs)
        {
            stations.Add(t.devices.Get(i));
            members.push_back(i);
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
        // fixed random streams: every run of a scenario draws the same backoffs, whatever
        // ran before it in the process
        stream += wifi.AssignStreams(apDevice, stream);
        stream += wifi.AssignStreams(staDevices, stream);
        if (!config.pcapPrefix.empty())
        {
            phy.EnablePcap(config.pcapPrefix, apDevice.Get(0), true);
        }
        std::ostringstream base;
        base << "10.1." << f << ".0";
        ipv4.SetBase(base.str().c_str(), "255.255.255.0");
        Ipv4InterfaceContainer apIf = ipv4.Assign(apDevice);
        Ipv4InterfaceContainer staIf = ipv4.Assign(staDevices);
        t.fogDeviceAddress.push_back(apIf.GetAddress(0));
        for (std::size_t k = 0; k < members.size(); ++k)
        {
            t.deviceAddress[members[k]] = staIf.GetAddress(static_cast<uint32_t>(k));
            t.energy->WatchWifi(
                members[k], DynamicCast<WifiNetDevice>(staDevices.Get(static_cast<uint32_t>(k))));
        }
    }

    PointToPointHelper backhaul;
    backhaul.SetDeviceAttribute("DataRate", StringValue(config.backhaulRate));
    backhaul.SetChannelAttribute("Delay", StringValue(config.backhaulDelay));
    for (uint32_t f = 0; f < config.fogs; ++f)
    {
        NetDeviceContainer link = backhaul.Install(t.fogs.Get(f), t.cloud.Get(0));
        std::ostringstream base;
        base << "10.2." << f << ".0";
        ipv4.SetBase(base.str().c_str(), "255.255.255.252");
        Ipv4InterfaceContainer ifs = ipv4.Assign(link);
        t.fogBackhaulAddress.push_back(ifs.GetAddress(0));
        t.cloudAddress.push_back(ifs.GetAddress(1));
        if (!config.pcapPrefix.empty())
        {
            backhaul.EnablePcap(config.pcapPrefix, link.Get(1), true);
        }
    }
    t.cloudDeviceAddress = t.cloudAddress.at(0);
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    return t;
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
