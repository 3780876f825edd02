/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_MODULE_STREAM_SENDER_H
#define HFFM_MODULE_STREAM_SENDER_H

#include "ns3/callback.h"
#include "ns3/message-format.h"
#include "ns3/module-codec.h"
#include "ns3/ptr.h"
#include "ns3/simple-ref-count.h"
#include "ns3/socket.h"

#include <deque>
#include <memory>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Sends module messages back to back over one connected stream socket.
 *
 * Messages are queued with their encoded payload, which is shared, not copied: one
 * encoding can be queued to many senders. Bytes are handed to the socket as its transmit
 * buffer has room (the socket's send callback drives the pump), so a module of tens of MB
 * is never held as one ns-3 Packet and each payload byte is copied once, into the packet
 * that carries it.
 *
 * Used by the applications of this module; not an Application itself.
 */
class ModuleStreamSender : public SimpleRefCount<ModuleStreamSender>
{
  public:
    /// Called when the last byte of a message has been handed to the socket.
    using MessageSentCallback = Callback<void, const MessageFields&>;

    /**
     * \param socket a stream socket; the sender installs its send callback on it.
     * \param maxChunk the largest piece handed to the socket at once
     */
    explicit ModuleStreamSender(Ptr<Socket> socket, uint32_t maxChunk = 65536);
    ~ModuleStreamSender();

    void SetMessageSentCallback(MessageSentCallback cb);

    /**
     * Queue a message. The header's payload length, CRC and codec are taken from \p payload.
     * Sending starts at once if the socket has room, else when it does.
     * \param fields type, round, sender and module id of the message
     * \param payload the encoded module
     */
    void Enqueue(MessageFields fields, std::shared_ptr<const EncodedPayload> payload);

    /// Hand queued bytes to the socket while it has room. Call when the socket connects.
    void Pump();

    /// \return the number of messages not yet fully handed to the socket
    std::size_t GetPendingMessages() const;
    /// \return bytes (headers and payloads) handed to the socket so far
    uint64_t GetBytesSent() const;

    /// Stop sending and detach from the socket (the socket is not closed).
    void Detach();

  private:
    struct Outgoing
    {
        MessageFields fields;
        std::vector<uint8_t> header;
        std::shared_ptr<const EncodedPayload> payload;
        std::size_t offset{0}; //!< bytes of header + payload already sent
    };

    void OnSendSpace(Ptr<Socket> socket, uint32_t available);

    Ptr<Socket> m_socket;
    uint32_t m_maxChunk;
    std::deque<Outgoing> m_queue;
    uint64_t m_bytesSent{0};
    MessageSentCallback m_sent;
};

} // namespace ns3

#endif /* HFFM_MODULE_STREAM_SENDER_H */
