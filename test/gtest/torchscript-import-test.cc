/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/m3t-model.h"
#include "ns3/torchscript-import.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

using namespace ns3;

namespace
{

/// Runs test/make-torchscript.py with Debian's python3-torch; returns the file it wrote.
std::string
MakeTorchScript()
{
    const auto path = (std::filesystem::temp_directory_path() / "hffm-adapter.pt").string();
    const std::string command
        = std::string(HFFM_PYTHON) + " " + HFFM_SOURCE_DIR + "/test/make-torchscript.py " + path;
    EXPECT_EQ(std::system(command.c_str()), 0)
        << command << " failed: python3-torch is installed by scripts/install-deps.sh";
    return path;
}

} // namespace

// A pretrained adapter made by PyTorch is read from TorchScript and loaded into hffm's
// adapter/0, value for value.
TEST(TorchScriptImport, PyTorchWeightsLoadIntoAModule)
{
    const std::string path = MakeTorchScript();
    const ModuleState s = ReadTorchScriptModule(path, "adapter/0", 7.0);
    ASSERT_EQ(s.GetTensorCount(), 4U);
    EXPECT_EQ(s.GetTensors()[0], (TensorSpec{"down.weight", {16, 64}}));
    EXPECT_EQ(s.GetTensors()[3], (TensorSpec{"up.bias", {64}}));
    EXPECT_EQ(s.GetSampleWeight(), 7.0);
    for (std::size_t k = 0; k < 4; ++k)
    {
        const auto n = static_cast<std::size_t>(s.GetTensors()[k].Numel());
        for (std::size_t i = 0; i < n; i += 97)
        {
            ASSERT_FLOAT_EQ(s.GetTensorData(k)[i], 0.001F * static_cast<float>(i) + k)
                << "tensor " << k << " value " << i;
        }
    }
    M3TModel model;
    model->Import(s);
    EXPECT_TRUE(model->Export("adapter/0", 7.0).IsBitIdentical(s));
    // The same weights do not fit a module of another layout: Import says so.
    ModuleState asHead = ReadTorchScriptModule(path, "head/fine");
    EXPECT_THROW(model->Import(asHead), std::invalid_argument);
    std::filesystem::remove(path);
}

TEST(TorchScriptImport, DamagedFileIsRejectedWithItsName)
{
    const auto path = (std::filesystem::temp_directory_path() / "hffm-not-torchscript.pt").string();
    std::ofstream(path) << "this is not a zip archive";
    try
    {
        ReadTorchScriptModule(path, "adapter/0");
        FAIL() << "a damaged file was read";
    }
    catch (const std::runtime_error& e)
    {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    std::filesystem::remove(path);
}
