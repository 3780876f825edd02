/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/edge-round-strategy.h"

#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cmath>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("EdgeRoundStrategy");

NS_OBJECT_ENSURE_REGISTERED(EdgeRoundStrategy);

TypeId
EdgeRoundStrategy::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::EdgeRoundStrategy")
              .SetParent<RoundStrategy>()
              .SetGroupName("Hffm")
              .AddConstructor<EdgeRoundStrategy>()
              .AddAttribute("Rounds", "Edge rounds to run.", UintegerValue(10),
                            MakeUintegerAccessor(&EdgeRoundStrategy::m_rounds),
                            MakeUintegerChecker<uint32_t>(1))
              .AddAttribute("GlobalEvery",
                            "Synchronise with the cloud after every this many edge rounds "
                            "(0: never, edge-only).",
                            UintegerValue(0),
                            MakeUintegerAccessor(&EdgeRoundStrategy::m_globalEvery),
                            MakeUintegerChecker<uint32_t>())
              .AddAttribute("Participation",
                            "Fraction of the devices that take part in each edge round (at "
                            "least one).",
                            DoubleValue(1.0),
                            MakeDoubleAccessor(&EdgeRoundStrategy::m_participation),
                            MakeDoubleChecker<double>(0.0, 1.0))
              .AddAttribute("ParentDeadline",
                            "How long after sending its modules up the fog waits for the "
                            "cloud's before it goes on with its own; the cloud may first wait "
                            "its own RoundDeadline for the other fogs. Zero: twice "
                            "RoundDeadline.",
                            TimeValue(Seconds(0)),
                            MakeTimeAccessor(&EdgeRoundStrategy::m_parentDeadline),
                            MakeTimeChecker(Seconds(0)))
              .AddTraceSource("RoundComplete",
                              "An edge round is complete (aggregated and, where due, "
                              "synchronised with the cloud).",
                              MakeTraceSourceAccessor(&EdgeRoundStrategy::m_roundCompleteTrace),
                              "ns3::EdgeRoundStrategy::RoundCompleteTracedCallback")
              .AddTraceSource("GlobalSync", "The cloud's global modules arrived.",
                              MakeTraceSourceAccessor(&EdgeRoundStrategy::m_globalSyncTrace),
                              "ns3::EdgeRoundStrategy::GlobalSyncTracedCallback")
              .AddTraceSource("Finished", "The last edge round is done.",
                              MakeTraceSourceAccessor(&EdgeRoundStrategy::m_finishedTrace),
                              "ns3::TracedCallback::Void");
    return tid;
}

EdgeRoundStrategy::EdgeRoundStrategy()
    : m_random(CreateObject<UniformRandomVariable>())
{
    NS_LOG_FUNCTION(this);
}

EdgeRoundStrategy::~EdgeRoundStrategy()
{
    NS_LOG_FUNCTION(this);
}

void
EdgeRoundStrategy::DoDispose()
{
    m_random = nullptr;
    RoundStrategy::DoDispose();
}

int64_t
EdgeRoundStrategy::AssignStreams(int64_t stream)
{
    m_random->SetStream(stream);
    return 1 + RoundStrategy::AssignStreams(stream + 1);
}

uint32_t
EdgeRoundStrategy::GetRoundsDone() const
{
    return m_roundsDone;
}

uint32_t
EdgeRoundStrategy::GetGlobalSyncs() const
{
    return m_globalSyncs;
}

uint32_t
EdgeRoundStrategy::GetParentTimeouts() const
{
    return m_parentTimeouts;
}

uint32_t
EdgeRoundStrategy::GetRoundsSkipped() const
{
    return m_roundsSkipped;
}

void
EdgeRoundStrategy::Start()
{
    m_round = 0;
    m_roundsDone = 0;
    Simulator::ScheduleNow(&EdgeRoundStrategy::NextRound, this);
}

void
EdgeRoundStrategy::Stop()
{
    Simulator::Cancel(m_parentTimeout);
    m_awaitingParent = false;
}

void
EdgeRoundStrategy::NextRound()
{
    if (m_round > 0)
    {
        m_roundCompleteTrace(m_round);
    }
    if (m_round >= m_rounds)
    {
        NS_LOG_INFO(Simulator::Now().As(Time::S) << " fog " << GetCollector().GetSenderId()
                                                 << " finished " << m_roundsDone << " rounds");
        m_finishedTrace();
        return;
    }
    BeginRound(m_round + 1);
}

std::vector<uint32_t>
EdgeRoundStrategy::SelectParticipants(uint32_t /* round */, std::vector<uint32_t> children)
{
    if (m_participation < 1.0 && !children.empty())
    {
        const std::size_t take = std::max<std::size_t>(
            1, static_cast<std::size_t>(std::lround(m_participation * children.size())));
        // partial Fisher-Yates: the first take children are a uniform draw
        for (std::size_t i = 0; i < take; ++i)
        {
            const auto j = i
                           + static_cast<std::size_t>(m_random->GetInteger(
                               0, static_cast<uint32_t>(children.size() - i - 1)));
            std::swap(children[i], children[j]);
        }
        children.resize(take);
        std::sort(children.begin(), children.end());
    }
    return children;
}

bool
EdgeRoundStrategy::IsSyncDue(const RoundSummary& summary)
{
    return m_globalEvery > 0 && summary.round % m_globalEvery == 0;
}

void
EdgeRoundStrategy::GlobalModulesTaken()
{
}

void
EdgeRoundStrategy::BeginRound(uint32_t round)
{
    m_round = round;
    CollectorApp& app = GetCollector();
    const std::vector<uint32_t> children = SelectParticipants(round, app.GetChildIds());
    NS_LOG_INFO(Simulator::Now().As(Time::S) << " fog " << app.GetSenderId() << " begins round "
                                             << round << " with " << children.size() << " devices");
    app.BeginCollection(round, children);
    for (uint32_t c : children)
    {
        app.PushToChild(c, round);
    }
}

void
EdgeRoundStrategy::CollectionDone(const RoundSummary& summary)
{
    ++m_roundsDone;
    for (const auto& [id, w] : summary.weights)
    {
        m_weightsSinceSync[id] = w;
    }
    const bool sync = !GetCollector().GetParent().IsInvalid() && IsSyncDue(summary);
    if (sync)
    {
        SendToParent(summary.round);
    }
    else
    {
        NextRound();
    }
}

void
EdgeRoundStrategy::SendToParent(uint32_t round)
{
    CollectorApp& app = GetCollector();
    app.SendUp(app.GetParent(), round, m_weightsSinceSync);
    m_weightsSinceSync.clear();
    m_awaitingParent = true;
    m_parentRound = round;
    app.ClearParentModules();
    Simulator::Cancel(m_parentTimeout);
    const Time wait
        = m_parentDeadline.IsStrictlyPositive() ? m_parentDeadline : app.GetRoundDeadline() * 2;
    m_parentTimeout = Simulator::Schedule(wait, &EdgeRoundStrategy::ParentTimeout, this);
}

void
EdgeRoundStrategy::ParentTimeout()
{
    if (!m_awaitingParent)
    {
        return;
    }
    CollectorApp& app = GetCollector();
    NS_LOG_WARN(Simulator::Now().As(Time::S)
                << " fog " << app.GetSenderId() << ": the cloud's modules of round " << m_round
                << " did not arrive; going on with the fog's own");
    m_awaitingParent = false;
    ++m_parentTimeouts;
    app.ClearParentModules();
    NextRound();
}

void
EdgeRoundStrategy::HandlePush(const MessageFields& fields, std::shared_ptr<ModuleState> state)
{
    CollectorApp& app = GetCollector();
    if (!m_awaitingParent)
    {
        app.Reject(fields.sender, "stale-round",
                   "module " + fields.moduleId + " of round " + std::to_string(fields.round)
                       + " from the cloud: not awaited");
        return;
    }
    if (fields.round > m_parentRound && app.IsKnownModule(fields.moduleId, *state))
    {
        const auto held = app.GetChildModuleIds();
        if (std::binary_search(held.begin(), held.end(), fields.moduleId))
        {
            // the cloud closed this fog's round without it and went on: its newer global
            // modules are what this fog waits for now
            NS_LOG_INFO(Simulator::Now().As(Time::S)
                        << " fog " << app.GetSenderId() << " awaits the cloud's round "
                        << fields.round << " instead of " << m_parentRound);
            m_parentRound = fields.round;
        }
    }
    if (!app.AcceptParentModule(fields, std::move(state), m_parentRound))
    {
        return;
    }
    Simulator::Cancel(m_parentTimeout);
    m_awaitingParent = false;
    ++m_globalSyncs;
    if (m_parentRound > m_round)
    {
        // rejoin the other fogs: this fog's next update is for the cloud's next round
        NS_LOG_WARN(Simulator::Now().As(Time::S)
                    << " fog " << app.GetSenderId() << " takes the cloud's round " << m_parentRound
                    << " after its own round " << m_round << ": it skips "
                    << m_parentRound - m_round << " edge round(s)");
        m_roundsSkipped += m_parentRound - m_round;
        m_round = m_parentRound;
    }
    NS_LOG_INFO(Simulator::Now().As(Time::S)
                << " fog " << app.GetSenderId() << " synchronised after round " << m_round);
    GlobalModulesTaken();
    m_globalSyncTrace(m_round);
    NextRound();
}

} // namespace ns3
