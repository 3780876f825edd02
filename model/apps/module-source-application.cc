/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-source-application.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ModuleSourceApplication");

NS_OBJECT_ENSURE_REGISTERED(ModuleSourceApplication);

TypeId
ModuleSourceApplication::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::ModuleSourceApplication")
              .SetParent<Application>()
              .SetGroupName("Hffm")
              .AddConstructor<ModuleSourceApplication>()
              .AddAttribute("Remote", "The address (and port) of the module sink.", AddressValue(),
                            MakeAddressAccessor(&ModuleSourceApplication::m_remote),
                            MakeAddressChecker())
              .AddAttribute("Codec", "Payload codec: fp32 (exact), fp16 or int8 (lossy, smaller).",
                            StringValue("fp32"),
                            MakeStringAccessor(&ModuleSourceApplication::SetCodecName,
                                               &ModuleSourceApplication::GetCodecName),
                            MakeStringChecker())
              .AddAttribute("SenderId", "Sender id written into every message header.",
                            UintegerValue(0),
                            MakeUintegerAccessor(&ModuleSourceApplication::m_senderId),
                            MakeUintegerChecker<uint32_t>())
              .AddAttribute("Round", "Round number written into every message header.",
                            UintegerValue(0),
                            MakeUintegerAccessor(&ModuleSourceApplication::m_round),
                            MakeUintegerChecker<uint32_t>())
              .AddAttribute("Type",
                            "Message type of every module: update (up to a parent) or push "
                            "(down to a child).",
                            StringValue("update"),
                            MakeStringAccessor(&ModuleSourceApplication::SetTypeName,
                                               &ModuleSourceApplication::GetTypeName),
                            MakeStringChecker())
              .AddAttribute("CloseWhenDone",
                            "Close the connection once every module has been handed to TCP.",
                            BooleanValue(true),
                            MakeBooleanAccessor(&ModuleSourceApplication::m_closeWhenDone),
                            MakeBooleanChecker())
              .AddTraceSource("MessageSent", "The last byte of a module message was handed to TCP.",
                              MakeTraceSourceAccessor(&ModuleSourceApplication::m_messageSentTrace),
                              "ns3::ModuleSourceApplication::MessageSentTracedCallback");
    return tid;
}

ModuleSourceApplication::ModuleSourceApplication()
{
    NS_LOG_FUNCTION(this);
}

ModuleSourceApplication::~ModuleSourceApplication()
{
    NS_LOG_FUNCTION(this);
}

void
ModuleSourceApplication::DoDispose()
{
    NS_LOG_FUNCTION(this);
    if (m_transfer)
    {
        m_transfer->Abort();
        m_transfer = nullptr;
    }
    m_modules.clear();
    Application::DoDispose();
}

void
ModuleSourceApplication::SetCodecName(std::string name)
{
    NS_ABORT_MSG_IF(!ParseModuleCodec(name, m_codec), "ModuleSourceApplication: Codec '"
                                                          << name
                                                          << "' is not one of fp32, fp16, int8");
}

std::string
ModuleSourceApplication::GetCodecName() const
{
    return ToString(m_codec);
}

void
ModuleSourceApplication::SetTypeName(std::string name)
{
    NS_ABORT_MSG_IF(name != "update" && name != "push",
                    "ModuleSourceApplication: Type '" << name << "' is not update or push");
    m_type = name == "push" ? MessageType::MODULE_PUSH : MessageType::MODULE_UPDATE;
}

std::string
ModuleSourceApplication::GetTypeName() const
{
    return m_type == MessageType::MODULE_PUSH ? "push" : "update";
}

std::string
ModuleSourceApplication::AddModule(std::shared_ptr<const ModuleState> state)
{
    NS_LOG_FUNCTION(this << state->GetModuleId());
    EncodeResult encoded = EncodeModule(*state, m_codec);
    if (!encoded.payload)
    {
        NS_LOG_WARN("not sending module " << state->GetModuleId() << ": " << encoded.error);
        return encoded.error;
    }
    Queued q;
    q.fields.type = m_type;
    q.fields.moduleId = state->GetModuleId();
    q.payload = std::move(encoded.payload);
    m_bytesQueued += MessageFormat::HeaderSize(q.fields.moduleId.size()) + q.payload->bytes.size();
    m_modules.push_back(std::move(q));
    return "";
}

uint32_t
ModuleSourceApplication::GetSentCount() const
{
    return m_transfer ? m_transfer->GetSentCount() : 0;
}

uint64_t
ModuleSourceApplication::GetBytesSent() const
{
    return m_transfer ? m_transfer->GetBytesSent() : 0;
}

uint64_t
ModuleSourceApplication::GetBytesQueued() const
{
    return m_bytesQueued;
}

void
ModuleSourceApplication::StartApplication()
{
    NS_LOG_FUNCTION(this);
    NS_ABORT_MSG_IF(m_remote.IsInvalid(), "ModuleSourceApplication: attribute Remote is not set");
    m_transfer = Create<ModuleTransfer>(GetNode(), m_remote);
    m_transfer->SetCloseWhenDone(m_closeWhenDone);
    m_transfer->SetMessageSentCallback([this](const MessageFields& fields)
                                       { m_messageSentTrace(fields); });
    for (const auto& q : m_modules)
    {
        MessageFields fields = q.fields;
        fields.sender = m_senderId;
        fields.round = m_round;
        m_transfer->Add(fields, q.payload);
    }
    m_transfer->Start();
}

void
ModuleSourceApplication::StopApplication()
{
    NS_LOG_FUNCTION(this);
    if (m_transfer)
    {
        m_transfer->Abort();
    }
}

} // namespace ns3
