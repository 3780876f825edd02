/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Round strategies are pluggable: chosen by TypeId at every tier, and a new one written in
// a test file changes a run without any change to the applications.

#include "federated-test-util.h"
#include "hffm-test-util.h"
#include "ns3/core-module.h"
#include "ns3/d2d-radio-helper.h"
#include "ns3/edge-round-strategy.h"
#include "ns3/federated-helper.h"
#include "ns3/test.h"

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace ns3;

namespace
{

using hffmtest::FourDevices;
using hffmtest::RecordingLearner;
using hffmtest::SmallTopology;
using hffmtest::TinyLearner;

/// A fog strategy no built-in method has: only the child with the lowest id takes part.
class LowestChildOnlyStrategy : public EdgeRoundStrategy
{
  public:
    static TypeId GetTypeId()
    {
        static TypeId tid = TypeId("ns3::hffm::test::LowestChildOnlyStrategy")
                                .SetParent<EdgeRoundStrategy>()
                                .SetGroupName("Hffm")
                                .AddConstructor<LowestChildOnlyStrategy>();
        return tid;
    }

  protected:
    std::vector<uint32_t> SelectParticipants(uint32_t /* round */,
                                             std::vector<uint32_t> children) override
    {
        children.resize(std::min<std::size_t>(children.size(), 1));
        return children;
    }
};

NS_OBJECT_ENSURE_REGISTERED(LowestChildOnlyStrategy);

/// The relative L2 distance of \p x from \p g over the modules \p ids, computed here.
double
RelativeDrift(const ModuleMap& x, const ModuleMap& g, const std::vector<std::string>& ids)
{
    double diff = 0.0;
    double norm = 0.0;
    for (const auto& id : ids)
    {
        const ModuleState& a = *x.at(id);
        const ModuleState& b = *g.at(id);
        for (std::size_t k = 0; k < a.GetNumel(); ++k)
        {
            const double d = double(a.GetData()[k]) - double(b.GetData()[k]);
            diff += d * d;
            norm += double(b.GetData()[k]) * double(b.GetData()[k]);
        }
    }
    return std::sqrt(diff / norm);
}

/**
 * AdaptiveSyncStrategy, selected by TypeId: a fog synchronises with the cloud when its
 * modules drifted by more than Threshold from the last global ones. Threshold 0: every
 * round, and the Drift trace gives the drift computed here from the modules themselves;
 * a threshold no drift reaches: never, and nothing goes up the backhaul.
 */
class AdaptiveSyncTestCase : public TestCase
{
  public:
    AdaptiveSyncTestCase()
        : TestCase("AdaptiveSyncStrategy by TypeId: sync on drift, drift as computed here")
    {
    }

  private:
    struct Outcome
    {
        uint32_t syncs{0};
        uint32_t cloudRounds{0};
        uint64_t bytesUp{0};
        std::vector<double> traced;   //!< fog 0's Drift trace
        std::vector<double> computed; //!< the same drift computed from its modules
        std::vector<bool> decided;    //!< fog 0's sync decisions
    };

    Outcome Run(double threshold)
    {
        const uint32_t rounds = 3;
        const auto learner = TinyLearner(4);
        const FederatedTopology topology = SmallTopology("wifi", 4, 2);
        FederatedMethod method;
        FederatedMethod::Parse("hier-1", method); // check after every round
        FederatedHelper helper(learner);
        helper.SetFogStrategy("ns3::hffm::AdaptiveSyncStrategy");
        helper.SetFogStrategyAttribute("Threshold", DoubleValue(threshold));
        helper.SetFogStrategyAttribute("Rounds", UintegerValue(rounds));
        helper.SetFogAttribute("RoundDeadline", TimeValue(Seconds(30)));
        const FederatedApps apps = helper.Install(topology, FourDevices(), method);
        FederatedHelper::AssignStreams(apps, 100);

        Outcome out;
        const Ptr<CollectorApp> fog = apps.fogs[0];
        const auto ids = fog->GetChildModuleIds();
        ModuleMap reference = learner->GetInitialModules();
        fog->TraceConnectWithoutContext(
            "RoundDone",
            Callback<void, const RoundSummary&>(
                [&, fog = PeekPointer(fog)](const RoundSummary&)
                { out.computed.push_back(RelativeDrift(fog->GetModules(), reference, ids)); }));
        fog->GetStrategy()->TraceConnectWithoutContext(
            "GlobalSync", Callback<void, uint32_t>([&, fog = PeekPointer(fog)](uint32_t)
                                                   { reference = fog->GetModules(); }));
        fog->GetStrategy()->TraceConnectWithoutContext("Drift",
                                                       Callback<void, uint32_t, double, bool>(
                                                           [&](uint32_t, double drift, bool sync)
                                                           {
                                                               out.traced.push_back(drift);
                                                               out.decided.push_back(sync);
                                                           }));
        Simulator::Stop(Seconds(400));
        Simulator::Run();
        for (std::size_t f = 0; f < apps.fogs.size(); ++f)
        {
            out.syncs += apps.GetFogStrategy(f)->GetGlobalSyncs();
            out.bytesUp += apps.fogs[f]->GetBytesSentUp();
        }
        out.cloudRounds = apps.GetCloudStrategy()->GetRoundsDone();
        Simulator::Destroy();
        return out;
    }

    void DoRun() override
    {
        const Outcome always = Run(0.0);
        NS_TEST_ASSERT_MSG_EQ(always.traced.size(), 3U, "a check after every round");
        NS_TEST_ASSERT_MSG_EQ(always.computed.size(), 3U, "three rounds");
        for (std::size_t r = 0; r < 3; ++r)
        {
            NS_TEST_EXPECT_MSG_GT(always.computed[r], 0.0, "training moves the modules");
            NS_TEST_EXPECT_MSG_EQ_TOL(always.traced[r], always.computed[r],
                                      1e-12 * always.computed[r],
                                      "round " << r + 1 << ": the drift of the fog's modules");
            NS_TEST_EXPECT_MSG_EQ(always.decided[r], true, "drift > 0 = threshold: sync");
        }
        NS_TEST_EXPECT_MSG_EQ(always.syncs, 6U, "both fogs synchronise after every round");
        NS_TEST_EXPECT_MSG_EQ(always.cloudRounds, 3U, "the cloud aggregates every round");

        const Outcome never = Run(1e9);
        NS_TEST_ASSERT_MSG_EQ(never.traced.size(), 3U, "a check after every round");
        for (std::size_t r = 0; r < 3; ++r)
        {
            NS_TEST_EXPECT_MSG_EQ(never.decided[r], false, "no drift reaches 1e9");
        }
        NS_TEST_EXPECT_MSG_EQ(never.syncs, 0U, "no synchronisation");
        NS_TEST_EXPECT_MSG_EQ(never.cloudRounds, 0U, "the cloud never aggregates");
        NS_TEST_EXPECT_MSG_EQ(never.bytesUp, 0U, "nothing goes up the backhaul");
        // without a sync the reference stays the initial model: the drift only grows here
        NS_TEST_EXPECT_MSG_GT(never.computed[2], never.computed[0], "drift accumulates");
    }
};

/**
 * A strategy written in this file (LowestChildOnlyStrategy), chosen by its TypeId, changes
 * who takes part, with no change to the applications.
 */
class UserStrategyTestCase : public TestCase
{
  public:
    UserStrategyTestCase()
        : TestCase("A strategy written in a test file, selected by TypeId, decides who takes part")
    {
    }

  private:
    void DoRun() override
    {
        const auto learner = TinyLearner(4);
        const FederatedTopology topology = SmallTopology("wifi", 4, 2);
        FederatedMethod method;
        FederatedMethod::Parse("edge-only", method);
        FederatedHelper helper(learner);
        helper.SetFogStrategy("ns3::hffm::test::LowestChildOnlyStrategy");
        helper.SetFogStrategyAttribute("Rounds", UintegerValue(2));
        helper.SetFogAttribute("RoundDeadline", TimeValue(Seconds(30)));
        const FederatedApps apps = helper.Install(topology, FourDevices(), method);
        std::vector<uint32_t> participants;
        for (const auto& fog : apps.fogs)
        {
            NS_TEST_ASSERT_MSG_NE(fog->GetStrategy<LowestChildOnlyStrategy>(), nullptr,
                                  "the fog runs the strategy named by TypeId");
            fog->TraceConnectWithoutContext(
                "RoundDone",
                Callback<void, const RoundSummary&>([&](const RoundSummary& s)
                                                    { participants.push_back(s.participants); }));
        }
        Simulator::Stop(Seconds(200));
        Simulator::Run();
        NS_TEST_ASSERT_MSG_EQ(participants.size(), 4U, "two rounds at each of two fogs");
        for (uint32_t p : participants)
        {
            NS_TEST_EXPECT_MSG_EQ(p, 1U, "one participant a round");
        }
        // fog 0 has devices 0 and 2, fog 1 devices 1 and 3: only 0 and 1 take part
        const std::vector<uint32_t> expected{2, 2, 0, 0};
        for (uint32_t d = 0; d < 4; ++d)
        {
            NS_TEST_EXPECT_MSG_EQ(apps.devices[d]->GetRoundsTrained(), expected[d], "device " << d);
        }
        Simulator::Destroy();
    }
};

/**
 * A poisoning device (DeviceApp UpdateScale -1) uploads g - (x - g): its fog, whose only
 * participant it is, aggregates exactly that, computed here from what the device was given
 * (g) and what it trained (x).
 */
class PoisoningDeviceTestCase : public TestCase
{
  public:
    PoisoningDeviceTestCase()
        : TestCase("A device with UpdateScale -1 uploads its update sign-flipped")
    {
    }

  private:
    void DoRun() override
    {
        auto learner = std::make_shared<RecordingLearner>(TinyLearner(4));
        const FederatedTopology topology = SmallTopology("wifi", 4, 2);
        FederatedMethod method;
        FederatedMethod::Parse("edge-only", method);
        FederatedHelper helper(learner);
        helper.SetFogStrategy("ns3::hffm::test::LowestChildOnlyStrategy");
        helper.SetFogStrategyAttribute("Rounds", UintegerValue(1));
        helper.SetFogAttribute("RoundDeadline", TimeValue(Seconds(30)));
        const FederatedApps apps = helper.Install(topology, FourDevices(), method);
        apps.devices[0]->SetAttribute("UpdateScale", DoubleValue(-1.0));
        Simulator::Stop(Seconds(100));
        Simulator::Run();
        const ModuleMap& given = learner->given.at({0, 1});
        double worst = 0.0;
        double moved = 0.0;
        for (const auto& x : learner->trained.at({0, 1}).modules)
        {
            const ModuleState& g = *given.at(x->GetModuleId());
            const ModuleState& got = *apps.fogs[0]->GetModules().at(x->GetModuleId());
            for (std::size_t k = 0; k < x->GetNumel(); ++k)
            {
                const double expected = 2.0 * g.GetData()[k] - double(x->GetData()[k]);
                worst = std::max(worst, std::abs(got.GetData()[k] - expected)
                                            / std::max(1.0, std::abs(expected)));
                moved = std::max(moved, std::abs(double(x->GetData()[k]) - g.GetData()[k]));
            }
        }
        NS_TEST_EXPECT_MSG_GT(moved, 1e-4, "training moved the modules");
        NS_TEST_EXPECT_MSG_LT(worst, 1e-6, "fog 0 holds g - (x - g)");
        Simulator::Destroy();
    }
};

/// The largest difference between \p got and the coordinate mean of \p a and \p b.
double
MaxFromMidpoint(const ModuleState& got, const ModuleState& a, const ModuleState& b)
{
    double worst = 0.0;
    for (std::size_t k = 0; k < got.GetNumel(); ++k)
    {
        const double mid = (double(a.GetData()[k]) + double(b.GetData()[k])) / 2.0;
        worst = std::max(worst,
                         std::abs(double(got.GetData()[k]) - mid) / std::max(1.0, std::abs(mid)));
    }
    return worst;
}

/**
 * The aggregation rule is a strategy attribute at every tier: with median at the fogs, the
 * cloud and the D2D cluster head, a module held by two contributors is their coordinate
 * mean (the median of two), not the sample-weighted FedAvg — computed here from what the
 * devices trained and the fogs sent.
 */
class RuleAtEveryTierTestCase : public TestCase
{
  public:
    RuleAtEveryTierTestCase()
        : TestCase("The Aggregation attribute picks the rule at the fog, the cloud and a D2D "
                   "cluster head")
    {
    }

  private:
    void DoRun() override
    {
        FogAndCloud();
        ClusterHead();
    }

    void FogAndCloud()
    {
        auto learner = std::make_shared<RecordingLearner>(TinyLearner(4));
        const FederatedTopology topology = SmallTopology("wifi", 4, 2);
        FederatedMethod method;
        FederatedMethod::Parse("hier-1", method);
        FederatedHelper helper(learner);
        helper.SetFogStrategyAttribute("Aggregation", StringValue("median"));
        helper.SetCloudStrategyAttribute("Aggregation", StringValue("median"));
        helper.SetFogStrategyAttribute("Rounds", UintegerValue(1));
        helper.SetFogAttribute("RoundDeadline", TimeValue(Seconds(30)));
        const FederatedApps apps = helper.Install(topology, FourDevices(), method);
        std::map<uint32_t, ModuleMap> fogAggregate;
        for (uint32_t f = 0; f < 2; ++f)
        {
            apps.fogs[f]->TraceConnectWithoutContext(
                "RoundDone", Callback<void, const RoundSummary&>(
                                 [&, f, fog = PeekPointer(apps.fogs[f])](const RoundSummary&)
                                 { fogAggregate[f] = fog->GetModules(); }));
        }
        ModuleMap cloudAggregate;
        apps.cloud->TraceConnectWithoutContext(
            "RoundDone", Callback<void, const RoundSummary&>(
                             [&, cloud = PeekPointer(apps.cloud)](const RoundSummary&)
                             { cloudAggregate = cloud->GetModules(); }));
        Simulator::Stop(Seconds(200));
        Simulator::Run();
        NS_TEST_ASSERT_MSG_EQ(fogAggregate.size(), 2U, "both fogs aggregated");
        NS_TEST_ASSERT_MSG_EQ(cloudAggregate.empty(), false, "the cloud aggregated");
        // fog 0: devices 0 (fine) and 2 (coarse) both train the shared adapters
        const auto& d0 = learner->trained.at({0, 1}).modules;
        const auto& d2 = learner->trained.at({2, 1}).modules;
        const auto find
            = [](const std::vector<std::shared_ptr<const ModuleState>>& ms, const std::string& id)
        {
            for (const auto& m : ms)
            {
                if (m->GetModuleId() == id)
                {
                    return m;
                }
            }
            return std::shared_ptr<const ModuleState>();
        };
        const std::string shared = "adapter/0";
        NS_TEST_ASSERT_MSG_NE(find(d0, shared), nullptr, "device 0 trains " << shared);
        NS_TEST_ASSERT_MSG_NE(find(d2, shared), nullptr, "device 2 trains " << shared);
        // FedAvg would weigh the two by their samples: the check tells median from FedAvg
        NS_TEST_ASSERT_MSG_NE(find(d0, shared)->GetSampleWeight(),
                              find(d2, shared)->GetSampleWeight(),
                              "devices 0 and 2 have different sample counts");
        NS_TEST_EXPECT_MSG_LT(
            MaxFromMidpoint(*fogAggregate[0].at(shared), *find(d0, shared), *find(d2, shared)),
            1e-6, "fog 0: the median of two devices is their mean");
        NS_TEST_EXPECT_MSG_LT(MaxFromMidpoint(*cloudAggregate.at(shared),
                                              *fogAggregate[0].at(shared),
                                              *fogAggregate[1].at(shared)),
                              1e-6, "the cloud: the median of two fogs is their mean");
        Simulator::Destroy();
    }

    void ClusterHead()
    {
        auto learner = std::make_shared<RecordingLearner>(TinyLearner(4));
        WifiTopologyHelper::Config c;
        c.devices = 4;
        c.fogs = 1;
        FederatedTopology topology = WifiTopologyHelper::Build(c);
        D2dRadioHelper::Install(topology, "adhoc-80211n");
        FederatedMethod method;
        FederatedMethod::Parse("edge-only+d2d", method);
        FederatedHelper helper(learner);
        helper.SetD2dClusters(2, 100.0, "min-max"); // clusters {0, 1} and {2, 3}
        helper.SetClusterStrategyAttribute("Aggregation", StringValue("median"));
        helper.SetFogStrategyAttribute("Rounds", UintegerValue(1));
        helper.SetFogAttribute("RoundDeadline", TimeValue(Seconds(30)));
        std::vector<DeviceSpec> specs = FourDevices();
        for (auto& s : specs)
        {
            s.profile = hffmtest::Profile({Modality::IMAGE}, {"fine"}); // all hold the same
        }
        const FederatedApps apps = helper.Install(topology, specs, method);
        ModuleMap fogAggregate;
        apps.fogs[0]->TraceConnectWithoutContext(
            "RoundDone", Callback<void, const RoundSummary&>(
                             [&, fog = PeekPointer(apps.fogs[0])](const RoundSummary&)
                             { fogAggregate = fog->GetModules(); }));
        Simulator::Stop(Seconds(200));
        Simulator::Run();
        NS_TEST_ASSERT_MSG_EQ(fogAggregate.empty(), false, "the fog aggregated");
        // each cluster head sends the median (= mean) of its two members; the fog's FedAvg of
        // the two heads weighs each by the samples behind it
        const std::string id = "head/fine";
        std::vector<std::shared_ptr<const ModuleState>> clusterMean;
        std::vector<double> weight;
        for (uint32_t first : {0U, 2U})
        {
            const auto& a = learner->trained.at({first, 1}).modules;
            const auto& b = learner->trained.at({first + 1, 1}).modules;
            std::shared_ptr<const ModuleState> ma;
            std::shared_ptr<const ModuleState> mb;
            for (const auto& m : a)
            {
                ma = m->GetModuleId() == id ? m : ma;
            }
            for (const auto& m : b)
            {
                mb = m->GetModuleId() == id ? m : mb;
            }
            NS_TEST_ASSERT_MSG_NE(ma, nullptr, "device " << first << " trains " << id);
            NS_TEST_ASSERT_MSG_NE(mb, nullptr, "device " << first + 1 << " trains " << id);
            NS_TEST_ASSERT_MSG_NE(ma->GetSampleWeight(), mb->GetSampleWeight(),
                                  "members with different sample counts: median is not FedAvg");
            auto mean = std::make_shared<ModuleState>(*ma);
            for (std::size_t k = 0; k < mean->GetNumel(); ++k)
            {
                mean->GetData()[k] = static_cast<float>(
                    (double(ma->GetData()[k]) + double(mb->GetData()[k])) / 2.0);
            }
            clusterMean.push_back(mean);
            weight.push_back(ma->GetSampleWeight() + mb->GetSampleWeight());
        }
        const ModuleState& got = *fogAggregate.at(id);
        double worst = 0.0;
        for (std::size_t k = 0; k < got.GetNumel(); ++k)
        {
            const double expected = (weight[0] * clusterMean[0]->GetData()[k]
                                     + weight[1] * clusterMean[1]->GetData()[k])
                                    / (weight[0] + weight[1]);
            worst = std::max(worst, std::abs(got.GetData()[k] - expected)
                                        / std::max(1.0, std::abs(expected)));
        }
        NS_TEST_EXPECT_MSG_LT(worst, 1e-5,
                              "the fog's FedAvg of the heads' medians of their members");
        Simulator::Destroy();
    }
};

class StrategyTestSuite : public TestSuite
{
  public:
    StrategyTestSuite()
        : TestSuite("hffm-strategy", UNIT)
    {
        AddTestCase(new AdaptiveSyncTestCase(), TestCase::QUICK);
        AddTestCase(new UserStrategyTestCase(), TestCase::QUICK);
        AddTestCase(new RuleAtEveryTierTestCase(), TestCase::QUICK);
        AddTestCase(new PoisoningDeviceTestCase(), TestCase::QUICK);
    }
};

StrategyTestSuite g_strategyTestSuite;

} // namespace
