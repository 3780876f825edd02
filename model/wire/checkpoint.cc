/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/checkpoint.h"

#include "ns3/crc32c.h"
#include "ns3/message-format.h"
#include "ns3/module-codec.h"

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <set>
#include <unistd.h>

namespace ns3
{

namespace
{

constexpr std::array<uint8_t, 8> PREAMBLE_MAGIC = {'H', 'F', 'F', 'M', 'C', 'K', 'P', 'T'};
constexpr std::array<uint8_t, 8> TRAILER_MAGIC = {'H', 'F', 'F', 'M', 'C', 'E', 'N', 'D'};

void
PutU32(uint8_t* out, uint32_t v)
{
    out[0] = static_cast<uint8_t>(v >> 24);
    out[1] = static_cast<uint8_t>(v >> 16);
    out[2] = static_cast<uint8_t>(v >> 8);
    out[3] = static_cast<uint8_t>(v);
}

uint32_t
GetU32(const uint8_t* in)
{
    return (static_cast<uint32_t>(in[0]) << 24) | (static_cast<uint32_t>(in[1]) << 16)
           | (static_cast<uint32_t>(in[2]) << 8) | static_cast<uint32_t>(in[3]);
}

/// The smallest number of bytes one module message can take: a one-character id and an
/// empty tensor table.
constexpr std::size_t MIN_MESSAGE_SIZE
    = MessageFormat::FIXED_SIZE + 1 + MessageFormat::TRAILER_SIZE + 12;

} // namespace

std::string
WriteCheckpoint(const std::string& path,
                const std::vector<std::shared_ptr<const ModuleState>>& modules)
{
    if (modules.empty())
    {
        return "checkpoint " + path + ": no module to write";
    }
    // Written beside the target and renamed over it: a reader (another run of the same seed)
    // sees the old file or the whole new one, never a part; a failed write leaves no file.
    const std::string partial = path + ".partial-" + std::to_string(getpid());
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out)
    {
        return "cannot write checkpoint " + path;
    }
    auto fail = [&](const std::string& error)
    {
        out.close();
        std::error_code ignored;
        std::filesystem::remove(partial, ignored);
        return error;
    };
    uint32_t crc = 0;
    auto write = [&](const void* bytes, std::size_t n)
    {
        crc = Crc32c(bytes, n, crc);
        out.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(n));
    };
    const auto count = static_cast<uint32_t>(modules.size());
    std::array<uint8_t, CheckpointFormat::PREAMBLE_SIZE> preamble{};
    std::memcpy(preamble.data(), PREAMBLE_MAGIC.data(), PREAMBLE_MAGIC.size());
    PutU32(preamble.data() + 8, CheckpointFormat::VERSION);
    PutU32(preamble.data() + 12, count);
    write(preamble.data(), preamble.size());
    for (const auto& m : modules)
    {
        const EncodeResult enc = EncodeModule(*m, ModuleCodec::FP32);
        if (!enc.payload)
        {
            return fail("checkpoint " + path + ": " + enc.error);
        }
        MessageFields f;
        f.type = MessageType::MODULE_PUSH;
        f.codec = ModuleCodec::FP32;
        f.moduleId = m->GetModuleId();
        f.payloadLength = static_cast<uint32_t>(enc.payload->bytes.size());
        f.payloadCrc = enc.payload->crc;
        std::vector<uint8_t> header(MessageFormat::HeaderSize(f.moduleId.size()));
        MessageFormat::WriteHeader(f, header.data());
        write(header.data(), header.size());
        write(enc.payload->bytes.data(), enc.payload->bytes.size());
    }
    std::array<uint8_t, CheckpointFormat::TRAILER_SIZE> trailer{};
    std::memcpy(trailer.data(), TRAILER_MAGIC.data(), TRAILER_MAGIC.size());
    PutU32(trailer.data() + 8, count);
    crc = Crc32c(trailer.data(), 12, crc);
    PutU32(trailer.data() + 12, crc);
    out.write(reinterpret_cast<const char*>(trailer.data()),
              static_cast<std::streamsize>(trailer.size()));
    out.close();
    if (!out)
    {
        return fail("error while writing checkpoint " + path);
    }
    std::error_code ec;
    std::filesystem::rename(partial, path, ec);
    if (ec)
    {
        return fail("cannot write checkpoint " + path + ": " + ec.message());
    }
    return "";
}

CheckpointContents
ParseCheckpoint(const uint8_t* data, std::size_t size, const std::string& name)
{
    CheckpointContents contents;
    auto fail = [&](const std::string& reason, const std::string& detail)
    {
        contents.modules.clear();
        contents.error = "checkpoint " + name + ": " + reason + ": " + detail;
        return contents;
    };
    if (size == 0)
    {
        return fail("truncated", "the file is empty and holds no module");
    }
    if (size >= 5 && std::memcmp(data, "HFFM", 4) == 0 && data[4] == MessageFormat::VERSION)
    {
        return fail(
            "unsupported-format",
            "format 1 (module messages without a count or trailer, which cannot tell a "
            "file cut between two modules from a whole one): remove it to pretrain again, or "
            "write it with hffm-model --command=pretrain");
    }
    if (std::memcmp(data, PREAMBLE_MAGIC.data(), std::min(size, PREAMBLE_MAGIC.size())) != 0)
    {
        return fail("bad-magic", "the file does not start with \"HFFMCKPT\"");
    }
    if (size < CheckpointFormat::PREAMBLE_SIZE)
    {
        return fail("truncated", "the file ends inside its "
                                     + std::to_string(CheckpointFormat::PREAMBLE_SIZE)
                                     + "-byte preamble, after " + std::to_string(size) + " bytes");
    }
    const uint32_t version = GetU32(data + 8);
    if (version != CheckpointFormat::VERSION)
    {
        return fail("unsupported-format", "format version " + std::to_string(version)
                                              + "; this reader reads version "
                                              + std::to_string(CheckpointFormat::VERSION));
    }
    const uint32_t count = GetU32(data + 12);
    if (count == 0)
    {
        return fail("malformed", "the module count is 0: the file holds no module");
    }
    const std::size_t room = size - CheckpointFormat::PREAMBLE_SIZE;
    if (count > room / MIN_MESSAGE_SIZE)
    {
        return fail("truncated", "the preamble counts " + std::to_string(count) + " modules; "
                                     + std::to_string(size) + " bytes hold at most "
                                     + std::to_string(room / MIN_MESSAGE_SIZE));
    }

    std::size_t pos = CheckpointFormat::PREAMBLE_SIZE;
    std::set<std::string> ids;
    for (uint32_t i = 0; i < count; ++i)
    {
        const std::string where
            = "module " + std::to_string(i + 1) + " of " + std::to_string(count);
        if (size - pos < MessageFormat::FIXED_SIZE)
        {
            return fail("truncated", "the file ends inside the header of " + where);
        }
        const auto fixed = MessageFormat::ParseFixed(data + pos);
        if (!fixed.ok)
        {
            const auto parsed = MessageFormat::ParseHeader(data + pos, MessageFormat::FIXED_SIZE);
            return fail(ToString(parsed.reason), where + ": " + parsed.detail);
        }
        const std::size_t headerSize = MessageFormat::HeaderSize(fixed.idLength);
        if (size - pos < headerSize)
        {
            return fail("truncated", "the file ends inside the header of " + where);
        }
        const auto parsed = MessageFormat::ParseHeader(data + pos, headerSize);
        if (!parsed.ok)
        {
            return fail(ToString(parsed.reason), where + ": " + parsed.detail);
        }
        const MessageFields& f = parsed.fields;
        const std::string named = where + " ('" + f.moduleId + "')";
        if (f.codec != ModuleCodec::FP32 || f.type != MessageType::MODULE_PUSH)
        {
            return fail("malformed", named + " is not an fp32 push message");
        }
        pos += headerSize;
        if (f.payloadLength > size - pos)
        {
            return fail("truncated", named + " declares " + std::to_string(f.payloadLength)
                                         + " payload bytes; the file has "
                                         + std::to_string(size - pos) + " left");
        }
        DecodeResult decoded
            = DecodeModule(f.moduleId, f.codec, data + pos, f.payloadLength, f.payloadCrc);
        if (!decoded.ok)
        {
            return fail(ToString(decoded.reason),
                        "in module '" + f.moduleId + "' (" + where + "): " + decoded.detail);
        }
        if (!ids.insert(f.moduleId).second)
        {
            return fail("malformed", named + " repeats a module id");
        }
        pos += f.payloadLength;
        contents.modules.push_back(std::move(decoded.state));
    }

    const std::size_t left = size - pos;
    if (left < CheckpointFormat::TRAILER_SIZE)
    {
        return fail("truncated", "the file ends " + std::to_string(left) + " bytes into its "
                                     + std::to_string(CheckpointFormat::TRAILER_SIZE)
                                     + "-byte trailer, after all " + std::to_string(count)
                                     + " modules");
    }
    if (std::memcmp(data + pos, TRAILER_MAGIC.data(), TRAILER_MAGIC.size()) != 0)
    {
        return fail("malformed", "no trailer after the " + std::to_string(count)
                                     + " modules the preamble counts");
    }
    if (left > CheckpointFormat::TRAILER_SIZE)
    {
        return fail("malformed", std::to_string(left - CheckpointFormat::TRAILER_SIZE)
                                     + " bytes follow the trailer");
    }
    if (GetU32(data + pos + 8) != count)
    {
        return fail("malformed", "the trailer counts " + std::to_string(GetU32(data + pos + 8))
                                     + " modules, the preamble " + std::to_string(count));
    }
    if (Crc32c(data, size - 4) != GetU32(data + size - 4))
    {
        return fail("file-checksum-mismatch", "the CRC-32C over the file does not match its "
                                              "trailer");
    }
    return contents;
}

CheckpointContents
ReadCheckpoint(const std::string& path)
{
    CheckpointContents contents;
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
    {
        contents.error = "cannot open checkpoint " + path;
        return contents;
    }
    const std::streamoff end = in.tellg();
    if (end < 0)
    {
        contents.error = "cannot read checkpoint " + path;
        return contents;
    }
    // The buffer's size is the file's: no length field inside decides an allocation.
    std::vector<uint8_t> bytes;
    try
    {
        bytes.resize(static_cast<std::size_t>(end));
    }
    catch (const std::bad_alloc&)
    {
        contents.error
            = "checkpoint " + path + ": out of memory for its " + std::to_string(end) + " bytes";
        return contents;
    }
    in.seekg(0);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (in.gcount() != static_cast<std::streamsize>(bytes.size()))
    {
        contents.error = "cannot read checkpoint " + path;
        return contents;
    }
    return ParseCheckpoint(bytes.data(), bytes.size(), path);
}

} // namespace ns3
