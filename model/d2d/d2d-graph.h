/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_D2D_GRAPH_H
#define HFFM_D2D_GRAPH_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief The D2D neighbour graph of one cluster of devices, its routes and its aggregator.
 *
 * Two members are neighbours when they are within range of each other. A cluster whose range
 * graph is not connected is patched, as in the HF-FM reference, with the edges of a minimum
 * spanning tree (over all pairs, by transfer cost) that join its components. Routes are
 * shortest paths weighted by the expected transfer time of an edge (Boost.Graph's Dijkstra).
 * Rebuild the graph when members move. No ns-3, no LibTorch.
 */
class D2dGraph
{
  public:
    /// Expected time to send one module over a link of the given length, in seconds.
    using EdgeCost = std::function<double(double distanceM)>;

    /**
     * \param positions the members' (x, y) positions in metres
     * \param rangeM neighbours are at most this far apart
     * \param cost the expected transfer time of a link; it must be positive and finite
     * \throws std::invalid_argument for no member, a range not positive, or a bad cost
     */
    D2dGraph(const std::vector<std::pair<double, double>>& positions, double rangeM, EdgeCost cost);

    /// \return the number of members
    std::size_t GetSize() const;
    /// \return true if the range graph alone connects every member
    bool IsConnectedByRange() const;
    /// \return the neighbour pairs (i < j) within range
    const std::vector<std::pair<std::size_t, std::size_t>>& GetRangeEdges() const;
    /// \return the spanning-tree edges (i < j) added to connect the range graph's components
    const std::vector<std::pair<std::size_t, std::size_t>>& GetPatchEdges() const;

    /// \return the members on the cheapest path from \p from to \p to, both included
    std::vector<std::size_t> GetRoute(std::size_t from, std::size_t to) const;
    /// \return the expected transfer time along that path
    double GetRouteCost(std::size_t from, std::size_t to) const;

    /// The shortest-path tree towards one member: each member's next hop and hop count.
    struct Tree
    {
        std::size_t root{0};
        std::vector<std::size_t> parent; //!< per member, its next hop (the root's: itself)
        std::vector<std::size_t> depth;  //!< per member, its hops to the root
    };

    /**
     *
eturn the tree of the cheapest routes from every member to \p root
     * 	hrows std::out_of_range for a root that is not a member
     */
    Tree GetTree(std::size_t root) const;

    /**
     * The tree of the cheapest routes to \p root on which only some members forward for
     * others: the graph of those members and the root, built as the constructor builds one,
     * and every other member a leaf of it, attached where its link (one within range if it
     * has any) plus that member's route to the root costs least.
     * \param positions, rangeM, cost as for the constructor
     * \param root the tree's root (it always forwards)
     * \param canRelay per member, whether it may forward
     * \throws std::invalid_argument or std::out_of_range for inconsistent arguments
     */
    static Tree GetTreeWithRelays(const std::vector<std::pair<double, double>>& positions,
                                  double rangeM, const EdgeCost& cost, std::size_t root,
                                  const std::vector<bool>& canRelay);

    /// The reference's choice: a member drawn uniformly, deterministic from \p seed.
    std::size_t ChooseRandomAggregator(uint64_t seed) const;
    /**
     * The member whose slowest route from any member, plus its own \p exitCost (the upload
     * the aggregator makes next; none if empty), is fastest (ties: lowest index).
     * \throws std::invalid_argument if \p exitCost is neither empty nor one per member
     */
    std::size_t ChooseMinMaxAggregator(const std::vector<double>& exitCost = {}) const;
    /// As above, with the routes from all members in total.
    std::size_t ChooseMinTotalAggregator(const std::vector<double>& exitCost = {}) const;

  private:
    /// The member whose routes from all members, folded with \p combine from 0, plus its
    /// exit cost, cost least.
    std::size_t ChooseAggregator(const std::function<double(double, double)>& combine,
                                 const std::vector<double>& exitCost) const;

    std::size_t m_size;
    std::vector<std::pair<std::size_t, std::size_t>> m_rangeEdges;
    std::vector<std::pair<std::size_t, std::size_t>> m_patchEdges;
    std::vector<std::vector<double>> m_cost;          //!< all-pairs route costs
    std::vector<std::vector<std::size_t>> m_previous; //!< per source, Dijkstra predecessors
};

} // namespace ns3

#endif /* HFFM_D2D_GRAPH_H */
