/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/aggregation.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace ns3
{

namespace
{

/// Applies \p reduce to the n values of each coordinate, gathered in a scratch vector.
template <typename Reduce>
void
PerCoordinate(const std::vector<const ModuleState*>& valid, ModuleState& out, Reduce reduce)
{
    std::vector<float> column(valid.size());
    float* o = out.GetData();
    for (std::size_t j = 0; j < out.GetNumel(); ++j)
    {
        for (std::size_t i = 0; i < valid.size(); ++i)
        {
            column[i] = valid[i]->GetData()[j];
        }
        o[j] = reduce(column);
    }
}

} // namespace

AggregationResult
AggregationStrategy::Aggregate(const std::vector<Contribution>& contributions,
                               const ModuleState* expected) const
{
    AggregationResult result;
    std::vector<const ModuleState*> valid;
    const ModuleState* layout = expected;
    for (const auto& c : contributions)
    {
        auto reject = [&](std::string reason)
        {
            result.rejected.push_back({c.from, std::move(reason)});
        };
        if (!c.state)
        {
            reject("no module");
            continue;
        }
        const ModuleState& s = *c.state;
        if (layout && s.GetModuleId() != layout->GetModuleId())
        {
            reject("module id '" + s.GetModuleId() + "', expected '" + layout->GetModuleId() + "'");
            continue;
        }
        if (layout && !s.HasSameLayout(*layout))
        {
            reject("tensor names or shapes of '" + s.GetModuleId()
                   + "' differ from the module's layout");
            continue;
        }
        const std::size_t bad = s.FindNonFinite();
        if (bad != s.GetNumel())
        {
            reject("non-finite value at flat index " + std::to_string(bad));
            continue;
        }
        if (!(s.GetSampleWeight() > 0.0))
        {
            reject("sample weight " + std::to_string(s.GetSampleWeight()) + " is not positive");
            continue;
        }
        if (!layout)
        {
            layout = &s;
        }
        valid.push_back(&s);
    }
    if (valid.empty())
    {
        return result;
    }
    double total = 0.0;
    for (const auto* s : valid)
    {
        total += s->GetSampleWeight();
    }
    result.state = std::make_shared<ModuleState>(layout->GetModuleId(), layout->GetTensors());
    Combine(valid, *result.state);
    result.state->SetSampleWeight(total);
    result.used = valid.size();
    return result;
}

std::string
FedAvgStrategy::GetName() const
{
    return "fedavg";
}

void
FedAvgStrategy::Combine(const std::vector<const ModuleState*>& valid, ModuleState& out) const
{
    double total = 0.0;
    for (const auto* s : valid)
    {
        total += s->GetSampleWeight();
    }
    float* o = out.GetData();
    const std::size_t n = out.GetNumel();
    std::fill(o, o + n, 0.0F);
    for (const auto* s : valid)
    {
        const auto a = static_cast<float>(s->GetSampleWeight() / total);
        const float* x = s->GetData();
        for (std::size_t j = 0; j < n; ++j)
        {
            o[j] += a * x[j];
        }
    }
}

std::string
CoordinateMedianStrategy::GetName() const
{
    return "median";
}

void
CoordinateMedianStrategy::Combine(const std::vector<const ModuleState*>& valid,
                                  ModuleState& out) const
{
    PerCoordinate(valid, out,
                  [](std::vector<float>& v)
                  {
                      const std::size_t mid = v.size() / 2;
                      std::nth_element(v.begin(), v.begin() + mid, v.end());
                      if (v.size() % 2 == 1)
                      {
                          return v[mid];
                      }
                      const float upper = v[mid];
                      const float lower = *std::max_element(v.begin(), v.begin() + mid);
                      return lower + (upper - lower) / 2.0F;
                  });
}

TrimmedMeanStrategy::TrimmedMeanStrategy(double beta)
    : m_beta(beta)
{
    if (!(beta >= 0.0 && beta < 0.5))
    {
        throw std::invalid_argument("trimmed mean: beta " + std::to_string(beta)
                                    + " is not in [0, 0.5)");
    }
}

std::string
TrimmedMeanStrategy::GetName() const
{
    return "trimmed-mean:" + std::to_string(m_beta);
}

void
TrimmedMeanStrategy::Combine(const std::vector<const ModuleState*>& valid, ModuleState& out) const
{
    const auto trim = static_cast<std::size_t>(std::floor(m_beta * valid.size()));
    PerCoordinate(valid, out,
                  [trim](std::vector<float>& v)
                  {
                      std::sort(v.begin(), v.end());
                      double sum = 0.0;
                      for (std::size_t i = trim; i < v.size() - trim; ++i)
                      {
                          sum += v[i];
                      }
                      return static_cast<float>(sum / static_cast<double>(v.size() - 2 * trim));
                  });
}

std::map<std::string, AggregationResult>
AggregateModules(
    const AggregationStrategy& strategy,
    const std::vector<std::pair<std::string, std::vector<std::shared_ptr<const ModuleState>>>>&
        offers,
    const std::map<std::string, std::shared_ptr<const ModuleState>>* expected)
{
    std::map<std::string, std::vector<Contribution>> byModule;
    for (const auto& [node, modules] : offers)
    {
        for (const auto& m : modules)
        {
            if (m)
            {
                byModule[m->GetModuleId()].push_back({node, m});
            }
        }
    }
    std::map<std::string, AggregationResult> results;
    for (const auto& [id, contributions] : byModule)
    {
        const ModuleState* layout = nullptr;
        if (expected)
        {
            auto it = expected->find(id);
            if (it == expected->end() || !it->second)
            {
                AggregationResult unknown;
                for (const auto& c : contributions)
                {
                    unknown.rejected.push_back({c.from, "unknown module '" + id + "'"});
                }
                results[id] = std::move(unknown);
                continue;
            }
            layout = it->second.get();
        }
        results[id] = strategy.Aggregate(contributions, layout);
    }
    return results;
}

std::unique_ptr<AggregationStrategy>
CreateAggregationStrategy(const std::string& name)
{
    if (name == "fedavg")
    {
        return std::make_unique<FedAvgStrategy>();
    }
    if (name == "median")
    {
        return std::make_unique<CoordinateMedianStrategy>();
    }
    const std::string trimmed = "trimmed-mean:";
    if (name.compare(0, trimmed.size(), trimmed) == 0)
    {
        const std::string value = name.substr(trimmed.size());
        char* end = nullptr;
        const double beta = std::strtod(value.c_str(), &end);
        if (!value.empty() && end == value.c_str() + value.size())
        {
            return std::make_unique<TrimmedMeanStrategy>(beta);
        }
    }
    std::string known;
    for (const auto& n : GetAggregationStrategyNames())
    {
        known += (known.empty() ? "" : ", ") + n;
    }
    throw std::invalid_argument("unknown aggregation strategy '" + name + "' (known: " + known
                                + ")");
}

std::vector<std::string>
GetAggregationStrategyNames()
{
    return {"fedavg", "median", "trimmed-mean:BETA"};
}

} // namespace ns3
