/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_COLLECTOR_APP_H
#define HFFM_COLLECTOR_APP_H

#include "ns3/address.h"
#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/federated-learner.h"
#include "ns3/message-format.h"
#include "ns3/module-codec.h"
#include "ns3/module-receiver.h"
#include "ns3/module-transfer.h"
#include "ns3/nstime.h"
#include "ns3/traced-callback.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace ns3
{

class RoundStrategy;

/**
 * \ingroup hffm
 * \brief Summary of a finished collection round of a CollectorApp.
 */
struct RoundSummary
{
    uint32_t round{0};
    uint32_t participants{0};
    std::vector<uint32_t> stragglers; //!< participants that had not sent everything
    uint32_t modulesAggregated{0};
    uint32_t contributionsRejected{0};
    std::map<std::string, double> weights; //!< per aggregated module, its sample weight
    Time started;
    Time finished;
};

/**
 * \ingroup hffm
 * \brief The application of every node that aggregates: a fog, the cloud, a D2D cluster
 * member. It does the mechanics and leaves every decision to its RoundStrategy.
 *
 * The mechanics: the children (a device below a fog, a fog below the cloud, a tree child
 * in a D2D cluster) known by sender id, the address they listen on and the modules they
 * hold; collection rounds with their RoundDeadline; checking every message once; the
 * aggregation call; pushes down (each module encoded once per version, a failed push tried
 * again every RetryInterval while the round waits for that child); sending up to Parent;
 * taking the modules a parent pushes.
 *
 * The decisions belong to the Strategy (a RoundStrategy, chosen by TypeId): when a round
 * begins and with which children, how the arrived modules of each module are combined (its
 * AggregationRule), when to send up and what to do with what comes down or from the side
 * (EdgeRoundStrategy, GlobalRoundStrategy, ClusterTreeStrategy, ConsensusStrategy, ...).
 *
 * In a collection round the collector waits until every participating child has sent every
 * module it holds, or until RoundDeadline has passed; then each module is aggregated over
 * the children that sent it (AggregateModules()), and children that had not sent everything
 * are recorded as stragglers. Updates are checked on arrival: wrong round, unknown sender,
 * a module the sender does not hold, or a layout unlike the current module are rejected with
 * a reason and never aggregated. A contribution with sample weight 0 says "nothing new for
 * this module": it completes the sender's set without being averaged in.
 */
class CollectorApp : public Application
{
  public:
    static TypeId GetTypeId();

    CollectorApp();
    ~CollectorApp() override;

    /// Set the strategy (the Strategy attribute); before the application starts.
    void SetStrategy(Ptr<RoundStrategy> strategy);
    /// \return the strategy
    Ptr<RoundStrategy> GetStrategy() const;
    /// \return the strategy as a \p T, or null if it is none
    template <typename T>
    Ptr<T> GetStrategy() const;

    /// Set the modules the collector starts from (the global initial model).
    void SetModules(const ModuleMap& modules);
    /// \return the current modules (after the latest aggregation)
    const ModuleMap& GetModules() const;

    /**
     * Add a child.
     * \param id its sender id
     * \param address where it listens for pushes
     * \param moduleIds the modules it holds (it receives them and sends them back)
     */
    void AddChild(uint32_t id, const Address& address, const std::vector<std::string>& moduleIds);
    /**
     * Add an optional sender: its updates of the round being collected are checked and
     * aggregated like a child's when they come, but it is never pushed to nor waited for
     * (a D2D cluster member that reaches its fog directly when its relay is gone). Not among
     * GetChildIds() or GetChildModuleIds().
     */
    void AddOptionalChild(uint32_t id, const Address& address,
                          const std::vector<std::string>& moduleIds);
    /**
     * Remove child (or optional child) \p id, as before AddChild: a D2D tree rebuilt after
     * its members moved.
     * \return false, removing nothing, if there is no such child or the round being
     * collected waits for it
     */
    bool RemoveChild(uint32_t id);
    /**
     * Give child \p id another set of modules (its device took on a task): they are pushed
     * to it and expected from it from the next round on.
     * \return false, changing nothing, if there is no such child or the round being
     * collected waits for it
     */
    bool SetChildModules(uint32_t id, const std::vector<std::string>& moduleIds);
    /// \return the ids of the children
    std::vector<uint32_t> GetChildIds() const;
    /// \return the union of the modules the children hold
    std::vector<std::string> GetChildModuleIds() const;

    /// \return true while a collection round is open
    bool IsCollecting() const;
    /// \return true between StartApplication() and StopApplication()
    bool IsRunning() const;
    /// \return collection rounds aggregated
    uint32_t GetRoundsCollected() const;

    /// \return stream bytes received from any peer
    uint64_t GetBytesReceived() const;
    /// \return bytes (headers and payloads) of pushes handed to TCP towards children
    uint64_t GetBytesSentDown() const;
    /// \return bytes of updates handed to TCP towards a parent (or a fallback)
    uint64_t GetBytesSentUp() const;
    /// \return bytes of share messages (D2D consensus) handed to TCP
    uint64_t GetBytesShared() const;
    /// \return rejected messages and updates
    uint64_t GetRejectedCount() const;

    /// \return the RoundDeadline attribute
    Time GetRoundDeadline() const;
    /// \return the Parent attribute (invalid when unset)
    Address GetParent() const;
    /// \return the SenderId attribute
    uint32_t GetSenderId() const;

    // ---- the services a strategy calls ----

    /// Start collecting updates of \p round from \p participants (child ids).
    void BeginCollection(uint32_t round, const std::vector<uint32_t>& participants);
    /// Drop the round being collected, if any, unaggregated (a newer round has begun).
    void AbandonCollection();
    /// \return true if \p state is a module this node has, with the same layout
    bool IsKnownModule(const std::string& moduleId, const ModuleState& state) const;
    /**
     * Take a module a parent pushed for \p round: checked like an update (a module some
     * child holds, the current layout), kept until every module the children hold has come.
     * \return true when that set is complete: the modules then replace the current ones
     */
    bool AcceptParentModule(const MessageFields& fields, std::shared_ptr<ModuleState> state,
                            uint32_t round);
    /// Forget parent modules collected so far.
    void ClearParentModules();
    /// Push every module child \p id holds, for \p round.
    void PushToChild(uint32_t id, uint32_t round);
    /**
     * Send \p modules to \p remote in one connection, with this node's SenderId.
     * \param type push, update or share \param round the round
     * \param step the consensus step of a share message (0 for other types)
     * \return the transfer, started
     */
    Ptr<ModuleTransfer> SendModules(const Address& remote, MessageType type, uint32_t round,
                                    const std::vector<std::shared_ptr<const ModuleState>>& modules,
                                    uint8_t step = 0);
    /**
     * Send every module the children hold up to \p parent in one connection, each weighted
     * by \p weights (0, "nothing new", for a module not in it).
     * \return the transfer, started
     */
    Ptr<ModuleTransfer> SendUp(const Address& parent, uint32_t round,
                               const std::map<std::string, double>& weights);
    /// Report a rejection (counter, trace, log).
    void Reject(uint32_t sender, const std::string& reason, const std::string& detail);
    /// Report a module received, valid and expected, that the strategy took (ModuleReceived).
    void NotifyModuleReceived(const MessageFields& fields);

    /**
     * TracedCallback signature for a finished collection round.
     * \param summary what happened
     */
    typedef void (*RoundDoneTracedCallback)(const RoundSummary& summary);
    /**
     * TracedCallback signature for changed modules.
     * \param modules every module GetModules() now returns
     */
    typedef void (*ModulesChangedTracedCallback)(const ModuleMap& modules);
    /**
     * TracedCallback signature for an aggregated module.
     * \param round the round
     * \param moduleId the module
     * \param used contributions averaged in
     * \param rejected contributions left out
     */
    typedef void (*ModuleAggregatedTracedCallback)(uint32_t round, const std::string& moduleId,
                                                   uint32_t used, uint32_t rejected);
    /**
     * TracedCallback signature for a module received, valid and expected.
     * \param fields the message header's fields
     */
    typedef void (*ModuleTracedCallback)(const MessageFields& fields);
    /**
     * TracedCallback signature for a module message handed to TCP.
     * \param fields the message header's fields
     * \param to the address and port it goes to
     */
    typedef void (*ModuleSentTracedCallback)(const MessageFields& fields, const Address& to);
    /**
     * TracedCallback signature for a rejected message or update.
     * \param sender the sender id (0 when unknown)
     * \param reason why, as a stable name
     * \param detail a human-readable explanation
     */
    typedef void (*ModuleRejectedTracedCallback)(uint32_t sender, const std::string& reason,
                                                 const std::string& detail);

  protected:
    void DoDispose() override;
    void StartApplication() override;
    void StopApplication() override;

  private:
    /// \return true if the round being collected waits for child \p id
    bool IsAwaited(uint32_t id) const;
    void HandleMessage(const MessageFields& fields, std::shared_ptr<ModuleState> state);
    void HandleUpdate(const MessageFields& fields, std::shared_ptr<ModuleState> state);
    void FinishCollection();
    void RetryPush(uint32_t id, uint32_t round);
    std::shared_ptr<const EncodedPayload> Encode(const ModuleState& state);
    /// Replace current modules by \p modules (same ids); clears the encoding cache.
    void ReplaceModules(const ModuleMap& modules);
    void SetCodecName(std::string name);
    std::string GetCodecName() const;

    struct Child
    {
        Address address;
        std::vector<std::string> moduleIds;
        std::set<std::string> moduleSet;
        bool optional{false};
    };

    uint16_t m_port{7070};
    Time m_roundDeadline;
    Time m_retryInterval;
    ModuleCodec m_codec{ModuleCodec::FP32};
    uint32_t m_maxPayloadBytes{256U << 20};
    Address m_parent;
    uint32_t m_senderId{0};
    Ptr<RoundStrategy> m_strategy;

    std::map<uint32_t, Child> m_children;
    ModuleMap m_modules;
    std::map<std::string, std::shared_ptr<const EncodedPayload>> m_encoded;
    ModuleMap m_fromParent; //!< modules a parent pushed, until the set is complete
    uint32_t m_fromParentRound{0};

    Ptr<ModuleReceiver> m_receiver;
    ModuleTransferSet m_transfers;
    uint64_t m_bytesSentDown{0};
    uint64_t m_bytesSentUp{0};
    uint64_t m_bytesShared{0};
    uint64_t m_rejected{0};
    uint32_t m_roundsCollected{0};

    bool m_running{false};
    // the open collection round
    bool m_collecting{false};
    uint32_t m_collectRound{0};
    Time m_collectStart;
    std::set<uint32_t> m_participants;
    std::map<uint32_t, ModuleMap> m_updates; //!< per participant, its valid updates
    EventId m_deadlineEvent;

    TracedCallback<const MessageFields&> m_moduleReceivedTrace;
    TracedCallback<const MessageFields&, const Address&> m_moduleSentTrace;
    TracedCallback<const RoundSummary&> m_roundDoneTrace;
    TracedCallback<const ModuleMap&> m_modulesChangedTrace;
    TracedCallback<uint32_t, const std::string&, uint32_t, uint32_t> m_moduleAggregatedTrace;
    TracedCallback<uint32_t, const std::string&, const std::string&> m_moduleRejectedTrace;
};

template <typename T>
Ptr<T>
CollectorApp::GetStrategy() const
{
    return DynamicCast<T>(m_strategy);
}

} // namespace ns3

#endif /* HFFM_COLLECTOR_APP_H */
