/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_CONSENSUS_STRATEGY_H
#define HFFM_CONSENSUS_STRATEGY_H

#include "ns3/cluster-tree-strategy.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief The strategy of a device's node in a D2D cluster that trains cooperatively by
 * average consensus.
 *
 * The modules of a round come down the cluster's tree as in ClusterTreeStrategy (the reporter, the
 * tree's root, is the fog's child). Then, instead of aggregating up the tree, every member
 * mixes with its D2D neighbours: once its own device has sent its update, it runs Steps
 * consensus steps. In a step it shares its state with every neighbour (one TCP transfer per
 * neighbour, MODULE_SHARE messages carrying the step), waits for theirs (at most StepTimeout)
 * and moves toward them:
 *
 *     y_i <- y_i + StepSize * sum over heard neighbours j of (y_j - y_i)
 *     z_i <- z_i + StepSize * sum over heard neighbours j of (z_j - z_i)
 *
 * per module, where y = samples x module and z = samples (0 for a member that does not hold
 * the module, or whose device sent nothing). A share carries the module y/z with sample
 * weight z. With StepSize below 1 / maximum degree the mixing matrix is doubly stochastic
 * and non-negative, so y/z tends to the cluster's sample-weighted average and z times the
 * cluster size to its total samples. After the last step the reporter sends y/z to the fog
 * with weight z x ClusterSize (0, "nothing new", where z is 0). A neighbour that is not heard
 * from within StepTimeout is left out of that step (mass is then not conserved exactly).
 * Steps are synchronous: a member that is slow to get the round's modules or to train holds
 * its neighbours back. ConsensusDeadline, counted from the arrival of the round's modules,
 * ends the steps where they are: the reporter then reports what it has.
 */
class ConsensusStrategy : public ClusterTreeStrategy
{
  public:
    static TypeId GetTypeId();

    ConsensusStrategy();
    ~ConsensusStrategy() override;

    /**
     * Add a D2D neighbour to mix with.
     * \param id its node index (the sender id of its shares)
     * \param address where its collector listens
     */
    void AddNeighbour(uint32_t id, const Address& address);
    /**
     * Forget every neighbour (before AddNeighbour for a D2D graph rebuilt after members
     * moved).
     * \return false, forgetting nothing, while a consensus is running
     */
    bool ClearNeighbours();
    /// \return true while the steps of a round are exchanged
    bool IsMixing() const;
    /// Set the modules the consensus runs over: every module a member of the cluster holds.
    void SetConsensusModules(const std::vector<std::string>& moduleIds);

    /// \return consensus steps completed, over all rounds
    uint32_t GetStepsDone() const;
    /**
     * The state after the latest step of module \p moduleId: y/z and z (see above).
     * \return null before the first step or for a module outside the consensus
     */
    std::shared_ptr<const ModuleState> GetConsensusState(const std::string& moduleId) const;

    /**
     * TracedCallback signature for a finished consensus step.
     * \param round the round \param step the step \param heard neighbours heard from
     * \param neighbours neighbours
     */
    typedef void (*StepDoneTracedCallback)(uint32_t round, uint32_t step, uint32_t heard,
                                           uint32_t neighbours);

    void Start() override;
    void Stop() override;
    void CollectionDone(const RoundSummary& summary) override;
    void HandlePush(const MessageFields& fields, std::shared_ptr<ModuleState> state) override;
    void HandleShare(const MessageFields& fields, std::shared_ptr<ModuleState> state) override;

  protected:
    void DoDispose() override;
    std::vector<uint32_t> GetRoundParticipants() const override;

  private:
    void BeginStep();
    void FinishStep();
    bool StepComplete() const;
    void Report();
    /// Stop the steps of \p round where they are (ConsensusDeadline), and report.
    void EndConsensus(uint32_t round);
    /// The steps of the round are over: count it, and report if this member is the reporter.
    void Conclude();

    uint32_t m_steps{5};
    double m_stepSize{0.0};
    Time m_stepTimeout;
    Time m_consensusDeadline;
    bool m_reporter{false};
    uint32_t m_clusterSize{1};

    std::map<uint32_t, Address> m_neighbours;
    std::vector<std::string> m_consensusIds;

    // the running consensus
    bool m_active{false};
    uint32_t m_step{0}; //!< the step being exchanged, 1..m_steps
    std::map<std::string, std::shared_ptr<ModuleState>> m_state; //!< y/z, weight z
    /// shares that arrived, per (round, step), per neighbour, per module
    std::map<std::pair<uint32_t, uint32_t>, std::map<uint32_t, ModuleMap>> m_inbox;
    EventId m_stepTimeoutEvent;
    EventId m_consensusDeadlineEvent;

    uint32_t m_stepsDone{0};
    TracedCallback<uint32_t, uint32_t, uint32_t, uint32_t> m_stepDoneTrace;
};

} // namespace ns3

#endif /* HFFM_CONSENSUS_STRATEGY_H */
