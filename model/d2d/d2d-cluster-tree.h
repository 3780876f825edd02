/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_D2D_CLUSTER_TREE_H
#define HFFM_D2D_CLUSTER_TREE_H

#include "ns3/address.h"
#include "ns3/cluster-tree-strategy.h"
#include "ns3/collector-app.h"
#include "ns3/consensus-strategy.h"
#include "ns3/d2d-graph.h"
#include "ns3/device-app.h"
#include "ns3/mobility-model.h"
#include "ns3/nstime.h"
#include "ns3/object.h"
#include "ns3/traced-callback.h"

#include <set>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief One D2D cluster's tree of collectors (ClusterTreeStrategy), kept in step with where its
 * members stand.
 *
 * FederatedHelper builds one per cluster. The tree is the shortest-path tree (D2dGraph)
 * towards the cluster's aggregator: every member's collector gets its next hop as Parent,
 * the members whose next hop it is as children (each holding the modules of its subtree),
 * and, for cluster-head aggregation, a RoundDeadline that shrinks with depth and the fog
 * as Fallback (an optional child of the fog's with its subtree's modules).
 *
 * With Refresh, the tree is rebuilt when the first module of a round reaches the aggregator,
 * before it is forwarded: the D2D graph anew from the members' positions at that moment
 * (their MobilityModels), then the routes, on which a member that its parent missed since
 * the last rebuild (a straggler of the parent's round: gone, or too slow) forwards for
 * nobody (D2dGraph::GetTreeWithRelays), so that the rest of its subtree is routed around
 * it. Each member takes its part of the new tree when the round's first module reaches it.
 * The aggregator stays the same member (it is the fog's child). A rebuild that changes no
 * next hop changes nothing.
 *
 * For average consensus (ConsensusStrategy members) the graph's neighbours are each member's
 * neighbours to mix with, and the step size 1 / (1.2 x maximum degree) follows the graph;
 * a member still mixing the previous round takes its new neighbours once it is done.
 */
class D2dClusterTree : public Object
{
  public:
    static TypeId GetTypeId();

    /// A member of the cluster.
    struct Member
    {
        uint32_t device{0};              //!< device index: the sender id of its messages
        Ptr<CollectorApp> app;           //!< its node of the tree
        Ptr<MobilityModel> mobility;     //!< where it stands
        Address d2dAddress;              //!< its collector's address on the D2D radio
        Address directAddress;           //!< its collector's address on the uplink radio
        std::set<std::string> moduleIds; //!< the modules its device trains
        Ptr<DeviceApp> deviceApp;        //!< its device
    };

    /// The fog the cluster reports to.
    struct Fog
    {
        Ptr<CollectorApp> app;
        Address address; //!< its address for the cluster's devices
        Time deadline;   //!< its RoundDeadline
    };

    D2dClusterTree();
    ~D2dClusterTree() override;

    /**
     * Build the tree and configure the members' collectors (Parent and tree children; for
     * cluster-head aggregation also RoundDeadline, Fallback and the fog's optional children).
     * The members' own devices and the fog's child for the aggregator are the caller's.
     * \param members the cluster
     * \param root the index in \p members of the aggregator
     * \param rangeM D2D range of the graph
     * \param cost expected transfer time of a D2D link of a given length
     * \param fog the fog
     * \param consensus true for average consensus: no deadlines by depth, no Fallback
     */
    void Setup(std::vector<Member> members, std::size_t root, double rangeM,
               D2dGraph::EdgeCost cost, const Fog& fog, bool consensus);

    /// Rebuild the tree whenever the first module of a round reaches the aggregator (or
    /// reporter), let each member take its part when the round reaches it, and watch the
    /// members' rounds for the ones their parents miss.
    void Refresh();

    /**
     * Rebuild the tree from the members' current positions and the members missed since the
     * last rebuild, as before \p round.
     * \return the members whose next hop or neighbours changed (0: nothing changed)
     */
    uint32_t Rebuild(uint32_t round);

    /**
     * Member \p device takes on \p task (DeviceApp::AddTask) when the next round reaches the
     * aggregator (with Refresh): from then on the round's modules bring the task's
     * modules down the tree to it — from the aggregator, over D2D, hop by hop, not from the
     * fog — and it trains them. Only modules the cluster already holds can travel so: the
     * fog pushes the aggregator what the members held at Setup.
     * \return an empty string, or why not (not a member, a consensus cluster, a task the
     * device cannot take on, a module no member holds), changing nothing
     */
    std::string StartTask(uint32_t device, const std::string& task);
    /// \return true if \p device is a member
    bool HasMember(uint32_t device) const;
    /// \return tasks taken on so far (StartTask's that reached their round)
    uint32_t GetTasksStarted() const;

    /// \return per member (Setup's order), its next hop's index
    std::vector<std::size_t> GetParents() const;
    /// \return the modules of member \p m's subtree
    const std::set<std::string>& GetSubtreeModules(std::size_t m) const;
    /// \return rebuilds that changed the tree
    uint32_t GetRebuilds() const;

    /**
     * TracedCallback signature for a rebuilt tree.
     * \param round the round about to be forwarded along the new tree
     * \param changed the members whose next hop or neighbours changed
     */
    typedef void (*RebuiltTracedCallback)(uint32_t round, uint32_t changed);

  protected:
    void DoDispose() override;

  private:
    /// The tree and the graph's neighbours of the members' current positions.
    struct Layout
    {
        D2dGraph::Tree tree;
        std::vector<std::set<std::size_t>> neighbours; //!< per member, in range or patched
    };

    /// \return the layout of the members' current positions
    Layout Compute() const;
    /// Give the members their pending tasks (before the next Apply).
    void StartPendingTasks(uint32_t round);
    /// Make \p layout the tree the next round travels: subtrees, degree; no member has
    /// taken its part yet.
    void Plan(const Layout& layout);
    /**
     * Configure member \p m for the planned tree (once per plan): Parent and tree children;
     * RoundDeadline, Fallback and its optional child at the fog (cluster head); neighbours
     * and StepSize (consensus; once it no longer mixes an earlier round). Called for every
     * member by Setup (\p initial), then by each member when a round reaches it.
     */
    void ApplyMember(std::size_t m, bool initial);
    /// Give consensus member \p m the neighbours of plan \p plan, once it no longer mixes
    /// the previous round (nothing if a newer plan has come).
    void ApplyNeighbours(std::size_t m, uint32_t plan);

    std::vector<Member> m_members;
    std::size_t m_root{0};
    double m_range{0.0};
    D2dGraph::EdgeCost m_cost;
    Fog m_fog;
    bool m_consensus{false};
    D2dGraph::Tree m_tree;
    std::vector<std::set<std::size_t>> m_neighbours;
    std::vector<std::set<std::string>> m_subtree;
    uint32_t m_rebuilds{0};
    std::set<uint32_t> m_missed; //!< members a parent missed since the last rebuild
    std::vector<std::pair<std::size_t, std::string>> m_pendingTasks; //!< member, task
    uint32_t m_tasksStarted{0};
    bool m_refreshing{false};              //!< Refresh was called
    std::vector<bool> m_applied;           //!< per member, whether it took the planned tree
    std::set<std::size_t> m_pendingDevice; //!< members whose device took on a task
    std::size_t m_maxDegree{1};
    uint32_t m_plan{0}; //!< plans made
    TracedCallback<uint32_t, uint32_t> m_rebuiltTrace;
};

} // namespace ns3

#endif /* HFFM_D2D_CLUSTER_TREE_H */
