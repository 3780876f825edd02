/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/partition.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>
#include <string>

namespace ns3
{

std::vector<std::vector<int64_t>>
DirichletPartition(const std::vector<int64_t>& labels, std::size_t devices, double alpha,
                   uint64_t seed)
{
    if (devices == 0)
    {
        throw std::invalid_argument("DirichletPartition: devices must be at least 1");
    }
    if (!(alpha > 0.0) || !std::isfinite(alpha))
    {
        throw std::invalid_argument("DirichletPartition: alpha " + std::to_string(alpha)
                                    + " is not a positive number");
    }
    std::mt19937_64 rng(seed);
    std::map<int64_t, std::vector<int64_t>> byClass;
    for (std::size_t i = 0; i < labels.size(); ++i)
    {
        byClass[labels[i]].push_back(static_cast<int64_t>(i));
    }
    std::vector<std::vector<int64_t>> out(devices);
    std::gamma_distribution<double> gamma(alpha, 1.0);
    for (auto& [label, indices] : byClass)
    {
        std::shuffle(indices.begin(), indices.end(), rng);
        std::vector<double> p(devices);
        double sum = 0.0;
        for (auto& x : p)
        {
            x = gamma(rng);
            sum += x;
        }
        if (!(sum > 0.0))
        {
            // every draw underflowed (tiny alpha): give the class to one device
            std::fill(p.begin(), p.end(), 0.0);
            p[rng() % devices] = 1.0;
            sum = 1.0;
        }
        // Cut points at the cumulative proportions: every sample lands on exactly one device.
        double cumulative = 0.0;
        std::size_t start = 0;
        for (std::size_t d = 0; d < devices; ++d)
        {
            cumulative += p[d] / sum;
            const std::size_t end
                = d + 1 == devices ? indices.size()
                                   : std::min(indices.size(), static_cast<std::size_t>(std::llround(
                                                                  cumulative * indices.size())));
            for (std::size_t k = start; k < std::max(start, end); ++k)
            {
                out[d].push_back(indices[k]);
            }
            start = std::max(start, end);
        }
    }
    for (auto& v : out)
    {
        std::sort(v.begin(), v.end());
    }
    return out;
}

Shard
SplitShard(const std::vector<int64_t>& indices, double testFraction, uint64_t seed)
{
    if (!(testFraction >= 0.0 && testFraction <= 1.0))
    {
        throw std::invalid_argument("SplitShard: test fraction " + std::to_string(testFraction)
                                    + " is not in [0, 1]");
    }
    std::vector<int64_t> shuffled = indices;
    std::mt19937_64 rng(seed);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    const auto nTest = static_cast<std::size_t>(std::floor(testFraction * shuffled.size()));
    Shard shard;
    shard.test.assign(shuffled.begin(), shuffled.begin() + nTest);
    shard.train.assign(shuffled.begin() + nTest, shuffled.end());
    std::sort(shard.test.begin(), shard.test.end());
    std::sort(shard.train.begin(), shard.train.end());
    return shard;
}

} // namespace ns3
