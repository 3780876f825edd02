/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_FEDERATED_TOPOLOGY_H
#define HFFM_FEDERATED_TOPOLOGY_H

#include "ns3/ipv4-address.h"
#include "ns3/node-container.h"
#include "ns3/object.h"
#include "ns3/position-allocator.h"
#include "ns3/radio-energy-meter.h"

#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief What every topology helper's settings have.
 */
struct TopologyConfig
{
    uint32_t devices{8};
    uint32_t fogs{2};
    double deviceRadius{30.0}; //!< metres: devices stand within this of their fog's radio
    double fogSpacing{1000.0}; //!< metres between neighbouring fogs, on a line
    /// devices of a fog stand in groups of this many (0: each on its own), the group of
    /// device i being its rank among its fog's devices divided by groupSize: the D2D
    /// clusters of FederatedHelper::SetD2dClusters() with the same size
    uint32_t groupSize{0};
    double groupRadius{15.0};            //!< metres: group members stand within this of its centre
    std::string backhaulRate{"100Mbps"}; //!< each fog's link to the cloud
    std::string backhaulDelay{"10ms"};
    uint64_t seed{1}; //!< placement
    /// metres per second of every device's random walk; 0: devices stand still. A device
    /// walks straight for a second at this speed, then draws a new direction (ns-3's
    /// RandomWalk2dMobilityModel), rebounding at the square of half-side deviceRadius around
    /// its fog's radio, so it may stray up to deviceRadius x sqrt(2) from it
    double deviceSpeed{0.0};
    /// TCP maximum segment size of every transfer, in bytes: ns-3's default of 536 sends
    /// 2.7 times as many segments as the 1448 of a 1500-byte MTU (the smallest MTU on the
    /// paths: point-to-point links)
    uint32_t tcpSegmentBytes{1448};
    /// if not empty, write PCAP files <prefix>-<node>-<device>.pcap (see each helper)
    std::string pcapPrefix;

    /// \return an empty string, or what is wrong (naming the value)
    std::string CheckCommon() const;
};

/**
 * \ingroup hffm
 * \brief Where a topology's nodes stand: fog f's radio at (f x fogSpacing, 0, fogHeight);
 * device i, of fog i mod fogs, at a uniformly drawn point of the disc of deviceRadius around
 * it, at deviceHeight — or, with groups, at a uniformly drawn point of the disc of
 * groupRadius around its group's centre, itself drawn in the disc of deviceRadius - groupRadius
 * around the fog. Deterministic from the config's seed.
 */
struct Placement
{
    Ptr<ListPositionAllocator> fogs;
    Ptr<ListPositionAllocator> devices;
    std::vector<uint32_t> fogOf; //!< per device
};

/// \return the placement of \p config's nodes
Placement PlaceNodes(const TopologyConfig& config, double fogHeight, double deviceHeight);

/**
 * Install the devices' mobility: where \p placement puts them, standing still or, with
 * TopologyConfig::deviceSpeed, on a random walk around their fog's radio (random streams
 * fixed from 7000).
 */
void InstallDeviceMobility(const TopologyConfig& config, const Placement& placement,
                           NodeContainer devices);

struct FederatedTopology;

/**
 * Install the IP stack on \p t's devices, fogs and cloud, and fix the random streams of
 * those stacks (ARP's request jitter, among others), from 5000 in that order, then of
 * \p alsoFix (nodes whose stacks were installed elsewhere: LTE's EPC gateways). They are
 * otherwise numbered in creation order, across every simulation the process has run.
 */
void InstallInternetStacks(const FederatedTopology& t,
                           const NodeContainer& alsoFix = NodeContainer());

/**
 * Set the transport defaults every topology helper uses, before it creates nodes: TCP's
 * segment size (TopologyConfig::tcpSegmentBytes), and ARP's dead timeout of 1 s (a neighbour
 * whose address resolution failed, a station not yet associated or a frame lost, is tried
 * again after a second, not after ns-3's default 100 s).
 */
void ApplyTransportDefaults(const TopologyConfig& config);

/**
 * \ingroup hffm
 * \brief The nodes of a federated network and how they reach each other, as a topology
 * helper (WifiTopologyHelper, LteTopologyHelper) built them.
 *
 * Device i is served by fog fogOf[i]; every fog has a backhaul link to the cloud.
 */
struct FederatedTopology
{
    std::string radio; //!< "wifi" or "lte"
    NodeContainer devices;
    NodeContainer fogs;
    NodeContainer cloud; //!< one node
    /// per fog, the node its devices talk to over the air (Wi-Fi: the fog; LTE: its eNB)
    NodeContainer radioPoints;
    std::vector<uint32_t> fogOf;                 //!< per device, its fog's index
    std::vector<Ipv4Address> deviceAddress;      //!< per device, the address it listens on
    std::vector<Ipv4Address> fogDeviceAddress;   //!< per fog, its address for its devices
    std::vector<Ipv4Address> fogBackhaulAddress; //!< per fog, its address for the cloud
    std::vector<Ipv4Address> cloudAddress;       //!< per fog, the cloud's address on its link
    Ipv4Address cloudDeviceAddress;      //!< the cloud's address for devices (star baseline)
    std::string d2dRadio;                //!< the D2D radio (D2dRadioHelper); empty: none
    std::vector<Ipv4Address> d2dAddress; //!< per device, its D2D address (if d2dRadio)
    Ptr<RadioEnergyMeter> energy;        //!< radio energy of each device (by device index)
    /// helpers the network needs while it runs (LTE's and its EPC's)
    std::vector<Ptr<Object>> keepAlive;
};

} // namespace ns3

#endif /* HFFM_FEDERATED_TOPOLOGY_H */
