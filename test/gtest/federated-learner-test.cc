/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "../hffm-test-util.h"
#include "ns3/m3t-federated-learner.h"

#include <gtest/gtest.h>

using namespace ns3;

namespace
{

M3TLearnerConfig
Tiny()
{
    M3TLearnerConfig c;
    c.model = hffmtest::TinyModelConfig();
    c.devices = 3;
    c.samplesPerDevice = 30;
    c.alpha = 100.0;
    c.testSamples = 100;
    c.train.batchSize = 10;
    c.seed = 4;
    return c;
}

} // namespace

TEST(FederatedLearner, TrainsTheDevicesModulesWithItsSampleCountAsWeight)
{
    M3TFederatedLearner learner(Tiny());
    ASSERT_EQ(learner.GetDeviceCount(), 3U);
    int64_t total = 0;
    for (std::size_t i = 0; i < 3; ++i)
    {
        total += learner.GetTrainSamples(i);
    }
    EXPECT_EQ(total, 90); // every pool sample belongs to one device

    const ModuleMap initial = learner.GetInitialModules();
    EXPECT_EQ(initial.count("backbone/0"), 0U) << "a frozen backbone never moves";
    EXPECT_EQ(initial.count("adapter/0"), 1U);

    NodeProfile image{{Modality::IMAGE}, {"fine"}};
    const auto ids = learner.GetModuleIdsFor(image);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), "encoder/text"), 0);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), "head/coarse"), 0);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), "head/fine"), 1);

    const LocalUpdate u = learner.Train(1, image, initial, 1);
    EXPECT_EQ(u.samples, learner.GetTrainSamples(1));
    EXPECT_GT(u.multiplyAdds, 0.0);
    ASSERT_EQ(u.modules.size(), ids.size());
    for (const auto& m : u.modules)
    {
        EXPECT_EQ(m->GetSampleWeight(), static_cast<double>(u.samples)) << m->GetModuleId();
        EXPECT_TRUE(m->HasSameLayout(*initial.at(m->GetModuleId())));
    }
    // the same call again gives the same update, bit for bit
    const LocalUpdate again = learner.Train(1, image, initial, 1);
    for (std::size_t k = 0; k < u.modules.size(); ++k)
    {
        EXPECT_TRUE(u.modules[k]->IsBitIdentical(*again.modules[k])) << u.modules[k]->GetModuleId();
    }
}

TEST(FederatedLearner, EvaluatesAndRejectsBadRequests)
{
    M3TFederatedLearner learner(Tiny());
    NodeProfile both{{Modality::IMAGE, Modality::TEXT}, {"fine", "question"}};
    const auto acc = learner.Evaluate(learner.GetInitialModules(), both);
    ASSERT_EQ(acc.size(), 2U);
    EXPECT_GE(acc.at("fine"), 0.0);
    EXPECT_LE(acc.at("fine"), 1.0);

    EXPECT_THROW(learner.Train(3, both, learner.GetInitialModules(), 1), std::invalid_argument);
    NodeProfile bad{{Modality::IMAGE}, {"question"}};
    EXPECT_THROW(learner.Train(0, bad, learner.GetInitialModules(), 1), std::invalid_argument);
    ModuleMap missing = learner.GetInitialModules();
    missing.erase("head/fine");
    EXPECT_THROW(learner.Train(0, both, missing, 1), std::invalid_argument);

    M3TLearnerConfig c = Tiny();
    c.devices = 1000;
    c.samplesPerDevice = 100;
    EXPECT_THROW(M3TFederatedLearner{c}, std::invalid_argument);
    c = Tiny();
    c.alpha = 0.0;
    EXPECT_THROW(M3TFederatedLearner{c}, std::invalid_argument);
}
