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

// The default model, counted by hand (width d = 64, 4 heads, 2 blocks, MLP hidden 128,
// adapter 16, 2 prompt tokens per task, 4 experts, top-2, expert hidden 128); only the
// products of convolutions and matrices count (no biases, norms, activations, pooling):
//  - image encoder: conv1 28*28 outputs * 32 channels * (1*3*3) = 225,792; conv2 after the
//    pool 14*14 * 64 * (32*3*3) = 3,612,672; together 3,838,464 (the conv stem);
//  - image only, task fine: T = 2 + 49 = 51 tokens. Per block: qkv 51*64*192 = 626,688,
//    scores and mix 2 * 51*51*64 = 332,928, proj 51*64*64 = 208,896, MLP 2 * 51*64*128 =
//    835,584: 2,004,096, two blocks 4,008,192; adapters 2 * 51*(64*16 + 16*64) = 208,896;
//    gate 51*64*4 = 13,056; top-2 experts 51 * 2 * (64*128 + 128*64) = 1,671,168; head fine
//    64*10 = 640. Total 3,838,464 + 4,008,192 + 208,896 + 13,056 + 1,671,168 + 640 =
//    9,740,416;
//  - image and text, all three tasks: T = 6 + 49 + 8 = 63. Per block: qkv 63*64*192 =
//    774,144, scores and mix 2 * 63*63*64 = 508,032, proj 63*64*64 = 258,048, MLP
//    2 * 63*64*128 = 1,032,192: 2,572,416, two blocks 5,144,832; adapters 2 * 63*2048 =
//    258,048; gate 63*256 = 16,128; experts 63 * 2 * 16,384 = 2,064,384; heads
//    64*(10 + 4 + 2) = 1,024. Total 3,838,464 + 5,144,832 + 258,048 + 16,128 + 2,064,384 +
//    1,024 = 11,322,880.
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
    EXPECT_EQ(image, 9740416.0);
    EXPECT_EQ(allTasks, 11322880.0);
}

// A small model's multiply-adds, counted by hand layer by layer, and the layer shapes that
// count assumes read from the model itself. Width d = 8, 1 head, 1 block, MLP hidden
// 2d = 16, adapter 2, 1 prompt token per task, 2 experts, top-1, expert hidden 4; only the
// products of convolutions and matrices count (no biases, norms, activations, pooling,
// softmax; embedding lookups are free).
//  (A) image, task fine: T = 1 prompt + 49 image tokens = 50.
//      conv1   28*28 outputs * 32 channels * (1 input * 3*3)      =  225,792
//      conv2   14*14 outputs * 8 channels * (32 inputs * 3*3)     =  451,584
//      qkv     50 tokens * 8 * 24                                 =    9,600
//      scores  50 queries * 50 keys * 8 (1 head of 8)             =   20,000
//      mix     50 * 50 * 8 (attention weights times values)       =   20,000
//      proj    50 * 8 * 8                                         =    3,200
//      fc1     50 * 8 * 16                                        =    6,400
//      fc2     50 * 16 * 8                                        =    6,400
//      adapter 50 * (8*2 + 2*8)                                   =    1,600
//      gate    50 * 8 * 2                                         =      800
//      experts 50 tokens * 1 expert * (8*4 + 4*8)                 =    3,200
//      head    1 token * 8 * 10 classes                           =       80
//      total                                                      =  748,656
//  (B) image and text, tasks fine and question: T = 2 + 49 + 8 = 59.
//      conv1 + conv2 as in (A) = 677,376; qkv 59*8*24 = 11,328; scores and mix
//      2 * 59*59*8 = 55,696; proj 59*64 = 3,776; fc1 + fc2 2 * 59*128 = 15,104; adapter
//      59*32 = 1,888; gate 59*16 = 944; experts 59*64 = 3,776; heads 8*10 + 8*2 = 96.
//      Total 677,376 + 11,328 + 55,696 + 3,776 + 15,104 + 1,888 + 944 + 3,776 + 96 = 769,984.
//  (C) text, task question: T = 1 + 8 = 9. No convolution; qkv 9*8*24 = 1,728; scores and
//      mix 2 * 9*9*8 = 1,296; proj 9*64 = 576; fc1 + fc2 2 * 9*128 = 2,304; adapter 9*32 =
//      288; gate 9*16 = 144; experts 9*64 = 576; head 8*2 = 16. Total 6,928.
TEST(M3TModel, MultiplyAddsMatchAHandCount)
{
    M3TConfig c;
    c.width = 8;
    c.heads = 1;
    c.blocks = 1;
    c.mlpRatio = 2;
    c.adapterWidth = 2;
    c.promptTokens = 1;
    c.experts = 2;
    c.topK = 1;
    c.expertHidden = 4;
    torch::manual_seed(0);
    M3TModel model(c);

    // the shapes the count above assumes
    auto shape = [&model](const std::string& id, const std::string& tensor)
    {
        const ModuleState s = model->Export(id);
        const std::size_t i = s.FindTensor(tensor);
        return i < s.GetTensorCount() ? s.GetTensors()[i].shape : std::vector<int64_t>{};
    };
    using Shape = std::vector<int64_t>;
    EXPECT_EQ(shape("encoder/image", "conv1.weight"), (Shape{32, 1, 3, 3}));
    EXPECT_EQ(shape("encoder/image", "conv2.weight"), (Shape{8, 32, 3, 3}));
    EXPECT_EQ(shape("encoder/image", "position"), (Shape{49, 8})); // 49 image tokens
    EXPECT_EQ(shape("encoder/text", "position"), (Shape{8, 8}));   // 8 text tokens
    EXPECT_EQ(shape("prompt/fine", "tokens"), (Shape{1, 8}));
    EXPECT_EQ(shape("backbone/0", "qkv.weight"), (Shape{24, 8}));
    EXPECT_EQ(shape("backbone/0", "proj.weight"), (Shape{8, 8}));
    EXPECT_EQ(shape("backbone/0", "fc1.weight"), (Shape{16, 8}));
    EXPECT_EQ(shape("backbone/0", "fc2.weight"), (Shape{8, 16}));
    EXPECT_EQ(shape("adapter/0", "down.weight"), (Shape{2, 8}));
    EXPECT_EQ(shape("adapter/0", "up.weight"), (Shape{8, 2}));
    EXPECT_EQ(shape("moe/0/gate", "weight"), (Shape{2, 8}));
    EXPECT_EQ(shape("moe/0/expert/1", "fc1.weight"), (Shape{4, 8}));
    EXPECT_EQ(shape("moe/0/expert/1", "fc2.weight"), (Shape{8, 4}));
    EXPECT_EQ(shape("head/fine", "fc.weight"), (Shape{10, 8}));
    EXPECT_EQ(shape("head/question", "fc.weight"), (Shape{2, 8}));

    EXPECT_EQ(model->ForwardMultiplyAdds(Profile({Modality::IMAGE}, {"fine"})), 748656.0);
    EXPECT_EQ(model->ForwardMultiplyAdds(
                  Profile({Modality::IMAGE, Modality::TEXT}, {"fine", "question"})),
              769984.0);
    EXPECT_EQ(model->ForwardMultiplyAdds(Profile({Modality::TEXT}, {"question"})), 6928.0);
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
