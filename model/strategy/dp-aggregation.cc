/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/dp-aggregation.h"

#include "ns3/double.h"
#include "ns3/log.h"

#include <cmath>
#include <limits>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("DpAggregation");

NS_OBJECT_ENSURE_REGISTERED(DpFedAvgRule);

TypeId
DpFedAvgRule::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::DpFedAvgRule")
              .SetParent<AggregationRule>()
              .SetGroupName("Hffm")
              .AddConstructor<DpFedAvgRule>()
              .AddAttribute("ClipNorm",
                            "L2 norm each contribution's update (contribution minus the current "
                            "module) is clipped to, per module; positive.",
                            DoubleValue(1.0), MakeDoubleAccessor(&DpFedAvgRule::m_clipNorm),
                            MakeDoubleChecker<double>(std::numeric_limits<double>::min()))
              .AddAttribute("NoiseMultiplier",
                            "Gaussian noise std relative to ClipNorm / (number of "
                            "contributions); non-negative.",
                            DoubleValue(1.0), MakeDoubleAccessor(&DpFedAvgRule::m_noiseMultiplier),
                            MakeDoubleChecker<double>(0.0));
    return tid;
}

DpFedAvgRule::DpFedAvgRule()
    : m_noise(CreateObject<NormalRandomVariable>())
{
    m_noise->SetAttribute("Mean", DoubleValue(0.0));
    m_noise->SetAttribute("Variance", DoubleValue(1.0));
}

std::string
DpFedAvgRule::GetName() const
{
    return "dp-fedavg:" + std::to_string(m_clipNorm) + ":" + std::to_string(m_noiseMultiplier);
}

int64_t
DpFedAvgRule::AssignStreams(int64_t stream)
{
    m_noise->SetStream(stream);
    return 1;
}

void
DpFedAvgRule::DoDispose()
{
    m_noise = nullptr;
    AggregationRule::DoDispose();
}

std::vector<AggregationRule::LeftOut>
DpFedAvgRule::Combine(const std::vector<Contribution>& valid, const ModuleState* current,
                      ModuleState& out)
{
    if (!current)
    {
        std::vector<LeftOut> all;
        for (std::size_t i = 0; i < valid.size(); ++i)
        {
            all.push_back({i, "dp-fedavg needs the current module to clip updates against"});
        }
        return all;
    }
    const std::size_t numel = out.GetNumel();
    const float* x = current->GetData();
    std::vector<double> sum(numel, 0.0);
    std::vector<double> update(numel);
    for (const auto& c : valid)
    {
        const float* y = c.state->GetData();
        double squared = 0.0;
        for (std::size_t j = 0; j < numel; ++j)
        {
            update[j] = static_cast<double>(y[j]) - static_cast<double>(x[j]);
            squared += update[j] * update[j];
        }
        const double norm = std::sqrt(squared);
        const double scale = norm > m_clipNorm ? m_clipNorm / norm : 1.0;
        NS_LOG_DEBUG(GetName() << ": " << out.GetModuleId() << " from " << c.from
                               << ": update norm " << norm << ", scaled by " << scale);
        for (std::size_t j = 0; j < numel; ++j)
        {
            sum[j] += scale * update[j];
        }
    }
    const auto n = static_cast<double>(valid.size());
    const double sigma = m_noiseMultiplier * m_clipNorm / n;
    float* o = out.GetData();
    for (std::size_t j = 0; j < numel; ++j)
    {
        double value = static_cast<double>(x[j]) + sum[j] / n;
        if (sigma > 0.0)
        {
            value += sigma * m_noise->GetValue();
        }
        o[j] = static_cast<float>(value);
    }
    return {};
}

} // namespace ns3
