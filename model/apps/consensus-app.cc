/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/consensus-app.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ConsensusApp");

NS_OBJECT_ENSURE_REGISTERED(ConsensusApp);

TypeId
ConsensusApp::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::ConsensusApp")
              .SetParent<ClusterApp>()
              .SetGroupName("Hffm")
              .AddConstructor<ConsensusApp>()
              .AddAttribute("Steps", "Consensus steps per round (1..255).", UintegerValue(5),
                            MakeUintegerAccessor(&ConsensusApp::m_steps),
                            MakeUintegerChecker<uint32_t>(1, 255))
              .AddAttribute("StepSize",
                            "How far a step moves toward each neighbour; below 1 / the "
                            "cluster's maximum degree (the helper uses 1 / (1.2 x it)).",
                            DoubleValue(0.4), MakeDoubleAccessor(&ConsensusApp::m_stepSize),
                            MakeDoubleChecker<double>(0.0, 1.0))
              .AddAttribute("StepTimeout",
                            "How long a step waits for the neighbours' shares before it "
                            "mixes what has arrived.",
                            TimeValue(Seconds(5)), MakeTimeAccessor(&ConsensusApp::m_stepTimeout),
                            MakeTimeChecker(MilliSeconds(1)))
              .AddAttribute("ConsensusDeadline",
                            "How long after the round's modules arrive the steps end, done or "
                            "not (the reporter then reports).",
                            TimeValue(Seconds(50)),
                            MakeTimeAccessor(&ConsensusApp::m_consensusDeadline),
                            MakeTimeChecker(MilliSeconds(1)))
              .AddAttribute("Reporter",
                            "Whether this member reports the cluster's modules to the fog "
                            "(its Parent) after the last step.",
                            BooleanValue(false), MakeBooleanAccessor(&ConsensusApp::m_reporter),
                            MakeBooleanChecker())
              .AddAttribute("ClusterSize",
                            "Members of the cluster: the reporter's weight is z x this.",
                            UintegerValue(1), MakeUintegerAccessor(&ConsensusApp::m_clusterSize),
                            MakeUintegerChecker<uint32_t>(1))
              .AddTraceSource("StepDone", "A consensus step was mixed.",
                              MakeTraceSourceAccessor(&ConsensusApp::m_stepDoneTrace),
                              "ns3::ConsensusApp::StepDoneTracedCallback");
    return tid;
}

ConsensusApp::ConsensusApp()
    : m_stepTimeout(Seconds(5))
    , m_consensusDeadline(Seconds(50))
{
    NS_LOG_FUNCTION(this);
}

ConsensusApp::~ConsensusApp()
{
    NS_LOG_FUNCTION(this);
}

void
ConsensusApp::DoDispose()
{
    m_state.clear();
    m_inbox.clear();
    ClusterApp::DoDispose();
}

void
ConsensusApp::StartApplication()
{
    NS_ABORT_MSG_IF(m_neighbours.count(m_nodeIndex),
                    "ConsensusApp: node " << m_nodeIndex << " is not its own neighbour");
    for (const auto& id : m_consensusIds)
    {
        NS_ABORT_MSG_IF(!GetModules().count(id),
                        "ConsensusApp: module '" << id << "' is not among SetModules()'s");
    }
    ClusterApp::StartApplication();
}

void
ConsensusApp::StopApplication()
{
    Simulator::Cancel(m_stepTimeoutEvent);
    Simulator::Cancel(m_consensusDeadlineEvent);
    m_active = false;
    ClusterApp::StopApplication();
}

void
ConsensusApp::AddNeighbour(uint32_t id, const Address& address)
{
    m_neighbours[id] = address;
}

bool
ConsensusApp::ClearNeighbours()
{
    if (m_active)
    {
        return false;
    }
    m_neighbours.clear();
    return true;
}

bool
ConsensusApp::IsMixing() const
{
    return m_active;
}

void
ConsensusApp::SetConsensusModules(const std::vector<std::string>& moduleIds)
{
    m_consensusIds = moduleIds;
    std::sort(m_consensusIds.begin(), m_consensusIds.end());
    m_consensusIds.erase(std::unique(m_consensusIds.begin(), m_consensusIds.end()),
                         m_consensusIds.end());
}

uint32_t
ConsensusApp::GetStepsDone() const
{
    return m_stepsDone;
}

uint64_t
ConsensusApp::GetBytesShared() const
{
    return m_bytesShared;
}

std::shared_ptr<const ModuleState>
ConsensusApp::GetConsensusState(const std::string& moduleId) const
{
    const auto it = m_state.find(moduleId);
    return it == m_state.end() ? nullptr : it->second;
}

void
ConsensusApp::HandlePush(const MessageFields& fields, std::shared_ptr<ModuleState> state)
{
    const uint32_t before = GetPushedRound();
    ClusterApp::HandlePush(fields, std::move(state));
    const uint32_t round = GetPushedRound();
    if (round != before)
    {
        Simulator::Cancel(m_consensusDeadlineEvent);
        m_consensusDeadlineEvent
            = Simulator::Schedule(m_consensusDeadline, &ConsensusApp::EndConsensus, this, round);
    }
}

void
ConsensusApp::EndConsensus(uint32_t round)
{
    if (!m_active || m_lastRound != round)
    {
        return;
    }
    NS_LOG_INFO(Simulator::Now().As(Time::S)
                << " consensus node " << m_nodeIndex << " round " << round
                << ": consensus deadline at step " << m_step << " of " << m_steps);
    Simulator::Cancel(m_stepTimeoutEvent);
    m_inbox.erase({m_lastRound, m_step});
    Conclude();
}

void
ConsensusApp::Conclude()
{
    m_active = false;
    ++m_roundsDone;
    if (m_reporter)
    {
        Report();
    }
}

std::vector<uint32_t>
ConsensusApp::GetRoundParticipants() const
{
    return {m_nodeIndex}; // the tree only carries the round's modules down
}

void
ConsensusApp::CollectionDone(const RoundSummary& summary)
{
    m_lastRound = summary.round;
    Simulator::Cancel(m_stepTimeoutEvent);
    // the start state: the own device's update with its samples, or nothing (weight 0)
    m_state.clear();
    for (const auto& id : m_consensusIds)
    {
        auto state = std::make_shared<ModuleState>(*GetModules().at(id));
        const auto w = summary.weights.find(id);
        state->SetSampleWeight(w == summary.weights.end() ? 0.0 : w->second);
        m_state[id] = std::move(state);
    }
    for (auto it = m_inbox.begin(); it != m_inbox.end();)
    {
        it = it->first.first < summary.round ? m_inbox.erase(it) : std::next(it);
    }
    m_active = true;
    m_step = 1;
    BeginStep();
}

void
ConsensusApp::BeginStep()
{
    NS_LOG_INFO(Simulator::Now().As(Time::S) << " consensus node " << m_nodeIndex << " round "
                                             << m_lastRound << " step " << m_step);
    std::vector<std::shared_ptr<const ModuleState>> modules;
    for (const auto& [id, state] : m_state)
    {
        modules.push_back(state);
    }
    for (const auto& [id, address] : m_neighbours)
    {
        SendModules(address, MessageType::MODULE_SHARE, m_lastRound, m_nodeIndex, modules,
                    &m_bytesShared, static_cast<uint8_t>(m_step));
    }
    if (StepComplete())
    {
        Simulator::Cancel(m_stepTimeoutEvent);
        m_stepTimeoutEvent = Simulator::ScheduleNow(&ConsensusApp::FinishStep, this);
        return;
    }
    m_stepTimeoutEvent = Simulator::Schedule(m_stepTimeout, &ConsensusApp::FinishStep, this);
}

bool
ConsensusApp::StepComplete() const
{
    if (m_neighbours.empty())
    {
        return true;
    }
    const auto it = m_inbox.find({m_lastRound, m_step});
    if (it == m_inbox.end() || it->second.size() < m_neighbours.size())
    {
        return false;
    }
    for (const auto& [id, modules] : it->second)
    {
        if (modules.size() < m_consensusIds.size())
        {
            return false;
        }
    }
    return true;
}

void
ConsensusApp::HandleShare(const MessageFields& fields, std::shared_ptr<ModuleState> state)
{
    const std::string what = "share of module " + fields.moduleId + ", round "
                             + std::to_string(fields.round) + " step " + std::to_string(fields.step)
                             + ", from " + std::to_string(fields.sender);
    if (!m_neighbours.count(fields.sender))
    {
        Reject(fields.sender, "unknown-sender", what + ": not a D2D neighbour");
        return;
    }
    if (!std::binary_search(m_consensusIds.begin(), m_consensusIds.end(), fields.moduleId))
    {
        Reject(fields.sender, "unexpected-module", what + ": not a module of the cluster");
        return;
    }
    if (fields.step > m_steps)
    {
        Reject(fields.sender, "bad-step", what + ": rounds have " + std::to_string(m_steps));
        return;
    }
    // a neighbour may be ahead (its device trained sooner), never behind or far ahead
    const bool past = fields.round < m_lastRound
                      || (fields.round == m_lastRound && (!m_active || fields.step < m_step));
    if (past || fields.round > GetPushedRound() + 1)
    {
        Reject(fields.sender, "stale-round",
               what + ": at round " + std::to_string(m_lastRound) + " step "
                   + std::to_string(m_active ? m_step : 0));
        return;
    }
    if (!state->HasSameLayout(*GetModules().at(fields.moduleId)))
    {
        Reject(fields.sender, "layout-mismatch", what + ": its tensors differ from the module's");
        return;
    }
    m_moduleReceivedTrace(fields);
    m_inbox[{fields.round, fields.step}][fields.sender][fields.moduleId] = std::move(state);
    if (m_active && fields.round == m_lastRound && fields.step == m_step && StepComplete())
    {
        FinishStep();
    }
}

void
ConsensusApp::FinishStep()
{
    if (!m_active)
    {
        return;
    }
    Simulator::Cancel(m_stepTimeoutEvent);
    const auto key = std::make_pair(m_lastRound, m_step);
    const auto& heardFrom = m_inbox[key];
    for (auto& [id, state] : m_state)
    {
        const double z = state->GetSampleWeight();
        const std::size_t n = state->GetNumel();
        std::vector<double> y(n);
        const float* x = state->GetData();
        for (std::size_t k = 0; k < n; ++k)
        {
            y[k] = z * static_cast<double>(x[k]);
        }
        double zNext = z;
        std::vector<double> yNext = y;
        for (const auto& [neighbour, modules] : heardFrom)
        {
            const auto it = modules.find(id);
            if (it == modules.end())
            {
                continue;
            }
            const double zj = it->second->GetSampleWeight();
            const float* xj = it->second->GetData();
            zNext += m_stepSize * (zj - z);
            for (std::size_t k = 0; k < n; ++k)
            {
                yNext[k] += m_stepSize * (zj * static_cast<double>(xj[k]) - y[k]);
            }
        }
        auto next = std::make_shared<ModuleState>(*state);
        if (zNext > 0.0)
        {
            float* out = next->GetData();
            for (std::size_t k = 0; k < n; ++k)
            {
                out[k] = static_cast<float>(yNext[k] / zNext);
            }
        }
        next->SetSampleWeight(std::max(zNext, 0.0));
        state = std::move(next);
    }
    const auto heard = static_cast<uint32_t>(heardFrom.size());
    m_inbox.erase(key);
    ++m_stepsDone;
    NS_LOG_INFO(Simulator::Now().As(Time::S)
                << " consensus node " << m_nodeIndex << " round " << m_lastRound << " step "
                << m_step << " mixed " << heard << " of " << m_neighbours.size() << " neighbours");
    m_stepDoneTrace(m_lastRound, m_step, heard, static_cast<uint32_t>(m_neighbours.size()));
    if (m_step < m_steps)
    {
        ++m_step;
        BeginStep();
        return;
    }
    Conclude();
}

void
ConsensusApp::Report()
{
    std::vector<std::shared_ptr<const ModuleState>> modules;
    for (const auto& [id, state] : m_state)
    {
        auto copy = std::make_shared<ModuleState>(*state);
        copy->SetSampleWeight(state->GetSampleWeight() * m_clusterSize);
        modules.push_back(std::move(copy));
    }
    NS_LOG_INFO(Simulator::Now().As(Time::S)
                << " consensus node " << m_nodeIndex << " reports round " << m_lastRound);
    SendModules(m_parent, MessageType::MODULE_UPDATE, m_lastRound, m_nodeIndex, modules,
                &m_bytesSentUp);
}

} // namespace ns3
