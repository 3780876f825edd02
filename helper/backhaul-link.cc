/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/backhaul-link.h"

#include "ns3/abort.h"
#include "ns3/data-rate.h"
#include "ns3/mac48-address.h"
#include "ns3/net-device-queue-interface.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/point-to-point-net-device.h"
#include "ns3/queue.h"
#include "ns3/string.h"

#ifdef HFFM_HAVE_MPI
#include "ns3/mpi-receiver.h"
#include "ns3/point-to-point-remote-channel.h"
#endif

namespace ns3
{

#ifdef HFFM_HAVE_MPI
namespace
{

/// One end of a link across ranks, as PointToPointHelper makes it (a DropTail queue with
/// flow control), with an MpiReceiver that hands it what the far rank sends.
Ptr<PointToPointNetDevice>
CreateEnd(Ptr<Node> node, const DataRate& rate)
{
    Ptr<PointToPointNetDevice> device = CreateObject<PointToPointNetDevice>();
    device->SetAttribute("DataRate", DataRateValue(rate));
    device->SetAddress(Mac48Address::Allocate());
    node->AddDevice(device);
    ObjectFactory queueFactory("ns3::DropTailQueue<Packet>");
    Ptr<Queue<Packet>> queue = queueFactory.Create<Queue<Packet>>();
    device->SetQueue(queue);
    Ptr<NetDeviceQueueInterface> flowControl = CreateObject<NetDeviceQueueInterface>();
    flowControl->GetTxQueue(0)->ConnectQueueTraces(queue);
    device->AggregateObject(flowControl);
    Ptr<MpiReceiver> receiver = CreateObject<MpiReceiver>();
    receiver->SetReceiveCallback(MakeCallback(&PointToPointNetDevice::Receive, device));
    device->AggregateObject(receiver);
    return device;
}

} // namespace
#endif

NetDeviceContainer
InstallBackhaulLink(Ptr<Node> a, Ptr<Node> b, const std::string& rate, const std::string& delay)
{
    if (a->GetSystemId() == b->GetSystemId())
    {
        PointToPointHelper helper;
        helper.SetDeviceAttribute("DataRate", StringValue(rate));
        helper.SetChannelAttribute("Delay", StringValue(delay));
        return helper.Install(a, b);
    }
#ifdef HFFM_HAVE_MPI
    const DataRate dataRate(rate);
    NetDeviceContainer link;
    link.Add(CreateEnd(a, dataRate));
    link.Add(CreateEnd(b, dataRate));
    Ptr<PointToPointRemoteChannel> channel = CreateObject<PointToPointRemoteChannel>();
    channel->SetAttribute("Delay", StringValue(delay));
    for (uint32_t k = 0; k < 2; ++k)
    {
        DynamicCast<PointToPointNetDevice>(link.Get(k))->Attach(channel);
    }
    return link;
#else
    NS_ABORT_MSG("InstallBackhaulLink: nodes " << a->GetId() << " (rank " << a->GetSystemId()
                                               << ") and " << b->GetId() << " (rank "
                                               << b->GetSystemId()
                                               << ") are on different ranks, and hffm was built "
                                                  "without MPI (scripts/build-ns3-mpi.sh)");
    return NetDeviceContainer();
#endif
}

} // namespace ns3
