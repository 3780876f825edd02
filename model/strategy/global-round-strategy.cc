/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/global-round-strategy.h"

#include "ns3/log.h"
#include "ns3/simulator.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("GlobalRoundStrategy");

NS_OBJECT_ENSURE_REGISTERED(GlobalRoundStrategy);

TypeId
GlobalRoundStrategy::GetTypeId()
{
    static TypeId tid = TypeId("ns3::hffm::GlobalRoundStrategy")
                            .SetParent<RoundStrategy>()
                            .SetGroupName("Hffm")
                            .AddConstructor<GlobalRoundStrategy>();
    return tid;
}

GlobalRoundStrategy::GlobalRoundStrategy()
{
    NS_LOG_FUNCTION(this);
}

GlobalRoundStrategy::~GlobalRoundStrategy()
{
    NS_LOG_FUNCTION(this);
}

uint32_t
GlobalRoundStrategy::GetRoundsDone() const
{
    return m_roundsDone;
}

void
GlobalRoundStrategy::UpdateArriving(const MessageFields& fields)
{
    CollectorApp& app = GetCollector();
    if (!app.IsCollecting() && fields.round > m_lastRound)
    {
        NS_LOG_INFO(Simulator::Now().As(Time::S) << " cloud opens global round " << fields.round);
        app.BeginCollection(fields.round, app.GetChildIds());
    }
}

void
GlobalRoundStrategy::CollectionDone(const RoundSummary& summary)
{
    m_lastRound = summary.round;
    ++m_roundsDone;
    CollectorApp& app = GetCollector();
    for (uint32_t fog : app.GetChildIds())
    {
        app.PushToChild(fog, summary.round);
    }
}

} // namespace ns3
