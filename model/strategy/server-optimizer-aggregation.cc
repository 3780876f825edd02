/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/server-optimizer-aggregation.h"

#include "ns3/double.h"
#include "ns3/log.h"

#include <cmath>
#include <limits>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ServerOptimizerAggregation");

NS_OBJECT_ENSURE_REGISTERED(FedAvgMRule);
NS_OBJECT_ENSURE_REGISTERED(FedOptRule);
NS_OBJECT_ENSURE_REGISTERED(FedAdamRule);
NS_OBJECT_ENSURE_REGISTERED(FedYogiRule);
NS_OBJECT_ENSURE_REGISTERED(FedAdagradRule);

namespace
{

/// The FedAvg of the valid contributions into \p out.
void
FedAvgInto(const std::vector<Contribution>& valid, ModuleState& out)
{
    std::vector<const ModuleState*> states;
    states.reserve(valid.size());
    for (const auto& c : valid)
    {
        states.push_back(c.state.get());
    }
    WeightedMean(states, out);
}

/// Checker of a decay factor in [0, 1).
Ptr<const AttributeChecker>
MakeDecayChecker()
{
    return MakeDoubleChecker<double>(0.0, std::nextafter(1.0, 0.0));
}

/// Checker of a strictly positive number.
Ptr<const AttributeChecker>
MakePositiveChecker()
{
    return MakeDoubleChecker<double>(std::numeric_limits<double>::min());
}

} // namespace

// ---- FedAvgM ----

TypeId
FedAvgMRule::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::FedAvgMRule")
              .SetParent<AggregationRule>()
              .SetGroupName("Hffm")
              .AddConstructor<FedAvgMRule>()
              .AddAttribute("ServerLearningRate",
                            "Server learning rate: the aggregate is x - rate * (pseudo-gradient "
                            "or momentum vector).",
                            DoubleValue(1.0), MakeDoubleAccessor(&FedAvgMRule::m_learningRate),
                            MakeDoubleChecker<double>(0.0))
              .AddAttribute("Momentum", "Server momentum factor (0: no momentum vector is kept).",
                            DoubleValue(0.0), MakeDoubleAccessor(&FedAvgMRule::m_momentum),
                            MakeDoubleChecker<double>(0.0));
    return tid;
}

std::string
FedAvgMRule::GetName() const
{
    return "fedavgm";
}

void
FedAvgMRule::DoDispose()
{
    m_velocity.clear();
    AggregationRule::DoDispose();
}

std::vector<AggregationRule::LeftOut>
FedAvgMRule::Combine(const std::vector<Contribution>& valid, const ModuleState* current,
                     ModuleState& out)
{
    FedAvgInto(valid, out);
    if (!current)
    {
        NS_LOG_DEBUG(GetName() << ": no current " << out.GetModuleId() << ": FedAvg");
        return {};
    }
    if (m_learningRate == 1.0 && m_momentum == 0.0)
    {
        return {}; // no server step, as Flower's FedAvgM: FedAvg's aggregate
    }
    const std::size_t n = out.GetNumel();
    const float* x = current->GetData();
    float* o = out.GetData();
    std::vector<double>* velocity = nullptr;
    bool first = false;
    if (m_momentum > 0.0)
    {
        auto [it, inserted] = m_velocity.try_emplace(out.GetModuleId());
        first = inserted || it->second.size() != n;
        if (first)
        {
            it->second.assign(n, 0.0);
        }
        velocity = &it->second;
    }
    for (std::size_t j = 0; j < n; ++j)
    {
        double g = static_cast<double>(x[j]) - static_cast<double>(o[j]);
        if (velocity)
        {
            double& v = (*velocity)[j];
            v = first ? g : m_momentum * v + g;
            g = v;
        }
        o[j] = static_cast<float>(static_cast<double>(x[j]) - m_learningRate * g);
    }
    return {};
}

// ---- FedOpt ----

TypeId
FedOptRule::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::FedOptRule").SetParent<AggregationRule>().SetGroupName("Hffm");
    return tid;
}

void
FedOptRule::DoDispose()
{
    m_moments.clear();
    AggregationRule::DoDispose();
}

double
FedOptRule::GetStepSize(uint64_t /* step */) const
{
    return m_eta;
}

std::vector<AggregationRule::LeftOut>
FedOptRule::Combine(const std::vector<Contribution>& valid, const ModuleState* current,
                    ModuleState& out)
{
    FedAvgInto(valid, out);
    if (!current)
    {
        NS_LOG_DEBUG(GetName() << ": no current " << out.GetModuleId() << ": FedAvg");
        return {};
    }
    const std::size_t n = out.GetNumel();
    Moments& s = m_moments[out.GetModuleId()];
    if (s.m.size() != n)
    {
        s.m.assign(n, 0.0);
        s.v.assign(n, 0.0);
        s.step = 0;
    }
    ++s.step;
    const double eta = GetStepSize(s.step);
    const float* x = current->GetData();
    float* o = out.GetData();
    for (std::size_t j = 0; j < n; ++j)
    {
        const double delta = static_cast<double>(o[j]) - static_cast<double>(x[j]);
        s.m[j] = m_beta1 * s.m[j] + (1.0 - m_beta1) * delta;
        s.v[j] = UpdateSecondMoment(s.v[j], delta * delta);
        o[j] = static_cast<float>(static_cast<double>(x[j])
                                  + eta * s.m[j] / (std::sqrt(s.v[j]) + m_tau));
    }
    return {};
}

// ---- FedAdam ----

TypeId
FedAdamRule::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::FedAdamRule")
              .SetParent<FedOptRule>()
              .SetGroupName("Hffm")
              .AddConstructor<FedAdamRule>()
              .AddAttribute("Eta", "Server learning rate (before bias correction).",
                            DoubleValue(0.1), MakeDoubleAccessor(&FedAdamRule::m_eta),
                            MakeDoubleChecker<double>(0.0))
              .AddAttribute("Beta1", "First-moment (momentum) decay, in [0, 1).", DoubleValue(0.9),
                            MakeDoubleAccessor(&FedAdamRule::m_beta1), MakeDecayChecker())
              .AddAttribute("Beta2", "Second-moment decay, in [0, 1).", DoubleValue(0.99),
                            MakeDoubleAccessor(&FedAdamRule::m_beta2), MakeDecayChecker())
              .AddAttribute("Tau", "Degree of adaptivity: added to sqrt(v); positive.",
                            DoubleValue(1e-3), MakeDoubleAccessor(&FedAdamRule::m_tau),
                            MakePositiveChecker());
    return tid;
}

FedAdamRule::FedAdamRule()
{
    m_eta = 0.1;
    m_beta1 = 0.9;
    m_beta2 = 0.99;
    m_tau = 1e-3;
}

std::string
FedAdamRule::GetName() const
{
    return "fedadam";
}

double
FedAdamRule::UpdateSecondMoment(double v, double deltaSquared) const
{
    return m_beta2 * v + (1.0 - m_beta2) * deltaSquared;
}

double
FedAdamRule::GetStepSize(uint64_t step) const
{
    const double t = static_cast<double>(step) + 1.0;
    return m_eta * std::sqrt(1.0 - std::pow(m_beta2, t)) / (1.0 - std::pow(m_beta1, t));
}

// ---- FedYogi ----

TypeId
FedYogiRule::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::FedYogiRule")
              .SetParent<FedOptRule>()
              .SetGroupName("Hffm")
              .AddConstructor<FedYogiRule>()
              .AddAttribute("Eta", "Server learning rate.", DoubleValue(1e-2),
                            MakeDoubleAccessor(&FedYogiRule::m_eta), MakeDoubleChecker<double>(0.0))
              .AddAttribute("Beta1", "First-moment (momentum) decay, in [0, 1).", DoubleValue(0.9),
                            MakeDoubleAccessor(&FedYogiRule::m_beta1), MakeDecayChecker())
              .AddAttribute("Beta2", "Second-moment decay, in [0, 1).", DoubleValue(0.99),
                            MakeDoubleAccessor(&FedYogiRule::m_beta2), MakeDecayChecker())
              .AddAttribute("Tau", "Degree of adaptivity: added to sqrt(v); positive.",
                            DoubleValue(1e-3), MakeDoubleAccessor(&FedYogiRule::m_tau),
                            MakePositiveChecker());
    return tid;
}

FedYogiRule::FedYogiRule()
{
    m_eta = 1e-2;
    m_beta1 = 0.9;
    m_beta2 = 0.99;
    m_tau = 1e-3;
}

std::string
FedYogiRule::GetName() const
{
    return "fedyogi";
}

double
FedYogiRule::UpdateSecondMoment(double v, double deltaSquared) const
{
    const double d = v - deltaSquared;
    const double sign = d > 0.0 ? 1.0 : (d < 0.0 ? -1.0 : 0.0);
    return v - (1.0 - m_beta2) * deltaSquared * sign;
}

// ---- FedAdagrad ----

TypeId
FedAdagradRule::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::FedAdagradRule")
              .SetParent<FedOptRule>()
              .SetGroupName("Hffm")
              .AddConstructor<FedAdagradRule>()
              .AddAttribute("Eta", "Server learning rate.", DoubleValue(0.1),
                            MakeDoubleAccessor(&FedAdagradRule::m_eta),
                            MakeDoubleChecker<double>(0.0))
              .AddAttribute("Tau", "Degree of adaptivity: added to sqrt(v); positive.",
                            DoubleValue(1e-3), MakeDoubleAccessor(&FedAdagradRule::m_tau),
                            MakePositiveChecker());
    return tid;
}

FedAdagradRule::FedAdagradRule()
{
    m_eta = 0.1;
    m_beta1 = 0.0;
    m_beta2 = 0.0;
    m_tau = 1e-3;
}

std::string
FedAdagradRule::GetName() const
{
    return "fedadagrad";
}

double
FedAdagradRule::UpdateSecondMoment(double v, double deltaSquared) const
{
    return v + deltaSquared;
}

} // namespace ns3
