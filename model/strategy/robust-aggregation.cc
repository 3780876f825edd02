/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/robust-aggregation.h"

#include "ns3/log.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <numeric>
#include <sstream>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("RobustAggregation");

NS_OBJECT_ENSURE_REGISTERED(KrumRule);
NS_OBJECT_ENSURE_REGISTERED(MultiKrumRule);

namespace
{

/**
 * Krum scores: for each contribution, the sum of the squared L2 distances to its
 * max(1, n-F-2) nearest others (at most n-1 of them).
 */
std::vector<double>
KrumScores(const std::vector<Contribution>& valid, uint32_t byzantine, const std::string& rule)
{
    const std::size_t n = valid.size();
    const std::size_t numel = valid[0].state->GetNumel();
    std::vector<std::vector<double>> distance(n, std::vector<double>(n, 0.0));
    for (std::size_t a = 0; a < n; ++a)
    {
        const float* x = valid[a].state->GetData();
        for (std::size_t b = a + 1; b < n; ++b)
        {
            const float* y = valid[b].state->GetData();
            double sum = 0.0;
            for (std::size_t j = 0; j < numel; ++j)
            {
                const double d = static_cast<double>(x[j]) - static_cast<double>(y[j]);
                sum += d * d;
            }
            distance[a][b] = sum;
            distance[b][a] = sum;
        }
    }
    const auto f = static_cast<std::size_t>(byzantine);
    const std::size_t nearest = std::min(n > f + 2 ? n - f - 2 : 1, n - 1);
    if (n <= 2 * f + 2)
    {
        NS_LOG_WARN(rule << ": " << n << " contributions to " << valid[0].state->GetModuleId()
                         << " are too few for F = " << f
                         << " (Krum's guarantee needs n > 2F+2); scoring over the " << nearest
                         << " nearest");
    }
    std::vector<double> scores(n, 0.0);
    for (std::size_t a = 0; a < n; ++a)
    {
        std::vector<double> others;
        others.reserve(n - 1);
        for (std::size_t b = 0; b < n; ++b)
        {
            if (b != a)
            {
                others.push_back(distance[a][b]);
            }
        }
        std::sort(others.begin(), others.end());
        scores[a] = std::accumulate(others.begin(), others.begin() + nearest, 0.0);
    }
    return scores;
}

/// \return the indices of \p scores from lowest to highest score, ties in index order
std::vector<std::size_t>
Ranking(const std::vector<double>& scores)
{
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&scores](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
    return order;
}

std::string
NotSelected(const std::string& rule, double score)
{
    std::ostringstream reason;
    reason << "not selected by " << rule << " (score " << score << ")";
    return reason.str();
}

} // namespace

TypeId
KrumRule::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::KrumRule")
              .SetParent<AggregationRule>()
              .SetGroupName("Hffm")
              .AddConstructor<KrumRule>()
              .AddAttribute("ByzantineCount",
                            "F: how many contributions may be Byzantine; each "
                            "score sums the distances to the n-F-2 nearest others.",
                            UintegerValue(0), MakeUintegerAccessor(&KrumRule::m_byzantine),
                            MakeUintegerChecker<uint32_t>());
    return tid;
}

std::string
KrumRule::GetName() const
{
    return "krum:" + std::to_string(m_byzantine);
}

std::vector<AggregationRule::LeftOut>
KrumRule::Combine(const std::vector<Contribution>& valid, const ModuleState* /* current */,
                  ModuleState& out)
{
    const std::vector<double> scores = KrumScores(valid, m_byzantine, GetName());
    const std::size_t best = Ranking(scores).front();
    const ModuleState& chosen = *valid[best].state;
    std::copy(chosen.GetData(), chosen.GetData() + chosen.GetNumel(), out.GetData());
    std::vector<LeftOut> leftOut;
    for (std::size_t i = 0; i < valid.size(); ++i)
    {
        if (i != best)
        {
            leftOut.push_back({i, NotSelected("krum", scores[i])});
        }
    }
    NS_LOG_DEBUG(GetName() << ": " << out.GetModuleId() << " from " << valid[best].from
                           << " (score " << scores[best] << ")");
    return leftOut;
}

TypeId
MultiKrumRule::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::MultiKrumRule")
              .SetParent<AggregationRule>()
              .SetGroupName("Hffm")
              .AddConstructor<MultiKrumRule>()
              .AddAttribute("ByzantineCount",
                            "F: how many contributions may be Byzantine; each score sums the "
                            "distances to the n-F-2 nearest others.",
                            UintegerValue(0), MakeUintegerAccessor(&MultiKrumRule::m_byzantine),
                            MakeUintegerChecker<uint32_t>())
              .AddAttribute("Keep",
                            "M: how many contributions with the lowest scores are averaged "
                            "(at least 1; 1 is Krum).",
                            UintegerValue(1), MakeUintegerAccessor(&MultiKrumRule::m_keep),
                            MakeUintegerChecker<uint32_t>(1));
    return tid;
}

std::string
MultiKrumRule::GetName() const
{
    return "multi-krum:" + std::to_string(m_byzantine) + ":" + std::to_string(m_keep);
}

std::vector<AggregationRule::LeftOut>
MultiKrumRule::Combine(const std::vector<Contribution>& valid, const ModuleState* /* current */,
                       ModuleState& out)
{
    const std::vector<double> scores = KrumScores(valid, m_byzantine, GetName());
    const std::vector<std::size_t> ranking = Ranking(scores);
    const std::size_t keep = std::min<std::size_t>(m_keep, valid.size());
    std::vector<bool> kept(valid.size(), false);
    for (std::size_t r = 0; r < keep; ++r)
    {
        kept[ranking[r]] = true;
    }
    std::vector<const ModuleState*> states;
    std::vector<LeftOut> leftOut;
    for (std::size_t i = 0; i < valid.size(); ++i)
    {
        if (kept[i])
        {
            states.push_back(valid[i].state.get());
        }
        else
        {
            leftOut.push_back({i, NotSelected("multi-krum", scores[i])});
        }
    }
    WeightedMean(states, out);
    return leftOut;
}

} // namespace ns3
