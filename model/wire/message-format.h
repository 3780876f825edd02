/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_MESSAGE_FORMAT_H
#define HFFM_MESSAGE_FORMAT_H

#include <cstddef>
#include <cstdint>
#include <string>

/**
 * \file
 * \ingroup hffm
 * The hffm module transfer protocol, version 1, without any ns-3 type: constants, the fields
 * of a message header, how they are written and parsed, and the reasons a message is
 * rejected. ns3::ModuleHeader wraps the same bytes as an ns-3 Header.
 *
 * A message is a header followed by a payload. Header fields are in network byte order:
 *
 *     offset size field
 *          0    4 magic "HFFM" (0x4846464D)
 *          4    1 version (1)
 *          5    1 message type (MessageType)
 *          6    1 codec of the payload (ModuleCodec)
 *          7    1 step: the consensus step (1..255) of a share message, else 0
 *          8    4 round
 *         12    4 sender id
 *         16    4 payload length in bytes
 *         20    4 CRC-32C of the payload
 *         24    2 module id length L (1..255)
 *         26    L module id (printable ASCII)
 *       26+L    4 CRC-32C of the header bytes 0..26+L-1
 *
 * The payload is described in module-codec.h.
 */

namespace ns3
{

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error \
    "hffm's payload codec writes little-endian floats by memcpy: big-endian hosts are not supported"
#endif

/// Kinds of message.
enum class MessageType : uint8_t
{
    MODULE_PUSH = 1,   //!< a server sends a module down (cloud to fog, fog to device)
    MODULE_UPDATE = 2, //!< a node sends its updated module up (device to fog, fog to cloud)
    MODULE_SHARE = 3,  //!< a node shares its consensus state with a D2D neighbour (one step)
};

/// Payload encodings; see module-codec.h.
enum class ModuleCodec : uint8_t
{
    FP32 = 0, //!< IEEE binary32, exact
    FP16 = 1, //!< IEEE binary16, round to nearest even
    INT8 = 2, //!< symmetric 8-bit integers with one float scale per tensor
};

/// Why a message, or a part of a stream, was rejected.
enum class RejectReason : uint8_t
{
    BAD_MAGIC,           //!< the bytes where a header should start are not "HFFM"
    BAD_VERSION,         //!< a protocol version this code does not speak
    BAD_HEADER_CHECKSUM, //!< the header's own CRC does not match
    BAD_HEADER_FIELD,  //!< unknown type or codec, a step that does not fit the type, bad module id
    PAYLOAD_TOO_LARGE, //!< the declared payload length exceeds the receiver's limit
    PAYLOAD_CHECKSUM_MISMATCH, //!< the payload's CRC does not match the header's
    MALFORMED_PAYLOAD,         //!< the payload's tensor table cannot be parsed or is invalid
    SHAPE_MISMATCH,            //!< the data does not match the shapes the table declares
    NON_FINITE_VALUE,          //!< a decoded value, scale or sample weight is NaN or infinite
    TRUNCATED,                 //!< the stream ended inside a message
    OUT_OF_MEMORY,             //!< the receiver could not allocate memory for the message
};

/// Number of RejectReason values.
constexpr std::size_t REJECT_REASON_COUNT = 11;

/// \return a stable lower-case name, e.g. "payload-checksum-mismatch"
std::string ToString(RejectReason reason);
/// \return "push" or "update"
std::string ToString(MessageType type);
/// \return "fp32", "fp16" or "int8"
std::string ToString(ModuleCodec codec);
/**
 * \param name "fp32", "fp16" or "int8"
 * \param[out] codec the codec, when the name is known
 * \return true if the name is known
 */
bool ParseModuleCodec(const std::string& name, ModuleCodec& codec);

/// The fields of a message header.
struct MessageFields
{
    MessageType type{MessageType::MODULE_UPDATE};
    ModuleCodec codec{ModuleCodec::FP32};
    uint32_t round{0};
    uint32_t sender{0};
    uint8_t step{0}; //!< share messages: the consensus step, 1..255; other types: 0
    uint32_t payloadLength{0};
    uint32_t payloadCrc{0};
    std::string moduleId;

    bool operator==(const MessageFields& other) const;
};

/// Wire constants.
struct MessageFormat
{
    static constexpr uint32_t MAGIC = 0x4846464D; //!< "HFFM"
    static constexpr uint8_t VERSION = 1;
    static constexpr std::size_t FIXED_SIZE = 26;  //!< bytes before the module id
    static constexpr std::size_t TRAILER_SIZE = 4; //!< the header CRC after the module id
    static constexpr std::size_t MAX_HEADER_SIZE = FIXED_SIZE + 255 + TRAILER_SIZE;

    /// \return the header size for a module id of \p idLength characters
    static std::size_t HeaderSize(std::size_t idLength);

    /**
     * Write a header; \p out must hold HeaderSize(fields.moduleId.size()) bytes.
     * The caller is responsible for valid fields (see CheckFields()).
     * \return the number of bytes written
     */
    static std::size_t WriteHeader(const MessageFields& fields, uint8_t* out);

    /// \return an empty string if the fields can be sent, else why not
    static std::string CheckFields(const MessageFields& fields);

    /// Outcome of the first stage of parsing: the fixed part.
    struct FixedPart
    {
        bool ok{false};
        RejectReason reason{RejectReason::BAD_MAGIC};
        std::size_t idLength{0};
    };

    /**
     * Check magic, version and module id length from the first FIXED_SIZE bytes; after this
     * the whole header is HeaderSize(idLength) bytes long.
     */
    static FixedPart ParseFixed(const uint8_t* data);

    /// Outcome of parsing a whole header.
    struct Parsed
    {
        bool ok{false};
        RejectReason reason{RejectReason::BAD_MAGIC};
        std::string detail;
        MessageFields fields;
    };

    /**
     * Parse and validate a whole header: \p data holds \p size bytes, which must be at least
     * HeaderSize() for the id length in the fixed part. Checks magic, version, header CRC,
     * type, codec, step and module id. The payload length is not checked against any limit
     * here: that is the receiver's policy.
     */
    static Parsed ParseHeader(const uint8_t* data, std::size_t size);
};

} // namespace ns3

#endif /* HFFM_MESSAGE_FORMAT_H */
