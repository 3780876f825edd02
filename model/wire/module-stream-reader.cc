/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-stream-reader.h"

#include <algorithm>
#include <cstring>

namespace ns3
{

ModuleStreamReader::ModuleStreamReader(uint32_t maxPayloadBytes)
    : m_maxPayloadBytes(maxPayloadBytes)
{
}

void
ModuleStreamReader::SetMessageCallback(MessageCallback cb)
{
    m_onMessage = std::move(cb);
}

void
ModuleStreamReader::SetRejectCallback(RejectCallback cb)
{
    m_onReject = std::move(cb);
}

ModuleStreamReader::Window
ModuleStreamReader::GetWriteWindow()
{
    switch (m_stage)
    {
        case Stage::FIXED:
        case Stage::HEADER:
            return {m_header.data() + m_headerFill, m_headerSize - m_headerFill};
        case Stage::PAYLOAD:
            // Never empty: the buffer grows as soon as it is full and the message is not.
            return {m_payload.data() + m_payloadFill, m_payload.size() - m_payloadFill};
        case Stage::SKIP:
            return {m_skipSink.data(),
                    static_cast<std::size_t>(std::min<uint64_t>(m_skipLeft, m_skipSink.size()))};
    }
    return {m_header.data(), 1};
}

void
ModuleStreamReader::Commit(std::size_t n)
{
    m_consumed += n;
    switch (m_stage)
    {
        case Stage::FIXED:
        case Stage::HEADER:
            m_headerFill += n;
            if (m_headerFill == m_headerSize)
            {
                HeaderComplete();
            }
            break;
        case Stage::PAYLOAD:
            m_payloadFill += n;
            if (m_payloadFill == m_fields.payloadLength)
            {
                PayloadComplete();
            }
            else if (m_payloadFill == m_payload.size())
            {
                GrowPayload();
            }
            break;
        case Stage::SKIP:
            m_skipLeft -= n;
            if (m_skipLeft == 0)
            {
                StartNextMessage();
            }
            break;
    }
}

void
ModuleStreamReader::Feed(const uint8_t* data, std::size_t size)
{
    while (size > 0)
    {
        const Window w = GetWriteWindow();
        const std::size_t n = std::min(w.size, size);
        std::memcpy(w.data, data, n);
        Commit(n);
        data += n;
        size -= n;
    }
}

void
ModuleStreamReader::Finish()
{
    if (IsAtMessageBoundary())
    {
        return;
    }
    if (m_stage == Stage::PAYLOAD || m_stage == Stage::SKIP)
    {
        // A skipped payload was already reported when its header arrived.
        if (m_stage == Stage::PAYLOAD)
        {
            Reject(RejectReason::TRUNCATED,
                   "stream ended after " + std::to_string(m_payloadFill) + " of "
                       + std::to_string(m_fields.payloadLength) + " payload bytes",
                   &m_fields);
        }
    }
    else if (!m_scanning)
    {
        Reject(RejectReason::TRUNCATED,
               "stream ended after " + std::to_string(m_headerFill) + " header bytes", nullptr);
    }
    m_scanning = false;
    StartNextMessage();
    m_payload = decltype(m_payload)(); // release a large buffer with the stream
}

bool
ModuleStreamReader::IsAtMessageBoundary() const
{
    return m_stage == Stage::FIXED && m_headerFill == 0 && !m_scanning;
}

uint64_t
ModuleStreamReader::GetBytesConsumed() const
{
    return m_consumed;
}

void
ModuleStreamReader::Reject(RejectReason reason, const std::string& detail,
                           const MessageFields* fields)
{
    if (m_onReject)
    {
        m_onReject(reason, detail, fields);
    }
}

void
ModuleStreamReader::StartNextMessage()
{
    m_stage = Stage::FIXED;
    m_headerFill = 0;
    m_headerSize = MessageFormat::FIXED_SIZE;
    m_payloadFill = 0;
    m_skipLeft = 0;
}

void
ModuleStreamReader::LoseFraming(RejectReason reason, const std::string& detail)
{
    if (!m_scanning)
    {
        Reject(reason, detail, nullptr);
        m_scanning = true;
    }
    // Keep the buffered bytes from the next place a magic could start (a full match, or a
    // prefix of the magic at the end of the buffer) and read on from there.
    static const uint8_t magic[4] = {'H', 'F', 'F', 'M'};
    std::size_t start = 1;
    for (; start < m_headerFill; ++start)
    {
        const std::size_t avail = std::min<std::size_t>(4, m_headerFill - start);
        if (std::memcmp(m_header.data() + start, magic, avail) == 0)
        {
            break;
        }
    }
    // The kept bytes go through the normal path again; they may complete a header and run
    // on into its payload. Each replay is shorter than the bytes it came from.
    const std::vector<uint8_t> replay(m_header.begin() + start, m_header.begin() + m_headerFill);
    StartNextMessage();
    m_consumed -= replay.size();
    Feed(replay.data(), replay.size());
}

void
ModuleStreamReader::HeaderComplete()
{
    if (m_stage == Stage::FIXED)
    {
        const auto fixed = MessageFormat::ParseFixed(m_header.data());
        if (!fixed.ok)
        {
            const auto parsed = MessageFormat::ParseHeader(m_header.data(), m_headerFill);
            LoseFraming(parsed.reason, parsed.detail);
            return;
        }
        m_stage = Stage::HEADER;
        m_headerSize = MessageFormat::HeaderSize(fixed.idLength);
        return;
    }
    auto parsed = MessageFormat::ParseHeader(m_header.data(), m_headerFill);
    if (!parsed.ok)
    {
        LoseFraming(parsed.reason, parsed.detail);
        return;
    }
    m_scanning = false;
    m_fields = std::move(parsed.fields);
    if (m_fields.payloadLength > m_maxPayloadBytes)
    {
        Reject(RejectReason::PAYLOAD_TOO_LARGE,
               "payload of " + std::to_string(m_fields.payloadLength)
                   + " bytes exceeds the limit of " + std::to_string(m_maxPayloadBytes),
               &m_fields);
        m_stage = Stage::SKIP;
        m_skipLeft = m_fields.payloadLength;
        if (m_skipLeft == 0)
        {
            StartNextMessage();
        }
        return;
    }
    m_stage = Stage::PAYLOAD;
    m_payloadFill = 0;
    if (m_fields.payloadLength == 0)
    {
        m_payload.clear();
        PayloadComplete();
        return;
    }
    GrowPayload();
}

void
ModuleStreamReader::GrowPayload()
{
    // The declared length is a promise the sender has not kept yet: the buffer grows with
    // the bytes that arrive (doubling, so each byte is copied at most once more on average),
    // and memory already held from earlier messages is reused.
    const std::size_t target = m_fields.payloadLength;
    const std::size_t grown = std::max<std::size_t>(
        {m_payload.capacity(), INITIAL_PAYLOAD_BUFFER, 2 * m_payload.size()});
    try
    {
        m_payload.resize(std::min(target, grown));
    }
    catch (const std::bad_alloc&)
    {
        const MessageFields fields = m_fields;
        Reject(RejectReason::OUT_OF_MEMORY,
               "no memory for payload bytes " + std::to_string(m_payloadFill) + " to "
                   + std::to_string(std::min(target, grown)) + " of " + std::to_string(target),
               &fields);
        m_payload = decltype(m_payload)();
        m_stage = Stage::SKIP;
        m_skipLeft = target - m_payloadFill;
    }
}

void
ModuleStreamReader::PayloadComplete()
{
    // Move to the next message before the callbacks run, so that they see a consistent reader.
    const MessageFields fields = m_fields;
    StartNextMessage();
    DecodeResult decoded;
    try
    {
        decoded = DecodeModule(fields.moduleId, fields.codec, m_payload.data(),
                               fields.payloadLength, fields.payloadCrc);
    }
    catch (const std::bad_alloc&)
    {
        Reject(RejectReason::OUT_OF_MEMORY,
               "no memory to decode a payload of " + std::to_string(fields.payloadLength)
                   + " bytes",
               &fields);
        return;
    }
    if (!decoded.ok)
    {
        Reject(decoded.reason, decoded.detail, &fields);
        return;
    }
    if (m_onMessage)
    {
        m_onMessage(fields, std::move(decoded.state));
    }
}

} // namespace ns3
