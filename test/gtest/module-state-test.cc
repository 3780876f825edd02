/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-state.h"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <stdexcept>

using namespace ns3;

TEST(ModuleState, LayoutIsContiguousInTableOrder)
{
    ModuleState s("adapter/3",
                  {{"down.weight", {4, 8}}, {"down.bias", {4}}, {"up.weight", {8, 4}}});
    EXPECT_EQ(s.GetNumel(), 32U + 4U + 32U);
    EXPECT_EQ(s.GetValueBytes(), 68U * 4U);
    EXPECT_EQ(s.GetTensorOffset(0), 0U);
    EXPECT_EQ(s.GetTensorOffset(1), 32U);
    EXPECT_EQ(s.GetTensorOffset(2), 36U);
    EXPECT_EQ(s.GetTensorData(2), s.GetData() + 36);
    EXPECT_EQ(s.FindTensor("down.bias"), 1U);
    EXPECT_EQ(s.FindTensor("missing"), 3U);
    for (std::size_t i = 0; i < s.GetNumel(); ++i)
    {
        ASSERT_EQ(s.GetData()[i], 0.0F);
    }
}

TEST(ModuleState, RejectsBadLayoutsWithAReason)
{
    EXPECT_THROW(ModuleState("", {{"w", {1}}}), std::invalid_argument);
    EXPECT_THROW(ModuleState("has space", {{"w", {1}}}), std::invalid_argument);
    EXPECT_THROW(ModuleState(std::string(256, 'a'), {{"w", {1}}}), std::invalid_argument);
    EXPECT_THROW(ModuleState("m", {{"w", {0}}}), std::invalid_argument);
    EXPECT_THROW(ModuleState("m", {{"w", {-1, 2}}}), std::invalid_argument);
    EXPECT_THROW(ModuleState("m", {{"w", {}}}), std::invalid_argument);
    EXPECT_THROW(ModuleState("m", {{"w", {1}}, {"w", {2}}}), std::invalid_argument);
    EXPECT_THROW(ModuleState("m", {{"", {1}}}), std::invalid_argument);
    EXPECT_THROW(ModuleState("m", {{"w", {1, 1, 1, 1, 1, 1, 1, 1, 1}}}), std::invalid_argument);
    EXPECT_THROW(ModuleState("m", {{"w", {1 << 16, 1 << 16}}}), std::invalid_argument);
    EXPECT_NE(ModuleState::CheckLayout({{"w", {1}}, {"w", {2}}}).find("twice"), std::string::npos);
    EXPECT_EQ(ModuleState::CheckLayout({{"w", {3, 5}}}), "");
}

TEST(ModuleState, FindsNonFiniteValues)
{
    ModuleState s("m", {{"w", {10000}}});
    EXPECT_EQ(s.FindNonFinite(), s.GetNumel());
    s.GetData()[9000] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(s.FindNonFinite(), 9000U);
    s.GetData()[5] = -std::numeric_limits<float>::infinity();
    EXPECT_EQ(s.FindNonFinite(), 5U);
    s.GetData()[5] = std::numeric_limits<float>::max();
    s.GetData()[9000] = std::numeric_limits<float>::denorm_min();
    EXPECT_EQ(s.FindNonFinite(), s.GetNumel());
}

TEST(ModuleState, SampleWeightMustBeFiniteAndNonNegative)
{
    ModuleState s("m", {{"w", {1}}});
    s.SetSampleWeight(12.0);
    EXPECT_EQ(s.GetSampleWeight(), 12.0);
    EXPECT_THROW(s.SetSampleWeight(-1.0), std::invalid_argument);
    EXPECT_THROW(s.SetSampleWeight(std::nan("")), std::invalid_argument);
    EXPECT_EQ(s.GetSampleWeight(), 12.0);
}

TEST(ModuleState, BitIdentityComparesEverything)
{
    ModuleState a("m", {{"w", {3}}});
    ModuleState b = a;
    EXPECT_TRUE(a.IsBitIdentical(b));
    b.GetData()[2] = -0.0F; // equal as a number, different bits
    EXPECT_FALSE(a.IsBitIdentical(b));
    b.GetData()[2] = 0.0F;
    b.SetSampleWeight(1.0);
    EXPECT_FALSE(a.IsBitIdentical(b));
    ModuleState c("m", {{"v", {3}}});
    EXPECT_FALSE(a.IsBitIdentical(c));
    EXPECT_FALSE(a.HasSameLayout(c));
}
