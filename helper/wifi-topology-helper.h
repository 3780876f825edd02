/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_WIFI_TOPOLOGY_HELPER_H
#define HFFM_WIFI_TOPOLOGY_HELPER_H

#include "ns3/federated-topology.h"
#include "ns3/net-device-container.h"
#include "ns3/nstime.h"

#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Builds a Wi-Fi federated network: each fog is an access point with its devices as
 * stations, and a point-to-point backhaul to the cloud.
 *
 * Placement (PlaceNodes()): fogs on a line fogSpacing apart; device i joins fog i mod fogs and
 * stands at a uniformly drawn point of the disc of deviceRadius around it (defaults: 30 m, and 1000
 * m between fogs). PCAP: radiotap at each access point (it sees every module transfer of its cell)
 * and the backhaul links, captured at the cloud. Each basic service set has a channel of its own (a
 * frequency plan without co-channel interference between cells), so devices of one cell contend
 * only with each other. IPv4 with static routes (a device through its access point, a fog through
 * the cloud, the cloud to each cell through its fog); the cloud is reachable from every device
 * through its access point (the star baseline).
 */
class WifiTopologyHelper
{
  public:
    /// Settings: TopologyConfig's (device radius 30 m) and the Wi-Fi standard.
    struct Config : TopologyConfig
    {
        std::string standard{"80211ax"}; //!< 80211n, 80211ac or 80211ax
        /// A-MPDU aggregation; off, an 802.11n cell sets up no Block Ack agreement at all
        /// (802.11ac/ax always do)
        bool ampdu{true};
    };

    /**
     * How long an originator waits for the ADDBA response to its Block Ack request before it
     * sends that traffic without an agreement: ns-3 3.37's default is 1 ms.
     *
     * In ns-3 3.37 a response that comes after that timeout still establishes the agreement,
     * whose window then starts at a sequence number the originator has already sent outside
     * it; the recipient buffers every later frame of that traffic behind the missing one, for
     * ever. In a busy cell a response that loses a couple of contentions easily takes more
     * than 1 ms: the station's ARP replies or TCP segments then never reached IP, and it missed
     * whole rounds (doc/hffm.rst, "Block Ack set-up in ns-3 3.37"). Waiting this long instead
     * makes a late response arrive while the originator still waits for it.
     */
    static constexpr int64_t ADDBA_RESPONSE_TIMEOUT_MS = 500;

    /**
     * Set ADDBA_RESPONSE_TIMEOUT_MS on every access category of every Wi-Fi device in
     * \p devices (others are skipped).
     */
    static void HoldBlockAckSetup(const NetDeviceContainer& devices);

    /// \return an empty string, or what is wrong with \p config (naming the value)
    /// The radios of one kind (an access point, stations, D2D radios) in one cell.
    struct CellRadios
    {
        NetDeviceContainer built; //!< built by this process; empty: another rank's cell
        uint32_t count{0};        //!< how many the cell has, built here or not
    };

    /**
     * Fix the random streams of every cell's radios, from \p stream on: cell after cell, and
     * in a cell kind after kind (e.g. its access point, then its stations). A cell another
     * rank builds takes the streams its radios would have taken, so that a cell draws the
     * same on every partition: each radio of a kind takes as many as the first one built
     * here (WifiHelper::AssignStreams gives every radio of one kind the same number). Aborts
     * if they differ.
     */
    static void AssignCellStreams(const std::vector<std::vector<CellRadios>>& cells,
                                  int64_t stream);

    static std::string Check(const Config& config);

    /**
     * Build the network (nodes, devices, IP, routes) and an energy meter on each device's
     * radio. Aborts naming the value if the config is invalid.
     */
    static FederatedTopology Build(const Config& config);
};

} // namespace ns3

#endif /* HFFM_WIFI_TOPOLOGY_HELPER_H */
