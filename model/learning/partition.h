/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_PARTITION_H
#define HFFM_PARTITION_H

#include <cstdint>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Split sample indices over devices, non-IID by label, with a Dirichlet prior.
 *
 * For each class, proportions over the devices are drawn from Dirichlet(alpha, ..., alpha)
 * and the class's samples (shuffled) are dealt out in those proportions — the scheme of the
 * HF-FM reference code. Small alpha gives each device few classes; large alpha approaches
 * an IID split. Every sample goes to exactly one device. Deterministic from \p seed.
 *
 * \param labels the label of every sample
 * \param devices number of devices (at least 1)
 * \param alpha concentration, positive
 * \param seed random seed
 * \return for each device, its sample indices (ascending)
 * \throws std::invalid_argument for devices == 0 or alpha not positive and finite
 */
std::vector<std::vector<int64_t>> DirichletPartition(const std::vector<int64_t>& labels,
                                                     std::size_t devices, double alpha,
                                                     uint64_t seed);

/// One device's shard split into training and test indices.
struct Shard
{
    std::vector<int64_t> train;
    std::vector<int64_t> test;
};

/**
 * Split a device's indices into train and test: a shuffled \p testFraction (rounded down)
 * goes to test. Deterministic from \p seed.
 */
Shard SplitShard(const std::vector<int64_t>& indices, double testFraction, uint64_t seed);

} // namespace ns3

#endif /* HFFM_PARTITION_H */
