/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_EDGE_ROUND_STRATEGY_H
#define HFFM_EDGE_ROUND_STRATEGY_H

#include "ns3/random-variable-stream.h"
#include "ns3/round-strategy.h"

#include <map>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief The strategy of a fog (edge) server: edge rounds over its devices and, every
 * GlobalEvery edge rounds, a synchronisation with the cloud (its collector's Parent).
 *
 * An edge round: choose the participants (SelectParticipants(): a Participation fraction of
 * the devices, at least one), push to each the modules it holds (its modalities' encoders,
 * its tasks' prompts and heads, the shared trainable modules), collect and aggregate their
 * updates module-wise. Then, if the collector has a Parent and IsSyncDue() (GlobalEvery
 * divides the round number), send each aggregated module to the cloud with the sample
 * weight of its latest edge aggregate since the last synchronisation (0 if none: "nothing
 * new"), wait for the cloud's global modules (at most ParentDeadline) and start the next
 * round from them; otherwise start the next round at once. After Rounds edge rounds the fog
 * stops and fires Finished.
 *
 * The cloud closes a global round up to its own RoundDeadline after the first fog's update
 * arrived, and only then pushes: when a fog is missing, a fog that waited no longer than that
 * would give up just before the global modules come. ParentDeadline is therefore longer:
 * twice RoundDeadline unless set (FederatedHelper sets the cloud's RoundDeadline plus the
 * fog's).
 *
 * A fog the cloud went on without (its update came after the cloud's deadline, its link was
 * down) may get the global modules of a newer cloud round while it waits for those of its
 * own: it takes them, and skips to that round (GetRoundsSkipped(); RoundComplete and
 * GlobalSync report that round), so that its next update is for the round the other fogs are
 * in and the cloud counts it again. Pushes of older rounds are rejected (stale-round).
 *
 * The methods: with GlobalEvery K it is hier-K; with GlobalEvery 0 (or no Parent) edge-only;
 * on the cloud node, with every device as a child and no parent, it is the server of the
 * star baseline (plain FedAvg, no fog tier).
 */
class EdgeRoundStrategy : public RoundStrategy
{
  public:
    static TypeId GetTypeId();

    EdgeRoundStrategy();
    ~EdgeRoundStrategy() override;

    /// \return edge rounds completed
    uint32_t GetRoundsDone() const;
    /// \return global synchronisations completed (cloud modules received)
    uint32_t GetGlobalSyncs() const;
    /// \return synchronisations given up at ParentDeadline (the fog went on with its own)
    uint32_t GetParentTimeouts() const;
    /// \return edge rounds skipped to take a newer global round (see the class description)
    uint32_t GetRoundsSkipped() const;

    int64_t AssignStreams(int64_t stream) override;

    void Start() override;
    void Stop() override;
    void CollectionDone(const RoundSummary& summary) override;
    void HandlePush(const MessageFields& fields, std::shared_ptr<ModuleState> state) override;

    /**
     * TracedCallback signature for a completed edge round: aggregated and, where due,
     * synchronised with the cloud; the next round starts now.
     * \param round the edge round
     */
    typedef void (*RoundCompleteTracedCallback)(uint32_t round);

    /**
     * TracedCallback signature for a global synchronisation.
     * \param round the edge round after which it happened
     */
    typedef void (*GlobalSyncTracedCallback)(uint32_t round);

  protected:
    void DoDispose() override;

    /**
     * The participants of edge round \p round: a uniform draw of a Participation fraction
     * of \p children (at least one), in id order.
     */
    virtual std::vector<uint32_t> SelectParticipants(uint32_t round,
                                                     std::vector<uint32_t> children);
    /**
     * Whether the fog synchronises with the cloud after the round just aggregated (called
     * only when the collector has a Parent): every GlobalEvery rounds.
     */
    virtual bool IsSyncDue(const RoundSummary& summary);
    /// Called when the cloud's modules have replaced the fog's (a synchronisation).
    virtual void GlobalModulesTaken();

  private:
    void BeginRound(uint32_t round);
    void NextRound();
    void SendToParent(uint32_t round);
    void ParentTimeout();

    uint32_t m_rounds{10};
    uint32_t m_globalEvery{0};
    double m_participation{1.0};
    Time m_parentDeadline;
    Ptr<UniformRandomVariable> m_random;

    uint32_t m_round{0};
    uint32_t m_roundsDone{0};
    uint32_t m_globalSyncs{0};
    uint32_t m_parentTimeouts{0};
    uint32_t m_roundsSkipped{0};
    uint32_t m_parentRound{0}; //!< the cloud round whose modules are awaited
    std::map<std::string, double> m_weightsSinceSync;
    bool m_awaitingParent{false};
    EventId m_parentTimeout;

    TracedCallback<uint32_t> m_roundCompleteTrace;
    TracedCallback<uint32_t> m_globalSyncTrace;
    TracedCallback<> m_finishedTrace;
};

} // namespace ns3

#endif /* HFFM_EDGE_ROUND_STRATEGY_H */
