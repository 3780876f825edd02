/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/message-format.h"

#include "ns3/crc32c.h"
#include "ns3/module-state.h"

namespace ns3
{

namespace
{

void
PutU16(uint8_t* p, uint16_t v)
{
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}

void
PutU32(uint8_t* p, uint32_t v)
{
    p[0] = static_cast<uint8_t>(v >> 24);
    p[1] = static_cast<uint8_t>(v >> 16);
    p[2] = static_cast<uint8_t>(v >> 8);
    p[3] = static_cast<uint8_t>(v);
}

uint16_t
GetU16(const uint8_t* p)
{
    return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

uint32_t
GetU32(const uint8_t* p)
{
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

} // namespace

std::string
ToString(RejectReason reason)
{
    switch (reason)
    {
        case RejectReason::BAD_MAGIC:
            return "bad-magic";
        case RejectReason::BAD_VERSION:
            return "bad-version";
        case RejectReason::BAD_HEADER_CHECKSUM:
            return "bad-header-checksum";
        case RejectReason::BAD_HEADER_FIELD:
            return "bad-header-field";
        case RejectReason::PAYLOAD_TOO_LARGE:
            return "payload-too-large";
        case RejectReason::PAYLOAD_CHECKSUM_MISMATCH:
            return "payload-checksum-mismatch";
        case RejectReason::MALFORMED_PAYLOAD:
            return "malformed-payload";
        case RejectReason::SHAPE_MISMATCH:
            return "shape-mismatch";
        case RejectReason::NON_FINITE_VALUE:
            return "non-finite-value";
        case RejectReason::TRUNCATED:
            return "truncated";
        case RejectReason::OUT_OF_MEMORY:
            return "out-of-memory";
    }
    return "unknown";
}

std::string
ToString(MessageType type)
{
    switch (type)
    {
        case MessageType::MODULE_PUSH:
            return "push";
        case MessageType::MODULE_UPDATE:
            return "update";
        case MessageType::MODULE_SHARE:
            return "share";
    }
    return "unknown";
}

std::string
ToString(ModuleCodec codec)
{
    switch (codec)
    {
        case ModuleCodec::FP32:
            return "fp32";
        case ModuleCodec::FP16:
            return "fp16";
        case ModuleCodec::INT8:
            return "int8";
    }
    return "unknown";
}

bool
ParseModuleCodec(const std::string& name, ModuleCodec& codec)
{
    for (auto c : {ModuleCodec::FP32, ModuleCodec::FP16, ModuleCodec::INT8})
    {
        if (name == ToString(c))
        {
            codec = c;
            return true;
        }
    }
    return false;
}

bool
MessageFields::operator==(const MessageFields& other) const
{
    return type == other.type && codec == other.codec && round == other.round
           && sender == other.sender && step == other.step && payloadLength == other.payloadLength
           && payloadCrc == other.payloadCrc && moduleId == other.moduleId;
}

std::size_t
MessageFormat::HeaderSize(std::size_t idLength)
{
    return FIXED_SIZE + idLength + TRAILER_SIZE;
}

std::string
MessageFormat::CheckFields(const MessageFields& fields)
{
    if (fields.type != MessageType::MODULE_PUSH && fields.type != MessageType::MODULE_UPDATE
        && fields.type != MessageType::MODULE_SHARE)
    {
        return "unknown message type " + std::to_string(static_cast<int>(fields.type));
    }
    if ((fields.type == MessageType::MODULE_SHARE) != (fields.step != 0))
    {
        return "step " + std::to_string(fields.step) + " in a " + ToString(fields.type)
               + " message (a share message has a step of 1..255, any other 0)";
    }
    if (fields.codec != ModuleCodec::FP32 && fields.codec != ModuleCodec::FP16
        && fields.codec != ModuleCodec::INT8)
    {
        return "unknown codec " + std::to_string(static_cast<int>(fields.codec));
    }
    return ModuleState::CheckModuleId(fields.moduleId);
}

std::size_t
MessageFormat::WriteHeader(const MessageFields& fields, uint8_t* out)
{
    PutU32(out, MAGIC);
    out[4] = VERSION;
    out[5] = static_cast<uint8_t>(fields.type);
    out[6] = static_cast<uint8_t>(fields.codec);
    out[7] = fields.step;
    PutU32(out + 8, fields.round);
    PutU32(out + 12, fields.sender);
    PutU32(out + 16, fields.payloadLength);
    PutU32(out + 20, fields.payloadCrc);
    const auto idLength = fields.moduleId.size();
    PutU16(out + 24, static_cast<uint16_t>(idLength));
    fields.moduleId.copy(reinterpret_cast<char*>(out + FIXED_SIZE), idLength);
    const std::size_t crcAt = FIXED_SIZE + idLength;
    PutU32(out + crcAt, Crc32c(out, crcAt));
    return crcAt + TRAILER_SIZE;
}

MessageFormat::FixedPart
MessageFormat::ParseFixed(const uint8_t* data)
{
    FixedPart part;
    if (GetU32(data) != MAGIC)
    {
        part.reason = RejectReason::BAD_MAGIC;
        return part;
    }
    if (data[4] != VERSION)
    {
        part.reason = RejectReason::BAD_VERSION;
        return part;
    }
    const std::size_t idLength = GetU16(data + 24);
    if (idLength == 0 || idLength > ModuleState::MAX_MODULE_ID_LENGTH)
    {
        part.reason = RejectReason::BAD_HEADER_FIELD;
        return part;
    }
    part.ok = true;
    part.idLength = idLength;
    return part;
}

MessageFormat::Parsed
MessageFormat::ParseHeader(const uint8_t* data, std::size_t size)
{
    Parsed parsed;
    if (size < FIXED_SIZE)
    {
        parsed.reason = RejectReason::TRUNCATED;
        parsed.detail
            = "header needs " + std::to_string(FIXED_SIZE) + " bytes, got " + std::to_string(size);
        return parsed;
    }
    const FixedPart fixed = ParseFixed(data);
    if (!fixed.ok)
    {
        parsed.reason = fixed.reason;
        parsed.detail = fixed.reason == RejectReason::BAD_VERSION
                            ? "version " + std::to_string(data[4]) + " (this code speaks 1)"
                        : fixed.reason == RejectReason::BAD_MAGIC
                            ? "no HFFM magic at the start of the header"
                            : "module id length " + std::to_string(GetU16(data + 24));
        return parsed;
    }
    const std::size_t headerSize = HeaderSize(fixed.idLength);
    if (size < headerSize)
    {
        parsed.reason = RejectReason::TRUNCATED;
        parsed.detail
            = "header needs " + std::to_string(headerSize) + " bytes, got " + std::to_string(size);
        return parsed;
    }
    const std::size_t crcAt = FIXED_SIZE + fixed.idLength;
    const uint32_t declared = GetU32(data + crcAt);
    const uint32_t actual = Crc32c(data, crcAt);
    if (declared != actual)
    {
        parsed.reason = RejectReason::BAD_HEADER_CHECKSUM;
        parsed.detail
            = "header CRC " + std::to_string(declared) + ", computed " + std::to_string(actual);
        return parsed;
    }
    MessageFields& f = parsed.fields;
    f.type = static_cast<MessageType>(data[5]);
    f.codec = static_cast<ModuleCodec>(data[6]);
    f.round = GetU32(data + 8);
    f.sender = GetU32(data + 12);
    f.step = data[7];
    f.payloadLength = GetU32(data + 16);
    f.payloadCrc = GetU32(data + 20);
    f.moduleId.assign(reinterpret_cast<const char*>(data + FIXED_SIZE), fixed.idLength);
    const std::string error = CheckFields(f);
    if (!error.empty())
    {
        parsed.reason = RejectReason::BAD_HEADER_FIELD;
        parsed.detail = error;
        return parsed;
    }
    parsed.ok = true;
    return parsed;
}

} // namespace ns3
