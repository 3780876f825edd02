/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/round-strategy.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/string.h"

#include <stdexcept>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("RoundStrategy");

NS_OBJECT_ENSURE_REGISTERED(RoundStrategy);

TypeId
RoundStrategy::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::RoundStrategy")
              .SetParent<Object>()
              .SetGroupName("Hffm")
              .AddAttribute("Aggregation",
                            "How the versions of a module are combined (an AggregationRule by "
                            "name: fedavg, median, trimmed-mean:BETA, krum:F, ...; "
                            "GetAggregationRuleNames() lists them).",
                            StringValue("fedavg"),
                            MakeStringAccessor(&RoundStrategy::SetAggregationName,
                                               &RoundStrategy::GetAggregationName),
                            MakeStringChecker());
    return tid;
}

RoundStrategy::RoundStrategy()
    : m_rule(CreateAggregationRule("fedavg"))
{
    NS_LOG_FUNCTION(this);
}

RoundStrategy::~RoundStrategy()
{
    NS_LOG_FUNCTION(this);
}

void
RoundStrategy::DoDispose()
{
    m_app = nullptr;
    m_rule = nullptr;
    Object::DoDispose();
}

void
RoundStrategy::SetCollector(CollectorApp* app)
{
    m_app = app;
}

CollectorApp&
RoundStrategy::GetCollector() const
{
    NS_ABORT_MSG_IF(!m_app, "RoundStrategy: not attached to a CollectorApp");
    return *m_app;
}

void
RoundStrategy::Start()
{
}

void
RoundStrategy::Stop()
{
}

void
RoundStrategy::UpdateArriving(const MessageFields& /* fields */)
{
}

void
RoundStrategy::HandlePush(const MessageFields& fields, std::shared_ptr<ModuleState> /* state */)
{
    GetCollector().Reject(fields.sender, "unexpected-type", "no parent pushes to this node");
}

void
RoundStrategy::HandleShare(const MessageFields& fields, std::shared_ptr<ModuleState> /* state */)
{
    GetCollector().Reject(fields.sender, "unexpected-type",
                          "this node takes part in no D2D consensus");
}

AggregationRule&
RoundStrategy::GetAggregationRule()
{
    return *m_rule;
}

void
RoundStrategy::SetAggregationRule(Ptr<AggregationRule> rule)
{
    NS_ABORT_MSG_IF(!rule, "RoundStrategy: no aggregation rule");
    m_rule = rule;
}

int64_t
RoundStrategy::AssignStreams(int64_t stream)
{
    return m_rule->AssignStreams(stream);
}

void
RoundStrategy::SetAggregationName(std::string name)
{
    try
    {
        m_rule = CreateAggregationRule(name);
    }
    catch (const std::invalid_argument& e)
    {
        NS_ABORT_MSG("RoundStrategy: Aggregation '" << name << "': " << e.what());
    }
}

std::string
RoundStrategy::GetAggregationName() const
{
    return m_rule->GetName();
}

} // namespace ns3
