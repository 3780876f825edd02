/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/cluster-tree-strategy.h"

#include "ns3/log.h"
#include "ns3/nstime.h"
#include "ns3/simulator.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ClusterTreeStrategy");

NS_OBJECT_ENSURE_REGISTERED(ClusterTreeStrategy);

TypeId
ClusterTreeStrategy::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::ClusterTreeStrategy")
              .SetParent<RoundStrategy>()
              .SetGroupName("Hffm")
              .AddConstructor<ClusterTreeStrategy>()
              .AddAttribute("Fallback",
                            "Where the round's contribution goes when the parent cannot be "
                            "reached at all (unset: nowhere): the fog.",
                            AddressValue(), MakeAddressAccessor(&ClusterTreeStrategy::m_fallback),
                            MakeAddressChecker())
              .AddAttribute("ConnectTimeout",
                            "With a Fallback: how long the connection to the parent may take "
                            "before the parent is taken for gone.",
                            TimeValue(Seconds(2)),
                            MakeTimeAccessor(&ClusterTreeStrategy::m_connectTimeout),
                            MakeTimeChecker(MilliSeconds(1)));
    return tid;
}

ClusterTreeStrategy::ClusterTreeStrategy()
    : m_connectTimeout(Seconds(2))
{
    NS_LOG_FUNCTION(this);
}

ClusterTreeStrategy::~ClusterTreeStrategy()
{
    NS_LOG_FUNCTION(this);
}

uint32_t
ClusterTreeStrategy::GetRoundsDone() const
{
    return m_roundsDone;
}

void
ClusterTreeStrategy::HandlePush(const MessageFields& fields, std::shared_ptr<ModuleState> state)
{
    CollectorApp& app = GetCollector();
    if (fields.round <= m_lastRound)
    {
        app.Reject(fields.sender, "stale-round",
                   "module " + fields.moduleId + " of round " + std::to_string(fields.round)
                       + " after round " + std::to_string(m_lastRound));
        return;
    }
    const uint32_t round = fields.round;
    if (round > m_arrivingRound && state && app.IsKnownModule(fields.moduleId, *state))
    {
        // the first module of a new round: an earlier round still collected is over, and the
        // tree may change before this round's modules are taken and forwarded (a message
        // that is no module of this model changes nothing: AcceptParentModule rejects it)
        m_arrivingRound = round;
        app.AbandonCollection();
        if (!m_forwardCallback.IsNull())
        {
            m_forwardCallback(round);
        }
    }
    if (!app.AcceptParentModule(fields, std::move(state), round))
    {
        return;
    }
    NS_LOG_INFO(Simulator::Now().As(Time::S)
                << " cluster node " << app.GetSenderId() << " forwards round " << round);
    m_pushedRound = round;
    app.BeginCollection(round, GetRoundParticipants());
    for (uint32_t c : app.GetChildIds())
    {
        app.PushToChild(c, round);
    }
}

std::vector<uint32_t>
ClusterTreeStrategy::GetRoundParticipants() const
{
    return GetCollector().GetChildIds();
}

uint32_t
ClusterTreeStrategy::GetPushedRound() const
{
    return m_pushedRound;
}

void
ClusterTreeStrategy::DoDispose()
{
    m_forwardCallback = MakeNullCallback<void, uint32_t>(); // it may hold this node's tree
    RoundStrategy::DoDispose();
}

void
ClusterTreeStrategy::SetForwardCallback(Callback<void, uint32_t> callback)
{
    m_forwardCallback = callback;
}

uint32_t
ClusterTreeStrategy::GetFallbacks() const
{
    return m_fallbacks;
}

void
ClusterTreeStrategy::CollectionDone(const RoundSummary& summary)
{
    m_lastRound = summary.round;
    ++m_roundsDone;
    CollectorApp& app = GetCollector();
    Ptr<ModuleTransfer> up = app.SendUp(app.GetParent(), summary.round, summary.weights);
    if (m_fallback.IsInvalid())
    {
        return;
    }
    const uint32_t round = summary.round;
    const auto weights = summary.weights;
    up->SetConnectTimeout(m_connectTimeout);
    ModuleTransfer* transfer = PeekPointer(up); // the transfer calls back: it is alive
    CollectorApp* collector = &app;
    up->SetDoneCallback(
        [this, collector, round, weights, transfer](bool complete)
        {
            // nothing reached the parent: the same contribution takes the fog path
            if (!complete && transfer->GetSentCount() == 0 && collector->IsRunning())
            {
                NS_LOG_INFO(Simulator::Now().As(Time::S)
                            << " cluster node " << collector->GetSenderId()
                            << " cannot reach its parent: round " << round << " goes to the fog");
                ++m_fallbacks;
                collector->SendUp(m_fallback, round, weights);
            }
        });
}

} // namespace ns3
