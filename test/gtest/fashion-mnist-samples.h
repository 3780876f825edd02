/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_FASHION_MNIST_SAMPLES_H
#define HFFM_FASHION_MNIST_SAMPLES_H

// Real training data for the learning units that share it: the first Fashion-MNIST training
// images with their M3T text and labels.

#include "ns3/m3t-dataset.h"

#include <cstdint>
#include <numeric>
#include <vector>

namespace ns3
{
namespace hffmtest
{

/// The first \p count Fashion-MNIST training samples with their M3T text and labels.
inline M3TDataset
FirstSamples(int64_t count)
{
    return BuildM3TDataset(ReadFashionMnist(DefaultFashionMnistDir(), true), 5).Slice(0, count);
}

/// begin, begin + 1, ..., end - 1
inline std::vector<int64_t>
Range(int64_t begin, int64_t end)
{
    std::vector<int64_t> v(static_cast<std::size_t>(end - begin));
    std::iota(v.begin(), v.end(), begin);
    return v;
}

} // namespace hffmtest
} // namespace ns3

#endif /* HFFM_FASHION_MNIST_SAMPLES_H */
