/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-sink-application.h"

#include "ns3/abort.h"
#include "ns3/address-utils.h"
#include "ns3/inet-socket-address.h"
#include "ns3/inet6-socket-address.h"
#include "ns3/log.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/tcp-socket-factory.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <numeric>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ModuleSinkApplication");

NS_OBJECT_ENSURE_REGISTERED(ModuleSinkApplication);

TypeId
ModuleSinkApplication::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::ModuleSinkApplication")
              .SetParent<Application>()
              .SetGroupName("Hffm")
              .AddConstructor<ModuleSinkApplication>()
              .AddAttribute("Local", "The address (and port) to listen on.", AddressValue(),
                            MakeAddressAccessor(&ModuleSinkApplication::m_local),
                            MakeAddressChecker())
              .AddAttribute("MaxPayloadBytes",
                            "Messages declaring a larger payload are rejected and skipped "
                            "without buffering them.",
                            UintegerValue(256U << 20),
                            MakeUintegerAccessor(&ModuleSinkApplication::m_maxPayloadBytes),
                            MakeUintegerChecker<uint32_t>(1))
              .AddTraceSource(
                  "ModuleReceived", "A module message arrived complete and valid.",
                  MakeTraceSourceAccessor(&ModuleSinkApplication::m_moduleReceivedTrace),
                  "ns3::ModuleSinkApplication::ModuleReceivedTracedCallback")
              .AddTraceSource(
                  "MessageRejected", "A message or part of a stream was rejected.",
                  MakeTraceSourceAccessor(&ModuleSinkApplication::m_messageRejectedTrace),
                  "ns3::ModuleSinkApplication::MessageRejectedTracedCallback");
    return tid;
}

ModuleSinkApplication::ModuleSinkApplication()
    : m_maxPayloadBytes(256U << 20)
{
    NS_LOG_FUNCTION(this);
}

ModuleSinkApplication::~ModuleSinkApplication()
{
    NS_LOG_FUNCTION(this);
}

void
ModuleSinkApplication::DoDispose()
{
    NS_LOG_FUNCTION(this);
    m_listener = nullptr;
    m_connections.clear();
    Application::DoDispose();
}

uint64_t
ModuleSinkApplication::GetReceivedCount() const
{
    return m_received;
}

uint64_t
ModuleSinkApplication::GetRejectedCount() const
{
    return std::accumulate(m_rejected.begin(), m_rejected.end(), uint64_t{0});
}

uint64_t
ModuleSinkApplication::GetRejectedCount(RejectReason reason) const
{
    return m_rejected.at(static_cast<std::size_t>(reason));
}

uint64_t
ModuleSinkApplication::GetBytesReceived() const
{
    return m_bytesReceived;
}

uint32_t
ModuleSinkApplication::GetAcceptedConnections() const
{
    return m_accepted;
}

void
ModuleSinkApplication::StartApplication()
{
    NS_LOG_FUNCTION(this);
    NS_ABORT_MSG_IF(m_local.IsInvalid(), "ModuleSinkApplication: attribute Local is not set");
    m_listener = Socket::CreateSocket(GetNode(), TcpSocketFactory::GetTypeId());
    const int bound = m_listener->Bind(m_local);
    NS_ABORT_MSG_IF(bound != 0, "ModuleSinkApplication: cannot bind to " << m_local);
    m_listener->Listen();
    m_listener->SetAcceptCallback(
        MakeCallback(&ModuleSinkApplication::HandleConnectionRequest, this),
        MakeCallback(&ModuleSinkApplication::HandleAccept, this));
}

void
ModuleSinkApplication::StopApplication()
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
ModuleSinkApplication::HandleConnectionRequest(Ptr<Socket> /* socket */, const Address& from)
{
    NS_LOG_FUNCTION(this << from);
    return true;
}

void
ModuleSinkApplication::HandleAccept(Ptr<Socket> socket, const Address& from)
{
    NS_LOG_FUNCTION(this << socket << from);
    ++m_accepted;
    Connection c;
    c.from = from;
    c.reader = std::make_unique<ModuleStreamReader>(m_maxPayloadBytes);
    c.reader->SetMessageCallback(
        [this, from](const MessageFields& fields, std::shared_ptr<ModuleState> state)
        { OnMessage(from, fields, std::move(state)); });
    c.reader->SetRejectCallback(
        [this, from](RejectReason reason, const std::string& detail, const MessageFields* f)
        { OnReject(from, reason, detail, f); });
    m_connections[socket] = std::move(c);
    socket->SetRecvCallback(MakeCallback(&ModuleSinkApplication::HandleRead, this));
    socket->SetCloseCallbacks(MakeCallback(&ModuleSinkApplication::HandleClose, this),
                              MakeCallback(&ModuleSinkApplication::HandleClose, this));
}

void
ModuleSinkApplication::HandleRead(Ptr<Socket> socket)
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
ModuleSinkApplication::HandleClose(Ptr<Socket> socket)
{
    NS_LOG_FUNCTION(this << socket);
    CloseConnection(socket);
}

void
ModuleSinkApplication::CloseConnection(Ptr<Socket> socket)
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

void
ModuleSinkApplication::OnMessage(const Address& from, const MessageFields& fields,
                                 std::shared_ptr<ModuleState> state)
{
    NS_LOG_INFO(Simulator::Now().As(Time::S)
                << " received module " << fields.moduleId << " (" << fields.payloadLength
                << " payload bytes, " << ToString(fields.codec) << ") from sender "
                << fields.sender);
    ++m_received;
    m_moduleReceivedTrace(fields, std::move(state), from);
}

void
ModuleSinkApplication::OnReject(const Address& from, RejectReason reason, const std::string& detail,
                                const MessageFields* fields)
{
    NS_LOG_WARN(Simulator::Now().As(Time::S)
                << " rejected " << (fields ? "module " + fields->moduleId : "stream bytes") << ": "
                << ToString(reason) << ": " << detail);
    ++m_rejected.at(static_cast<std::size_t>(reason));
    m_messageRejectedTrace(reason, detail, from);
}

} // namespace ns3
