/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_WIFI_TOPOLOGY_HELPER_H
#define HFFM_WIFI_TOPOLOGY_HELPER_H

#include "ns3/federated-topology.h"

#include <string>

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
 * only with each other. IPv4 with global routing; the cloud is reachable from every device through
 * its access point (the star baseline).
 */
class WifiTopologyHelper
{
  public:
    /// Settings: TopologyConfig's (device radius 30 m) and the Wi-Fi standard.
    struct Config : TopologyConfig
    {
        std::string standard{"80211ax"}; //!< 80211n, 80211ac or 80211ax
        /// A-MPDU aggregation; off, an 802.11n cell sets up no Block Ack agreement at all
        /// (802.11ac/ax always do): in ns-3 3.37 such agreements stalled a station's uplink
        /// for whole rounds in cells of 10 or more stations (doc/hffm.rst)
        bool ampdu{true};
    };

    /// \return an empty string, or what is wrong with \p config (naming the value)
    static std::string Check(const Config& config);

    /**
     * Build the network (nodes, devices, IP, routes) and an energy meter on each device's
     * radio. Aborts naming the value if the config is invalid.
     */
    static FederatedTopology Build(const Config& config);
};

} // namespace ns3

#endif /* HFFM_WIFI_TOPOLOGY_HELPER_H */
