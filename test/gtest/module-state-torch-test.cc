/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-codec.h"
#include "ns3/module-state-torch.h"

#include <gtest/gtest.h>
#include <stdexcept>

using namespace ns3;

namespace
{

struct TinyAdapterImpl : torch::nn::Module
{
    TinyAdapterImpl()
        : down(register_module("down", torch::nn::Linear(8, 2)))
        , up(register_module("up", torch::nn::Linear(2, 8)))
    {
    }

    torch::nn::Linear down;
    torch::nn::Linear up;
};

TORCH_MODULE(TinyAdapter);

} // namespace

TEST(ModuleStateTorch, ExportListsParametersByName)
{
    torch::manual_seed(1);
    TinyAdapter adapter;
    const ModuleState s = ExportModuleState("adapter/0", *adapter, 32.0);
    ASSERT_EQ(s.GetTensorCount(), 4U);
    EXPECT_EQ(s.GetTensors()[0], (TensorSpec{"down.weight", {2, 8}}));
    EXPECT_EQ(s.GetTensors()[1], (TensorSpec{"down.bias", {2}}));
    EXPECT_EQ(s.GetTensors()[2], (TensorSpec{"up.weight", {8, 2}}));
    EXPECT_EQ(s.GetTensors()[3], (TensorSpec{"up.bias", {8}}));
    EXPECT_EQ(s.GetSampleWeight(), 32.0);
    // Values are those of the parameters, element by element.
    const auto w = adapter->up->weight.contiguous();
    for (int64_t i = 0; i < w.numel(); ++i)
    {
        ASSERT_EQ(s.GetTensorData(2)[i], w.data_ptr<float>()[i]);
    }
}

// torch module -> ModuleState -> wire bytes -> ModuleState -> another torch module: the
// second module computes exactly what the first does.
TEST(ModuleStateTorch, RoundTripThroughTheWireIsExact)
{
    torch::manual_seed(2);
    TinyAdapter a;
    torch::manual_seed(3);
    TinyAdapter b;
    const auto x = torch::randn({5, 8});
    ASSERT_FALSE(torch::equal(a->up(a->down(x)), b->up(b->down(x))));

    const ModuleState exported = ExportModuleState("adapter/0", *a, 1.0);
    const auto enc = EncodeModule(exported, ModuleCodec::FP32);
    ASSERT_TRUE(enc.payload);
    const auto dec = DecodeModule("adapter/0", ModuleCodec::FP32, enc.payload->bytes.data(),
                                  enc.payload->bytes.size(), enc.payload->crc);
    ASSERT_TRUE(dec.ok) << dec.detail;
    ImportModuleState(*dec.state, *b);
    EXPECT_TRUE(torch::equal(a->up(a->down(x)), b->up(b->down(x))));
}

TEST(ModuleStateTorch, ImportRejectsAWrongLayoutAndWritesNothing)
{
    TinyAdapter a;
    const auto before = a->down->weight.clone();
    ModuleState wrongShape(
        "adapter/0",
        {{"down.weight", {2, 7}}, {"down.bias", {2}}, {"up.weight", {8, 2}}, {"up.bias", {8}}});
    try
    {
        ImportModuleState(wrongShape, *a);
        FAIL() << "a wrong shape was imported";
    }
    catch (const std::invalid_argument& e)
    {
        EXPECT_NE(std::string(e.what()).find("down.weight"), std::string::npos) << e.what();
    }
    ModuleState wrongCount("adapter/0", {{"down.weight", {2, 8}}});
    EXPECT_THROW(ImportModuleState(wrongCount, *a), std::invalid_argument);
    EXPECT_TRUE(torch::equal(a->down->weight, before));
}

TEST(ModuleStateTorch, ViewSharesMemory)
{
    ModuleState s("m", {{"w", {2, 3}}});
    auto v = ViewTensor(s, 0);
    v.fill_(4.0F);
    EXPECT_EQ(s.GetData()[5], 4.0F);
    EXPECT_EQ(v.sizes().vec(), (std::vector<int64_t>{2, 3}));
}
