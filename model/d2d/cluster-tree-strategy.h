/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_CLUSTER_TREE_STRATEGY_H
#define HFFM_CLUSTER_TREE_STRATEGY_H

#include "ns3/callback.h"
#include "ns3/round-strategy.h"

#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief The strategy of a device's node in a D2D cluster tree: localized cooperative
 * training.
 *
 * Every device of a D2D cluster runs a CollectorApp with this strategy beside its DeviceApp
 * (its child over loopback). The cluster head (the tree's root) has the fog as its
 * collector's Parent; every other member has its next hop towards the head. A push from the
 * parent (the modules of a round) is stored and forwarded down to the children — store and
 * forward at the application level, one real TCP transfer per hop — each child getting what
 * its subtree holds. Then the updates of the children are collected (RoundDeadline),
 * aggregated module-wise, and one contribution per module goes up to the parent, weighted by
 * the samples behind it, so that the fog's FedAvg over clusters equals its FedAvg over the
 * devices themselves.
 *
 * If that contribution cannot reach the parent at all (the connection fails, or is not made
 * within ConnectTimeout, before a message is handed to TCP: the relay has gone), it goes to
 * Fallback instead, when set: the fog, which takes it as an optional child's
 * (CollectorApp::AddOptionalChild), so the subtree still counts in the round.
 */
class ClusterTreeStrategy : public RoundStrategy
{
  public:
    static TypeId GetTypeId();

    ClusterTreeStrategy();
    ~ClusterTreeStrategy() override;

    /// \return rounds aggregated and sent up
    uint32_t GetRoundsDone() const;
    /// \return rounds whose contribution went to Fallback
    uint32_t GetFallbacks() const;
    /**
     * Call \p callback with the round when the first module of a new round arrives from the
     * parent, before it is taken (D2dClusterTree::Refresh: the tree is rebuilt there, and
     * each member takes its part of it, before the round travels down it).
     */
    void SetForwardCallback(Callback<void, uint32_t> callback);

    void HandlePush(const MessageFields& fields, std::shared_ptr<ModuleState> state) override;
    void CollectionDone(const RoundSummary& summary) override;

  protected:
    void DoDispose() override;
    /// \return whose updates a round collects: the own device and the tree children
    virtual std::vector<uint32_t> GetRoundParticipants() const;
    /// \return the round of the modules pushed last (0 before the first)
    uint32_t GetPushedRound() const;

    uint32_t m_lastRound{0}; //!< the latest round collected
    uint32_t m_roundsDone{0};

  private:
    Address m_fallback;
    Time m_connectTimeout;
    uint32_t m_fallbacks{0};
    uint32_t m_pushedRound{0};   //!< the latest round whose modules came from the parent
    uint32_t m_arrivingRound{0}; //!< the latest round of which a module came from the parent
    Callback<void, uint32_t> m_forwardCallback;
};

} // namespace ns3

#endif /* HFFM_CLUSTER_TREE_STRATEGY_H */
