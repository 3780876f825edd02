/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_BACKHAUL_LINK_H
#define HFFM_BACKHAUL_LINK_H

#include "ns3/net-device-container.h"
#include "ns3/node.h"

#include <string>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Install a point-to-point link of \p rate and \p delay between \p a and \p b, also
 * when the two nodes run on different MPI ranks.
 *
 * Nodes of one rank (system id) get PointToPointHelper's link. Nodes of two ranks get the same
 * devices, queues and addresses over ns-3's PointToPointRemoteChannel, with an MpiReceiver on
 * each device, which is what PointToPointHelper does in an ns-3 built with MPI (Debian's ns-3
 * is built without it, so its helper never does). Every rank must install every such link, in
 * the same order: a packet across ranks names its receiver by node id and device index.
 * Aborts naming the nodes if hffm was built without MPI (HFFM_HAVE_MPI).
 *
 * \return the two devices, \p a's first
 */
NetDeviceContainer InstallBackhaulLink(Ptr<Node> a, Ptr<Node> b, const std::string& rate,
                                       const std::string& delay);

} // namespace ns3

#endif /* HFFM_BACKHAUL_LINK_H */
