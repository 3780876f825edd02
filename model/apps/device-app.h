/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_DEVICE_APP_H
#define HFFM_DEVICE_APP_H

#include "ns3/address.h"
#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/federated-learner.h"
#include "ns3/message-format.h"
#include "ns3/module-receiver.h"
#include "ns3/module-transfer.h"
#include "ns3/nstime.h"
#include "ns3/traced-callback.h"

#include <memory>
#include <set>
#include <string>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief An edge device of hierarchical federated learning.
 *
 * It listens for the modules its server (a fog, or the cloud in the star baseline) pushes
 * for a round. When every module the device needs has arrived (the trainable modules of its
 * modalities and tasks, FederatedLearner::GetModuleIdsFor()), it trains them with the
 * learner on its data shard — which costs simulated time multiplyAdds / MacsPerSecond and
 * energy ComputePower x that time, never wall-clock time — and then uploads the updated
 * modules to its server in one TCP connection. A push of a newer round abandons an older
 * one; modules of older rounds are ignored.
 *
 * An upload that fails (the server refuses the connection, or it breaks off) is tried again
 * every RetryInterval while no newer round has begun, until RetryDeadline has passed since
 * the round's first module arrived: by then its server has closed the round, so the device
 * gives up (UploadFailed with retrying false) instead of trying for ever a server that is
 * gone; an attempt still unfinished at that moment (a server that never answers) is aborted
 * then.
 */
class DeviceApp : public Application
{
  public:
    static TypeId GetTypeId();

    DeviceApp();
    ~DeviceApp() override;

    /**
     * Set what the device learns with: the learner (shared by all nodes of a run) and the
     * device's modalities and tasks. Must be called before the application starts.
     */
    void Setup(std::shared_ptr<FederatedLearner> learner, const NodeProfile& profile);

    /// \return the ids of the modules this device needs and trains
    const std::set<std::string>& GetModuleIds() const;
    /**
     * The modules this device would need if it also executed \p task.
     * \param[out] ids those module ids
     * \return an empty string, or why the device cannot take the task on (it executes it
     * already, or the learner has no module for it)
     */
    std::string GetModuleIdsWithTask(const std::string& task, std::set<std::string>* ids) const;
    /**
     * Execute \p task from the next round on: its modules are expected in the next push
     * and trained. Whoever pushes to this device must send them (D2dClusterTree::StartTask).
     * \return an empty string, or why not (GetModuleIdsWithTask), changing nothing
     */
    std::string AddTask(const std::string& task);
    const NodeProfile& GetProfile() const;
    /// \return the learner's device index (the data shard)
    uint32_t GetDeviceIndex() const;

    /// \return the rounds this device trained in
    uint32_t GetRoundsTrained() const;
    /// \return simulated time spent training
    Time GetComputeTime() const;
    /// \return compute energy in joules
    double GetComputeEnergy() const;
    /// \return bytes (headers and payloads) of updates handed to TCP
    uint64_t GetBytesSent() const;
    /// \return stream bytes received
    uint64_t GetBytesReceived() const;
    /// \return messages rejected by the stream reader or as unexpected
    uint64_t GetRejectedCount() const;
    /// \return rounds whose upload failed and was given up at RetryDeadline
    uint32_t GetUploadsAbandoned() const;

    /**
     * TracedCallback signature for local training.
     * \param device the device index
     * \param round the round
     * \param samples training samples
     * \param multiplyAdds work done
     * \param computeTime simulated compute time it costs
     */
    typedef void (*TrainingDoneTracedCallback)(uint32_t device, uint32_t round, int64_t samples,
                                               double multiplyAdds, Time computeTime);
    /**
     * TracedCallback signature for a module received or sent.
     * \param fields the message header's fields
     */
    typedef void (*ModuleTracedCallback)(const MessageFields& fields);
    /**
     * TracedCallback signature for a rejected message.
     * \param reason why, as a stable name (a RejectReason's, or an application's)
     * \param detail a human-readable explanation
     */
    typedef void (*ModuleRejectedTracedCallback)(const std::string& reason,
                                                 const std::string& detail);
    /**
     * TracedCallback signature for a failed upload.
     * \param round the round whose upload failed
     * \param retrying true if it is tried again after RetryInterval, false if the device
     * gives up (RetryDeadline has passed)
     */
    typedef void (*UploadFailedTracedCallback)(uint32_t round, bool retrying);

  protected:
    void DoDispose() override;

  private:
    void StartApplication() override;
    void StopApplication() override;

    void HandleMessage(const MessageFields& fields, std::shared_ptr<ModuleState> state);
    void Reject(const std::string& reason, const std::string& detail);
    void Train();
    /// Replace each trained module x by g + UpdateScale (x - g), g the module received.
    void ScaleUpdate(LocalUpdate& update) const;
    void Upload(uint32_t round, const LocalUpdate& update);
    void UploadDone(uint32_t round, const LocalUpdate& update, bool complete);
    void GiveUp(uint32_t round);
    void SetCodecName(std::string name);
    std::string GetCodecName() const;

    // attributes
    uint16_t m_port{7070};
    Address m_parent;
    uint32_t m_deviceIndex{0};
    double m_macsPerSecond{5e9};
    double m_computePower{2.0};
    double m_updateScale{1.0}; //!< UpdateScale: 1 honest, else a poisoning attacker
    ModuleCodec m_codec{ModuleCodec::FP32};
    uint32_t m_maxPayloadBytes{256U << 20};
    Time m_retryInterval;
    Time m_retryDeadline;

    std::shared_ptr<FederatedLearner> m_learner;
    NodeProfile m_profile;
    std::set<std::string> m_moduleIds;

    Ptr<ModuleReceiver> m_receiver;
    ModuleTransferSet m_transfers;
    bool m_running{false};
    uint32_t m_round{0}; //!< the round whose modules are being collected or trained
    Time m_roundStart;   //!< when the first module of m_round arrived
    ModuleMap m_received;
    EventId m_uploadEvent;
    Ptr<ModuleTransfer> m_upload; //!< the latest upload attempt
    EventId m_giveUpEvent;        //!< RetryDeadline of the round being uploaded

    uint32_t m_roundsTrained{0};
    Time m_computeTime;
    double m_computeEnergy{0.0};
    uint64_t m_rejected{0};
    uint32_t m_uploadsAbandoned{0};

    TracedCallback<const MessageFields&> m_moduleReceivedTrace;
    TracedCallback<const MessageFields&> m_moduleSentTrace;
    TracedCallback<const std::string&, const std::string&> m_moduleRejectedTrace;
    TracedCallback<uint32_t, uint32_t, int64_t, double, Time> m_trainingDoneTrace;
    TracedCallback<uint32_t, bool> m_uploadFailedTrace;
};

} // namespace ns3

#endif /* HFFM_DEVICE_APP_H */
