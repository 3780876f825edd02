/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_FOG_APP_H
#define HFFM_FOG_APP_H

#include "ns3/aggregator-app.h"
#include "ns3/random-variable-stream.h"

namespace ns3
{

/**
 * \ingroup hffm
 * \brief A fog (edge) server: runs edge rounds over its devices and, every GlobalEvery edge
 * rounds, synchronises with the cloud.
 *
 * An edge round: choose the participants (a Participation fraction of the devices, at least
 * one), push to each the modules it holds (its modalities' encoders, its tasks' prompts and
 * heads, the shared trainable modules), collect and aggregate their updates module-wise
 * (AggregatorApp). Then, if a Parent is set and GlobalEvery divides the round number, send
 * each aggregated module to the cloud with the sample weight of its latest edge aggregate
 * since the last synchronisation (0 if none: "nothing new"), wait for the cloud's global
 * modules (at most ParentDeadline) and start the next round from them; otherwise start the
 * next round at once. After Rounds edge rounds the fog stops and fires Finished.
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
 * Installed on the cloud node with every device as a child and no parent, the same class is
 * the server of the star baseline (plain FedAvg, no fog tier).
 */
class FogApp : public AggregatorApp
{
  public:
    static TypeId GetTypeId();

    FogApp();
    ~FogApp() override;

    /// \return edge rounds completed
    uint32_t GetRoundsDone() const;
    /// \return global synchronisations completed (cloud modules received)
    uint32_t GetGlobalSyncs() const;
    /// \return synchronisations given up at ParentDeadline (the fog went on with its own)
    uint32_t GetParentTimeouts() const;
    /// \return edge rounds skipped to take a newer global round (see the class description)
    uint32_t GetRoundsSkipped() const;
    /// \return bytes (headers and payloads) handed to TCP towards the cloud
    uint64_t GetBytesSentUp() const;

    /**
     * Assign a fixed random stream number to the participation draw.
     * \return the number of streams used (1)
     */
    int64_t AssignStreams(int64_t stream);

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
    void StartApplication() override;
    void StopApplication() override;
    void CollectionDone(const RoundSummary& summary) override;
    void HandlePush(const MessageFields& fields, std::shared_ptr<ModuleState> state) override;

  private:
    void BeginRound(uint32_t round);
    void NextRound();
    void SendToParent(uint32_t round);
    void ParentTimeout();

    uint32_t m_rounds{10};
    uint32_t m_globalEvery{0};
    double m_participation{1.0};
    Address m_parent;
    Time m_parentDeadline;
    uint32_t m_fogId{0};
    Ptr<UniformRandomVariable> m_random;

    uint32_t m_round{0};
    uint32_t m_roundsDone{0};
    uint32_t m_globalSyncs{0};
    uint32_t m_parentTimeouts{0};
    uint32_t m_roundsSkipped{0};
    uint32_t m_parentRound{0}; //!< the cloud round whose modules are awaited
    uint64_t m_bytesSentUp{0};
    std::map<std::string, double> m_weightsSinceSync;
    bool m_awaitingParent{false};
    EventId m_parentTimeout;

    TracedCallback<uint32_t> m_roundCompleteTrace;
    TracedCallback<uint32_t> m_globalSyncTrace;
    TracedCallback<> m_finishedTrace;
};

} // namespace ns3

#endif /* HFFM_FOG_APP_H */
