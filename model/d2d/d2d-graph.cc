/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/d2d-graph.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/kruskal_min_spanning_tree.hpp>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace ns3
{

namespace
{

using Graph
    = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                            boost::property<boost::edge_weight_t, double>>;

} // namespace

D2dGraph::D2dGraph(const std::vector<std::pair<double, double>>& positions, double rangeM,
                   EdgeCost cost)
    : m_size(positions.size())
{
    if (positions.empty())
    {
        throw std::invalid_argument("D2dGraph: no member");
    }
    if (!(rangeM > 0.0) || !std::isfinite(rangeM))
    {
        throw std::invalid_argument("D2dGraph: range " + std::to_string(rangeM)
                                    + " m is not positive");
    }
    auto edgeCost = [&](std::size_t i, std::size_t j)
    {
        const double d = std::hypot(positions[i].first - positions[j].first,
                                    positions[i].second - positions[j].second);
        const double c = cost(d);
        if (!(c > 0.0) || !std::isfinite(c))
        {
            throw std::invalid_argument("D2dGraph: the cost of a " + std::to_string(d)
                                        + " m link is " + std::to_string(c));
        }
        return c;
    };

    Graph graph(m_size);
    Graph complete(m_size);
    for (std::size_t i = 0; i < m_size; ++i)
    {
        for (std::size_t j = i + 1; j < m_size; ++j)
        {
            const double c = edgeCost(i, j);
            boost::add_edge(i, j, c, complete);
            const double d = std::hypot(positions[i].first - positions[j].first,
                                        positions[i].second - positions[j].second);
            if (d <= rangeM)
            {
                boost::add_edge(i, j, c, graph);
                m_rangeEdges.emplace_back(i, j);
            }
        }
    }

    // patch: the minimum spanning tree's edges that join different components
    std::vector<int> component(m_size);
    const int components = boost::connected_components(graph, component.data());
    if (components > 1)
    {
        std::vector<boost::graph_traits<Graph>::edge_descriptor> tree;
        boost::kruskal_minimum_spanning_tree(complete, std::back_inserter(tree));
        // join components greedily along the tree, cheapest first, as Kruskal over components
        std::sort(tree.begin(), tree.end(),
                  [&](const auto& a, const auto& b)
                  {
                      return boost::get(boost::edge_weight, complete, a)
                             < boost::get(boost::edge_weight, complete, b);
                  });
        std::vector<int> parent(static_cast<std::size_t>(components));
        for (int k = 0; k < components; ++k)
        {
            parent[static_cast<std::size_t>(k)] = k;
        }
        std::function<int(int)> find = [&](int x)
        {
            while (parent[static_cast<std::size_t>(x)] != x)
            {
                x = parent[static_cast<std::size_t>(x)];
            }
            return x;
        };
        for (const auto& e : tree)
        {
            const auto u = boost::source(e, complete);
            const auto v = boost::target(e, complete);
            const int a = find(component[u]);
            const int b = find(component[v]);
            if (a != b)
            {
                parent[static_cast<std::size_t>(a)] = b;
                boost::add_edge(u, v, boost::get(boost::edge_weight, complete, e), graph);
                m_patchEdges.emplace_back(std::min(u, v), std::max(u, v));
            }
        }
    }

    // all-pairs routes
    m_cost.assign(m_size, std::vector<double>(m_size, 0.0));
    m_previous.assign(m_size, std::vector<std::size_t>(m_size, 0));
    for (std::size_t s = 0; s < m_size; ++s)
    {
        boost::dijkstra_shortest_paths(
            graph, s, boost::predecessor_map(m_previous[s].data()).distance_map(m_cost[s].data()));
    }
}

std::size_t
D2dGraph::GetSize() const
{
    return m_size;
}

bool
D2dGraph::IsConnectedByRange() const
{
    return m_patchEdges.empty();
}

const std::vector<std::pair<std::size_t, std::size_t>>&
D2dGraph::GetRangeEdges() const
{
    return m_rangeEdges;
}

const std::vector<std::pair<std::size_t, std::size_t>>&
D2dGraph::GetPatchEdges() const
{
    return m_patchEdges;
}

std::vector<std::size_t>
D2dGraph::GetRoute(std::size_t from, std::size_t to) const
{
    if (from >= m_size || to >= m_size)
    {
        throw std::out_of_range("D2dGraph::GetRoute: member " + std::to_string(std::max(from, to))
                                + " of " + std::to_string(m_size));
    }
    // predecessors from the destination's tree lead back to it: walk from 'from' towards 'to'
    std::vector<std::size_t> route{from};
    for (std::size_t at = from; at != to;)
    {
        at = m_previous[to][at];
        route.push_back(at);
    }
    return route;
}

D2dGraph::Tree
D2dGraph::GetTree(std::size_t root) const
{
    Tree tree;
    tree.root = root;
    for (std::size_t m = 0; m < m_size; ++m)
    {
        const auto route = GetRoute(m, root);
        tree.parent.push_back(route.size() > 1 ? route[1] : root);
        tree.depth.push_back(route.size() - 1);
    }
    return tree;
}

D2dGraph::Tree
D2dGraph::GetTreeWithRelays(const std::vector<std::pair<double, double>>& positions, double rangeM,
                            const EdgeCost& cost, std::size_t root,
                            const std::vector<bool>& canRelay)
{
    const std::size_t n = positions.size();
    if (canRelay.size() != n)
    {
        throw std::invalid_argument("D2dGraph: " + std::to_string(canRelay.size())
                                    + " relay flags for " + std::to_string(n) + " members");
    }
    if (root >= n)
    {
        throw std::out_of_range("D2dGraph: root " + std::to_string(root) + " of "
                                + std::to_string(n));
    }
    std::vector<std::size_t> relays;   // members that forward, the root among them
    std::vector<std::size_t> at(n, n); // member -> index among the relays
    for (std::size_t m = 0; m < n; ++m)
    {
        if (canRelay[m] || m == root)
        {
            at[m] = relays.size();
            relays.push_back(m);
        }
    }
    std::vector<std::pair<double, double>> relayPositions;
    for (std::size_t m : relays)
    {
        relayPositions.push_back(positions[m]);
    }
    const D2dGraph backbone(relayPositions, rangeM, cost);
    const Tree inner = backbone.GetTree(at[root]);
    Tree tree;
    tree.root = root;
    tree.parent.assign(n, root);
    tree.depth.assign(n, 0);
    for (std::size_t r = 0; r < relays.size(); ++r)
    {
        tree.parent[relays[r]] = relays[inner.parent[r]];
        tree.depth[relays[r]] = inner.depth[r];
    }
    for (std::size_t m = 0; m < n; ++m)
    {
        if (at[m] != n)
        {
            continue;
        }
        // a leaf: the cheapest attachment, within range if any is
        std::size_t best = n;
        double bestCost = 0.0;
        bool bestInRange = false;
        for (std::size_t r = 0; r < relays.size(); ++r)
        {
            const double d = std::hypot(positions[m].first - relayPositions[r].first,
                                        positions[m].second - relayPositions[r].second);
            const bool inRange = d <= rangeM;
            const double c = cost(d) + backbone.GetRouteCost(r, at[root]);
            if (best == n || (inRange && !bestInRange) || (inRange == bestInRange && c < bestCost))
            {
                best = r;
                bestCost = c;
                bestInRange = inRange;
            }
        }
        tree.parent[m] = relays[best];
        tree.depth[m] = inner.depth[best] + 1;
    }
    return tree;
}

double
D2dGraph::GetRouteCost(std::size_t from, std::size_t to) const
{
    return m_cost.at(from).at(to);
}

std::size_t
D2dGraph::ChooseRandomAggregator(uint64_t seed) const
{
    std::mt19937_64 rng(seed);
    return static_cast<std::size_t>(rng() % m_size);
}

std::size_t
D2dGraph::ChooseAggregator(const std::function<double(double, double)>& combine,
                           const std::vector<double>& exitCost) const
{
    if (!exitCost.empty() && exitCost.size() != m_size)
    {
        throw std::invalid_argument("D2dGraph: " + std::to_string(exitCost.size())
                                    + " exit costs for " + std::to_string(m_size) + " members");
    }
    std::size_t best = 0;
    double bestCost = INFINITY;
    for (std::size_t a = 0; a < m_size; ++a)
    {
        double cost = 0.0;
        for (std::size_t m = 0; m < m_size; ++m)
        {
            cost = combine(cost, m_cost[m][a]);
        }
        cost += exitCost.empty() ? 0.0 : exitCost[a];
        if (cost < bestCost)
        {
            bestCost = cost;
            best = a;
        }
    }
    return best;
}

std::size_t
D2dGraph::ChooseMinMaxAggregator(const std::vector<double>& exitCost) const
{
    return ChooseAggregator([](double worst, double c) { return std::max(worst, c); }, exitCost);
}

std::size_t
D2dGraph::ChooseMinTotalAggregator(const std::vector<double>& exitCost) const
{
    return ChooseAggregator([](double total, double c) { return total + c; }, exitCost);
}

} // namespace ns3
