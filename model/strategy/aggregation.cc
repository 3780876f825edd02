/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/aggregation.h"

#include "ns3/abort.h"
#include "ns3/double.h"
#include "ns3/dp-aggregation.h"
#include "ns3/log.h"
#include "ns3/object-factory.h"
#include "ns3/robust-aggregation.h"
#include "ns3/server-optimizer-aggregation.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("AggregationRule");

NS_OBJECT_ENSURE_REGISTERED(AggregationRule);
NS_OBJECT_ENSURE_REGISTERED(FedAvgRule);
NS_OBJECT_ENSURE_REGISTERED(MedianRule);
NS_OBJECT_ENSURE_REGISTERED(TrimmedMeanRule);

namespace
{

/// Applies \p reduce to the n values of each coordinate, gathered in a scratch vector.
template <typename Reduce>
void
PerCoordinate(const std::vector<Contribution>& valid, ModuleState& out, Reduce reduce)
{
    std::vector<float> column(valid.size());
    float* o = out.GetData();
    for (std::size_t j = 0; j < out.GetNumel(); ++j)
    {
        for (std::size_t i = 0; i < valid.size(); ++i)
        {
            column[i] = valid[i].state->GetData()[j];
        }
        o[j] = reduce(column);
    }
}

} // namespace

TypeId
AggregationRule::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::AggregationRule").SetParent<Object>().SetGroupName("Hffm");
    return tid;
}

int64_t
AggregationRule::AssignStreams(int64_t /* stream */)
{
    return 0;
}

AggregationResult
AggregationRule::Aggregate(const std::vector<Contribution>& contributions,
                           const ModuleState* expected)
{
    AggregationResult result;
    std::vector<Contribution> valid;
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
        valid.push_back(c);
    }
    if (valid.empty())
    {
        return result;
    }
    auto out = std::make_shared<ModuleState>(layout->GetModuleId(), layout->GetTensors());
    const std::vector<LeftOut> leftOut = Combine(valid, expected, *out);
    std::vector<bool> combined(valid.size(), true);
    for (const auto& l : leftOut)
    {
        NS_ABORT_MSG_IF(l.index >= valid.size() || !combined[l.index],
                        GetName() << ": Combine() left out contribution " << l.index
                                  << " twice or out of range");
        combined[l.index] = false;
        result.rejected.push_back({valid[l.index].from, l.reason});
    }
    double total = 0.0;
    for (std::size_t i = 0; i < valid.size(); ++i)
    {
        if (combined[i])
        {
            total += valid[i].state->GetSampleWeight();
            ++result.used;
        }
    }
    if (result.used == 0)
    {
        return result;
    }
    out->SetSampleWeight(total);
    result.state = std::move(out);
    return result;
}

void
WeightedMean(const std::vector<const ModuleState*>& states, ModuleState& out)
{
    double total = 0.0;
    for (const auto* s : states)
    {
        total += s->GetSampleWeight();
    }
    float* o = out.GetData();
    const std::size_t n = out.GetNumel();
    std::fill(o, o + n, 0.0F);
    for (const auto* s : states)
    {
        const auto a = static_cast<float>(s->GetSampleWeight() / total);
        const float* x = s->GetData();
        for (std::size_t j = 0; j < n; ++j)
        {
            o[j] += a * x[j];
        }
    }
}

TypeId
FedAvgRule::GetTypeId()
{
    static TypeId tid = TypeId("ns3::hffm::FedAvgRule")
                            .SetParent<AggregationRule>()
                            .SetGroupName("Hffm")
                            .AddConstructor<FedAvgRule>();
    return tid;
}

std::string
FedAvgRule::GetName() const
{
    return "fedavg";
}

std::vector<AggregationRule::LeftOut>
FedAvgRule::Combine(const std::vector<Contribution>& valid, const ModuleState* /* current */,
                    ModuleState& out)
{
    std::vector<const ModuleState*> states;
    states.reserve(valid.size());
    for (const auto& c : valid)
    {
        states.push_back(c.state.get());
    }
    WeightedMean(states, out);
    return {};
}

TypeId
MedianRule::GetTypeId()
{
    static TypeId tid = TypeId("ns3::hffm::MedianRule")
                            .SetParent<AggregationRule>()
                            .SetGroupName("Hffm")
                            .AddConstructor<MedianRule>();
    return tid;
}

std::string
MedianRule::GetName() const
{
    return "median";
}

std::vector<AggregationRule::LeftOut>
MedianRule::Combine(const std::vector<Contribution>& valid, const ModuleState* /* current */,
                    ModuleState& out)
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
    return {};
}

TypeId
TrimmedMeanRule::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::TrimmedMeanRule")
              .SetParent<AggregationRule>()
              .SetGroupName("Hffm")
              .AddConstructor<TrimmedMeanRule>()
              .AddAttribute("Beta",
                            "Fraction of the values trimmed from each end of each coordinate, in "
                            "[0, 0.5): floor(Beta n) of n.",
                            DoubleValue(0.2), MakeDoubleAccessor(&TrimmedMeanRule::m_beta),
                            MakeDoubleChecker<double>(0.0, std::nextafter(0.5, 0.0)));
    return tid;
}

std::string
TrimmedMeanRule::GetName() const
{
    return "trimmed-mean:" + std::to_string(m_beta);
}

std::vector<AggregationRule::LeftOut>
TrimmedMeanRule::Combine(const std::vector<Contribution>& valid, const ModuleState* /* current */,
                         ModuleState& out)
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
    return {};
}

std::map<std::string, AggregationResult>
AggregateModules(
    AggregationRule& rule,
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
        results[id] = rule.Aggregate(contributions, layout);
    }
    return results;
}

namespace
{

/// How a parameter in a short name is written.
enum class ParameterKind
{
    REAL,  //!< a finite decimal number, e.g. 0.25
    COUNT, //!< a non-negative integer, e.g. 2
};

/// A parameter of a short name: its placeholder and the attribute it sets.
struct NamedParameter
{
    const char* placeholder; //!< as shown in GetAggregationRuleNames(), e.g. "BETA"
    const char* attribute;   //!< e.g. "Beta"
    ParameterKind kind;
};

/// A short name of CreateAggregationRule() and the rule it makes.
struct NamedRule
{
    const char* name;
    TypeId (*typeId)();
    std::vector<NamedParameter> parameters;
};

const std::vector<NamedRule>&
NamedRules()
{
    static const std::vector<NamedRule> rules = {
        {"fedavg", &FedAvgRule::GetTypeId, {}},
        {"median", &MedianRule::GetTypeId, {}},
        {"trimmed-mean", &TrimmedMeanRule::GetTypeId, {{"BETA", "Beta", ParameterKind::REAL}}},
        {"krum", &KrumRule::GetTypeId, {{"F", "ByzantineCount", ParameterKind::COUNT}}},
        {"multi-krum",
         &MultiKrumRule::GetTypeId,
         {{"F", "ByzantineCount", ParameterKind::COUNT}, {"M", "Keep", ParameterKind::COUNT}}},
        {"fedavgm", &FedAvgMRule::GetTypeId, {}},
        {"fedadam", &FedAdamRule::GetTypeId, {}},
        {"fedyogi", &FedYogiRule::GetTypeId, {}},
        {"fedadagrad", &FedAdagradRule::GetTypeId, {}},
        {"dp-fedavg",
         &DpFedAvgRule::GetTypeId,
         {{"CLIP", "ClipNorm", ParameterKind::REAL},
          {"NOISE", "NoiseMultiplier", ParameterKind::REAL}}},
    };
    return rules;
}

std::vector<std::string>
Split(const std::string& text, char separator)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true)
    {
        const std::size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string::npos)
        {
            return parts;
        }
        start = end + 1;
    }
}

[[noreturn]] void
ThrowUnknown(const std::string& name, const std::string& why)
{
    std::string known;
    for (const auto& n : GetAggregationRuleNames())
    {
        known += (known.empty() ? "" : ", ") + n;
    }
    throw std::invalid_argument("aggregation rule '" + name + "': " + why + " (known: " + known
                                + ")");
}

/// \return the attribute value \p text stands for, or null when it is malformed
Ptr<AttributeValue>
ParseParameter(const std::string& text, ParameterKind kind)
{
    if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])))
    {
        return nullptr;
    }
    if (kind == ParameterKind::COUNT)
    {
        if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        {
            return nullptr;
        }
        errno = 0;
        const unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
        if (errno == ERANGE)
        {
            return nullptr;
        }
        return Create<UintegerValue>(value);
    }
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(value))
    {
        return nullptr;
    }
    return Create<DoubleValue>(value);
}

} // namespace

Ptr<AggregationRule>
CreateAggregationRule(const std::string& name)
{
    const std::vector<std::string> parts = Split(name, ':');
    for (const auto& rule : NamedRules())
    {
        if (parts[0] != rule.name)
        {
            continue;
        }
        std::string shape = rule.name;
        for (const auto& p : rule.parameters)
        {
            shape += std::string(":") + p.placeholder;
        }
        if (parts.size() != rule.parameters.size() + 1)
        {
            ThrowUnknown(name, "expected the form " + shape);
        }
        const TypeId tid = rule.typeId();
        ObjectFactory factory(tid.GetName());
        Ptr<AggregationRule> created = factory.Create<AggregationRule>();
        for (std::size_t i = 0; i < rule.parameters.size(); ++i)
        {
            const NamedParameter& p = rule.parameters[i];
            const std::string& text = parts[i + 1];
            const Ptr<AttributeValue> value = ParseParameter(text, p.kind);
            TypeId::AttributeInformation info;
            NS_ABORT_MSG_UNLESS(tid.LookupAttributeByName(p.attribute, &info),
                                tid.GetName() << " has no attribute " << p.attribute);
            if (!value)
            {
                ThrowUnknown(name, std::string(p.placeholder) + " '" + text + "' is not "
                                       + (p.kind == ParameterKind::COUNT ? "a non-negative integer"
                                                                         : "a finite number")
                                       + " in " + shape + " (" + p.attribute + ": " + info.help
                                       + ")");
            }
            if (!created->SetAttributeFailSafe(p.attribute, *value))
            {
                ThrowUnknown(name, std::string(p.placeholder) + " '" + text
                                       + "' is out of range in " + shape + " (" + p.attribute + ": "
                                       + info.help + ")");
            }
        }
        NS_LOG_INFO("created aggregation rule " << created->GetName() << " from '" << name << "'");
        return created;
    }
    ThrowUnknown(name, "unknown name");
}

std::vector<std::string>
GetAggregationRuleNames()
{
    std::vector<std::string> names;
    for (const auto& rule : NamedRules())
    {
        std::string shown = rule.name;
        for (const auto& p : rule.parameters)
        {
            shown += std::string(":") + p.placeholder;
        }
        names.push_back(shown);
    }
    return names;
}

} // namespace ns3
