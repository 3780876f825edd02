/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-header.h"

#include "ns3/abort.h"
#include "ns3/log.h"

#include <array>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("ModuleHeader");

NS_OBJECT_ENSURE_REGISTERED(ModuleHeader);

TypeId
ModuleHeader::GetTypeId()
{
    static TypeId tid = TypeId("ns3::hffm::ModuleHeader")
                            .SetParent<Header>()
                            .SetGroupName("Hffm")
                            .AddConstructor<ModuleHeader>();
    return tid;
}

TypeId
ModuleHeader::GetInstanceTypeId() const
{
    return GetTypeId();
}

ModuleHeader::ModuleHeader()
{
    m_fields.moduleId = "unset";
}

ModuleHeader::ModuleHeader(const MessageFields& fields)
{
    SetFields(fields);
}

void
ModuleHeader::SetFields(const MessageFields& fields)
{
    const std::string error = MessageFormat::CheckFields(fields);
    NS_ABORT_MSG_IF(!error.empty(), "ModuleHeader: " << error);
    m_fields = fields;
    m_valid = true;
    m_detail.clear();
}

const MessageFields&
ModuleHeader::GetFields() const
{
    return m_fields;
}

bool
ModuleHeader::IsValid() const
{
    return m_valid;
}

RejectReason
ModuleHeader::GetRejectReason() const
{
    return m_reason;
}

const std::string&
ModuleHeader::GetRejectDetail() const
{
    return m_detail;
}

uint32_t
ModuleHeader::GetSerializedSize() const
{
    return static_cast<uint32_t>(MessageFormat::HeaderSize(m_fields.moduleId.size()));
}

void
ModuleHeader::Serialize(Buffer::Iterator start) const
{
    std::array<uint8_t, MessageFormat::MAX_HEADER_SIZE> bytes;
    const std::size_t n = MessageFormat::WriteHeader(m_fields, bytes.data());
    start.Write(bytes.data(), static_cast<uint32_t>(n));
}

uint32_t
ModuleHeader::Deserialize(Buffer::Iterator start)
{
    std::array<uint8_t, MessageFormat::MAX_HEADER_SIZE> bytes;
    m_valid = false;
    const uint32_t available = start.GetRemainingSize();
    if (available < MessageFormat::FIXED_SIZE)
    {
        m_reason = RejectReason::TRUNCATED;
        m_detail = "only " + std::to_string(available) + " bytes for a header";
        return 0;
    }
    start.Read(bytes.data(), MessageFormat::FIXED_SIZE);
    const auto fixed = MessageFormat::ParseFixed(bytes.data());
    std::size_t size = MessageFormat::FIXED_SIZE;
    if (fixed.ok)
    {
        size = MessageFormat::HeaderSize(fixed.idLength);
        if (available < size)
        {
            m_reason = RejectReason::TRUNCATED;
            m_detail = "header needs " + std::to_string(size) + " bytes, "
                       + std::to_string(available) + " available";
            return 0;
        }
        start.Read(bytes.data() + MessageFormat::FIXED_SIZE,
                   static_cast<uint32_t>(size - MessageFormat::FIXED_SIZE));
    }
    auto parsed = MessageFormat::ParseHeader(bytes.data(), size);
    if (!parsed.ok)
    {
        NS_LOG_LOGIC("invalid header: " << ToString(parsed.reason) << ": " << parsed.detail);
        m_reason = parsed.reason;
        m_detail = parsed.detail;
        return 0;
    }
    m_fields = std::move(parsed.fields);
    m_valid = true;
    m_detail.clear();
    return static_cast<uint32_t>(size);
}

void
ModuleHeader::Print(std::ostream& os) const
{
    if (!m_valid)
    {
        os << "invalid hffm header (" << ToString(m_reason) << ": " << m_detail << ")";
        return;
    }
    os << "hffm " << ToString(m_fields.type) << " module=" << m_fields.moduleId
       << " round=" << m_fields.round << " sender=" << m_fields.sender
       << " codec=" << ToString(m_fields.codec) << " payload=" << m_fields.payloadLength
       << " crc=0x" << std::hex << m_fields.payloadCrc << std::dec;
}

} // namespace ns3
