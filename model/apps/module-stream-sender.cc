/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-stream-sender.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/packet.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ModuleStreamSender");

ModuleStreamSender::ModuleStreamSender(Ptr<Socket> socket, uint32_t maxChunk)
    : m_socket(socket)
    , m_maxChunk(maxChunk)
{
    NS_ABORT_MSG_IF(!socket, "ModuleStreamSender needs a socket");
    NS_ABORT_MSG_IF(maxChunk == 0, "ModuleStreamSender: maxChunk must be positive");
    m_socket->SetSendCallback(MakeCallback(&ModuleStreamSender::OnSendSpace, this));
}

ModuleStreamSender::~ModuleStreamSender()
{
    Detach();
}

void
ModuleStreamSender::Detach()
{
    if (m_socket)
    {
        m_socket->SetSendCallback(MakeNullCallback<void, Ptr<Socket>, uint32_t>());
        m_socket = nullptr;
    }
    m_queue.clear();
}

void
ModuleStreamSender::SetMessageSentCallback(MessageSentCallback cb)
{
    m_sent = cb;
}

void
ModuleStreamSender::Enqueue(MessageFields fields, std::shared_ptr<const EncodedPayload> payload)
{
    NS_ABORT_MSG_IF(!payload, "ModuleStreamSender::Enqueue: no payload");
    NS_ABORT_MSG_IF(payload->bytes.size() > UINT32_MAX,
                    "ModuleStreamSender::Enqueue: payload of module '" << fields.moduleId
                                                                       << "' exceeds 4 GiB");
    fields.codec = payload->codec;
    fields.payloadLength = static_cast<uint32_t>(payload->bytes.size());
    fields.payloadCrc = payload->crc;
    const std::string error = MessageFormat::CheckFields(fields);
    NS_ABORT_MSG_IF(!error.empty(), "ModuleStreamSender::Enqueue: " << error);

    Outgoing out;
    out.header.resize(MessageFormat::HeaderSize(fields.moduleId.size()));
    MessageFormat::WriteHeader(fields, out.header.data());
    out.fields = std::move(fields);
    out.payload = std::move(payload);
    NS_LOG_FUNCTION(this << out.fields.moduleId << out.fields.payloadLength);
    m_queue.push_back(std::move(out));
    Pump();
}

void
ModuleStreamSender::OnSendSpace(Ptr<Socket> /* socket */, uint32_t /* available */)
{
    Pump();
}

void
ModuleStreamSender::Pump()
{
    while (m_socket && !m_queue.empty())
    {
        Outgoing& out = m_queue.front();
        const std::size_t headerSize = out.header.size();
        const std::size_t total = headerSize + out.payload->bytes.size();
        const uint32_t room = m_socket->GetTxAvailable();
        if (room == 0)
        {
            return;
        }
        // Send the header on its own, then payload pieces: each comes from one contiguous
        // buffer and is copied once, into its packet.
        const uint8_t* from;
        std::size_t left;
        if (out.offset < headerSize)
        {
            from = out.header.data() + out.offset;
            left = headerSize - out.offset;
        }
        else
        {
            from = out.payload->bytes.data() + (out.offset - headerSize);
            left = total - out.offset;
        }
        const auto n
            = static_cast<uint32_t>(std::min<std::size_t>({left, room, std::size_t{m_maxChunk}}));
        const int sent = m_socket->Send(Create<Packet>(from, n));
        if (sent <= 0)
        {
            NS_LOG_LOGIC("socket refused " << n << " bytes, errno " << m_socket->GetErrno());
            return;
        }
        out.offset += static_cast<std::size_t>(sent);
        m_bytesSent += static_cast<uint64_t>(sent);
        if (out.offset == total)
        {
            const MessageFields fields = out.fields;
            m_queue.pop_front();
            NS_LOG_LOGIC("message " << fields.moduleId << " handed to the socket");
            if (!m_sent.IsNull())
            {
                m_sent(fields);
            }
        }
    }
}

std::size_t
ModuleStreamSender::GetPendingMessages() const
{
    return m_queue.size();
}

uint64_t
ModuleStreamSender::GetBytesSent() const
{
    return m_bytesSent;
}

} // namespace ns3
