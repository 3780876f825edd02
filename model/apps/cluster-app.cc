/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/cluster-app.h"

#include "ns3/log.h"
#include "ns3/nstime.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ClusterApp");

NS_OBJECT_ENSURE_REGISTERED(ClusterApp);

TypeId
ClusterApp::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::ClusterApp")
              .SetParent<AggregatorApp>()
              .SetGroupName("Hffm")
              .AddConstructor<ClusterApp>()
              .AddAttribute("Parent",
                            "Address and port of the parent: the fog for the cluster's "
                            "aggregator, else the next member towards it.",
                            AddressValue(), MakeAddressAccessor(&ClusterApp::m_parent),
                            MakeAddressChecker())
              .AddAttribute("Fallback",
                            "Where the round's contribution goes when the parent cannot be "
                            "reached at all (unset: nowhere): the fog.",
                            AddressValue(), MakeAddressAccessor(&ClusterApp::m_fallback),
                            MakeAddressChecker())
              .AddAttribute("ConnectTimeout",
                            "With a Fallback: how long the connection to the parent may take "
                            "before the parent is taken for gone.",
                            TimeValue(Seconds(2)), MakeTimeAccessor(&ClusterApp::m_connectTimeout),
                            MakeTimeChecker(MilliSeconds(1)))
              .AddAttribute("NodeIndex",
                            "Sender id of this node's messages to its parent (its device index).",
                            UintegerValue(0), MakeUintegerAccessor(&ClusterApp::m_nodeIndex),
                            MakeUintegerChecker<uint32_t>());
    return tid;
}

ClusterApp::ClusterApp()
    : m_connectTimeout(Seconds(2))
{
    NS_LOG_FUNCTION(this);
}

ClusterApp::~ClusterApp()
{
    NS_LOG_FUNCTION(this);
}

uint32_t
ClusterApp::GetRoundsDone() const
{
    return m_roundsDone;
}

void
ClusterApp::HandlePush(const MessageFields& fields, std::shared_ptr<ModuleState> state)
{
    if (fields.round <= m_lastRound)
    {
        Reject(fields.sender, "stale-round",
               "module " + fields.moduleId + " of round " + std::to_string(fields.round)
                   + " after round " + std::to_string(m_lastRound));
        return;
    }
    const uint32_t round = fields.round;
    if (round > m_arrivingRound && state && IsKnownModule(fields.moduleId, *state))
    {
        // the first module of a new round: an earlier round still collected is over, and the
        // tree may change before this round's modules are taken and forwarded (a message
        // that is no module of this model changes nothing: AcceptParentModule rejects it)
        m_arrivingRound = round;
        AbandonCollection();
        if (!m_forwardCallback.IsNull())
        {
            m_forwardCallback(round);
        }
    }
    if (!AcceptParentModule(fields, std::move(state), round))
    {
        return;
    }
    NS_LOG_INFO(Simulator::Now().As(Time::S)
                << " cluster node " << m_nodeIndex << " forwards round " << round);
    m_pushedRound = round;
    BeginCollection(round, GetRoundParticipants());
    for (uint32_t c : GetChildIds())
    {
        PushToChild(c, round);
    }
}

std::vector<uint32_t>
ClusterApp::GetRoundParticipants() const
{
    return GetChildIds();
}

uint32_t
ClusterApp::GetPushedRound() const
{
    return m_pushedRound;
}

void
ClusterApp::DoDispose()
{
    m_forwardCallback = MakeNullCallback<void, uint32_t>(); // it may hold this node's tree
    AggregatorApp::DoDispose();
}

void
ClusterApp::SetForwardCallback(Callback<void, uint32_t> callback)
{
    m_forwardCallback = callback;
}

uint32_t
ClusterApp::GetFallbacks() const
{
    return m_fallbacks;
}

void
ClusterApp::CollectionDone(const RoundSummary& summary)
{
    m_lastRound = summary.round;
    ++m_roundsDone;
    Ptr<ModuleTransfer> up
        = SendUp(m_parent, summary.round, m_nodeIndex, summary.weights, &m_bytesSentUp);
    if (m_fallback.IsInvalid())
    {
        return;
    }
    const uint32_t round = summary.round;
    const auto weights = summary.weights;
    up->SetConnectTimeout(m_connectTimeout);
    ModuleTransfer* transfer = PeekPointer(up); // the transfer calls back: it is alive
    up->SetDoneCallback(
        [this, round, weights, transfer](bool complete)
        {
            // nothing reached the parent: the same contribution takes the fog path
            if (!complete && transfer->GetSentCount() == 0 && IsRunning())
            {
                NS_LOG_INFO(Simulator::Now().As(Time::S)
                            << " cluster node " << m_nodeIndex << " cannot reach its parent: "
                            << "round " << round << " goes to the fog");
                ++m_fallbacks;
                SendUp(m_fallback, round, m_nodeIndex, weights, &m_bytesSentUp);
            }
        });
}

} // namespace ns3
