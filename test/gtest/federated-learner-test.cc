/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "../hffm-test-util.h"
#include "ns3/checkpoint.h"
#include "ns3/m3t-federated-learner.h"

#include <algorithm>
#include <filesystem>
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

/// Tiny(), pretraining on 40 images into a checkpoint \p name in the temp folder (removed).
M3TLearnerConfig
Pretraining(const std::string& name)
{
    M3TLearnerConfig c = Tiny();
    c.pretrainSamples = 40;
    c.checkpoint = (std::filesystem::temp_directory_path() / name).string();
    std::filesystem::remove(c.checkpoint);
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
    // Work done, counted by hand: the tiny model (width 16, 2 heads of 8, 1 block, MLP hidden
    // 32, adapter 4, 2 prompt tokens, 2 experts, top-1, expert hidden 16) on an image with task
    // fine runs T = 2 + 49 = 51 tokens: conv1 28*28*32*9 = 225,792; conv2 14*14*16*(32*9) =
    // 903,168; qkv 51*16*48 = 39,168; scores and mix 2 * 2 heads * 51*51*8 = 83,232; proj
    // 51*16*16 = 13,056; MLP 2 * 51*16*32 = 52,224; adapter 51*(16*4 + 4*16) = 6,528; gate
    // 51*16*2 = 1,632; one expert 51*(16*16 + 16*16) = 26,112; head 16*10 = 160: 1,351,072 per
    // forward pass, and training is 3 passes per sample for 1 epoch.
    EXPECT_EQ(u.multiplyAdds, 1351072.0 * 3 * static_cast<double>(u.samples) * 1);
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

    // Heads set by hand to predict one class whatever the input score that class's share of
    // the evaluated labels: Evaluate uses the first testSamples = 100 test images, whose
    // labels, counted with Python's gzip module from t10k-labels-idx1-ubyte.gz, hold 14 of
    // class 2 (pullover) and 6 of class 9 (ankle boot); in coarse groups 40 tops (classes 0,
    // 2, 4, 6: 8 + 14 + 10 + 8) and 12 bags (class 8).
    auto predictAlways = [](const ModuleState& head, int64_t cls)
    {
        auto s = std::make_shared<ModuleState>(head);
        const std::size_t w = s->FindTensor("fc.weight");
        const std::size_t b = s->FindTensor("fc.bias");
        EXPECT_LT(w, s->GetTensorCount());
        EXPECT_LT(b, s->GetTensorCount());
        std::fill_n(s->GetTensorData(w), s->GetTensors()[w].Numel(), 0.0F);
        std::fill_n(s->GetTensorData(b), s->GetTensors()[b].Numel(), 0.0F);
        s->GetTensorData(b)[cls] = 1.0F;
        return std::shared_ptr<const ModuleState>(s);
    };
    const NodeProfile fineAndCoarse{{Modality::IMAGE}, {"fine", "coarse"}};
    ModuleMap fixed = learner.GetInitialModules();
    fixed["head/fine"] = predictAlways(*fixed.at("head/fine"), 2);
    fixed["head/coarse"] = predictAlways(*fixed.at("head/coarse"), 0);
    auto exact = learner.Evaluate(fixed, fineAndCoarse);
    EXPECT_DOUBLE_EQ(exact.at("fine"), 14.0 / 100);
    EXPECT_DOUBLE_EQ(exact.at("coarse"), 40.0 / 100);
    fixed["head/fine"] = predictAlways(*fixed.at("head/fine"), 9);
    fixed["head/coarse"] = predictAlways(*fixed.at("head/coarse"), 3);
    exact = learner.Evaluate(fixed, fineAndCoarse);
    EXPECT_DOUBLE_EQ(exact.at("fine"), 6.0 / 100);
    EXPECT_DOUBLE_EQ(exact.at("coarse"), 12.0 / 100);

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

// A run that pretrains the foundation (and writes its checkpoint) and a later run that reads
// that checkpoint start from the same model: the foundation's modules are the checkpoint's,
// every other module keeps its initial value (pretraining trains them too, but only the
// foundation is kept). Before, a first run started the federated modules from their
// pretrained values and every later run from their initial ones, and the two got different
// accuracy from the same seed.
TEST(FederatedLearner, PretrainingAndReadingItsCheckpointStartAlike)
{
    const M3TLearnerConfig c = Pretraining("hffm-learner-foundation.hffm");
    const std::string path = c.checkpoint;
    M3TFederatedLearner pretrained(c);
    ASSERT_TRUE(std::filesystem::exists(path));
    M3TFederatedLearner read(c);
    std::filesystem::remove(path);

    const ModuleMap a = pretrained.GetInitialModules();
    const ModuleMap b = read.GetInitialModules();
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [id, m] : a)
    {
        ASSERT_EQ(b.count(id), 1U) << id;
        EXPECT_TRUE(m->IsBitIdentical(*b.at(id))) << id;
    }
    // the frozen backbone, not among the initial modules, shapes the updates
    const NodeProfile both{{Modality::IMAGE, Modality::TEXT}, {"fine", "question"}};
    const LocalUpdate ua = pretrained.Train(0, both, a, 1);
    const LocalUpdate ub = read.Train(0, both, b, 1);
    ASSERT_EQ(ua.modules.size(), ub.modules.size());
    for (std::size_t k = 0; k < ua.modules.size(); ++k)
    {
        EXPECT_TRUE(ua.modules[k]->IsBitIdentical(*ub.modules[k])) << ua.modules[k]->GetModuleId();
    }
}

// A checkpoint cut at a module boundary reads without error: every message in it is whole.
// The learner must notice what is missing instead of starting from a half-initial foundation.
TEST(FederatedLearner, ACheckpointLackingAFoundationModuleIsRefusedByName)
{
    const M3TLearnerConfig c = Pretraining("hffm-learner-cut.hffm");
    const std::string path = c.checkpoint;
    M3TFederatedLearner pretrained(c);
    CheckpointContents whole = ReadCheckpoint(path);
    ASSERT_EQ(whole.error, "");
    ASSERT_GE(whole.modules.size(), 2U);
    const std::string dropped = whole.modules.back()->GetModuleId();
    std::vector<std::shared_ptr<const ModuleState>> cut(whole.modules.begin(),
                                                        whole.modules.end() - 1);
    ASSERT_EQ(WriteCheckpoint(path, cut), "");
    ASSERT_EQ(ReadCheckpoint(path).error, "") << "the cut file itself reads cleanly";
    try
    {
        M3TFederatedLearner read(c);
        ADD_FAILURE() << "a checkpoint without '" << dropped << "' was accepted";
    }
    catch (const std::runtime_error& e)
    {
        const std::string what = e.what();
        EXPECT_NE(what.find("lacks foundation module '" + dropped + "'"), std::string::npos)
            << what;
        EXPECT_NE(what.find(path), std::string::npos) << what;
    }
    std::filesystem::remove(path);
}
