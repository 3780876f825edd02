/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// libFuzzer target: arbitrary bytes into ModuleStreamReader, in chunks whose sizes come from
// the input (input format: fuzz-common.h), with an optional Finish() mid-stream and,
// optionally, the CRCs of the stream's messages fixed up first so that mutated payloads reach
// the decoder.
//
// Invariants:
//  - every rejection has a reason among RejectReason's values and a non-empty detail;
//  - every accepted module passes MessageFormat::CheckFields(), is finite with a finite,
//    non-negative sample weight, and its payload (the stream bytes just before the reader's
//    position at the callback) has the header's length and CRC;
//  - encoding an accepted module with the same codec gives the received payload bytes and
//    CRC for fp32 and fp16; for int8 (whose payloads are not canonical) encoding the decoded
//    module and decoding it again stays within the int8 error bound documented in
//    module-codec.h: |x - x'| <= s / 2 + 2^-24 |x'|, with s = max|x| / 127 rounded up to a
//    float (CheckEncodeDecode() in fuzz-common.h);
//  - the reader asks for at least one byte and at most what its window holds, and its count
//    of consumed bytes equals the number of bytes fed, after every commit;
//  - after Finish() the reader is at a message boundary.

#include "fuzz-common.h"
#include "ns3/module-stream-reader.h"

#include <algorithm>

using namespace hffm::fuzz;

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    StreamInput in = ParseStreamInput(data, size);
    std::vector<uint8_t> fixed;
    if (in.fixCrcs)
    {
        fixed.assign(in.stream, in.stream + in.streamSize);
        FixStreamCrcs(fixed);
        in.stream = fixed.data();
    }
    ns3::ModuleStreamReader reader(in.maxPayload);

    reader.SetRejectCallback(
        [&](ns3::RejectReason reason, const std::string& detail, const ns3::MessageFields* f)
        {
            HFFM_FUZZ_CHECK(static_cast<std::size_t>(reason) < ns3::REJECT_REASON_COUNT,
                            "reason " + std::to_string(static_cast<int>(reason)));
            HFFM_FUZZ_CHECK(!detail.empty(),
                            "rejection '" + ns3::ToString(reason) + "' without a detail");
            if (reason == ns3::RejectReason::PAYLOAD_TOO_LARGE)
            {
                HFFM_FUZZ_CHECK(f && f->payloadLength > in.maxPayload, detail);
            }
        });
    reader.SetMessageCallback(
        [&](const ns3::MessageFields& f, std::shared_ptr<ns3::ModuleState> state)
        {
            HFFM_FUZZ_CHECK(state, "message callback without a module");
            HFFM_FUZZ_CHECK(ns3::MessageFormat::CheckFields(f).empty(),
                            ns3::MessageFormat::CheckFields(f));
            HFFM_FUZZ_CHECK(f.payloadLength <= in.maxPayload, "payload over the limit accepted");
            CheckDecodedModule(*state, f.moduleId);
            const uint64_t end = reader.GetBytesConsumed();
            HFFM_FUZZ_CHECK(end <= in.streamSize && f.payloadLength <= end,
                            "message ends at " + std::to_string(end));
            CheckAcceptedPayload(*state, f.codec, in.stream + (end - f.payloadLength),
                                 f.payloadLength, f.payloadCrc);
        });

    const std::size_t finishAt
        = in.finishMidStream ? in.finishAt % (in.streamSize + 1) : in.streamSize + 1;
    std::size_t pos = 0;
    std::size_t next = 0; // next chunk size to use
    bool finished = false;
    while (pos < in.streamSize || (!finished && finishAt == pos))
    {
        if (!finished && pos == finishAt)
        {
            reader.Finish();
            finished = true;
            HFFM_FUZZ_CHECK(reader.IsAtMessageBoundary(), "not at a boundary after Finish()");
            HFFM_FUZZ_CHECK(reader.GetBytesConsumed() == pos, "consumed count changed");
            continue;
        }
        std::size_t chunk = in.streamSize - pos;
        if (!in.chunks.empty())
        {
            chunk = std::max<std::size_t>(1, in.chunks[next++ % in.chunks.size()]);
        }
        chunk = std::min(chunk, in.streamSize - pos);
        if (!finished && pos < finishAt)
        {
            chunk = std::min(chunk, finishAt - pos);
        }
        if (in.useFeed)
        {
            reader.Feed(in.stream + pos, chunk);
            pos += chunk;
        }
        else
        {
            for (std::size_t left = chunk; left > 0;)
            {
                const auto w = reader.GetWriteWindow();
                HFFM_FUZZ_CHECK(w.data != nullptr && w.size >= 1, "empty write window");
                const std::size_t n = std::min(w.size, left);
                std::memcpy(w.data, in.stream + pos, n);
                pos += n;
                left -= n;
                reader.Commit(n);
            }
        }
        HFFM_FUZZ_CHECK(reader.GetBytesConsumed() == pos,
                        "consumed " + std::to_string(reader.GetBytesConsumed()) + " of "
                            + std::to_string(pos) + " bytes fed");
    }
    reader.Finish();
    HFFM_FUZZ_CHECK(reader.IsAtMessageBoundary(), "not at a boundary after Finish()");
    HFFM_FUZZ_CHECK(reader.GetBytesConsumed() == in.streamSize, "consumed count differs");
    return 0;
}
