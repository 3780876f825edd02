/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/d2d-cluster-tree.h"

#include "ns3/abort.h"
#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/trace-source-accessor.h"

#include <algorithm>
#include <cmath>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("D2dClusterTree");

NS_OBJECT_ENSURE_REGISTERED(D2dClusterTree);

TypeId
D2dClusterTree::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::D2dClusterTree")
              .SetParent<Object>()
              .SetGroupName("Hffm")
              .AddConstructor<D2dClusterTree>()
              .AddTraceSource("Rebuilt", "The tree changed after its members moved.",
                              MakeTraceSourceAccessor(&D2dClusterTree::m_rebuiltTrace),
                              "ns3::D2dClusterTree::RebuiltTracedCallback");
    return tid;
}

D2dClusterTree::D2dClusterTree()
{
    NS_LOG_FUNCTION(this);
}

D2dClusterTree::~D2dClusterTree()
{
    NS_LOG_FUNCTION(this);
}

void
D2dClusterTree::DoDispose()
{
    m_members.clear();
    m_fog.app = nullptr;
    Object::DoDispose();
}

void
D2dClusterTree::Setup(std::vector<Member> members, std::size_t root, double rangeM,
                      D2dGraph::EdgeCost cost, const Fog& fog, bool consensus)
{
    NS_ABORT_MSG_IF(root >= members.size(),
                    "D2dClusterTree: root " << root << " of " << members.size() << " members");
    m_members = std::move(members);
    m_root = root;
    m_range = rangeM;
    m_cost = std::move(cost);
    m_fog = fog;
    m_consensus = consensus;
    Plan(Compute());
    for (std::size_t m = 0; m < m_members.size(); ++m)
    {
        ApplyMember(m, true);
    }
}

void
D2dClusterTree::Refresh()
{
    m_refreshing = true;
    Ptr<D2dClusterTree> self(this);
    // the aggregator rebuilds; every member takes its part when the round reaches it
    for (std::size_t m = 0; m < m_members.size(); ++m)
    {
        m_members[m].app->GetStrategy<ClusterTreeStrategy>()->SetForwardCallback(
            Callback<void, uint32_t>(
                [self, m](uint32_t round)
                {
                    if (m == self->m_root)
                    {
                        self->Rebuild(round);
                    }
                    self->ApplyMember(m, false);
                }));
    }
    if (m_consensus)
    {
        return; // consensus members collect only their own device's update
    }
    // a member that a parent missed in a round (gone, or too slow) forwards for nobody in
    // the next: its children are routed around it
    for (const auto& member : m_members)
    {
        const uint32_t reporter = member.device;
        member.app->TraceConnectWithoutContext(
            "RoundDone",
            Callback<void, const RoundSummary&>(
                [this, reporter](const RoundSummary& summary)
                {
                    for (uint32_t id : summary.stragglers)
                    {
                        if (id != reporter) // not the member's own device: a tree child
                        {
                            m_missed.insert(id);
                        }
                    }
                }));
    }
}

D2dClusterTree::Layout
D2dClusterTree::Compute() const
{
    std::vector<std::pair<double, double>> positions;
    std::vector<bool> canRelay;
    for (const auto& m : m_members)
    {
        const Vector p = m.mobility->GetPosition();
        positions.emplace_back(p.x, p.y);
        canRelay.push_back(m_missed.count(m.device) == 0);
    }
    Layout layout;
    layout.tree = D2dGraph::GetTreeWithRelays(positions, m_range, m_cost, m_root, canRelay);
    const D2dGraph graph(positions, m_range, m_cost);
    layout.neighbours.resize(m_members.size());
    for (const auto& edges : {graph.GetRangeEdges(), graph.GetPatchEdges()})
    {
        for (const auto& [a, b] : edges)
        {
            layout.neighbours[a].insert(b);
            layout.neighbours[b].insert(a);
        }
    }
    return layout;
}

uint32_t
D2dClusterTree::Rebuild(uint32_t round)
{
    const Layout layout = Compute();
    m_missed.clear(); // the next rebuild looks at the rounds from here on
    uint32_t changed = 0;
    for (std::size_t m = 0; m < m_members.size(); ++m)
    {
        const bool moved = layout.tree.parent[m] != m_tree.parent[m]
                           || (m_consensus && layout.neighbours[m] != m_neighbours[m]);
        changed += moved ? 1 : 0;
    }
    if (changed == 0 && m_pendingTasks.empty())
    {
        return 0;
    }
    StartPendingTasks(round);
    Plan(layout);
    if (changed > 0)
    {
        NS_LOG_INFO(Simulator::Now().As(Time::S)
                    << " D2D tree of " << m_members[m_root].device << " rebuilt before round "
                    << round << ": " << changed << " members with new next hops or neighbours");
        ++m_rebuilds;
        m_rebuiltTrace(round, changed);
    }
    return changed;
}

void
D2dClusterTree::Plan(const Layout& layout)
{
    const D2dGraph::Tree& tree = layout.tree;
    const std::size_t k = m_members.size();
    m_maxDegree = 1;
    for (const auto& adjacent : layout.neighbours)
    {
        m_maxDegree = std::max(m_maxDegree, adjacent.size());
    }
    // what each member's subtree holds: deepest members first
    std::vector<std::size_t> order(k);
    for (std::size_t m = 0; m < k; ++m)
    {
        order[m] = m;
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return tree.depth[a] > tree.depth[b]; });
    std::vector<std::set<std::string>> subtree(k);
    for (std::size_t m : order)
    {
        subtree[m].insert(m_members[m].moduleIds.begin(), m_members[m].moduleIds.end());
        if (m != m_root)
        {
            subtree[tree.parent[m]].insert(subtree[m].begin(), subtree[m].end());
        }
    }
    m_tree = tree;
    m_neighbours = layout.neighbours;
    m_subtree = std::move(subtree);
    m_applied.assign(k, false);
    ++m_plan;
}

void
D2dClusterTree::ApplyMember(std::size_t m, bool initial)
{
    if (m_applied.at(m))
    {
        return;
    }
    const Member& member = m_members[m];
    m_applied[m] = true;
    const std::size_t k = m_members.size();
    if (m_pendingDevice.count(m))
    {
        // a task taken on: its collector pushes the task's modules to it, waits for them
        member.app->SetChildModules(member.device,
                                    {member.moduleIds.begin(), member.moduleIds.end()});
        m_pendingDevice.erase(m);
    }
    // the tree's children: the planned ones, each with its subtree (the own device stays)
    for (uint32_t id : member.app->GetChildIds())
    {
        if (id != member.device)
        {
            member.app->RemoveChild(id);
        }
    }
    for (std::size_t c = 0; c < k; ++c)
    {
        if (c != m_root && c != m && m_tree.parent[c] == m)
        {
            member.app->AddChild(m_members[c].device, m_members[c].d2dAddress,
                                 {m_subtree[c].begin(), m_subtree[c].end()});
        }
    }
    member.app->SetAttribute(
        "Parent",
        AddressValue(m == m_root ? m_fog.address : m_members[m_tree.parent[m]].d2dAddress));
    if (m_consensus)
    {
        ApplyNeighbours(m, m_plan);
        return;
    }
    // deeper nodes give up sooner, so that their parents still hear from them
    member.app->SetAttribute(
        "RoundDeadline",
        TimeValue(m_fog.deadline * std::pow(0.8, static_cast<double>(m_tree.depth[m] + 1))));
    if (m == m_root)
    {
        return;
    }
    // if its relay has gone, the subtree's contribution takes the fog path
    member.app->GetStrategy()->SetAttribute("Fallback", AddressValue(m_fog.address));
    if (!initial)
    {
        m_fog.app->RemoveChild(member.device);
    }
    m_fog.app->AddOptionalChild(member.device, member.directAddress,
                                {m_subtree[m].begin(), m_subtree[m].end()});
}

void
D2dClusterTree::ApplyNeighbours(std::size_t m, uint32_t plan)
{
    if (plan != m_plan)
    {
        return; // a newer plan has come
    }
    const auto consensus = m_members[m].app->GetStrategy<ConsensusStrategy>();
    NS_ABORT_MSG_IF(!consensus, "D2dClusterTree: a consensus member needs a ConsensusStrategy");
    if (consensus->IsMixing())
    {
        // still mixing the previous round with its neighbours then: once it is done
        Simulator::Schedule(MilliSeconds(10), &D2dClusterTree::ApplyNeighbours, this, m, plan);
        return;
    }
    // mix with the graph's neighbours, by a step the graph's degree allows
    consensus->ClearNeighbours();
    for (std::size_t b : m_neighbours[m])
    {
        consensus->AddNeighbour(m_members[b].device, m_members[b].d2dAddress);
    }
    consensus->SetAttribute("StepSize", DoubleValue(1.0 / (1.2 * double(m_maxDegree))));
}

std::string
D2dClusterTree::StartTask(uint32_t device, const std::string& task)
{
    std::size_t m = 0;
    while (m < m_members.size() && m_members[m].device != device)
    {
        ++m;
    }
    if (m == m_members.size())
    {
        return "device " + std::to_string(device) + " is not a member of this cluster";
    }
    if (!m_refreshing || m_consensus)
    {
        return "device " + std::to_string(device)
               + "'s cluster does not take on tasks (consensus, or no Refresh)";
    }
    std::set<std::string> ids;
    const std::string error = m_members[m].deviceApp->GetModuleIdsWithTask(task, &ids);
    if (!error.empty())
    {
        return error;
    }
    const auto& held = m_subtree.at(m_root);
    for (const auto& id : ids)
    {
        if (!held.count(id))
        {
            return "no member of device " + std::to_string(device) + "'s cluster holds " + id;
        }
    }
    m_pendingTasks.emplace_back(m, task);
    return "";
}

void
D2dClusterTree::StartPendingTasks(uint32_t round)
{
    for (const auto& [m, task] : m_pendingTasks)
    {
        Member& member = m_members[m];
        const std::string error = member.deviceApp->AddTask(task);
        if (!error.empty())
        {
            NS_LOG_WARN("device " << member.device << " does not take on " << task << ": "
                                  << error);
            continue;
        }
        member.moduleIds = member.deviceApp->GetModuleIds();
        m_pendingDevice.insert(m); // its collector learns of it with the round
        ++m_tasksStarted;
        NS_LOG_INFO(Simulator::Now().As(Time::S)
                    << " device " << member.device << " takes on task " << task << " in round "
                    << round << ", its modules over D2D");
    }
    m_pendingTasks.clear();
}

bool
D2dClusterTree::HasMember(uint32_t device) const
{
    return std::any_of(m_members.begin(), m_members.end(),
                       [device](const Member& m) { return m.device == device; });
}

uint32_t
D2dClusterTree::GetTasksStarted() const
{
    return m_tasksStarted;
}

std::vector<std::size_t>
D2dClusterTree::GetParents() const
{
    return m_tree.parent;
}

const std::set<std::string>&
D2dClusterTree::GetSubtreeModules(std::size_t m) const
{
    return m_subtree.at(m);
}

uint32_t
D2dClusterTree::GetRebuilds() const
{
    return m_rebuilds;
}

} // namespace ns3
