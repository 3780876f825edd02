/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// FedProx's proximal term in local training (TrainLocal's proximalMu, and
// M3TLearnerConfig::proximalMu): off at 0, a pull toward the received modules above 0, with
// the gradient mu * (w - w0) checked against a hand derivation.

#include "../hffm-test-util.h"
#include "fashion-mnist-samples.h"
#include "ns3/local-trainer.h"
#include "ns3/m3t-federated-learner.h"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <numeric>

using namespace ns3;

namespace
{

/// 200 real Fashion-MNIST samples with their M3T text and labels.
const M3TDataset&
Small()
{
    static const M3TDataset data = hffmtest::FirstSamples(200);
    return data;
}

using hffmtest::Range;

const NodeProfile IMAGE_AND_TEXT{{Modality::IMAGE, Modality::TEXT}, {"fine", "question"}};

/// A tiny model, the same for a given seed.
M3TModel
TinyModel(uint64_t seed)
{
    torch::manual_seed(seed);
    return M3TModel(hffmtest::TinyModelConfig());
}

/// The modules a node with \p profile trains, copied out.
std::vector<ModuleState>
Trained(const M3TModel& model, const NodeProfile& profile)
{
    std::vector<ModuleState> states;
    for (const auto& id : model->GetModuleIdsFor(profile))
    {
        if (model->IsTrainable(id))
        {
            states.push_back(model->Export(id));
        }
    }
    return states;
}

/// ||a - b|| over every value of every module, in double, from the exported floats.
double
Distance(const std::vector<ModuleState>& a, const std::vector<ModuleState>& b)
{
    EXPECT_EQ(a.size(), b.size());
    double sum = 0.0;
    for (std::size_t m = 0; m < a.size() && m < b.size(); ++m)
    {
        EXPECT_TRUE(a[m].HasSameLayout(b[m])) << a[m].GetModuleId();
        for (std::size_t i = 0; i < a[m].GetNumel(); ++i)
        {
            const double d = double(a[m].GetData()[i]) - double(b[m].GetData()[i]);
            sum += d * d;
        }
    }
    return std::sqrt(sum);
}

/// Every module of \p a bit-identical to the same of \p b.
void
ExpectBitIdentical(const std::vector<ModuleState>& a, const std::vector<ModuleState>& b)
{
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t m = 0; m < a.size(); ++m)
    {
        EXPECT_TRUE(a[m].IsBitIdentical(b[m])) << a[m].GetModuleId();
    }
}

/// The modules of a learner's update by id, plus those of \p rest it did not train.
ModuleMap
AsMap(const LocalUpdate& update, const ModuleMap& rest)
{
    ModuleMap map = rest;
    for (const auto& m : update.modules)
    {
        map[m->GetModuleId()] = m;
    }
    return map;
}

/// ||a - b|| over the modules of \p ids.
double
Distance(const ModuleMap& a, const ModuleMap& b, const std::vector<std::string>& ids)
{
    std::vector<ModuleState> x;
    std::vector<ModuleState> y;
    for (const auto& id : ids)
    {
        x.push_back(*a.at(id));
        y.push_back(*b.at(id));
    }
    return Distance(x, y);
}

M3TLearnerConfig
TinyLearnerConfig(double mu)
{
    M3TLearnerConfig c;
    c.model = hffmtest::TinyModelConfig();
    c.devices = 2;
    c.samplesPerDevice = 60;
    c.alpha = 100.0;
    c.testSamples = 50;
    c.train.batchSize = 10;
    c.train.epochs = 2;
    c.seed = 8;
    c.proximalMu = mu;
    return c;
}

} // namespace

// (1) mu = 0 leaves the term out: the trained modules, the reported losses and the next
// draw of LibTorch's generator are bit for bit those of training without the argument.
TEST(FedProx, ZeroMuIsTrainingWithoutTheTerm)
{
    TrainOptions o;
    o.epochs = 2;
    o.batchSize = 16;
    o.seed = 3;
    auto run = [&o](bool withArgument)
    {
        M3TModel model = TinyModel(21);
        const TrainReport r
            = withArgument ? TrainLocal(model, Small(), Range(0, 100), IMAGE_AND_TEXT, o, 0.0)
                           : TrainLocal(model, Small(), Range(0, 100), IMAGE_AND_TEXT, o);
        const torch::Tensor next = torch::rand({8});
        return std::make_tuple(r, Trained(model, IMAGE_AND_TEXT), next);
    };
    const auto [without, withoutModules, withoutNext] = run(false);
    const auto [with, withModules, withNext] = run(true);
    ExpectBitIdentical(withModules, withoutModules);
    EXPECT_EQ(with.firstLoss, without.firstLoss);
    EXPECT_EQ(with.lastEpochLoss, without.lastEpochLoss);
    EXPECT_EQ(with.lossPerTask, without.lossPerTask);
    EXPECT_EQ(with.trainedModules, without.trainedModules);
    EXPECT_TRUE(torch::equal(withNext, withoutNext)) << "no extra random draws";
    // and training did move the modules: the comparison above is not of two untouched models
    EXPECT_GT(Distance(withModules, Trained(TinyModel(21), IMAGE_AND_TEXT)), 0.01);
}

// (2) A large mu keeps the trained parameters near where they started: the distance from the
// start, computed here from the exported values, shrinks as mu grows.
TEST(FedProx, ALargeMuKeepsTheParametersNearTheirStart)
{
    TrainOptions o; // Adam
    o.epochs = 3;
    o.batchSize = 20;
    o.learningRate = 5e-3;
    o.seed = 4;
    const std::vector<ModuleState> start = Trained(TinyModel(22), IMAGE_AND_TEXT);
    auto distance = [&](double mu)
    {
        M3TModel model = TinyModel(22);
        TrainLocal(model, Small(), Range(0, 200), IMAGE_AND_TEXT, o, mu);
        return Distance(Trained(model, IMAGE_AND_TEXT), start);
    };
    const double loose = distance(0.0);
    const double some = distance(1.0);
    const double strong = distance(100.0);
    EXPECT_GT(loose, 0.1);
    EXPECT_LT(some, loose);
    EXPECT_LT(strong, some);
    EXPECT_LT(strong, 0.5 * loose);
}

// (3) The term's gradient, against a hand derivation. Local SGD here is PyTorch's SGD with
// momentum m = 0.9 and learning rate lr: buf_1 = g_1, buf_t = m buf_{t-1} + g_t,
// w_t = w_{t-1} - lr buf_t. One batch holds the whole shard, so each epoch is one step on the
// same samples, and two epochs are two steps. Run A has mu = 0, run B mu > 0; both start at
// w0, shuffle alike and see the same batches.
//  - Step 1: B's term is (mu/2)||w0 - w0||^2, its gradient mu (w0 - w0) = 0, so both take the
//    same step: w1 = w0 - lr g1 (with g1 the data gradient at w0) in A and B alike.
//  - Step 2: both are at w1 and get the same data gradient g2; B adds mu (w1 - w0):
//      buf_A = m g1 + g2,   buf_B = m g1 + g2 + mu (w1 - w0),
//    so w2_B - w2_A = -lr (buf_B - buf_A) = -lr mu (w1 - w0).
// w1 comes from a third run of one epoch. The difference is checked value by value, up to the
// rounding of the float updates (4 float epsilons of 1 + |w|), and it is not vacuous: the
// largest expected change is above 1e-3.
TEST(FedProx, ProximalGradientMatchesTheHandDerivation)
{
    TrainOptions o;
    o.optimizer = "sgd";
    o.learningRate = 0.05;
    o.batchSize = 40;
    o.seed = 5;
    const double mu = 4.0;
    const auto shard = Range(0, 40);
    auto train = [&](int64_t epochs, double proximal)
    {
        M3TModel model = TinyModel(23);
        TrainOptions options = o;
        options.epochs = epochs;
        const TrainReport r = TrainLocal(model, Small(), shard, IMAGE_AND_TEXT, options, proximal);
        EXPECT_EQ(r.steps, epochs);
        return Trained(model, IMAGE_AND_TEXT);
    };
    const std::vector<ModuleState> w0 = Trained(TinyModel(23), IMAGE_AND_TEXT);
    const std::vector<ModuleState> w1 = train(1, 0.0);
    const std::vector<ModuleState> w2a = train(2, 0.0);
    const std::vector<ModuleState> w2b = train(2, mu);

    // step 1: no pull yet (values equal; a zero's sign in the momentum may differ)
    const std::vector<ModuleState> w1b = train(1, mu);
    EXPECT_EQ(Distance(w1b, w1), 0.0);

    ASSERT_EQ(w2a.size(), w0.size());
    double largestExpected = 0.0;
    for (std::size_t m = 0; m < w0.size(); ++m)
    {
        for (std::size_t i = 0; i < w0[m].GetNumel(); ++i)
        {
            const double expected
                = -o.learningRate * mu * (double(w1[m].GetData()[i]) - double(w0[m].GetData()[i]));
            const double actual = double(w2b[m].GetData()[i]) - double(w2a[m].GetData()[i]);
            largestExpected = std::max(largestExpected, std::abs(expected));
            const double tolerance = 4.0 * std::numeric_limits<float>::epsilon()
                                     * (1.0 + std::abs(double(w2a[m].GetData()[i])));
            ASSERT_NEAR(actual, expected, tolerance)
                << w0[m].GetModuleId() << " value " << i << ": w0 " << w0[m].GetData()[i] << ", w1 "
                << w1[m].GetData()[i];
        }
    }
    EXPECT_GT(largestExpected, 1e-3);
}

// (4) A negative or non-finite mu is refused, naming proximalMu, by TrainLocal and by the
// learner's configuration.
TEST(FedProx, ABadMuIsRefusedByName)
{
    M3TModel model = TinyModel(24);
    const TrainOptions o;
    for (double bad : {-1.0, -1e-300, std::numeric_limits<double>::quiet_NaN(),
                       std::numeric_limits<double>::infinity()})
    {
        try
        {
            TrainLocal(model, Small(), Range(0, 10), IMAGE_AND_TEXT, o, bad);
            ADD_FAILURE() << "proximalMu " << bad << " was accepted";
        }
        catch (const std::invalid_argument& e)
        {
            EXPECT_NE(std::string(e.what()).find("proximalMu"), std::string::npos) << e.what();
        }
        M3TLearnerConfig c = TinyLearnerConfig(bad);
        EXPECT_NE(c.Check().find("proximalMu"), std::string::npos) << c.Check();
        try
        {
            M3TFederatedLearner learner(c);
            ADD_FAILURE() << "the learner took proximalMu " << bad;
        }
        catch (const std::invalid_argument& e)
        {
            EXPECT_NE(std::string(e.what()).find("proximalMu"), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(CheckProximalMu(0.0), "");
    EXPECT_EQ(CheckProximalMu(0.01), "");
    EXPECT_EQ(TinyLearnerConfig(0.01).Check(), "");
}

// Through the learner, the anchor is what the device received for the round, not the
// learner's initial modules: a device given modules trained in an earlier round ends, with a
// large mu, much nearer to them than without the term, and nearer to them than to the
// initial ones.
TEST(FedProx, TheLearnerPullsTowardTheReceivedModules)
{
    M3TFederatedLearner plain(TinyLearnerConfig(0.0));
    M3TFederatedLearner prox(TinyLearnerConfig(50.0));
    const NodeProfile image{{Modality::IMAGE}, {"fine"}};
    const ModuleMap initial = plain.GetInitialModules();
    const auto ids = plain.GetModuleIdsFor(image);
    // round 1, without the term: modules away from the initial ones
    const ModuleMap received = AsMap(plain.Train(0, image, initial, 1), initial);
    const double roundOne = Distance(received, initial, ids);
    ASSERT_GT(roundOne, 0.05);
    // round 2 on device 1, from the received modules
    const ModuleMap loose = AsMap(plain.Train(1, image, received, 2), received);
    const ModuleMap pulled = AsMap(prox.Train(1, image, received, 2), received);
    const double looseMoved = Distance(loose, received, ids);
    const double pulledMoved = Distance(pulled, received, ids);
    EXPECT_LT(pulledMoved, 0.5 * looseMoved);
    EXPECT_LT(pulledMoved, Distance(pulled, initial, ids));
}
