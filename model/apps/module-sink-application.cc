/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-sink-application.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ModuleSinkApplication");

NS_OBJECT_ENSURE_REGISTERED(ModuleSinkApplication);

TypeId
ModuleSinkApplication::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::ModuleSinkApplication")
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
    if (m_receiver)
    {
        m_receiver->Stop(); // releases the sockets; the counters stay readable
    }
    Application::DoDispose();
}

uint64_t
ModuleSinkApplication::GetReceivedCount() const
{
    return m_receiver ? m_receiver->GetReceivedCount() : 0;
}

uint64_t
ModuleSinkApplication::GetRejectedCount() const
{
    return m_receiver ? m_receiver->GetRejectedCount() : 0;
}

uint64_t
ModuleSinkApplication::GetRejectedCount(RejectReason reason) const
{
    return m_receiver ? m_receiver->GetRejectedCount(reason) : 0;
}

uint64_t
ModuleSinkApplication::GetBytesReceived() const
{
    return m_receiver ? m_receiver->GetBytesReceived() : 0;
}

uint32_t
ModuleSinkApplication::GetAcceptedConnections() const
{
    return m_receiver ? m_receiver->GetAcceptedConnections() : 0;
}

void
ModuleSinkApplication::StartApplication()
{
    NS_LOG_FUNCTION(this);
    NS_ABORT_MSG_IF(m_local.IsInvalid(), "ModuleSinkApplication: attribute Local is not set");
    m_receiver = Create<ModuleReceiver>(m_maxPayloadBytes);
    m_receiver->SetMessageCallback(
        [this](const MessageFields& fields, std::shared_ptr<ModuleState> state, const Address& from)
        { m_moduleReceivedTrace(fields, std::move(state), from); });
    m_receiver->SetRejectCallback([this](RejectReason reason, const std::string& detail,
                                         const MessageFields* /* fields */, const Address& from)
                                  { m_messageRejectedTrace(reason, detail, from); });
    m_receiver->Start(GetNode(), m_local);
}

void
ModuleSinkApplication::StopApplication()
{
    NS_LOG_FUNCTION(this);
    if (m_receiver)
    {
        m_receiver->Stop();
    }
}

} // namespace ns3
