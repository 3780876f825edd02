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
 * \brief Which process runs which fog cell when a scenario runs on several MPI ranks of ns-3's
 * distributed simulator.
 *
 * A cell is a fog with its devices: their radios, their D2D clusters and their training run on
 * the cell's rank; the cloud runs on rank 0. The only links between ranks are the fogs'
 * point-to-point backhaul links to the cloud, whose delay is the distributed simulator's
 * lookahead. The partition is given per fog, so a cell is never split. Every rank builds every
 * node (the same node ids everywhere) but only its own cells' radios and applications.
 */
struct CellPartition
{
    uint32_t ranks{1};             //!< processes of the run
    uint32_t rank{0};              //!< this process
    std::vector<uint32_t> fogRank; //!< per fog, the rank that runs its cell; empty: rank 0

    /**
     * Cells spread evenly, in blocks: fog f on rank floor(f x ranks / fogs), so each rank runs
     * fogs / ranks cells (one more on some) and rank 0 runs the cloud and its share.
     */
    static CellPartition Even(uint32_t fogs, uint32_t ranks, uint32_t rank);

    /**
     * A partition given per fog, as a comma-separated list of ranks ("0,0,1,1": fogs 0 and 1
     * on rank 0, fogs 2 and 3 on rank 1). \return an empty string, or what is wrong (naming
     * the value)
     */
    static std::string Parse(const std::string& list, uint32_t fogs, uint32_t ranks, uint32_t rank,
                             CellPartition& partition);

    /// \return an empty string, or what is wrong with this partition of \p fogs cells
    std::string Check(uint32_t fogs) const;

    /// \return the rank that runs fog \p f's cell
    uint32_t GetFogRank(uint32_t f) const;
    /// \return whether this process runs fog \p f's cell
    bool IsLocalFog(uint32_t f) const;
    /// \return whether this process runs the cloud (rank 0)
    bool IsCloudLocal() const;
    /// \return whether the run has more than one rank
    bool IsDistributed() const;
};

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
    /// which process runs which cell (default: one process runs everything)
    CellPartition partition;

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
 * Create \p devices device nodes, \p fogs fog nodes and the cloud node, in this order, into
 * \p t (whose fogOf and partition are set): every process creates every node, so node ids are
 * the same on every rank; a node's system id is its cell's rank (the cloud's 0).
 */
void CreateNodes(FederatedTopology& t, uint32_t devices, uint32_t fogs);

/**
 * Take \p count MAC addresses from ns-3's process-wide allocator: what building another rank's
 * cell would take, so that every later device gets the address it has in one process.
 */
void SkipMacAddresses(std::size_t count);

/**
 * Add a device without a channel or address to \p node: it stands for a radio another rank
 * builds, so that the node's later devices have the same index on every rank (a point-to-point
 * link across ranks names its far end by node id and device index).
 */
void AddPlaceholderDevice(Ptr<Node> node);

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
    /// per device, the cloud's address it sends to in the star baseline (LTE's regional
    /// cores: the cloud's address on the device's region gateway link)
    std::vector<Ipv4Address> cloudDeviceAddress;
    std::string d2dRadio;                //!< the D2D radio (D2dRadioHelper); empty: none
    std::vector<Ipv4Address> d2dAddress; //!< per device, its D2D address (if d2dRadio)
    Ptr<RadioEnergyMeter> energy;        //!< radio energy of each device (by device index)
    /// helpers the network needs while it runs (LTE's and its EPC's)
    std::vector<Ptr<Object>> keepAlive;
    /// which process runs which cell: this process built only its own cells' radios
    CellPartition partition;

    /// \return whether this process runs device \p i (its fog's cell)
    bool IsLocalDevice(uint32_t i) const;
};

} // namespace ns3

#endif /* HFFM_FEDERATED_TOPOLOGY_H */
