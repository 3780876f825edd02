/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_MODULE_SINK_APPLICATION_H
#define HFFM_MODULE_SINK_APPLICATION_H

#include "ns3/address.h"
#include "ns3/application.h"
#include "ns3/message-format.h"
#include "ns3/module-receiver.h"
#include "ns3/module-state.h"
#include "ns3/traced-callback.h"

#include <memory>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Accepts TCP connections and receives module messages on them.
 *
 * Any number of senders may connect; each connection has its own ModuleStreamReader, so
 * messages arriving in pieces are reassembled per connection, several modules may follow
 * each other on one connection, and a bad message on one connection affects no other.
 * Every complete, valid module fires the ModuleReceived trace; every rejection fires
 * MessageRejected and is counted per reason.
 */
class ModuleSinkApplication : public Application
{
  public:
    static TypeId GetTypeId();

    ModuleSinkApplication();
    ~ModuleSinkApplication() override;

    /**
     * TracedCallback signature for a received module.
     * \param fields the message header's fields
     * \param state the decoded module
     * \param from the sender's address
     */
    typedef void (*ModuleReceivedTracedCallback)(const MessageFields& fields,
                                                 std::shared_ptr<const ModuleState> state,
                                                 const Address& from);
    /**
     * TracedCallback signature for a rejected message.
     * \param reason why
     * \param detail a human-readable explanation
     * \param from the sender's address
     */
    typedef void (*MessageRejectedTracedCallback)(RejectReason reason, const std::string& detail,
                                                  const Address& from);

    /// \return the number of modules received intact
    uint64_t GetReceivedCount() const;
    /// \return the number of rejections, all reasons
    uint64_t GetRejectedCount() const;
    /// \return the number of rejections for \p reason
    uint64_t GetRejectedCount(RejectReason reason) const;
    /// \return stream bytes received over all connections
    uint64_t GetBytesReceived() const;
    /// \return the connections accepted so far
    uint32_t GetAcceptedConnections() const;

  protected:
    void DoDispose() override;

  private:
    void StartApplication() override;
    void StopApplication() override;

    Address m_local;
    uint32_t m_maxPayloadBytes;
    Ptr<ModuleReceiver> m_receiver;

    TracedCallback<const MessageFields&, std::shared_ptr<const ModuleState>, const Address&>
        m_moduleReceivedTrace;
    TracedCallback<RejectReason, const std::string&, const Address&> m_messageRejectedTrace;
};

} // namespace ns3

#endif /* HFFM_MODULE_SINK_APPLICATION_H */
