/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_ROUND_STRATEGY_H
#define HFFM_ROUND_STRATEGY_H

#include "ns3/aggregation.h"
#include "ns3/collector-app.h"
#include "ns3/message-format.h"
#include "ns3/object.h"

#include <memory>
#include <string>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief The round policy of one aggregating node: every decision its CollectorApp leaves
 * to it.
 *
 * A strategy is chosen by TypeId and configured by Attributes (FederatedHelper's
 * SetFogStrategy, SetCloudStrategy, ..., or the CollectorApp's Strategy attribute), like a
 * scheduler of ns-3's LTE module. Its collector calls it:
 *
 * - Start() when the application starts, Stop() when it stops: a strategy that opens
 *   rounds by itself (a fog) begins its first here;
 * - UpdateArriving() for every update before it is checked (the cloud opens a round when
 *   the first update of a new one comes);
 * - CollectionDone() when a collection round has been aggregated: send up, go on, wait for
 *   the parent;
 * - HandlePush() for a module a parent pushed, HandleShare() for a neighbour's share (D2D
 *   consensus); by default both are rejected (unexpected-type).
 *
 * How the arrived versions of each module are combined is its AggregationRule (the
 * Aggregation attribute: fedavg, median, trimmed-mean:BETA, ...). The strategy acts through
 * its collector's services (BeginCollection, PushToChild, SendUp, AcceptParentModule, ...).
 *
 * To write a strategy: derive from RoundStrategy (or from a built-in one, overriding the
 * decision it exposes, as AdaptiveSyncStrategy does with EdgeRoundStrategy::IsSyncDue), give
 * it a TypeId, and select it by that TypeId; the collector does not change.
 */
class RoundStrategy : public Object
{
  public:
    static TypeId GetTypeId();

    RoundStrategy();
    ~RoundStrategy() override;

    /// Attach to \p app (CollectorApp::SetStrategy does it).
    void SetCollector(CollectorApp* app);

    /// The application starts (its receiver listens).
    virtual void Start();
    /// The application stops.
    virtual void Stop();
    /// An update arrives, before the collector checks it.
    virtual void UpdateArriving(const MessageFields& fields);
    /// A collection round has been aggregated.
    virtual void CollectionDone(const RoundSummary& summary) = 0;
    /// A parent pushed a module; the default rejects it.
    virtual void HandlePush(const MessageFields& fields, std::shared_ptr<ModuleState> state);
    /// A neighbour shared a module (D2D consensus); the default rejects it.
    virtual void HandleShare(const MessageFields& fields, std::shared_ptr<ModuleState> state);

    /// \return how modules are combined
    AggregationRule& GetAggregationRule();
    /// Set how modules are combined (the Aggregation attribute sets it by name).
    void SetAggregationRule(Ptr<AggregationRule> rule);

    /**
     * Assign fixed random stream numbers to the strategy's draws and its rule's.
     * \return the number of streams used
     */
    virtual int64_t AssignStreams(int64_t stream);

  protected:
    void DoDispose() override;
    /// \return the collector (valid between SetCollector and DoDispose)
    CollectorApp& GetCollector() const;

  private:
    void SetAggregationName(std::string name);
    std::string GetAggregationName() const;

    CollectorApp* m_app{nullptr}; //!< the collector owns the strategy
    Ptr<AggregationRule> m_rule;
};

} // namespace ns3

#endif /* HFFM_ROUND_STRATEGY_H */
