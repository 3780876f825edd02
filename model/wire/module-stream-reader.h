/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_MODULE_STREAM_READER_H
#define HFFM_MODULE_STREAM_READER_H

#include "ns3/buffer-allocator.h"
#include "ns3/message-format.h"
#include "ns3/module-codec.h"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Turns the bytes of one stream (a TCP connection) into module messages.
 *
 * Bytes may arrive in pieces of any size. The reader asks for exactly the bytes it needs
 * next (GetWriteWindow()), so a caller copies each received byte once, straight into place:
 * header bytes into a small buffer, payload bytes into the payload buffer. When a message is
 * complete it is decoded and handed to the message callback; anything wrong is handed to the
 * reject callback with a reason, and the reader carries on:
 *
 *  - a header that is bad (magic, version, header CRC, a field) means the stream's framing
 *    is lost: the reader reports it once and scans forward for the next valid header;
 *  - a valid header with a payload that is too large, corrupt or undecodable: the reader
 *    reports it, skips exactly that payload, and the next message is read normally;
 *  - a stream that ends inside a message (Finish()) is reported as truncated.
 *
 * Memory follows the bytes that arrived, not the header's promise: a payload buffer starts
 * at 64 KiB (or the declared length, if smaller) and doubles as it fills, so a header that
 * declares a large payload and sends nothing costs 64 KiB. An allocation that fails is a
 * rejection (out-of-memory) of that message, whose remaining bytes are skipped.
 *
 * No ns-3 types: it is tested on its own and driven by ns3::ModuleSinkApplication.
 */
class ModuleStreamReader
{
  public:
    /// Called with each complete, valid message.
    using MessageCallback
        = std::function<void(const MessageFields& fields, std::shared_ptr<ModuleState> state)>;
    /**
     * Called for each rejection. \p fields is null when the header itself was unusable.
     */
    using RejectCallback = std::function<void(RejectReason reason, const std::string& detail,
                                              const MessageFields* fields)>;

    /// \param maxPayloadBytes payloads declared larger than this are rejected and skipped
    explicit ModuleStreamReader(uint32_t maxPayloadBytes);

    void SetMessageCallback(MessageCallback cb);
    void SetRejectCallback(RejectCallback cb);

    /// Where the next bytes of the stream go, and how many the reader takes there at most.
    struct Window
    {
        uint8_t* data;
        std::size_t size; //!< always at least 1
    };

    /// \return the buffer for the next bytes of the stream
    Window GetWriteWindow();

    /**
     * Tell the reader that \p n bytes (at most the window's size) were written into the
     * window returned by the last GetWriteWindow(). Callbacks run from inside this call.
     */
    void Commit(std::size_t n);

    /// Convenience: copy \p size bytes in through windows.
    void Feed(const uint8_t* data, std::size_t size);

    /// The stream has ended: a message in progress is reported as truncated.
    void Finish();

    /// \return true if the reader is between messages (nothing partial is buffered)
    bool IsAtMessageBoundary() const;

    /// \return the number of bytes committed so far
    uint64_t GetBytesConsumed() const;

  private:
    enum class Stage
    {
        FIXED,   //!< reading the fixed part of a header
        HEADER,  //!< reading the module id and the header CRC
        PAYLOAD, //!< reading a payload to decode
        SKIP,    //!< discarding a payload that was rejected from its header alone
    };

    /// The header bytes are unusable: report (once per run of garbage) and rescan.
    void LoseFraming(RejectReason reason, const std::string& detail);
    void HeaderComplete();
    /// Make room for more payload bytes, or reject the message if memory runs out.
    void GrowPayload();
    void PayloadComplete();
    void StartNextMessage();
    void Reject(RejectReason reason, const std::string& detail, const MessageFields* fields);

    /// Payload bytes a message may hold before its bytes arrive: beyond this, the buffer
    /// grows only with what the stream delivers.
    static constexpr std::size_t INITIAL_PAYLOAD_BUFFER = 64 * 1024;

    uint32_t m_maxPayloadBytes;
    MessageCallback m_onMessage;
    RejectCallback m_onReject;

    Stage m_stage{Stage::FIXED};
    std::array<uint8_t, MessageFormat::MAX_HEADER_SIZE> m_header{};
    std::size_t m_headerFill{0};
    std::size_t m_headerSize{MessageFormat::FIXED_SIZE};
    bool m_scanning{false}; //!< inside a run of bytes that holds no valid header

    MessageFields m_fields;
    std::vector<uint8_t, BufferAllocator<uint8_t>> m_payload;
    std::size_t m_payloadFill{0};
    uint64_t m_skipLeft{0};
    std::array<uint8_t, 4096> m_skipSink{};

    uint64_t m_consumed{0};
};

} // namespace ns3

#endif /* HFFM_MODULE_STREAM_READER_H */
