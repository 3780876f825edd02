/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_MODULE_SOURCE_APPLICATION_H
#define HFFM_MODULE_SOURCE_APPLICATION_H

#include "ns3/address.h"
#include "ns3/application.h"
#include "ns3/message-format.h"
#include "ns3/module-codec.h"
#include "ns3/module-state.h"
#include "ns3/module-transfer.h"
#include "ns3/nstime.h"
#include "ns3/traced-callback.h"

#include <memory>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Connects to a ModuleSinkApplication and sends a list of modules back to back.
 *
 * Modules are added before the application starts (AddModule()); each is encoded once with
 * the codec set by the Codec attribute. When all have been handed to TCP the connection is
 * closed (attribute CloseWhenDone), after TCP has delivered what was sent.
 */
class ModuleSourceApplication : public Application
{
  public:
    static TypeId GetTypeId();

    ModuleSourceApplication();
    ~ModuleSourceApplication() override;

    /**
     * TracedCallback signature for a message fully handed to TCP.
     * \param fields the message header's fields
     */
    typedef void (*MessageSentTracedCallback)(const MessageFields& fields);

    /**
     * Queue a module to send when the application starts.
     * \param state the module
     * \return an empty string, or why the module cannot be sent (a non-finite value, a value
     *         out of the codec's range); nothing is queued then
     */
    std::string AddModule(std::shared_ptr<const ModuleState> state);

    /// \return the number of modules fully handed to TCP
    uint32_t GetSentCount() const;
    /// \return bytes (headers and payloads) handed to TCP
    uint64_t GetBytesSent() const;
    /// \return header plus payload bytes of everything queued
    uint64_t GetBytesQueued() const;

    /// \param name "fp32", "fp16" or "int8"; aborts naming the value otherwise
    void SetCodecName(std::string name);
    std::string GetCodecName() const;
    /// \param name "update" or "push"; aborts naming the value otherwise
    void SetTypeName(std::string name);
    std::string GetTypeName() const;

  protected:
    void DoDispose() override;

  private:
    void StartApplication() override;
    void StopApplication() override;

    struct Queued
    {
        MessageFields fields;
        std::shared_ptr<const EncodedPayload> payload;
    };

    Address m_remote;
    ModuleCodec m_codec{ModuleCodec::FP32};
    uint32_t m_senderId{0};
    uint32_t m_round{0};
    MessageType m_type{MessageType::MODULE_UPDATE};
    bool m_closeWhenDone{true};
    std::vector<Queued> m_modules;
    uint64_t m_bytesQueued{0};

    Ptr<ModuleTransfer> m_transfer;

    TracedCallback<const MessageFields&> m_messageSentTrace;
};

} // namespace ns3

#endif /* HFFM_MODULE_SOURCE_APPLICATION_H */
