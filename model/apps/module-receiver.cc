/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-receiver.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/tcp-socket-factory.h"

#include <algorithm>
#include <numeric>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ModuleReceiver");

ModuleReceiver::ModuleReceiver(uint32_t maxPayloadBytes)
    : m_maxPayloadBytes(maxPayloadBytes)
{
}

ModuleReceiver::~ModuleReceiver()
{
    Stop();
}

void
ModuleReceiver::SetMessageCallback(MessageCallback cb)
{
    m_onMessage = std::move(cb);
}

void
ModuleReceiver::SetRejectCallback(RejectCallback cb)
{
    m_onReject = std::move(cb);
}

uint64_t
ModuleReceiver::GetReceivedCount() const
{
    return m_received;
}

uint64_t
ModuleReceiver::GetRejectedCount() const
{
    return std::accumulate(m_rejected.begin(), m_rejected.end(), uint64_t{0});
}

uint64_t
ModuleReceiver::GetRejectedCount(RejectReason reason) const
{
    return m_rejected.at(static_cast<std::size_t>(reason));
}

uint64_t
ModuleReceiver::GetBytesReceived() const
{
    return m_bytesReceived;
}

uint32_t
ModuleReceiver::GetAcceptedConnections() const
{
    return m_accepted;
}

void
ModuleReceiver::Start(Ptr<Node> node, const Address& local)
{
    NS_LOG_FUNCTION(this << local);
    NS_ABORT_MSG_IF(local.IsInvalid(), "ModuleReceiver: no local address");
    m_listener = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
    const int bound = m_listener->Bind(local);
    NS_ABORT_MSG_IF(bound != 0, "ModuleReceiver: cannot bind to " << local);
    m_listener->Listen();
    m_listener->SetAcceptCallback(MakeCallback(&ModuleReceiver::HandleConnectionRequest, this),
                                  MakeCallback(&ModuleReceiver::HandleAccept, this));
}

void
ModuleReceiver::Stop()
{
    NS_LOG_FUNCTION(this);
    while (!m_connections.empty())
    {
        CloseConnection(m_connections.begin()->first);
    }
    if (m_listener)
    {
        m_listener->Close();
        m_listener->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                      MakeNullCallback<void, Ptr<Socket>, const Address&>());
        m_listener = nullptr;
    }
}

bool
ModuleReceiver::HandleConnectionRequest(Ptr<Socket> /* socket */, const Address& from)
{
    NS_LOG_FUNCTION(this << from);
    return true;
}

void
ModuleReceiver::HandleAccept(Ptr<Socket> socket, const Address& from)
{
    NS_LOG_FUNCTION(this << socket << from);
    ++m_accepted;
    Connection c;
    c.from = from;
    c.reader = std::make_unique<ModuleStreamReader>(m_maxPayloadBytes);
    c.reader->SetMessageCallback(
        [this, from](const MessageFields& fields, std::shared_ptr<ModuleState> state)
        {
            NS_LOG_INFO(Simulator::Now().As(Time::S)
                        << " received module " << fields.moduleId << " (" << fields.payloadLength
                        << " payload bytes, " << ToString(fields.codec) << ") from sender "
                        << fields.sender);
            ++m_received;
            if (m_onMessage)
            {
                m_onMessage(fields, std::move(state), from);
            }
        });
    c.reader->SetRejectCallback(
        [this, from](RejectReason reason, const std::string& detail, const MessageFields* f)
        {
            NS_LOG_WARN(Simulator::Now().As(Time::S)
                        << " rejected " << (f ? "module " + f->moduleId : "stream bytes") << ": "
                        << ToString(reason) << ": " << detail);
            ++m_rejected.at(static_cast<std::size_t>(reason));
            if (m_onReject)
            {
                m_onReject(reason, detail, f, from);
            }
        });
    m_connections[socket] = std::move(c);
    socket->SetRecvCallback(MakeCallback(&ModuleReceiver::HandleRead, this));
    socket->SetCloseCallbacks(MakeCallback(&ModuleReceiver::HandleClose, this),
                              MakeCallback(&ModuleReceiver::HandleClose, this));
}

void
ModuleReceiver::HandleRead(Ptr<Socket> socket)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end())
    {
        return;
    }
    ModuleStreamReader& reader = *it->second.reader;
    Ptr<Packet> packet;
    Address from;
    while ((packet = socket->RecvFrom(from)))
    {
        if (packet->GetSize() == 0)
        {
            break; // end of stream: TCP returns an empty packet once the peer has closed
        }
        m_bytesReceived += packet->GetSize();
        // Copy each byte once, straight to where the reader wants it.
        while (packet->GetSize() > 0)
        {
            const auto window = reader.GetWriteWindow();
            const auto n
                = static_cast<uint32_t>(std::min<std::size_t>(window.size, packet->GetSize()));
            packet->CopyData(window.data, n);
            packet->RemoveAtStart(n);
            reader.Commit(n);
        }
    }
}

void
ModuleReceiver::HandleClose(Ptr<Socket> socket)
{
    NS_LOG_FUNCTION(this << socket);
    CloseConnection(socket);
}

void
ModuleReceiver::CloseConnection(Ptr<Socket> socket)
{
    HandleRead(socket); // whatever the socket still holds belongs before the end of stream
    auto it = m_connections.find(socket);
    if (it == m_connections.end())
    {
        return;
    }
    // Take the connection out first: Finish() may run callbacks.
    Connection c = std::move(it->second);
    m_connections.erase(it);
    socket->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
    socket->SetCloseCallbacks(MakeNullCallback<void, Ptr<Socket>>(),
                              MakeNullCallback<void, Ptr<Socket>>());
    c.reader->Finish();
    socket->Close();
}

} // namespace ns3
