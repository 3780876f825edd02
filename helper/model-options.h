/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_MODEL_OPTIONS_H
#define HFFM_MODEL_OPTIONS_H

#include "ns3/command-line.h"
#include "ns3/m3t-spec.h"

#include <string>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Register the M3T model's dimensions on \p cmd, writing into \p config: --width,
 * --heads, --blocks, --mlpRatio, --adapterWidth, --promptTokens, --experts, --topK and
 * --expertHidden, each an integer of at least 1 (refused by the parser otherwise, as
 * AddCheckedValue() refuses). Their defaults are \p config's. What one value cannot say (heads
 * dividing width, topK not above experts) CheckModelOptions() says after parsing.
 */
void AddModelOptions(CommandLine& cmd, M3TConfig& config);

/// \return an empty string, or "model: " and what is wrong with \p config (naming the value)
std::string CheckModelOptions(const M3TConfig& config);

/**
 * \return an empty string for the default dimensions, otherwise "-w<width>-h<heads>-b<blocks>
 * -m<mlpRatio>-a<adapterWidth>-p<promptTokens>-e<experts>-k<topK>-x<expertHidden>" (without
 * the line break): a suffix for files that only fit a model of these dimensions (checkpoints)
 */
std::string ModelSizeTag(const M3TConfig& config);

} // namespace ns3

#endif /* HFFM_MODEL_OPTIONS_H */
