/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_D2D_RADIO_HELPER_H
#define HFFM_D2D_RADIO_HELPER_H

#include "ns3/federated-topology.h"

#include <string>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Gives every device a second radio for D2D links: the seam between hffm's D2D
 * logic and a D2D radio stack.
 *
 * ns-3 3.37 has no LTE sidelink, so D2D runs on Wi-Fi beside the device's Wi-Fi or LTE
 * uplink: ad hoc 802.11 (AdhocWifiMac) or 802.11p OCB (ns-3's wave module). The devices of
 * one fog share one channel (clusters under a fog contend with each other; fogs are far
 * apart). Each device gets an IPv4 address on 10.6.<fog>.0/24 (FederatedTopology::
 * d2dAddress), reachable in one hop from the devices it can hear; the transmissions count
 * in the topology's RadioEnergyMeter like the uplink's.
 *
 * Everything hffm's D2D applications need is that address: TCP over it to a neighbour. A
 * sidelink stack (e.g. an ns-3 tree with an NR or LTE sidelink module) plugs in by giving
 * the devices such addresses on its own NetDevices and filling d2dAddress; the D2D logic
 * (D2dGraph, ClusterTreeStrategy, FederatedHelper) does not change.
 */
class D2dRadioHelper
{
  public:
    /// \return true for the D2D radios this helper installs: "adhoc-80211n",
    ///         "adhoc-80211ac", "adhoc-80211ax", "ocb-80211p"
    static bool IsKnown(const std::string& radio);

    /// Install the radio named \p radio on every device of \p topology (after Build()).
    static void Install(FederatedTopology& topology, const std::string& radio);
};

} // namespace ns3

#endif /* HFFM_D2D_RADIO_HELPER_H */
