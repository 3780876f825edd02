/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_LTE_TOPOLOGY_HELPER_H
#define HFFM_LTE_TOPOLOGY_HELPER_H

#include "ns3/federated-topology.h"

#include <string>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Builds an LTE (with EPC) federated network: devices are UEs; each eNB has a fog
 * server, a MEC host reached through the EPC; fogs reach the cloud over backhaul links.
 *
 * Placement (PlaceNodes()): eNBs on a line fogSpacing apart (default 1000 m); device i
 * attaches to eNB i mod fogs and stands uniformly in the disc of deviceRadius (default
 * 150 m) around it.
 * Uplink and downlink transfers go through LTE's PHY, MAC, RLC and PDCP, then the EPC's
 * S1-U and SGi links: the PGW has a point-to-point link to each fog host (MecRate, MecDelay)
 * and one to the cloud (for the star baseline). RLC runs in acknowledged mode with a
 * transmit buffer of RlcBufferBytes (LTE's 10 KiB default throttles TCP to about 2 Mb/s),
 * and SRS periodicity is raised above the number of UEs per cell.
 *
 * Regional cores (Config::regions > 1): the fogs are split into regions in blocks (fog f in
 * region floor(f x regions / fogs), RegionOf()), and each region has an EPC of its own (PGW,
 * SGW, MME, its eNBs, its UEs and its fogs' MEC hosts) and a region gateway: a router with a
 * MecRate/MecDelay link to the region's PGW and a backhaul link (BackhaulRate,
 * BackhaulDelay) to the cloud, which carries the region's star-baseline traffic. Region r's
 * UEs have addresses 7.(r+1).x.y, so the cloud routes 7.(r+1).0.0/16 to region r's gateway.
 * A region is what a rank of a distributed run holds whole (ns-3's EPC cannot span ranks):
 * its links to the cloud, the fogs' backhaul and the gateway's, are the only ones that cross
 * ranks. With one region (the default) the network is the one-EPC network above.
 */
class LteTopologyHelper
{
  public:
    /// Settings: TopologyConfig's (device radius 150 m; PCAP of the EPC's links and the
    /// backhaul, LTE's radio has none) and LTE's.
    struct Config : TopologyConfig
    {
        Config() { deviceRadius = 150.0; }

        uint16_t resourceBlocks{50}; //!< uplink and downlink bandwidth (6, 15, 25, 50, 75, 100)
        double ueTxPowerDbm{23.0};
        double enbTxPowerDbm{43.0};
        uint32_t rlcBufferBytes{4U << 20};
        std::string mecRate{"10Gbps"};
        std::string mecDelay{"1ms"};
        /// Signals attenuated by more than this (dB) are not delivered
        /// (SpectrumChannel::MaxLossDb; 0: every signal is). With the defaults (Friis loss,
        /// UEs within 150 m of their eNB, eNBs 1000 m apart) that is every other cell's
        /// signal: a frequency plan without co-channel interference between cells, as the
        /// Wi-Fi helper's channel per cell, and a UE receives only its own cell each TTI
        double maxLossDb{90.0};
        /// Wideband downlink CQI report period of every UE (ms): 3GPP's periodic CQI
        /// periods 2, 5, 10, 20, 40, 80, 160, or 1 for ns-3's report every TTI
        /// (LteUePhy::DownlinkCqiPeriodicity). Computing a report runs the MI error model
        /// for every MCS, so at 1 ms it is the largest per-TTI cost of a cell; with static
        /// UEs and no fading the channel, hence the report, does not change between reports
        uint32_t cqiPeriodMs{10};
        /// Each cell on a downlink and an uplink spectrum channel of its own: a UE hears only
        /// its own eNB and an eNB only its own UEs (a frequency plan without co-channel
        /// interference between cells, as the Wi-Fi helper's channel per cell), and a
        /// transmission costs the simulation its cell's receivers, not the whole network's.
        /// false: one channel pair for every cell, where maxLossDb decides which signals
        /// reach which receiver
        bool channelPerCell{true};
        /// Whether a UE draws PCFICH and PDCCH decoding errors every TTI
        /// (LteSpectrumPhy::CtrlErrorModelEnabled, ns-3's default true). Off by default: in
        /// the default cells (a UE within 150 m of its eNB, no co-channel interference) the
        /// control channels' SINR is 56 dB or more, where the error model always decodes, and
        /// evaluating it is about an eighth of what an idle cell costs to simulate. Turn it
        /// on for cells whose edge has a low SINR
        bool controlErrorModel{false};
        /// Regional cores (EPCs), 1..fogs: see the class description. More than one needs
        /// channelPerCell (another rank's cells are not simulated, so they cannot interfere)
        uint32_t regions{1};
    };

    /// \return the region of fog \p fog of \p fogs split into \p regions:
    /// floor(fog x regions / fogs)
    static uint32_t RegionOf(uint32_t fog, uint32_t fogs, uint32_t regions);

    /**
     * The partition of \p config's cells over \p ranks that keeps regions whole: region r on
     * rank floor(r x ranks / regions) (as CellPartition::Even spreads cells), each fog on its
     * region's rank. With one region per fog it is CellPartition::Even.
     */
    static CellPartition EvenByRegion(const Config& config, uint32_t ranks, uint32_t rank);

    /**
     * \return the Friis loss (dB) of the downlink carrier (the default EARFCN 100,
     * 2120 MHz) from an eNB to a UE at \p groundDistanceM, the antennas 30 m and 1.5 m high
     */
    static double CellEdgeLossDb(double groundDistanceM);

    /// \return an empty string, or what is wrong with \p config (naming the value),
    /// including a partition that splits a region or has more ranks than regions
    static std::string Check(const Config& config);

    /// Build the network and an energy meter on each UE's uplink; aborts on a bad config.
    static FederatedTopology Build(const Config& config);
};

} // namespace ns3

#endif /* HFFM_LTE_TOPOLOGY_HELPER_H */
