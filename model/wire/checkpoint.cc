/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/checkpoint.h"

#include "ns3/module-codec.h"
#include "ns3/module-stream-reader.h"

#include <filesystem>
#include <fstream>
#include <limits>
#include <unistd.h>

namespace ns3
{

std::string
WriteCheckpoint(const std::string& path,
                const std::vector<std::shared_ptr<const ModuleState>>& modules)
{
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
        out.write(reinterpret_cast<const char*>(header.data()),
                  static_cast<std::streamsize>(header.size()));
        out.write(reinterpret_cast<const char*>(enc.payload->bytes.data()),
                  static_cast<std::streamsize>(enc.payload->bytes.size()));
    }
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
ReadCheckpoint(const std::string& path)
{
    CheckpointContents contents;
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        contents.error = "cannot open checkpoint " + path;
        return contents;
    }
    ModuleStreamReader reader(std::numeric_limits<uint32_t>::max());
    std::vector<std::shared_ptr<ModuleState>> modules;
    std::string error;
    reader.SetMessageCallback([&](const MessageFields&, std::shared_ptr<ModuleState> s)
                              { modules.push_back(std::move(s)); });
    reader.SetRejectCallback(
        [&](RejectReason reason, const std::string& detail, const MessageFields* f)
        {
            if (error.empty())
            {
                error = "checkpoint " + path + ": " + ToString(reason)
                        + (f ? " in module '" + f->moduleId + "'" : std::string()) + ": " + detail;
            }
        });
    std::vector<char> chunk(1 << 20);
    while (in)
    {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        reader.Feed(reinterpret_cast<const uint8_t*>(chunk.data()),
                    static_cast<std::size_t>(in.gcount()));
    }
    reader.Finish();
    if (error.empty() && modules.empty())
    {
        error = "checkpoint " + path + " holds no module";
    }
    if (!error.empty())
    {
        contents.error = error;
        return contents;
    }
    contents.modules = std::move(modules);
    return contents;
}

} // namespace ns3
