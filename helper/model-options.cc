/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/model-options.h"

#include "ns3/checked-command-line.h"

namespace ns3
{

void
AddModelOptions(CommandLine& cmd, M3TConfig& config)
{
    const ValueRange<int64_t> positive{1, 1 << 16};
    AddCheckedValue(cmd, "width", "model: token width shared by all modules", config.width,
                    positive);
    AddCheckedValue(cmd, "heads", "model: attention heads per backbone block (divide width)",
                    config.heads, positive);
    AddCheckedValue(cmd, "blocks", "model: backbone blocks, each with an adapter", config.blocks,
                    {1, 64});
    AddCheckedValue(cmd, "mlpRatio", "model: backbone MLP hidden width / width", config.mlpRatio,
                    {1, 64});
    AddCheckedValue(cmd, "adapterWidth", "model: adapter bottleneck width", config.adapterWidth,
                    positive);
    AddCheckedValue(cmd, "promptTokens", "model: learnable prompt tokens per task",
                    config.promptTokens, {1, 1024});
    AddCheckedValue(cmd, "experts", "model: experts of the mixture-of-experts layer",
                    config.experts, {1, 1024});
    AddCheckedValue(cmd, "topK", "model: experts each token is routed to (at most experts)",
                    config.topK, {1, 1024});
    AddCheckedValue(cmd, "expertHidden", "model: hidden width of each expert", config.expertHidden,
                    positive);
}

std::string
CheckModelOptions(const M3TConfig& config)
{
    const std::string error = config.Check();
    return error.empty() ? "" : "model: " + error;
}

namespace
{

/// Every dimension of \p config, as ModelSizeTag() writes them.
std::string
DimensionsTag(const M3TConfig& config)
{
    return "-w" + std::to_string(config.width) + "-h" + std::to_string(config.heads) + "-b"
           + std::to_string(config.blocks) + "-m" + std::to_string(config.mlpRatio) + "-a"
           + std::to_string(config.adapterWidth) + "-p" + std::to_string(config.promptTokens) + "-e"
           + std::to_string(config.experts) + "-k" + std::to_string(config.topK) + "-x"
           + std::to_string(config.expertHidden);
}

} // namespace

std::string
ModelSizeTag(const M3TConfig& config)
{
    const std::string tag = DimensionsTag(config);
    return tag == DimensionsTag(M3TConfig()) ? "" : tag;
}

} // namespace ns3
