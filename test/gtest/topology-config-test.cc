/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/lte-topology-helper.h"
#include "ns3/wifi-topology-helper.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace ns3;

// Friis at 2120 MHz over the slant distance, worked out by hand: 150 m on the ground and
// 28.5 m of height give 152.683 m, lambda = c / f = 0.141412 m, and
// 20 log10(4 pi d / lambda) = 82.650 dB; 850 m on the ground gives 97.568 dB.
TEST(TopologyConfig, LteCellEdgeLoss)
{
    EXPECT_NEAR(LteTopologyHelper::CellEdgeLossDb(150.0), 82.650, 1e-3);
    EXPECT_NEAR(LteTopologyHelper::CellEdgeLossDb(850.0), 97.568, 1e-3);
}

TEST(TopologyConfig, LteMaxLossMustKeepUesInTheirCell)
{
    LteTopologyHelper::Config c;
    EXPECT_EQ(LteTopologyHelper::Check(c), "") << "the defaults are valid";
    c.maxLossDb = 80.0; // below the 82.65 dB at the default 150 m
    const std::string error = LteTopologyHelper::Check(c);
    EXPECT_NE(error.find("maxLossDb 80"), std::string::npos) << error;
    c.maxLossDb = 0.0; // every signal delivered
    EXPECT_EQ(LteTopologyHelper::Check(c), "");
    c.maxLossDb = -1.0;
    EXPECT_NE(LteTopologyHelper::Check(c), "");
}

TEST(TopologyConfig, LteCqiPeriodMustBeA3gppPeriod)
{
    LteTopologyHelper::Config c;
    for (uint32_t ms : {1U, 2U, 5U, 10U, 20U, 40U, 80U, 160U})
    {
        c.cqiPeriodMs = ms;
        EXPECT_EQ(LteTopologyHelper::Check(c), "") << ms;
    }
    for (uint32_t ms : {0U, 3U, 15U, 320U})
    {
        c.cqiPeriodMs = ms;
        const std::string error = LteTopologyHelper::Check(c);
        EXPECT_NE(error.find("cqiPeriodMs " + std::to_string(ms) + " "), std::string::npos)
            << error;
    }
}

TEST(TopologyConfig, DeviceSpeedIsCheckedAndWidensTheLteCell)
{
    LteTopologyHelper::Config c;
    c.deviceSpeed = -1.0;
    EXPECT_NE(LteTopologyHelper::Check(c).find("deviceSpeed -1"), std::string::npos);
    // a walking UE may reach the corner of its 150 m square, 212.13 m away: 85.58 dB
    // (Friis at 2120 MHz over hypot(212.13, 28.5) m, computed by hand)
    c.deviceSpeed = 1.0;
    c.maxLossDb = 85.0; // enough for 150 m (82.65 dB), not for the corner
    EXPECT_NE(LteTopologyHelper::Check(c).find("maxLossDb 85"), std::string::npos);
    c.deviceSpeed = 0.0;
    EXPECT_EQ(LteTopologyHelper::Check(c), "");
    EXPECT_NEAR(LteTopologyHelper::CellEdgeLossDb(150.0 * std::sqrt(2.0)), 85.584, 1e-3);
}

TEST(TopologyConfig, TcpSegmentSizeIsChecked)
{
    WifiTopologyHelper::Config c;
    EXPECT_EQ(WifiTopologyHelper::Check(c), "");
    c.tcpSegmentBytes = 1500;
    EXPECT_NE(WifiTopologyHelper::Check(c).find("tcpSegmentBytes 1500"), std::string::npos);
    c.tcpSegmentBytes = 100;
    EXPECT_NE(WifiTopologyHelper::Check(c).find("tcpSegmentBytes 100"), std::string::npos);
}

// Even: fog f on rank floor(f x ranks / fogs), worked out by hand for 10 fogs on 4 ranks:
// 0, 0, 0, 1, 1, 2, 2, 2, 3, 3 (f x 4 / 10 = 0, 0.4, 0.8, 1.2, 1.6, 2, 2.4, 2.8, 3.2, 3.6).
TEST(CellPartition, EvenSpreadsBlocksOfFogs)
{
    const CellPartition p = CellPartition::Even(10, 4, 2);
    EXPECT_EQ(p.fogRank, (std::vector<uint32_t>{0, 0, 0, 1, 1, 2, 2, 2, 3, 3}));
    EXPECT_EQ(p.Check(10), "");
    EXPECT_TRUE(p.IsLocalFog(5));
    EXPECT_FALSE(p.IsLocalFog(4));
    EXPECT_FALSE(p.IsCloudLocal());
    EXPECT_TRUE(p.IsDistributed());
    // one process: every cell and the cloud local
    const CellPartition one;
    EXPECT_TRUE(one.IsLocalFog(7));
    EXPECT_TRUE(one.IsCloudLocal());
    EXPECT_FALSE(one.IsDistributed());
}

TEST(CellPartition, BadPartitionsNameTheValue)
{
    EXPECT_NE(CellPartition::Even(2, 3, 0).Check(2).find("ranks 3 are more than fogs 2"),
              std::string::npos);
    CellPartition p;
    EXPECT_EQ(CellPartition::Parse("0,1,1,0", 4, 2, 1, p), "");
    EXPECT_EQ(p.fogRank, (std::vector<uint32_t>{0, 1, 1, 0}));
    EXPECT_EQ(p.rank, 1U);
    const std::string wrongLength = CellPartition::Parse("0,1,1", 4, 2, 0, p);
    EXPECT_NE(wrongLength.find("names 3 ranks for 4 fogs"), std::string::npos) << wrongLength;
    const std::string outOfRange = CellPartition::Parse("0,2", 2, 2, 0, p);
    EXPECT_NE(outOfRange.find("'2' is not a rank in 0..1"), std::string::npos) << outOfRange;
    EXPECT_NE(CellPartition::Parse("0,-1", 2, 2, 0, p), "");
    EXPECT_NE(CellPartition::Parse("0,x", 2, 2, 0, p), "");
    EXPECT_NE(CellPartition::Parse("0,,1", 3, 2, 0, p), "");
    const std::string idle = CellPartition::Parse("0,0", 2, 2, 0, p);
    EXPECT_NE(idle.find("rank 1 runs no cell"), std::string::npos) << idle;
    EXPECT_EQ(p.fogRank, (std::vector<uint32_t>{0, 1, 1, 0})) << "a refused list changes nothing";
    // a topology with a bad partition is refused by its helper's check
    WifiTopologyHelper::Config c;
    c.partition = CellPartition::Even(c.fogs, 3, 0);
    EXPECT_NE(WifiTopologyHelper::Check(c).find("more than fogs"), std::string::npos);
}

// Regions are blocks of fogs, as cells are blocks on ranks: 10 fogs in 4 regions are
// floor(f x 4 / 10) = 0 0 0 1 1 2 2 2 3 3; on 2 ranks, regions 0 and 1 on rank 0 (fogs 0-4),
// regions 2 and 3 on rank 1 (fogs 5-9), not Even's split of fogs 0-4 / 5-9 by fog.
TEST(LteRegions, RegionsAreBlocksKeptWholeOnRanks)
{
    std::vector<uint32_t> region;
    for (uint32_t f = 0; f < 10; ++f)
    {
        region.push_back(LteTopologyHelper::RegionOf(f, 10, 4));
    }
    EXPECT_EQ(region, (std::vector<uint32_t>{0, 0, 0, 1, 1, 2, 2, 2, 3, 3}));
    LteTopologyHelper::Config c;
    c.devices = 20;
    c.fogs = 10;
    c.regions = 4;
    const CellPartition two = LteTopologyHelper::EvenByRegion(c, 2, 1);
    EXPECT_EQ(two.fogRank, (std::vector<uint32_t>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}));
    EXPECT_EQ(two.rank, 1U);
    c.partition = two;
    EXPECT_EQ(LteTopologyHelper::Check(c), "");
    // 3 ranks: regions 0, 1 | 2 | 3 (floor(r x 3 / 4) = 0 0 1 2), never a region split
    const CellPartition three = LteTopologyHelper::EvenByRegion(c, 3, 0);
    EXPECT_EQ(three.fogRank, (std::vector<uint32_t>{0, 0, 0, 0, 0, 1, 1, 1, 2, 2}));
    // one region per fog: the partition by cells
    c.regions = 10;
    EXPECT_EQ(LteTopologyHelper::EvenByRegion(c, 4, 0).fogRank,
              CellPartition::Even(10, 4, 0).fogRank);
}

TEST(LteRegions, BadRegionsNameTheValue)
{
    LteTopologyHelper::Config c;
    c.devices = 8;
    c.fogs = 4;
    c.regions = 5;
    EXPECT_NE(LteTopologyHelper::Check(c).find("regions 5 is not in 1..fogs 4"), std::string::npos);
    c.regions = 0;
    EXPECT_NE(LteTopologyHelper::Check(c).find("regions 0"), std::string::npos);
    c.regions = 2;
    c.channelPerCell = false;
    EXPECT_NE(LteTopologyHelper::Check(c).find("need channelPerCell"), std::string::npos);
    c.channelPerCell = true;
    // more ranks than regions, though not more than fogs
    c.partition = CellPartition::Even(4, 4, 0);
    const std::string tooMany = LteTopologyHelper::Check(c);
    EXPECT_NE(tooMany.find("ranks 4 are more than LTE regions 2"), std::string::npos) << tooMany;
    // a partition that splits region 0 (fogs 0 and 1)
    ASSERT_EQ(CellPartition::Parse("0,1,1,1", 4, 2, 0, c.partition), "");
    const std::string split = LteTopologyHelper::Check(c);
    EXPECT_NE(split.find("fogs 0 and 1 of LTE region 0 are on ranks 0 and 1"), std::string::npos)
        << split;
    ASSERT_EQ(CellPartition::Parse("1,1,0,0", 4, 2, 0, c.partition), "");
    EXPECT_EQ(LteTopologyHelper::Check(c), "") << "whole regions, on any rank";
}
