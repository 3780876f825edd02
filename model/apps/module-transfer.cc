/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-transfer.h"

#include "ns3/abort.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/tcp-socket-factory.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ModuleTransfer");

ModuleTransfer::ModuleTransfer(Ptr<Node> node, const Address& remote)
    : m_node(node)
    , m_remote(remote)
{
    NS_ABORT_MSG_IF(!node, "ModuleTransfer needs a node");
    NS_ABORT_MSG_IF(remote.IsInvalid(), "ModuleTransfer needs a remote address");
}

ModuleTransfer::~ModuleTransfer()
{
    Simulator::Cancel(m_connectTimeoutEvent);
    if (m_sender)
    {
        m_sender->Detach();
    }
    if (m_socket)
    {
        m_socket->SetConnectCallback(MakeNullCallback<void, Ptr<Socket>>(),
                                     MakeNullCallback<void, Ptr<Socket>>());
        m_socket->SetCloseCallbacks(MakeNullCallback<void, Ptr<Socket>>(),
                                    MakeNullCallback<void, Ptr<Socket>>());
    }
}

void
ModuleTransfer::Add(const MessageFields& fields, std::shared_ptr<const EncodedPayload> payload)
{
    NS_ABORT_MSG_IF(!payload, "ModuleTransfer::Add: no payload for " << fields.moduleId);
    m_bytesQueued += MessageFormat::HeaderSize(fields.moduleId.size()) + payload->bytes.size();
    m_messages.push_back({fields, payload});
    if (m_sender)
    {
        m_sender->Enqueue(fields, std::move(payload));
    }
}

void
ModuleTransfer::SetMessageSentCallback(MessageSentCallback cb)
{
    m_onSent = std::move(cb);
}

void
ModuleTransfer::SetDoneCallback(DoneCallback cb)
{
    m_onDone = std::move(cb);
}

void
ModuleTransfer::SetCloseWhenDone(bool close)
{
    m_closeWhenDone = close;
}

void
ModuleTransfer::Start()
{
    NS_LOG_FUNCTION(this << m_remote);
    m_socket = Socket::CreateSocket(m_node, TcpSocketFactory::GetTypeId());
    const int bound
        = Inet6SocketAddress::IsMatchingType(m_remote) ? m_socket->Bind6() : m_socket->Bind();
    NS_ABORT_MSG_IF(bound != 0, "ModuleTransfer: cannot bind a socket");
    m_socket->SetConnectCallback(MakeCallback(&ModuleTransfer::ConnectionSucceeded, this),
                                 MakeCallback(&ModuleTransfer::ConnectionFailed, this));
    m_socket->Connect(m_remote);
    if (m_connectTimeout.IsStrictlyPositive() && !m_connectTimeoutEvent.IsRunning())
    {
        m_connectTimeoutEvent
            = Simulator::Schedule(m_connectTimeout, &ModuleTransfer::ConnectTimedOut, this);
    }
}

void
ModuleTransfer::SetConnectTimeout(Time timeout)
{
    m_connectTimeout = timeout;
    if (m_socket && !m_sender && !m_finished && timeout.IsStrictlyPositive())
    {
        Simulator::Cancel(m_connectTimeoutEvent);
        m_connectTimeoutEvent
            = Simulator::Schedule(timeout, &ModuleTransfer::ConnectTimedOut, this);
    }
}

void
ModuleTransfer::ConnectTimedOut()
{
    NS_LOG_WARN("ModuleTransfer: no connection to " << m_remote << " within "
                                                    << m_connectTimeout.As(Time::S));
    Abort();
}

void
ModuleTransfer::Abort()
{
    NS_LOG_FUNCTION(this);
    if (m_sender)
    {
        m_sender->Detach();
    }
    if (m_socket)
    {
        m_socket->Close();
    }
    Finish(false);
}

uint32_t
ModuleTransfer::GetSentCount() const
{
    return m_sent;
}

uint64_t
ModuleTransfer::GetBytesSent() const
{
    return m_sender ? m_sender->GetBytesSent() : 0;
}

uint64_t
ModuleTransfer::GetBytesQueued() const
{
    return m_bytesQueued;
}

const Address&
ModuleTransfer::GetRemote() const
{
    return m_remote;
}

bool
ModuleTransfer::IsFinished() const
{
    return m_finished;
}

void
ModuleTransfer::ConnectionSucceeded(Ptr<Socket> socket)
{
    NS_LOG_FUNCTION(this << socket);
    Simulator::Cancel(m_connectTimeoutEvent);
    socket->SetCloseCallbacks(MakeNullCallback<void, Ptr<Socket>>(),
                              MakeCallback(&ModuleTransfer::ConnectionError, this));
    m_sender = Create<ModuleStreamSender>(socket);
    m_sender->SetMessageSentCallback(MakeCallback(&ModuleTransfer::MessageSent, this));
    for (const auto& q : m_messages)
    {
        m_sender->Enqueue(q.fields, q.payload);
    }
    if (m_messages.empty())
    {
        if (m_closeWhenDone)
        {
            socket->Close();
        }
        Finish(true);
    }
}

void
ModuleTransfer::ConnectionFailed(Ptr<Socket> socket)
{
    NS_LOG_WARN("ModuleTransfer: connection to " << m_remote << " failed, errno "
                                                 << socket->GetErrno());
    Finish(false);
}

void
ModuleTransfer::ConnectionError(Ptr<Socket> socket)
{
    NS_LOG_WARN("ModuleTransfer: connection to " << m_remote << " broke off, errno "
                                                 << socket->GetErrno());
    if (m_sender)
    {
        m_sender->Detach();
    }
    Finish(false);
}

void
ModuleTransfer::MessageSent(const MessageFields& fields)
{
    NS_LOG_INFO(Simulator::Now().As(Time::S) << " module " << fields.moduleId << " handed to TCP");
    ++m_sent;
    if (m_onSent)
    {
        m_onSent(fields);
    }
    if (m_sent == m_messages.size())
    {
        if (m_closeWhenDone)
        {
            // TCP sends what it holds before its FIN.
            m_socket->Close();
        }
        Finish(true);
    }
}

void
ModuleTransfer::Finish(bool complete)
{
    if (m_finished)
    {
        return;
    }
    m_finished = true;
    Simulator::Cancel(m_connectTimeoutEvent);
    if (m_onDone)
    {
        m_onDone(complete);
    }
}

Ptr<ModuleTransfer>
ModuleTransferSet::Open(Ptr<Node> node, const Address& remote)
{
    Purge();
    auto transfer = Create<ModuleTransfer>(node, remote);
    m_transfers.push_back(transfer);
    return transfer;
}

void
ModuleTransferSet::AbortAll()
{
    for (const auto& t : m_transfers)
    {
        if (!t->IsFinished())
        {
            t->Abort();
        }
    }
    Purge();
}

uint64_t
ModuleTransferSet::GetBytesSent() const
{
    uint64_t bytes = m_finishedBytes;
    for (const auto& t : m_transfers)
    {
        bytes += t->GetBytesSent();
    }
    return bytes;
}

std::size_t
ModuleTransferSet::GetActiveCount() const
{
    return static_cast<std::size_t>(std::count_if(m_transfers.begin(), m_transfers.end(),
                                                  [](const auto& t) { return !t->IsFinished(); }));
}

void
ModuleTransferSet::Purge()
{
    // A finished transfer's socket may still be draining its last bytes to TCP: those were
    // counted when handed over, so dropping our reference loses nothing.
    for (auto it = m_transfers.begin(); it != m_transfers.end();)
    {
        if ((*it)->IsFinished())
        {
            m_finishedBytes += (*it)->GetBytesSent();
            it = m_transfers.erase(it);
        }
        else
        {
            ++it;
        }
    }
}

} // namespace ns3
