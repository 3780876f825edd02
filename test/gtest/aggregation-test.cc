/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/aggregation.h"
#include "ns3/double.h"
#include "ns3/object-factory.h"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <stdexcept>

using namespace ns3;

namespace
{

std::shared_ptr<const ModuleState>
State(std::vector<float> values, double weight, const std::string& id = "adapter/0")
{
    auto s = std::make_shared<ModuleState>(
        id, std::vector<TensorSpec>{{"w", {static_cast<int64_t>(values.size())}}});
    std::copy(values.begin(), values.end(), s->GetData());
    s->SetSampleWeight(weight);
    return s;
}

std::vector<float>
Values(const ModuleState& s)
{
    return std::vector<float>(s.GetData(), s.GetData() + s.GetNumel());
}

Ptr<AggregationRule>
TrimmedMean(double beta)
{
    return CreateObjectWithAttributes<TrimmedMeanRule>("Beta", DoubleValue(beta));
}

} // namespace

TEST(Aggregation, FedAvgIsTheSampleWeightedMean)
{
    auto fedavg = CreateObject<FedAvgRule>();
    // (1*[1,2,3] + 3*[5,6,7]) / 4 = [4,5,6], worked by hand
    const auto r = fedavg->Aggregate({{"d1", State({1, 2, 3}, 1)}, {"d2", State({5, 6, 7}, 3)}});
    ASSERT_TRUE(r.state);
    EXPECT_EQ(Values(*r.state), (std::vector<float>{4, 5, 6}));
    EXPECT_EQ(r.state->GetSampleWeight(), 4.0);
    EXPECT_EQ(r.used, 2U);
    EXPECT_TRUE(r.rejected.empty());
}

// Two fogs average their devices, the cloud averages the fogs: with each aggregate carrying
// the sum of its contributors' weights, that equals averaging all devices at once, each
// counted once.
TEST(Aggregation, HierarchicalFedAvgEqualsFlatFedAvg)
{
    auto fedavg = CreateObject<FedAvgRule>();
    const auto d1 = State({1, 0}, 10);
    const auto d2 = State({3, 2}, 30);
    const auto d3 = State({-2, 8}, 20);
    const auto fogA = fedavg->Aggregate({{"d1", d1}, {"d2", d2}}).state;
    const auto fogB = fedavg->Aggregate({{"d3", d3}}).state;
    const auto cloud = fedavg->Aggregate({{"fogA", fogA}, {"fogB", fogB}}).state;
    // flat: (10*1 + 30*3 - 20*2) / 60 = 1, (0 + 60 + 160) / 60 = 11/3
    EXPECT_FLOAT_EQ(cloud->GetData()[0], 1.0F);
    EXPECT_FLOAT_EQ(cloud->GetData()[1], 11.0F / 3.0F);
    EXPECT_EQ(cloud->GetSampleWeight(), 60.0);
}

TEST(Aggregation, InvalidContributionsAreLeftOutWithAReason)
{
    auto fedavg = CreateObject<FedAvgRule>();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const auto r = fedavg->Aggregate({{"good", State({2, 2}, 1)},
                                      {"nan", State({nan, 0}, 5)},
                                      {"inf", State({0, inf}, 5)},
                                      {"shape", State({1, 2, 3}, 5)},
                                      {"other-module", State({9, 9}, 5, "head/fine")},
                                      {"zero-weight", State({7, 7}, 0)},
                                      {"missing", nullptr},
                                      {"good2", State({4, 6}, 1)}});
    ASSERT_TRUE(r.state);
    EXPECT_EQ(Values(*r.state), (std::vector<float>{3, 4}));
    EXPECT_EQ(r.used, 2U);
    ASSERT_EQ(r.rejected.size(), 6U);
    EXPECT_EQ(r.rejected[0].from, "nan");
    EXPECT_NE(r.rejected[0].reason.find("non-finite"), std::string::npos);
    EXPECT_NE(r.rejected[2].reason.find("shapes"), std::string::npos);
    EXPECT_NE(r.rejected[3].reason.find("module id"), std::string::npos);
    EXPECT_NE(r.rejected[4].reason.find("weight"), std::string::npos);
}

TEST(Aggregation, ExpectedLayoutRulesOverTheFirstContribution)
{
    auto fedavg = CreateObject<FedAvgRule>();
    const auto global = State({0, 0, 0}, 1);
    const auto r = fedavg->Aggregate({{"wrong", State({1, 1}, 1)}, {"right", State({1, 2, 3}, 1)}},
                                     global.get());
    ASSERT_TRUE(r.state);
    EXPECT_EQ(Values(*r.state), (std::vector<float>{1, 2, 3}));
    ASSERT_EQ(r.rejected.size(), 1U);
    EXPECT_EQ(r.rejected[0].from, "wrong");
    const auto none = fedavg->Aggregate({{"wrong", State({1, 1}, 1)}}, global.get());
    EXPECT_FALSE(none.state);
    EXPECT_EQ(none.used, 0U);
}

TEST(Aggregation, CoordinateMedian)
{
    auto median = CreateObject<MedianRule>();
    auto r = median->Aggregate(
        {{"a", State({1, 10}, 1)}, {"b", State({100, 30}, 1)}, {"c", State({3, 20}, 1)}});
    EXPECT_EQ(Values(*r.state), (std::vector<float>{3, 20}));
    r = median->Aggregate(
        {{"a", State({1}, 1)}, {"b", State({2}, 1)}, {"c", State({3}, 1)}, {"d", State({10}, 1)}});
    EXPECT_EQ(Values(*r.state), (std::vector<float>{2.5F}));
    // Weights do not move the median, but the aggregate stands for all their samples.
    EXPECT_EQ(r.state->GetSampleWeight(), 4.0);
}

TEST(Aggregation, RobustStrategiesResistAnOutlierThatFedAvgFollows)
{
    const std::vector<Contribution> c = {{"h1", State({1.0F}, 1)},
                                         {"h2", State({1.2F}, 1)},
                                         {"h3", State({0.9F}, 1)},
                                         {"h4", State({1.1F}, 1)},
                                         {"attacker", State({1e6F}, 1)}};
    EXPECT_GT(CreateObject<FedAvgRule>()->Aggregate(c).state->GetData()[0], 1e5F);
    EXPECT_FLOAT_EQ(CreateObject<MedianRule>()->Aggregate(c).state->GetData()[0], 1.1F);
    // beta 0.2 of 5 trims one from each end: mean of 1.0, 1.1, 1.2
    EXPECT_FLOAT_EQ(TrimmedMean(0.2)->Aggregate(c).state->GetData()[0], 1.1F);
}

TEST(Aggregation, TrimmedMeanWithoutTrimmingIsThePlainMean)
{
    const auto r = TrimmedMean(0.0)->Aggregate({{"a", State({1, 2}, 1)}, {"b", State({3, 8}, 9)}});
    EXPECT_EQ(Values(*r.state), (std::vector<float>{2, 5}));
}

TEST(Aggregation, CreatedByName)
{
    EXPECT_EQ(CreateAggregationRule("fedavg")->GetName(), "fedavg");
    EXPECT_EQ(CreateAggregationRule("median")->GetName(), "median");
    EXPECT_EQ(CreateAggregationRule("trimmed-mean:0.25")->GetName(), "trimmed-mean:0.250000");
    try
    {
        CreateAggregationRule("FedAvg");
        FAIL() << "a wrong name was accepted";
    }
    catch (const std::invalid_argument& e)
    {
        EXPECT_NE(std::string(e.what()).find("'FedAvg'"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("fedavg"), std::string::npos) << e.what();
    }
    EXPECT_THROW(CreateAggregationRule("trimmed-mean:0.5"), std::invalid_argument);
    EXPECT_THROW(CreateAggregationRule("trimmed-mean:"), std::invalid_argument);
    EXPECT_THROW(CreateAggregationRule("trimmed-mean:0.1x"), std::invalid_argument);
}

// Module-wise aggregation over holders only: device A collects text and image, device B
// only images. encoder/text is A's alone; adapter/0 is averaged over both.
TEST(Aggregation, EachModuleIsAggregatedOverItsHoldersOnly)
{
    auto fedavg = CreateObject<FedAvgRule>();
    const auto aText = State({2, 4}, 10, "encoder/text");
    const auto aAdapter = State({1, 1}, 10, "adapter/0");
    const auto bAdapter = State({3, 5}, 30, "adapter/0");
    const auto bImage = State({7, 7}, 30, "encoder/image");
    const auto results
        = AggregateModules(*fedavg, {{"A", {aText, aAdapter}}, {"B", {bAdapter, bImage}}});
    ASSERT_EQ(results.size(), 3U);
    EXPECT_EQ(Values(*results.at("encoder/text").state), (std::vector<float>{2, 4}));
    EXPECT_EQ(results.at("encoder/text").used, 1U);
    EXPECT_EQ(results.at("encoder/text").state->GetSampleWeight(), 10.0);
    // (10 * [1,1] + 30 * [3,5]) / 40 = [2.5, 4]
    EXPECT_EQ(Values(*results.at("adapter/0").state), (std::vector<float>{2.5F, 4.0F}));
    EXPECT_EQ(Values(*results.at("encoder/image").state), (std::vector<float>{7, 7}));

    // With the current modules as the reference, an unknown module is refused by name.
    std::map<std::string, std::shared_ptr<const ModuleState>> current
        = {{"adapter/0", State({0, 0}, 1, "adapter/0")}};
    const auto checked = AggregateModules(*fedavg, {{"A", {aAdapter, aText}}}, &current);
    EXPECT_TRUE(checked.at("adapter/0").state);
    EXPECT_FALSE(checked.at("encoder/text").state);
    ASSERT_EQ(checked.at("encoder/text").rejected.size(), 1U);
    EXPECT_NE(checked.at("encoder/text").rejected[0].reason.find("unknown module"),
              std::string::npos);
}
