/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/consensus-strategy.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ConsensusStrategy");

NS_OBJECT_ENSURE_REGISTERED(ConsensusStrategy);

TypeId
ConsensusStrategy::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::ConsensusStrategy")
              .SetParent<ClusterTreeStrategy>()
              .SetGroupName("Hffm")
              .AddConstructor<ConsensusStrategy>()
              .AddAttribute("Steps", "Consensus steps per round (1..255).", UintegerValue(5),
                            MakeUintegerAccessor(&ConsensusStrategy::m_steps),
                            MakeUintegerChecker<uint32_t>(1, 255))
              .AddAttribute("StepSize",
                            "How far a step moves toward each neighbour; below 1 / the "
                            "cluster's maximum degree (the helper uses 1 / (1.2 x it)).",
                            DoubleValue(0.4), MakeDoubleAccessor(&ConsensusStrategy::m_stepSize),
                            MakeDoubleChecker<double>(0.0, 1.0))
              .AddAttribute("StepTimeout",
                            "How long a step waits for the neighbours' shares before it "
                            "mixes what has arrived.",
                            TimeValue(Seconds(5)),
                            MakeTimeAccessor(&ConsensusStrategy::m_stepTimeout),
                            MakeTimeChecker(MilliSeconds(1)))
              .AddAttribute("ConsensusDeadline",
                            "How long after the round's modules arrive the steps end, done or "
                            "not (the reporter then reports).",
                            TimeValue(Seconds(50)),
                            MakeTimeAccessor(&ConsensusStrategy::m_consensusDeadline),
                            MakeTimeChecker(MilliSeconds(1)))
              .AddAttribute("Reporter",
                            "Whether this member reports the cluster's modules to the fog "
                            "(its Parent) after the last step.",
                            BooleanValue(false),
                            MakeBooleanAccessor(&ConsensusStrategy::m_reporter),
                            MakeBooleanChecker())
              .AddAttribute(
                  "ClusterSize", "Members of the cluster: the reporter's weight is z x this.",
                  UintegerValue(1), MakeUintegerAccessor(&ConsensusStrategy::m_clusterSize),
                  MakeUintegerChecker<uint32_t>(1))
              .AddTraceSource("StepDone", "A consensus step was mixed.",
                              MakeTraceSourceAccessor(&ConsensusStrategy::m_stepDoneTrace),
                              "ns3::ConsensusStrategy::StepDoneTracedCallback");
    return tid;
}

ConsensusStrategy::ConsensusStrategy()
    : m_stepTimeout(Seconds(5))
    , m_consensusDeadline(Seconds(50))
{
    NS_LOG_FUNCTION(this);
}

ConsensusStrategy::~ConsensusStrategy()
{
    NS_LOG_FUNCTION(this);
}

void
ConsensusStrategy::DoDispose()
{
    m_state.clear();
    m_inbox.clear();
    ClusterTreeStrategy::DoDispose();
}

void
ConsensusStrategy::Start()
{
    const CollectorApp& app = GetCollector();
    NS_ABORT_MSG_IF(m_neighbours.count(app.GetSenderId()),
                    "ConsensusStrategy: node " << app.GetSenderId() << " is not its own neighbour");
    for (const auto& id : m_consensusIds)
    {
        NS_ABORT_MSG_IF(!app.GetModules().count(id),
                        "ConsensusStrategy: module '" << id << "' is not among SetModules()'s");
    }
    ClusterTreeStrategy::Start();
}

void
ConsensusStrategy::Stop()
{
    Simulator::Cancel(m_stepTimeoutEvent);
    Simulator::Cancel(m_consensusDeadlineEvent);
    m_active = false;
    ClusterTreeStrategy::Stop();
}

void
ConsensusStrategy::AddNeighbour(uint32_t id, const Address& address)
{
    m_neighbours[id] = address;
}

bool
ConsensusStrategy::ClearNeighbours()
{
    if (m_active)
    {
        return false;
    }
    m_neighbours.clear();
    return true;
}

bool
ConsensusStrategy::IsMixing() const
{
    return m_active;
}

void
ConsensusStrategy::SetConsensusModules(const std::vector<std::string>& moduleIds)
{
    m_consensusIds = moduleIds;
    std::sort(m_consensusIds.begin(), m_consensusIds.end());
    m_consensusIds.erase(std::unique(m_consensusIds.begin(), m_consensusIds.end()),
                         m_consensusIds.end());
}

uint32_t
ConsensusStrategy::GetStepsDone() const
{
    return m_stepsDone;
}

std::shared_ptr<const ModuleState>
ConsensusStrategy::GetConsensusState(const std::string& moduleId) const
{
    const auto it = m_state.find(moduleId);
    return it == m_state.end() ? nullptr : it->second;
}

void
ConsensusStrategy::HandlePush(const MessageFields& fields, std::shared_ptr<ModuleState> state)
{
    const uint32_t before = GetPushedRound();
    ClusterTreeStrategy::HandlePush(fields, std::move(state));
    const uint32_t round = GetPushedRound();
    if (round != before)
    {
        Simulator::Cancel(m_consensusDeadlineEvent);
        m_consensusDeadlineEvent = Simulator::Schedule(
            m_consensusDeadline, &ConsensusStrategy::EndConsensus, this, round);
    }
}

void
ConsensusStrategy::EndConsensus(uint32_t round)
{
    if (!m_active || m_lastRound != round)
    {
        return;
    }
    NS_LOG_INFO(Simulator::Now().As(Time::S)
                << " consensus node " << GetCollector().GetSenderId() << " round " << round
                << ": consensus deadline at step " << m_step << " of " << m_steps);
    Simulator::Cancel(m_stepTimeoutEvent);
    m_inbox.erase({m_lastRound, m_step});
    Conclude();
}

void
ConsensusStrategy::Conclude()
{
    m_active = false;
    ++m_roundsDone;
    if (m_reporter)
    {
        Report();
    }
}

std::vector<uint32_t>
ConsensusStrategy::GetRoundParticipants() const
{
    return {GetCollector().GetSenderId()}; // the tree only carries the round's modules down
}

void
ConsensusStrategy::CollectionDone(const RoundSummary& summary)
{
    m_lastRound = summary.round;
    Simulator::Cancel(m_stepTimeoutEvent);
    // the start state: the own device's update with its samples, or nothing (weight 0)
    m_state.clear();
    for (const auto& id : m_consensusIds)
    {
        auto state = std::make_shared<ModuleState>(*GetCollector().GetModules().at(id));
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
ConsensusStrategy::BeginStep()
{
    NS_LOG_INFO(Simulator::Now().As(Time::S) << " consensus node " << GetCollector().GetSenderId()
                                             << " round " << m_lastRound << " step " << m_step);
    std::vector<std::shared_ptr<const ModuleState>> modules;
    for (const auto& [id, state] : m_state)
    {
        modules.push_back(state);
    }
    for (const auto& [id, address] : m_neighbours)
    {
        GetCollector().SendModules(address, MessageType::MODULE_SHARE, m_lastRound, modules,
                                   static_cast<uint8_t>(m_step));
    }
    if (StepComplete())
    {
        Simulator::Cancel(m_stepTimeoutEvent);
        m_stepTimeoutEvent = Simulator::ScheduleNow(&ConsensusStrategy::FinishStep, this);
        return;
    }
    m_stepTimeoutEvent = Simulator::Schedule(m_stepTimeout, &ConsensusStrategy::FinishStep, this);
}

bool
ConsensusStrategy::StepComplete() const
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
ConsensusStrategy::HandleShare(const MessageFields& fields, std::shared_ptr<ModuleState> state)
{
    const std::string what = "share of module " + fields.moduleId + ", round "
                             + std::to_string(fields.round) + " step " + std::to_string(fields.step)
                             + ", from " + std::to_string(fields.sender);
    if (!m_neighbours.count(fields.sender))
    {
        GetCollector().Reject(fields.sender, "unknown-sender", what + ": not a D2D neighbour");
        return;
    }
    if (!std::binary_search(m_consensusIds.begin(), m_consensusIds.end(), fields.moduleId))
    {
        GetCollector().Reject(fields.sender, "unexpected-module",
                              what + ": not a module of the cluster");
        return;
    }
    if (fields.step > m_steps)
    {
        GetCollector().Reject(fields.sender, "bad-step",
                              what + ": rounds have " + std::to_string(m_steps));
        return;
    }
    // a neighbour may be ahead (its device trained sooner), never behind or far ahead
    const bool past = fields.round < m_lastRound
                      || (fields.round == m_lastRound && (!m_active || fields.step < m_step));
    if (past || fields.round > GetPushedRound() + 1)
    {
        GetCollector().Reject(fields.sender, "stale-round",
                              what + ": at round " + std::to_string(m_lastRound) + " step "
                                  + std::to_string(m_active ? m_step : 0));
        return;
    }
    if (!state->HasSameLayout(*GetCollector().GetModules().at(fields.moduleId)))
    {
        GetCollector().Reject(fields.sender, "layout-mismatch",
                              what + ": its tensors differ from the module's");
        return;
    }
    GetCollector().NotifyModuleReceived(fields);
    m_inbox[{fields.round, fields.step}][fields.sender][fields.moduleId] = std::move(state);
    if (m_active && fields.round == m_lastRound && fields.step == m_step && StepComplete())
    {
        FinishStep();
    }
}

void
ConsensusStrategy::FinishStep()
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
                << " consensus node " << GetCollector().GetSenderId() << " round " << m_lastRound
                << " step " << m_step << " mixed " << heard << " of " << m_neighbours.size()
                << " neighbours");
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
ConsensusStrategy::Report()
{
    std::vector<std::shared_ptr<const ModuleState>> modules;
    for (const auto& [id, state] : m_state)
    {
        auto copy = std::make_shared<ModuleState>(*state);
        copy->SetSampleWeight(state->GetSampleWeight() * m_clusterSize);
        modules.push_back(std::move(copy));
    }
    NS_LOG_INFO(Simulator::Now().As(Time::S) << " consensus node " << GetCollector().GetSenderId()
                                             << " reports round " << m_lastRound);
    CollectorApp& app = GetCollector();
    app.SendModules(app.GetParent(), MessageType::MODULE_UPDATE, m_lastRound, modules);
}

} // namespace ns3
