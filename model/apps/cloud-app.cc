/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/cloud-app.h"

#include "ns3/log.h"
#include "ns3/simulator.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("CloudApp");

NS_OBJECT_ENSURE_REGISTERED(CloudApp);

TypeId
CloudApp::GetTypeId()
{
    static TypeId tid = TypeId("ns3::CloudApp")
                            .SetParent<AggregatorApp>()
                            .SetGroupName("Hffm")
                            .AddConstructor<CloudApp>();
    return tid;
}

CloudApp::CloudApp()
{
    NS_LOG_FUNCTION(this);
}

CloudApp::~CloudApp()
{
    NS_LOG_FUNCTION(this);
}

uint32_t
CloudApp::GetRoundsDone() const
{
    return m_roundsDone;
}

void
CloudApp::UpdateArriving(const MessageFields& fields)
{
    if (!IsCollecting() && fields.round > m_lastRound)
    {
        NS_LOG_INFO(Simulator::Now().As(Time::S) << " cloud opens global round " << fields.round);
        BeginCollection(fields.round, GetChildIds());
    }
}

void
CloudApp::CollectionDone(const RoundSummary& summary)
{
    m_lastRound = summary.round;
    ++m_roundsDone;
    for (uint32_t fog : GetChildIds())
    {
        PushToChild(fog, summary.round);
    }
}

} // namespace ns3
