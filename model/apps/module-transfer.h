/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_MODULE_TRANSFER_H
#define HFFM_MODULE_TRANSFER_H

#include "ns3/address.h"
#include "ns3/event-id.h"
#include "ns3/message-format.h"
#include "ns3/module-codec.h"
#include "ns3/module-stream-sender.h"
#include "ns3/node.h"
#include "ns3/nstime.h"
#include "ns3/simple-ref-count.h"
#include "ns3/socket.h"

#include <functional>
#include <list>
#include <memory>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief One TCP connection that carries a list of module messages to one peer.
 *
 * Start() connects; once connected, the messages go back to back through a
 * ModuleStreamSender (encoded payloads are shared, not copied); when the last one has been
 * handed to TCP the connection is closed (unless told otherwise), and TCP delivers what it
 * holds before its FIN. Used by every application of this module that sends modules.
 */
class ModuleTransfer : public SimpleRefCount<ModuleTransfer>
{
  public:
    /// Called when a message's last byte has been handed to TCP.
    using MessageSentCallback = std::function<void(const MessageFields& fields)>;
    /// Called once: true when every message was handed to TCP, false when the connection
    /// failed (could not be made, or broke off) or the transfer was aborted before that.
    using DoneCallback = std::function<void(bool complete)>;

    /// \param node the sending node \param remote the peer's address and port
    ModuleTransfer(Ptr<Node> node, const Address& remote);
    ~ModuleTransfer();

    /// Queue a message (before or after Start()).
    void Add(const MessageFields& fields, std::shared_ptr<const EncodedPayload> payload);
    void SetMessageSentCallback(MessageSentCallback cb);
    void SetDoneCallback(DoneCallback cb);
    /// \param close whether to close the connection after the last message (default true)
    void SetCloseWhenDone(bool close);
    /**
     * Give up (an incomplete transfer) if the connection is not made within \p timeout
     * (zero: TCP's own retries decide); a peer whose node has gone never answers.
     */
    void SetConnectTimeout(Time timeout);

    /// Open the connection; aborts if no socket can be bound.
    void Start();
    /// Stop sending and close the connection; the done callback reports an incomplete transfer.
    void Abort();

    /// \return messages fully handed to TCP
    uint32_t GetSentCount() const;
    /// \return bytes (headers and payloads) handed to TCP
    uint64_t GetBytesSent() const;
    /// \return header plus payload bytes of every queued message
    uint64_t GetBytesQueued() const;
    /// \return the peer's address
    const Address& GetRemote() const;
    /// \return true once the done callback has run (or would have)
    bool IsFinished() const;

  private:
    void ConnectionSucceeded(Ptr<Socket> socket);
    void ConnectTimedOut();
    void ConnectionFailed(Ptr<Socket> socket);
    void ConnectionError(Ptr<Socket> socket);
    void MessageSent(const MessageFields& fields);
    void Finish(bool complete);

    struct Queued
    {
        MessageFields fields;
        std::shared_ptr<const EncodedPayload> payload;
    };

    Ptr<Node> m_node;
    Address m_remote;
    bool m_closeWhenDone{true};
    std::vector<Queued> m_messages;
    uint64_t m_bytesQueued{0};
    Ptr<Socket> m_socket;
    Ptr<ModuleStreamSender> m_sender;
    uint32_t m_sent{0};
    bool m_finished{false};
    Time m_connectTimeout;
    EventId m_connectTimeoutEvent;
    MessageSentCallback m_onSent;
    DoneCallback m_onDone;
};

/**
 * \ingroup hffm
 * \brief The transfers an application has under way: keeps each alive until it finishes,
 * counts the bytes all of them handed to TCP, and aborts the rest when the application stops.
 */
class ModuleTransferSet
{
  public:
    /**
     * Create a transfer to \p remote, kept until it finishes. The caller adds messages,
     * sets callbacks and calls Start().
     */
    Ptr<ModuleTransfer> Open(Ptr<Node> node, const Address& remote);
    /// Abort every unfinished transfer.
    void AbortAll();
    /// \return bytes handed to TCP by every transfer opened so far
    uint64_t GetBytesSent() const;
    /// \return transfers not yet finished
    std::size_t GetActiveCount() const;

  private:
    /// Drop finished transfers, keeping their byte counts.
    void Purge();

    std::list<Ptr<ModuleTransfer>> m_transfers;
    uint64_t m_finishedBytes{0};
};

} // namespace ns3

#endif /* HFFM_MODULE_TRANSFER_H */
