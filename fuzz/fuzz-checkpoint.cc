/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// libFuzzer target: ParseCheckpoint() (checkpoint.h) on arbitrary bytes, and on the same
// bytes with every checksum fixed up (each message's payload and header CRC, then the file
// CRC of the trailer), so that mutations get past the checksums to the framing and decoding
// behind them.
//
// Invariants:
//  - all or nothing: an error and no module, or modules and no error;
//  - an error names the input ("checkpoint <name>: ...");
//  - every module of an accepted checkpoint is finite, with a valid layout and a finite
//    non-negative sample weight, and no module id appears twice;
//  - no crash and no allocation beyond what the input's size covers (run with
//    -rss_limit_mb=2048 -malloc_limit_mb=512: a 4 GiB payload length in 60 bytes must not
//    become a 4 GiB buffer).

#include "fuzz-common.h"
#include "ns3/checkpoint.h"

#include <set>

using namespace hffm::fuzz;

namespace
{

void
Check(const uint8_t* data, std::size_t size)
{
    static const std::string name = "fuzz-input";
    const ns3::CheckpointContents c = ns3::ParseCheckpoint(data, size, name);
    HFFM_FUZZ_CHECK(c.error.empty() != c.modules.empty(),
                    "not all or nothing: " + std::to_string(c.modules.size())
                        + " modules and error '" + c.error + "'");
    if (!c.error.empty())
    {
        HFFM_FUZZ_CHECK(c.error.find(name) != std::string::npos,
                        "the error does not name the input: " + c.error);
        return;
    }
    std::set<std::string> ids;
    for (const auto& m : c.modules)
    {
        HFFM_FUZZ_CHECK(m != nullptr, "a null module");
        CheckDecodedModule(*m, m->GetModuleId());
        HFFM_FUZZ_CHECK(ids.insert(m->GetModuleId()).second,
                        "module id '" + m->GetModuleId() + "' twice");
    }
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    Check(data, size);
    // The same bytes with the checksums made to match: messages from the end of the 16-byte
    // preamble on, then the file CRC in the last 4 bytes.
    if (size >= ns3::CheckpointFormat::PREAMBLE_SIZE + ns3::CheckpointFormat::TRAILER_SIZE)
    {
        std::vector<uint8_t> fixed(data, data + size);
        const std::size_t end = size - ns3::CheckpointFormat::TRAILER_SIZE;
        for (std::size_t pos = ns3::CheckpointFormat::PREAMBLE_SIZE; pos < end;)
        {
            const std::size_t n = FixMessageCrcs(fixed.data() + pos, end - pos);
            if (n == 0)
            {
                break;
            }
            pos += n;
        }
        const uint32_t crc = ns3::Crc32c(fixed.data(), size - 4);
        for (int k = 0; k < 4; ++k)
        {
            fixed[size - 4 + k] = static_cast<uint8_t>(crc >> (24 - 8 * k));
        }
        if (std::memcmp(fixed.data(), data, size) != 0)
        {
            Check(fixed.data(), size);
        }
    }
    return 0;
}
