/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_FEDERATED_TOPOLOGY_H
#define HFFM_FEDERATED_TOPOLOGY_H

#include "ns3/ipv4-address.h"
#include "ns3/node-container.h"
#include "ns3/object.h"
#include "ns3/radio-energy-meter.h"

#include <string>
#include <vector>

namespace ns3
{

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
