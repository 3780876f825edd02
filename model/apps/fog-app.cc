/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/fog-app.h"

#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cmath>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("FogApp");

NS_OBJECT_ENSURE_REGISTERED(FogApp);

TypeId
FogApp::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::FogApp")
              .SetParent<AggregatorApp>()
              .SetGroupName("Hffm")
              .AddConstructor<FogApp>()
              .AddAttribute("Rounds", "Edge rounds to run.", UintegerValue(10),
                            MakeUintegerAccessor(&FogApp::m_rounds),
                            MakeUintegerChecker<uint32_t>(1))
              .AddAttribute("GlobalEvery",
                            "Synchronise with the cloud after every this many edge rounds "
                            "(0: never, edge-only).",
                            UintegerValue(0), MakeUintegerAccessor(&FogApp::m_globalEvery),
                            MakeUintegerChecker<uint32_t>())
              .AddAttribute("Participation",
                            "Fraction of the devices that take part in each edge round (at "
                            "least one).",
                            DoubleValue(1.0), MakeDoubleAccessor(&FogApp::m_participation),
                            MakeDoubleChecker<double>(0.0, 1.0))
              .AddAttribute("Parent", "Address and port of the cloud (unset: no cloud).",
                            AddressValue(), MakeAddressAccessor(&FogApp::m_parent),
                            MakeAddressChecker())
              .AddAttribute("ParentDeadline",
                            "How long after sending its modules up the fog waits for the "
                            "cloud's before it goes on with its own; the cloud may first wait "
                            "its own RoundDeadline for the other fogs. Zero: twice "
                            "RoundDeadline.",
                            TimeValue(Seconds(0)), MakeTimeAccessor(&FogApp::m_parentDeadline),
                            MakeTimeChecker(Seconds(0)))
              .AddAttribute("FogId", "Sender id of this fog's messages to the cloud.",
                            UintegerValue(0), MakeUintegerAccessor(&FogApp::m_fogId),
                            MakeUintegerChecker<uint32_t>())
              .AddTraceSource("RoundComplete",
                              "An edge round is complete (aggregated and, where due, "
                              "synchronised with the cloud).",
                              MakeTraceSourceAccessor(&FogApp::m_roundCompleteTrace),
                              "ns3::FogApp::RoundCompleteTracedCallback")
              .AddTraceSource("GlobalSync", "The cloud's global modules arrived.",
                              MakeTraceSourceAccessor(&FogApp::m_globalSyncTrace),
                              "ns3::FogApp::GlobalSyncTracedCallback")
              .AddTraceSource("Finished", "The last edge round is done.",
                              MakeTraceSourceAccessor(&FogApp::m_finishedTrace),
                              "ns3::TracedCallback::Void");
    return tid;
}

FogApp::FogApp()
    : m_random(CreateObject<UniformRandomVariable>())
{
    NS_LOG_FUNCTION(this);
}

FogApp::~FogApp()
{
    NS_LOG_FUNCTION(this);
}

void
FogApp::DoDispose()
{
    m_random = nullptr;
    AggregatorApp::DoDispose();
}

int64_t
FogApp::AssignStreams(int64_t stream)
{
    m_random->SetStream(stream);
    return 1;
}

uint32_t
FogApp::GetRoundsDone() const
{
    return m_roundsDone;
}

uint32_t
FogApp::GetGlobalSyncs() const
{
    return m_globalSyncs;
}

uint32_t
FogApp::GetParentTimeouts() const
{
    return m_parentTimeouts;
}

uint32_t
FogApp::GetRoundsSkipped() const
{
    return m_roundsSkipped;
}

uint64_t
FogApp::GetBytesSentUp() const
{
    return m_bytesSentUp;
}

void
FogApp::StartApplication()
{
    AggregatorApp::StartApplication();
    m_round = 0;
    m_roundsDone = 0;
    Simulator::ScheduleNow(&FogApp::NextRound, this);
}

void
FogApp::StopApplication()
{
    Simulator::Cancel(m_parentTimeout);
    m_awaitingParent = false;
    AggregatorApp::StopApplication();
}

void
FogApp::NextRound()
{
    if (m_round > 0)
    {
        m_roundCompleteTrace(m_round);
    }
    if (m_round >= m_rounds)
    {
        NS_LOG_INFO(Simulator::Now().As(Time::S)
                    << " fog " << m_fogId << " finished " << m_roundsDone << " rounds");
        m_finishedTrace();
        return;
    }
    BeginRound(m_round + 1);
}

void
FogApp::BeginRound(uint32_t round)
{
    m_round = round;
    std::vector<uint32_t> children = GetChildIds();
    std::size_t take = children.size();
    if (m_participation < 1.0 && !children.empty())
    {
        take = std::max<std::size_t>(
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
    NS_LOG_INFO(Simulator::Now().As(Time::S) << " fog " << m_fogId << " begins round " << round
                                             << " with " << children.size() << " devices");
    BeginCollection(round, children);
    for (uint32_t c : children)
    {
        PushToChild(c, round);
    }
}

void
FogApp::CollectionDone(const RoundSummary& summary)
{
    ++m_roundsDone;
    for (const auto& [id, w] : summary.weights)
    {
        m_weightsSinceSync[id] = w;
    }
    const bool sync
        = !m_parent.IsInvalid() && m_globalEvery > 0 && summary.round % m_globalEvery == 0;
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
FogApp::SendToParent(uint32_t round)
{
    SendUp(m_parent, round, m_fogId, m_weightsSinceSync, &m_bytesSentUp);
    m_weightsSinceSync.clear();
    m_awaitingParent = true;
    m_parentRound = round;
    ClearParentModules();
    Simulator::Cancel(m_parentTimeout);
    const Time wait
        = m_parentDeadline.IsStrictlyPositive() ? m_parentDeadline : m_roundDeadline * 2;
    m_parentTimeout = Simulator::Schedule(wait, &FogApp::ParentTimeout, this);
}

void
FogApp::ParentTimeout()
{
    if (!m_awaitingParent)
    {
        return;
    }
    NS_LOG_WARN(Simulator::Now().As(Time::S)
                << " fog " << m_fogId << ": the cloud's modules of round " << m_round
                << " did not arrive; going on with the fog's own");
    m_awaitingParent = false;
    ++m_parentTimeouts;
    ClearParentModules();
    NextRound();
}

void
FogApp::HandlePush(const MessageFields& fields, std::shared_ptr<ModuleState> state)
{
    if (!m_awaitingParent)
    {
        Reject(fields.sender, "stale-round",
               "module " + fields.moduleId + " of round " + std::to_string(fields.round)
                   + " from the cloud: not awaited");
        return;
    }
    if (fields.round > m_parentRound && IsKnownModule(fields.moduleId, *state))
    {
        const auto held = GetChildModuleIds();
        if (std::binary_search(held.begin(), held.end(), fields.moduleId))
        {
            // the cloud closed this fog's round without it and went on: its newer global
            // modules are what this fog waits for now
            NS_LOG_INFO(Simulator::Now().As(Time::S)
                        << " fog " << m_fogId << " awaits the cloud's round " << fields.round
                        << " instead of " << m_parentRound);
            m_parentRound = fields.round;
        }
    }
    if (!AcceptParentModule(fields, std::move(state), m_parentRound))
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
                    << " fog " << m_fogId << " takes the cloud's round " << m_parentRound
                    << " after its own round " << m_round << ": it skips "
                    << m_parentRound - m_round << " edge round(s)");
        m_roundsSkipped += m_parentRound - m_round;
        m_round = m_parentRound;
    }
    NS_LOG_INFO(Simulator::Now().As(Time::S)
                << " fog " << m_fogId << " synchronised after round " << m_round);
    m_globalSyncTrace(m_round);
    NextRound();
}

} // namespace ns3
