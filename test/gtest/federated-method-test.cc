/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/federated-helper.h"

#include <gtest/gtest.h>

using namespace ns3;

TEST(FederatedMethod, NamesParse)
{
    FederatedMethod m;
    ASSERT_EQ(FederatedMethod::Parse("star", m), "");
    EXPECT_TRUE(m.star);
    EXPECT_FALSE(m.d2d);
    ASSERT_EQ(FederatedMethod::Parse("hier-8+d2d", m), "");
    EXPECT_EQ(m.globalEvery, 8U);
    EXPECT_TRUE(m.d2d);
    EXPECT_FALSE(m.consensus);
    ASSERT_EQ(FederatedMethod::Parse("edge-only+consensus", m), "");
    EXPECT_EQ(m.globalEvery, 0U);
    EXPECT_TRUE(m.d2d);
    EXPECT_TRUE(m.consensus);
    EXPECT_EQ(m.name, "edge-only+consensus");
}

TEST(FederatedMethod, BadNamesAreNamedAndChangeNothing)
{
    FederatedMethod m;
    ASSERT_EQ(FederatedMethod::Parse("hier-3", m), "");
    for (const std::string bad : {"star+d2d", "star+consensus", "hier-0", "hier-x+consensus",
                                  "edge-only+d2d+consensus", "consensus", "", "hier-"})
    {
        const std::string error = FederatedMethod::Parse(bad, m);
        EXPECT_NE(error, "") << bad;
        EXPECT_NE(error.find("'" + bad), std::string::npos) << error;
        EXPECT_EQ(m.name, "hier-3") << "a bad name leaves the method as it was";
    }
}

TEST(FederatedMethod, ConsensusStepsAreChecked)
{
    EXPECT_EQ(FederatedHelper::CheckConsensusSteps(1), "");
    EXPECT_EQ(FederatedHelper::CheckConsensusSteps(255), "");
    EXPECT_NE(FederatedHelper::CheckConsensusSteps(0).find("0"), std::string::npos);
    EXPECT_NE(FederatedHelper::CheckConsensusSteps(256).find("256"), std::string::npos);
}
