/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/aggregation.h"
#include "ns3/local-trainer.h"

#include <gtest/gtest.h>
#include <numeric>

using namespace ns3;

namespace
{

/// 600 real Fashion-MNIST samples with their M3T text and labels.
const M3TDataset&
Small()
{
    static const M3TDataset data
        = BuildM3TDataset(ReadFashionMnist(DefaultFashionMnistDir(), true), 5).Slice(0, 600);
    return data;
}

std::vector<int64_t>
Range(int64_t begin, int64_t end)
{
    std::vector<int64_t> v(static_cast<std::size_t>(end - begin));
    std::iota(v.begin(), v.end(), begin);
    return v;
}

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
    EXPECT_DOUBLE_EQ(r.multiplyAdds, 3.0 * model->ForwardMultiplyAdds(EVERYTHING) * 500 * 3);
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
