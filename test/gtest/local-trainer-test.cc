/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "fashion-mnist-samples.h"
#include "ns3/aggregation.h"
#include "ns3/local-trainer.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <numeric>

using namespace ns3;

namespace
{

/// 600 real Fashion-MNIST samples with their M3T text and labels.
const M3TDataset&
Small()
{
    static const M3TDataset data = hffmtest::FirstSamples(600);
    return data;
}

using hffmtest::Range;

TrainOptions
Options(int64_t epochs)
{
    TrainOptions o;
    o.epochs = epochs;
    o.batchSize = 32;
    o.learningRate = 2e-3;
    o.seed = 9;
    return o;
}

const NodeProfile EVERYTHING{{Modality::IMAGE, Modality::TEXT}, {"fine", "coarse", "question"}};

} // namespace

TEST(LocalTrainer, TrainingLowersTheLossAndRaisesAccuracy)
{
    torch::manual_seed(1);
    M3TModel model;
    const auto train = Range(0, 500);
    const auto held = Range(500, 600);
    const auto before = Evaluate(model, Small(), held, EVERYTHING);
    const TrainReport r = TrainLocal(model, Small(), train, EVERYTHING, Options(3));
    EXPECT_EQ(r.samples, 500);
    EXPECT_EQ(r.steps, 3 * 16); // ceil(500 / 32) batches per epoch
    EXPECT_LT(r.lastEpochLoss, 0.7 * r.firstLoss);
    const auto after = Evaluate(model, Small(), held, EVERYTHING);
    EXPECT_GT(after.at("fine"), before.at("fine") + 0.2);
    EXPECT_GT(after.at("coarse"), 0.8);
    EXPECT_EQ(r.lossPerTask.size(), 3U);
    // Work done: a forward pass of the default model with both modalities and all three tasks
    // is 11,322,880 multiply-adds (counted layer by layer in m3t-model-test.cc,
    // MultiplyAddsGrowWithWhatANodeRuns: conv stem 3,838,464, two blocks 5,144,832, adapters
    // 258,048, gate 16,128, top-2 experts 2,064,384, heads 1,024); training costs 3 forward
    // passes (forward, and backward at twice the forward) per sample and epoch:
    // 3 * 11,322,880 * 500 samples * 3 epochs = 50,952,960,000.
    EXPECT_EQ(r.multiplyAdds, 50952960000.0);
}

// A node without the text modality trains and evaluates on images alone, and never touches
// the text encoder, the question prompt or head.
TEST(LocalTrainer, NodeWithoutAModalityTrainsOnlyWhatItHas)
{
    torch::manual_seed(2);
    M3TModel model;
    const NodeProfile imageOnly{{Modality::IMAGE}, {"fine", "coarse"}};
    const ModuleState textBefore = model->Export("encoder/text");
    const ModuleState questionBefore = model->Export("head/question");
    const ModuleState adapterBefore = model->Export("adapter/0");
    const TrainReport r = TrainLocal(model, Small(), Range(0, 300), imageOnly, Options(1));
    EXPECT_TRUE(model->Export("encoder/text").IsBitIdentical(textBefore));
    EXPECT_TRUE(model->Export("head/question").IsBitIdentical(questionBefore));
    EXPECT_FALSE(model->Export("adapter/0").IsBitIdentical(adapterBefore));
    EXPECT_EQ(std::count(r.trainedModules.begin(), r.trainedModules.end(), "encoder/text"), 0);
    const auto acc = Evaluate(model, Small(), Range(300, 600), imageOnly);
    EXPECT_EQ(acc.size(), 2U);
    EXPECT_GT(acc.at("coarse"), 0.5);
    // A text-only node with the question task works too.
    const NodeProfile textOnly{{Modality::TEXT}, {"question"}};
    EXPECT_NO_THROW(TrainLocal(model, Small(), Range(0, 100), textOnly, Options(1)));
    EXPECT_EQ(Evaluate(model, Small(), Range(0, 50), textOnly).size(), 1U);
}

TEST(LocalTrainer, FrozenBackboneStaysAsItWas)
{
    torch::manual_seed(3);
    M3TModel model;
    model->SetBackboneFrozen(true);
    const ModuleState block = model->Export("backbone/1");
    const TrainReport r = TrainLocal(model, Small(), Range(0, 200), EVERYTHING, Options(1));
    EXPECT_TRUE(model->Export("backbone/1").IsBitIdentical(block));
    EXPECT_EQ(std::count(r.trainedModules.begin(), r.trainedModules.end(), "backbone/1"), 0);
}

TEST(LocalTrainer, SameSeedSameResult)
{
    auto run = []
    {
        torch::manual_seed(4);
        M3TModel model;
        TrainLocal(model, Small(), Range(0, 200), EVERYTHING, Options(1));
        return model->Export("head/fine");
    };
    EXPECT_TRUE(run().IsBitIdentical(run()));
}

TEST(LocalTrainer, BadInputIsRejectedWithAReason)
{
    M3TModel model;
    auto o = Options(1);
    o.learningRate = -1;
    EXPECT_THROW(TrainLocal(model, Small(), Range(0, 10), EVERYTHING, o), std::invalid_argument);
    EXPECT_THROW(TrainLocal(model, Small(), {}, EVERYTHING, Options(1)), std::invalid_argument);
    const NodeProfile noText{{Modality::IMAGE}, {"question"}};
    try
    {
        TrainLocal(model, Small(), Range(0, 10), noText, Options(1));
        FAIL() << "a question task without text was trained";
    }
    catch (const std::invalid_argument& e)
    {
        EXPECT_NE(std::string(e.what()).find("text"), std::string::npos) << e.what();
    }
}

// Evaluation against accuracies counted from the data, not from Evaluate's own arithmetic:
// heads set by hand to predict one class whatever the input (the classifier's weights zero,
// its bias 1 for that class and 0 for the others) score the share of that class among the
// evaluated labels. The first 100 Fashion-MNIST training labels, counted with Python's gzip
// module from train-labels-idx1-ubyte.gz, hold 12 of class 0 (T-shirt), 9 of class 2
// (pullover), 4 of class 8 (bag) and 11 of class 9 (ankle boot); their coarse groups: bags
// (class 8) 4, footwear (5, 7, 9: 11 + 8 + 11) 30. Batches of 7 leave a last batch of 2.
TEST(LocalTrainer, EvaluateCountsAgreeWithTheLabels)
{
    torch::manual_seed(7);
    M3TModel model;
    auto predictAlways = [&model](const std::string& head, int64_t cls)
    {
        ModuleState s = model->Export(head);
        const std::size_t w = s.FindTensor("fc.weight");
        const std::size_t b = s.FindTensor("fc.bias");
        ASSERT_LT(w, s.GetTensorCount());
        ASSERT_LT(b, s.GetTensorCount());
        std::fill_n(s.GetTensorData(w), s.GetTensors()[w].Numel(), 0.0F);
        std::fill_n(s.GetTensorData(b), s.GetTensors()[b].Numel(), 0.0F);
        s.GetTensorData(b)[cls] = 1.0F;
        model->Import(s);
    };
    const NodeProfile imageOnly{{Modality::IMAGE}, {"fine", "coarse"}};
    const auto first100 = Range(0, 100);
    predictAlways("head/fine", 0);
    predictAlways("head/coarse", 3);
    auto acc = Evaluate(model, Small(), first100, imageOnly, 7);
    EXPECT_DOUBLE_EQ(acc.at("fine"), 12.0 / 100);
    EXPECT_DOUBLE_EQ(acc.at("coarse"), 4.0 / 100);
    predictAlways("head/fine", 9);
    predictAlways("head/coarse", 2);
    acc = Evaluate(model, Small(), first100, imageOnly, 7);
    EXPECT_DOUBLE_EQ(acc.at("fine"), 11.0 / 100);
    EXPECT_DOUBLE_EQ(acc.at("coarse"), 30.0 / 100);
    // a hand-picked subset: labels 9, 0, 0, 3, 0, 2 at 0..5; class 0 is 3 of these 6
    predictAlways("head/fine", 0);
    acc = Evaluate(model, Small(), Range(0, 6), imageOnly, 4);
    EXPECT_DOUBLE_EQ(acc.at("fine"), 3.0 / 6);
    predictAlways("head/fine", 2);
    EXPECT_DOUBLE_EQ(Evaluate(model, Small(), Range(0, 6), imageOnly).at("fine"), 1.0 / 6);
}

// Two devices start from the same global model and train on different shards; FedAvg of
// their exports, imported back, is what the hierarchy's fog does. Every trained module is
// aggregated over both, with both shards' samples as its weight, and the result is a usable
// model (a check of the pipeline end to end, not of convergence).
TEST(LocalTrainer, DevicesTrainAndTheirModulesAggregate)
{
    torch::manual_seed(6);
    M3TModel global;
    std::vector<ModuleState> start;
    for (const auto& id : global->GetModuleIds())
    {
        start.push_back(global->Export(id));
    }
    auto fedavg = CreateObject<FedAvgRule>();
    std::map<std::string, std::vector<Contribution>> byModule;
    for (int d = 0; d < 2; ++d)
    {
        for (const auto& s : start)
        {
            global->Import(s); // every device starts from the global model
        }
        const auto shard = Range(d * 250, (d + 1) * 250);
        const TrainReport r = TrainLocal(global, Small(), shard, EVERYTHING, Options(2));
        for (const auto& id : r.trainedModules)
        {
            byModule[id].push_back({"device" + std::to_string(d),
                                    std::make_shared<ModuleState>(global->Export(id, 250.0))});
        }
    }
    for (const auto& [id, contributions] : byModule)
    {
        const auto result = fedavg->Aggregate(contributions);
        ASSERT_EQ(result.used, 2U) << id;
        EXPECT_EQ(result.state->GetSampleWeight(), 500.0);
        global->Import(*result.state);
    }
    const auto acc = Evaluate(global, Small(), Range(500, 600), EVERYTHING);
    EXPECT_GT(acc.at("coarse"), 0.5);
}
