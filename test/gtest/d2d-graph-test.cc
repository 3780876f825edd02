/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/d2d-graph.h"

#include <gtest/gtest.h>
#include <stdexcept>

using namespace ns3;

namespace
{

/// A link costs its length in seconds: routes then minimise distance, easy to check by hand.
double
Length(double d)
{
    return d;
}

} // namespace

TEST(D2dGraph, NeighboursWithinRangeAndShortestRoutes)
{
    // a line, 20 m apart, range 30 m: each member reaches only the next one
    const D2dGraph g({{0, 0}, {20, 0}, {40, 0}, {60, 0}}, 30.0, Length);
    EXPECT_TRUE(g.IsConnectedByRange());
    EXPECT_EQ(g.GetRangeEdges(),
              (std::vector<std::pair<std::size_t, std::size_t>>{{0, 1}, {1, 2}, {2, 3}}));
    EXPECT_EQ(g.GetRoute(0, 3), (std::vector<std::size_t>{0, 1, 2, 3}));
    EXPECT_EQ(g.GetRoute(3, 1), (std::vector<std::size_t>{3, 2, 1}));
    EXPECT_EQ(g.GetRoute(2, 2), (std::vector<std::size_t>{2}));
    EXPECT_DOUBLE_EQ(g.GetRouteCost(0, 3), 60.0);
    EXPECT_THROW(g.GetRoute(0, 4), std::out_of_range);
}

TEST(D2dGraph, TreeTowardsAMemberFollowsTheRoutes)
{
    // a line 20 m apart, range 30 m, towards member 1: 0 and 2 are its children, 3 is 2's
    const D2dGraph line({{0, 0}, {20, 0}, {40, 0}, {60, 0}}, 30.0, Length);
    const D2dGraph::Tree t = line.GetTree(1);
    EXPECT_EQ(t.root, 1U);
    EXPECT_EQ(t.parent, (std::vector<std::size_t>{1, 1, 1, 2}));
    EXPECT_EQ(t.depth, (std::vector<std::size_t>{1, 0, 1, 2}));
    // member 3 moved next to member 1: the rebuilt graph gives it a direct link
    const D2dGraph moved({{0, 0}, {20, 0}, {40, 0}, {20, 10}}, 30.0, Length);
    EXPECT_EQ(moved.GetTree(1).parent, (std::vector<std::size_t>{1, 1, 1, 1}));
    EXPECT_EQ(moved.GetTree(1).depth, (std::vector<std::size_t>{1, 0, 1, 1}));
    EXPECT_THROW(line.GetTree(4), std::out_of_range);
}

TEST(D2dGraph, TreeRoutesAroundMembersThatMayNotRelay)
{
    // a line 20 m apart, range 30 m, root 0; member 1 may not relay: 2 is reachable only out
    // of range (40 m to the root, the spanning tree's patch), 3 in range of 2
    const std::vector<std::pair<double, double>> line{{0, 0}, {20, 0}, {40, 0}, {60, 0}};
    const D2dGraph::Tree t
        = D2dGraph::GetTreeWithRelays(line, 30.0, Length, 0, {true, false, true, true});
    EXPECT_EQ(t.parent, (std::vector<std::size_t>{0, 0, 0, 2}));
    EXPECT_EQ(t.depth, (std::vector<std::size_t>{0, 1, 1, 2}));
    // members 2 and 3 (at 40 m and 45 m) may not relay: both join member 1, the one relay in
    // their range, and not the root, out of it
    const std::vector<std::pair<double, double>> close{{0, 0}, {20, 0}, {40, 0}, {45, 0}};
    const D2dGraph::Tree u
        = D2dGraph::GetTreeWithRelays(close, 30.0, Length, 0, {true, true, false, false});
    EXPECT_EQ(u.parent, (std::vector<std::size_t>{0, 0, 1, 1}));
    EXPECT_EQ(u.depth, (std::vector<std::size_t>{0, 1, 2, 2}));
    // everyone relays: the plain tree
    EXPECT_EQ(D2dGraph::GetTreeWithRelays(line, 30.0, Length, 0, {true, true, true, true}).parent,
              D2dGraph(line, 30.0, Length).GetTree(0).parent);
    EXPECT_THROW(D2dGraph::GetTreeWithRelays(line, 30.0, Length, 0, {true}), std::invalid_argument);
}

TEST(D2dGraph, CheaperTwoHopRouteBeatsADirectLink)
{
    // 0-2 are 28 m apart and in range, but a link costs its length squared: two hops of 14 m
    // via member 1 (2 x 196) beat one of 28 m (784)
    const D2dGraph g({{0, 0}, {14, 0}, {28, 0}}, 30.0, [](double d) { return d * d; });
    EXPECT_EQ(g.GetRangeEdges().size(), 3U);
    EXPECT_EQ(g.GetRoute(0, 2), (std::vector<std::size_t>{0, 1, 2}));
    EXPECT_DOUBLE_EQ(g.GetRouteCost(0, 2), 392.0);
}

TEST(D2dGraph, DisconnectedClusterIsPatchedBySpanningTree)
{
    // two pairs 90 m apart (members 1 and 2 are the closest across), and a lone member far off
    const D2dGraph g({{0, 0}, {10, 0}, {100, 0}, {110, 0}, {110, 200}}, 30.0, Length);
    EXPECT_FALSE(g.IsConnectedByRange());
    EXPECT_EQ(g.GetRangeEdges(),
              (std::vector<std::pair<std::size_t, std::size_t>>{{0, 1}, {2, 3}}));
    // the spanning tree joins the pairs at 1-2 (90 m) and the lone member at 3-4 (200 m)
    EXPECT_EQ(g.GetPatchEdges(),
              (std::vector<std::pair<std::size_t, std::size_t>>{{1, 2}, {3, 4}}));
    EXPECT_EQ(g.GetRoute(0, 4), (std::vector<std::size_t>{0, 1, 2, 3, 4}));
    EXPECT_DOUBLE_EQ(g.GetRouteCost(0, 4), 10.0 + 90.0 + 10.0 + 200.0);
}

TEST(D2dGraph, AggregatorChoices)
{
    // a line of five, 20 m apart: the middle member minimises both the slowest and the total
    const D2dGraph line({{0, 0}, {20, 0}, {40, 0}, {60, 0}, {80, 0}}, 30.0, Length);
    EXPECT_EQ(line.ChooseMinMaxAggregator(), 2U);
    EXPECT_EQ(line.ChooseMinTotalAggregator(), 2U);
    // members at 0, 1, 2 and 30 m on a line: from member 1 the routes total 1 + 1 + 29 = 31
    // (member 2 ties at 2 + 1 + 28; the lower index wins), from member 2 the slowest route is
    // 28 m, the least of all
    const D2dGraph uneven({{0, 0}, {1, 0}, {2, 0}, {30, 0}}, 30.0, Length);
    EXPECT_EQ(uneven.ChooseMinTotalAggregator(), 1U);
    EXPECT_EQ(uneven.ChooseMinMaxAggregator(), 2U);
    // exit costs (each member's own upload): on the line, member 3's slowest route is 60 m,
    // member 2's 40 m; with uploads of 50 s from member 2 and 0 from member 3, 3 wins
    // (60 + 0 < 40 + 50), and for the total (20 + 40 + 60 + 20 + 0 = 140 against
    // 40 + 20 + 20 + 40 + 50 = 170)
    const std::vector<double> exits{100, 100, 50, 0, 100};
    EXPECT_EQ(line.ChooseMinMaxAggregator(exits), 3U);
    EXPECT_EQ(line.ChooseMinTotalAggregator(exits), 3U);
    EXPECT_THROW(line.ChooseMinMaxAggregator({1.0, 2.0}), std::invalid_argument);
    const std::size_t a = line.ChooseRandomAggregator(7);
    EXPECT_LT(a, 5U);
    EXPECT_EQ(line.ChooseRandomAggregator(7), a) << "deterministic from the seed";
}

TEST(D2dGraph, BadInputIsRejected)
{
    EXPECT_THROW(D2dGraph({}, 30.0, Length), std::invalid_argument);
    EXPECT_THROW(D2dGraph({{0, 0}}, 0.0, Length), std::invalid_argument);
    EXPECT_THROW(D2dGraph({{0, 0}, {1, 0}}, 30.0, [](double) { return -1.0; }),
                 std::invalid_argument);
}
