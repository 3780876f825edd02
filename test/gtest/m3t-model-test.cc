/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/m3t-model.h"
#include "ns3/module-codec.h"

#include <gtest/gtest.h>

using namespace ns3;

namespace
{

NodeProfile
Profile(std::set<Modality> m, std::set<std::string> t)
{
    NodeProfile p;
    p.modalities = std::move(m);
    p.tasks = std::move(t);
    return p;
}

const std::vector<std::string> ALL_TASKS = {"fine", "coarse", "question"};

} // namespace

TEST(M3TModel, ModuleIdsAndKinds)
{
    torch::manual_seed(0);
    M3TModel model;
    const std::vector<std::string> expected = {
        "encoder/image",  "encoder/text",   "prompt/fine",    "prompt/coarse",  "prompt/question",
        "backbone/0",     "adapter/0",      "backbone/1",     "adapter/1",      "moe/0/gate",
        "moe/0/expert/0", "moe/0/expert/1", "moe/0/expert/2", "moe/0/expert/3", "head/fine",
        "head/coarse",    "head/question"};
    EXPECT_EQ(model->GetModuleIds(), expected);
    EXPECT_EQ(model->GetModuleKind("moe/0/gate"), ModuleKind::MOE_GATE);
    EXPECT_EQ(model->GetModuleKind("moe/0/expert/2"), ModuleKind::MOE_EXPERT);
    EXPECT_EQ(model->GetModuleKind("adapter/1"), ModuleKind::ADAPTER);
    EXPECT_THROW(model->GetModuleKind("adapter/9"), std::out_of_range);
    // Every parameter of the model belongs to exactly one module.
    int64_t inModules = 0;
    for (const auto& id : model->GetModuleIds())
    {
        for (const auto& p : model->GetModule(id).parameters())
        {
            inModules += p.numel();
        }
    }
    int64_t total = 0;
    for (const auto& p : model->parameters())
    {
        total += p.numel();
    }
    EXPECT_EQ(inModules, total);
}

// The foundation is the encoders and backbone blocks (listed by hand from the default
// config), exported in module order; a module list without one of them names it.
TEST(M3TModel, TheFoundationIsTheEncodersAndBackboneBlocks)
{
    torch::manual_seed(0);
    M3TModel model;
    const std::vector<std::string> expected
        = {"encoder/image", "encoder/text", "backbone/0", "backbone/1"};
    std::vector<std::string> exported;
    std::vector<std::shared_ptr<ModuleState>> held;
    for (const auto& m : model->ExportFoundation())
    {
        exported.push_back(m->GetModuleId());
        EXPECT_TRUE(m->IsBitIdentical(model->Export(m->GetModuleId()))) << m->GetModuleId();
        held.push_back(std::make_shared<ModuleState>(*m));
    }
    EXPECT_EQ(exported, expected);
    EXPECT_TRUE(model->IsFoundation("backbone/1"));
    EXPECT_FALSE(model->IsFoundation("adapter/1"));
    EXPECT_EQ(model->FindMissingFoundation(held), "");
    held.erase(held.begin() + 2); // backbone/0
    EXPECT_EQ(model->FindMissingFoundation(held), "backbone/0");
}

// Parameter counts worked out by hand from the default config (width 64, adapter 16, 4
// experts of hidden 128, 2 prompt tokens).
TEST(M3TModel, ModuleShapesMatchTheConfig)
{
    M3TModel model;
    auto count = [&](const std::string& id)
    {
        return model->Export(id).GetNumel();
    };
    EXPECT_EQ(count("adapter/0"), 64U * 16 + 16 + 16 * 64 + 64);
    EXPECT_EQ(count("moe/0/gate"), 64U * 4 + 4);
    EXPECT_EQ(count("moe/0/expert/1"), 64U * 128 + 128 + 128 * 64 + 64);
    EXPECT_EQ(count("prompt/coarse"), 2U * 64);
    EXPECT_EQ(count("head/fine"), 64U + 64 + 64 * 10 + 10);
    EXPECT_EQ(count("head/question"), 64U + 64 + 64 * 2 + 2);
    EXPECT_EQ(count("encoder/text"), 27U * 64 + 8 * 64);
    EXPECT_EQ(count("encoder/image"), 32U * 9 + 32 + 64 * 32 * 9 + 64 + 49 * 64);
    // block: 2 layer norms, qkv, proj, MLP 64 -> 128 -> 64
    EXPECT_EQ(count("backbone/0"),
              2U * 128 + (64 * 192 + 192) + (64 * 64 + 64) + (64 * 128 + 128) + (128 * 64 + 64));
    const ModuleState s = model->Export("adapter/1");
    ASSERT_EQ(s.GetTensorCount(), 4U);
    EXPECT_EQ(s.GetTensors()[0], (TensorSpec{"down.weight", {16, 64}}));
}

TEST(M3TModel, ForwardShapesForEverySubsetOfModalities)
{
    torch::manual_seed(1);
    M3TModel model;
    const auto images = torch::randn({3, 1, 28, 28});
    const auto text = torch::randint(0, 27, {3, 8}, torch::kInt64);
    auto both = model->Forward(images, text, ALL_TASKS);
    EXPECT_EQ(both.logits.at("fine").sizes().vec(), (std::vector<int64_t>{3, 10}));
    EXPECT_EQ(both.logits.at("coarse").sizes().vec(), (std::vector<int64_t>{3, 4}));
    EXPECT_EQ(both.logits.at("question").sizes().vec(), (std::vector<int64_t>{3, 2}));
    EXPECT_EQ(both.balanceLoss.dim(), 0);
    auto imageOnly = model->Forward(images, torch::Tensor(), {"fine"});
    EXPECT_EQ(imageOnly.logits.size(), 1U);
    EXPECT_EQ(imageOnly.logits.at("fine").sizes().vec(), (std::vector<int64_t>{3, 10}));
    auto textOnly = model->Forward(torch::Tensor(), text, {"coarse", "question"});
    EXPECT_EQ(textOnly.logits.at("question").size(0), 3);
    EXPECT_THROW(model->Forward(torch::Tensor(), torch::Tensor(), {"fine"}), std::invalid_argument);
    EXPECT_THROW(model->Forward(images, text, {"colour"}), std::invalid_argument);
}

TEST(M3TModel, ProfilesSayWhatANodeUses)
{
    M3TModel model;
    const auto p = Profile({Modality::IMAGE}, {"fine"});
    EXPECT_EQ(p.Check(model->GetConfig()), "");
    const auto ids = model->GetModuleIdsFor(p);
    auto has = [&](const std::string& id)
    {
        return std::find(ids.begin(), ids.end(), id) != ids.end();
    };
    EXPECT_TRUE(has("encoder/image"));
    EXPECT_FALSE(has("encoder/text"));
    EXPECT_TRUE(has("prompt/fine"));
    EXPECT_FALSE(has("prompt/coarse"));
    EXPECT_TRUE(has("head/fine"));
    EXPECT_FALSE(has("head/question"));
    EXPECT_TRUE(has("adapter/1"));
    EXPECT_TRUE(has("moe/0/expert/3"));
    EXPECT_NE(Profile({Modality::IMAGE}, {"question"}).Check(model->GetConfig()).find("text"),
              std::string::npos);
    EXPECT_NE(Profile({}, {"fine"}).Check(model->GetConfig()), "");
    EXPECT_NE(Profile({Modality::TEXT}, {"colour"}).Check(model->GetConfig()), "");
}

// Every module exported from one model, carried by the fp32 codec and imported into another
// makes the second compute exactly what the first does.
TEST(M3TModel, ExportImportRoundTripOfEveryModule)
{
    torch::manual_seed(2);
    M3TModel a;
    torch::manual_seed(3);
    M3TModel b;
    a->eval();
    b->eval();
    const auto images = torch::randn({2, 1, 28, 28});
    const auto text = torch::randint(0, 27, {2, 8}, torch::kInt64);
    torch::NoGradGuard noGrad;
    ASSERT_FALSE(torch::equal(a->Forward(images, text, ALL_TASKS).logits.at("fine"),
                              b->Forward(images, text, ALL_TASKS).logits.at("fine")));
    for (const auto& id : a->GetModuleIds())
    {
        const ModuleState s = a->Export(id, 5.0);
        const auto enc = EncodeModule(s, ModuleCodec::FP32);
        ASSERT_TRUE(enc.payload) << id << ": " << enc.error;
        const auto dec = DecodeModule(id, ModuleCodec::FP32, enc.payload->bytes.data(),
                                      enc.payload->bytes.size(), enc.payload->crc);
        ASSERT_TRUE(dec.ok) << id;
        b->Import(*dec.state);
    }
    for (const auto& t : ALL_TASKS)
    {
        EXPECT_TRUE(torch::equal(a->Forward(images, text, ALL_TASKS).logits.at(t),
                                 b->Forward(images, text, ALL_TASKS).logits.at(t)))
            << t;
    }
    ModuleState wrong("adapter/0", {{"down.weight", {16, 63}}});
    EXPECT_THROW(b->Import(wrong), std::invalid_argument);
    ModuleState unknown("adapter/7", {{"w", {1}}});
    EXPECT_THROW(b->Import(unknown), std::out_of_range);
}

TEST(M3TModel, FrozenBackboneIsNotTrainedButPassesGradients)
{
    torch::manual_seed(4);
    M3TModel model;
    model->SetBackboneFrozen(true);
    EXPECT_FALSE(model->IsTrainable("backbone/0"));
    EXPECT_TRUE(model->IsTrainable("adapter/0"));
    const auto images = torch::randn({4, 1, 28, 28});
    auto out = model->Forward(images, torch::Tensor(), {"fine"});
    torch::nn::functional::cross_entropy(out.logits.at("fine"), torch::tensor({1, 2, 3, 4}))
        .backward();
    auto& block = model->GetModule("backbone/0");
    for (const auto& p : block.parameters())
    {
        EXPECT_FALSE(p.grad().defined());
    }
    // The encoder sits below the frozen blocks and still gets a gradient through them.
    auto& encoder = model->GetModule("encoder/image");
    EXPECT_GT(encoder.parameters()[0].grad().abs().sum().item<double>(), 0.0);
}

TEST(M3TModel, MultiplyAddsGrowWithWhatANodeRuns)
{
    M3TModel model;
    const double image = model->ForwardMultiplyAdds(Profile({Modality::IMAGE}, {"fine"}));
    const double both
        = model->ForwardMultiplyAdds(Profile({Modality::IMAGE, Modality::TEXT}, {"fine"}));
    const double allTasks = model->ForwardMultiplyAdds(
        Profile({Modality::IMAGE, Modality::TEXT}, {"fine", "coarse", "question"}));
    EXPECT_GT(image, 1e6); // the conv stem alone is 3.8 M multiply-adds
    EXPECT_GT(both, image);
    EXPECT_GT(allTasks, both);
}

TEST(M3TModel, DrawnProfilesAreValidAndHeterogeneous)
{
    M3TModel model;
    const auto profiles = DrawNodeProfiles(400, 0.8, 0.5, 0.5, 11);
    ASSERT_EQ(profiles.size(), 400U);
    int withText = 0;
    int withImage = 0;
    int question = 0;
    for (const auto& p : profiles)
    {
        ASSERT_EQ(p.Check(model->GetConfig()), "");
        ASSERT_FALSE(p.tasks.empty());
        withText += p.modalities.count(Modality::TEXT);
        withImage += p.modalities.count(Modality::IMAGE);
        question += p.tasks.count("question");
    }
    // text with probability 0.5; image 0.8, plus the text-less devices drawn without image
    EXPECT_NEAR(withText / 400.0, 0.5, 0.08);
    EXPECT_NEAR(withImage / 400.0, 0.8 + 0.2 * 0.5, 0.08);
    EXPECT_GT(question, 0);
    EXPECT_LT(question, withText + 1); // only devices with text ask questions
    const auto again = DrawNodeProfiles(400, 0.8, 0.5, 0.5, 11);
    for (std::size_t i = 0; i < profiles.size(); ++i)
    {
        ASSERT_EQ(again[i].modalities, profiles[i].modalities);
        ASSERT_EQ(again[i].tasks, profiles[i].tasks);
    }
    EXPECT_THROW(DrawNodeProfiles(1, 1.5, 0.5, 0.5, 1), std::invalid_argument);
}
