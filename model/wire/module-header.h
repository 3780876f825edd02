/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_MODULE_HEADER_H
#define HFFM_MODULE_HEADER_H

#include "ns3/header.h"
#include "ns3/message-format.h"

namespace ns3
{

/**
 * \ingroup hffm
 * \brief The header of an hffm module message, as an ns-3 Header.
 *
 * The byte layout is documented in message-format.h; this class adds ns-3's Header
 * interface (Serialize, Deserialize, Print) on top of the same functions the stream reader
 * uses. Deserialize() never trusts what it reads: check IsValid() afterwards, and
 * GetRejectReason() / GetRejectDetail() say what was wrong.
 */
class ModuleHeader : public Header
{
  public:
    static TypeId GetTypeId();
    TypeId GetInstanceTypeId() const override;

    ModuleHeader();
    /// \param fields the fields to send; MessageFormat::CheckFields() must accept them
    explicit ModuleHeader(const MessageFields& fields);

    void SetFields(const MessageFields& fields);
    const MessageFields& GetFields() const;

    /// \return true if the last Deserialize() read a valid header (or fields were set)
    bool IsValid() const;
    RejectReason GetRejectReason() const;
    const std::string& GetRejectDetail() const;

    uint32_t GetSerializedSize() const override;
    void Serialize(Buffer::Iterator start) const override;
    uint32_t Deserialize(Buffer::Iterator start) override;
    void Print(std::ostream& os) const override;

  private:
    MessageFields m_fields;
    bool m_valid{true};
    RejectReason m_reason{RejectReason::BAD_MAGIC};
    std::string m_detail;
};

} // namespace ns3

#endif /* HFFM_MODULE_HEADER_H */
