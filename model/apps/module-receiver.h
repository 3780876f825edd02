/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_MODULE_RECEIVER_H
#define HFFM_MODULE_RECEIVER_H

#include "ns3/address.h"
#include "ns3/message-format.h"
#include "ns3/module-state.h"
#include "ns3/module-stream-reader.h"
#include "ns3/node.h"
#include "ns3/simple-ref-count.h"
#include "ns3/socket.h"

#include <array>
#include <functional>
#include <map>
#include <memory>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Listens for TCP connections and receives module messages on them.
 *
 * Any number of senders may connect; each connection has its own ModuleStreamReader, so
 * messages arriving in pieces are reassembled per connection, several modules may follow
 * each other on one connection, and a bad message on one connection affects no other.
 * Every rejection is counted per reason. The applications of this module own one each.
 */
class ModuleReceiver : public SimpleRefCount<ModuleReceiver>
{
  public:
    /// Called for a complete, valid module message.
    using MessageCallback = std::function<void(
        const MessageFields& fields, std::shared_ptr<ModuleState> state, const Address& from)>;
    /// Called for a rejected message or part of a stream.
    using RejectCallback = std::function<void(RejectReason reason, const std::string& detail,
                                              const MessageFields* fields, const Address& from)>;

    /// \param maxPayloadBytes messages declaring a larger payload are rejected unbuffered
    explicit ModuleReceiver(uint32_t maxPayloadBytes);
    ~ModuleReceiver();

    void SetMessageCallback(MessageCallback cb);
    void SetRejectCallback(RejectCallback cb);

    /// Listen on \p local (address and port) of \p node; aborts if it cannot bind.
    void Start(Ptr<Node> node, const Address& local);
    /// Close every connection (their streams end there) and stop listening.
    void Stop();

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

  private:
    bool HandleConnectionRequest(Ptr<Socket> socket, const Address& from);
    void HandleAccept(Ptr<Socket> socket, const Address& from);
    void HandleRead(Ptr<Socket> socket);
    void HandleClose(Ptr<Socket> socket);
    void CloseConnection(Ptr<Socket> socket);

    struct Connection
    {
        Address from;
        std::unique_ptr<ModuleStreamReader> reader;
    };

    uint32_t m_maxPayloadBytes;
    Ptr<Socket> m_listener;
    std::map<Ptr<Socket>, Connection> m_connections;
    MessageCallback m_onMessage;
    RejectCallback m_onReject;

    uint64_t m_received{0};
    std::array<uint64_t, REJECT_REASON_COUNT> m_rejected{};
    uint64_t m_bytesReceived{0};
    uint32_t m_accepted{0};
};

} // namespace ns3

#endif /* HFFM_MODULE_RECEIVER_H */
