/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Seed inputs for the fuzz targets of this folder, made by hffm's own encoder, header
// writer, checkpoint writer and scenario formatter.
//
//   make-corpus DIR                 seeds: DIR/fuzz-stream-reader/, DIR/fuzz-codec/,
//                                   DIR/fuzz-checkpoint/, DIR/fuzz-scenario/
//   make-corpus --regressions DIR   the inputs of defects that were found by construction,
//                                   as kept in fuzz/regressions/ (DIR/<target>/<name>)

#include "fuzz-common.h"
#include "ns3/checkpoint.h"
#include "ns3/device-scenario.h"
#include "ns3/message-format.h"
#include "ns3/module-codec.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

using namespace hffm::fuzz;
using ns3::MessageFields;
using ns3::MessageFormat;
using ns3::MessageType;

namespace
{

std::filesystem::path g_dir;
std::size_t g_files = 0;

void
Write(const std::string& target, const std::string& name, const std::vector<uint8_t>& bytes)
{
    const auto dir = g_dir / target;
    std::filesystem::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out)
    {
        std::cerr << "make-corpus: cannot write " << (dir / name) << "\n";
        std::exit(1);
    }
    ++g_files;
}

void
WriteText(const std::string& target, const std::string& name, const std::string& text)
{
    Write(target, name, std::vector<uint8_t>(text.begin(), text.end()));
}

/// A module of \p layout with deterministic values of magnitude about \p scale.
std::shared_ptr<ModuleState>
MakeModule(const std::string& id, const std::vector<TensorSpec>& layout, double scale,
           double weight = 32.0)
{
    auto m = std::make_shared<ModuleState>(id, layout);
    m->SetSampleWeight(weight);
    float* x = m->GetData();
    for (std::size_t i = 0; i < m->GetNumel(); ++i)
    {
        x[i] = static_cast<float>(scale * std::sin(0.7 * static_cast<double>(i) + 0.3));
    }
    return m;
}

std::vector<uint8_t>
Payload(const ModuleState& m, ModuleCodec codec)
{
    const auto enc = ns3::EncodeModule(m, codec);
    if (!enc.payload)
    {
        std::cerr << "make-corpus: " << enc.error << "\n";
        std::exit(1);
    }
    return std::vector<uint8_t>(enc.payload->bytes.begin(), enc.payload->bytes.end());
}

/// A whole message: header (fields from the arguments) and \p payload.
std::vector<uint8_t>
Message(const std::string& id, ModuleCodec codec, const std::vector<uint8_t>& payload,
        MessageType type = MessageType::MODULE_UPDATE, uint8_t step = 0, uint32_t round = 3,
        uint32_t sender = 7)
{
    MessageFields f;
    f.type = type;
    f.codec = codec;
    f.step = step;
    f.round = round;
    f.sender = sender;
    f.moduleId = id;
    f.payloadLength = static_cast<uint32_t>(payload.size());
    f.payloadCrc = ns3::Crc32c(payload.data(), payload.size());
    std::vector<uint8_t> bytes(MessageFormat::HeaderSize(id.size()));
    MessageFormat::WriteHeader(f, bytes.data());
    bytes.insert(bytes.end(), payload.begin(), payload.end());
    return bytes;
}

std::vector<uint8_t>
ModuleMessage(const ModuleState& m, ModuleCodec codec,
              MessageType type = MessageType::MODULE_UPDATE, uint8_t step = 0)
{
    return Message(m.GetModuleId(), codec, Payload(m, codec), type, step);
}

/// A header that declares \p length payload bytes, followed by \p follow bytes.
std::vector<uint8_t>
HeaderDeclaring(uint32_t length, ModuleCodec codec, MessageType type,
                const std::vector<uint8_t>& follow)
{
    MessageFields f;
    f.type = type;
    f.codec = codec;
    f.moduleId = "m";
    f.payloadLength = length;
    f.payloadCrc = 0;
    std::vector<uint8_t> bytes(MessageFormat::HeaderSize(f.moduleId.size()));
    MessageFormat::WriteHeader(f, bytes.data());
    bytes.insert(bytes.end(), follow.begin(), follow.end());
    return bytes;
}

std::vector<uint8_t>
Concat(std::initializer_list<std::vector<uint8_t>> parts)
{
    std::vector<uint8_t> all;
    for (const auto& p : parts)
    {
        all.insert(all.end(), p.begin(), p.end());
    }
    return all;
}

const ModuleCodec CODECS[] = {ModuleCodec::FP32, ModuleCodec::FP16, ModuleCodec::INT8};

/// The input of fuzz-codec's encode path for a module of one tensor of \p values.
std::vector<uint8_t>
EncodeInput(ModuleCodec codec, const std::vector<float>& values, double weight = 8.0)
{
    // One tensor of rank 1 whose dimension is values.size() (1..8).
    InputWriter w;
    w.Put<uint8_t>(CodecMode(codec, CODEC_PATH_ENCODE));
    w.Put<uint8_t>(0);                                             // 1 tensor
    w.Put<uint8_t>(0);                                             // rank 1
    w.Put<uint8_t>(static_cast<uint8_t>((values.size() - 1) % 8)); // dimension
    w.Put<double>(weight);
    for (float v : values)
    {
        w.Put<float>(v);
    }
    return w.Bytes();
}

void
StreamReaderSeeds()
{
    const std::string t = "fuzz-stream-reader";
    const auto& layouts = CodecLayouts();
    for (std::size_t l = 0; l < layouts.size(); ++l)
    {
        for (auto codec : CODECS)
        {
            const auto m = MakeModule("adapter/" + std::to_string(l), layouts[l], 0.5);
            Write(t, "single-" + ns3::ToString(codec) + "-layout" + std::to_string(l),
                  MakeStreamInput(ModuleMessage(*m, codec), {}));
        }
    }
    const auto a = MakeModule("encoder/image", layouts[1], 2.0);
    const auto b = MakeModule("head/fine", layouts[2], 1e-3, 0.0);
    const auto c = MakeModule("moe/0/expert/2", layouts[3], 300.0);
    const auto three = Concat({ModuleMessage(*a, ModuleCodec::FP32, MessageType::MODULE_PUSH),
                               ModuleMessage(*b, ModuleCodec::FP16),
                               ModuleMessage(*c, ModuleCodec::INT8, MessageType::MODULE_SHARE, 3)});
    Write(t, "three-whole", MakeStreamInput(three, {}));
    Write(t, "three-bytewise", MakeStreamInput(three, {1}));
    Write(t, "three-chunks", MakeStreamInput(three, {7, 300, 2, 4096}));
    Write(t, "three-feed", MakeStreamInput(three, {13, 1000}, 0, false, 0, true));
    // The same with the CRCs fixed up by the target (flag bit 5): mutations reach the decoder.
    Write(t, "three-fix-crcs", MakeStreamInput(three, {}, 0, false, 0, false, true));
    Write(t, "three-fix-crcs-chunks", MakeStreamInput(three, {9, 77}, 7, false, 0, true, true));
    Write(t, "three-finish-inside",
          MakeStreamInput(three, {64}, 0, true, static_cast<uint32_t>(three.size() / 2)));
    const std::vector<uint8_t> garbage{'H', 'F', 'F', 0, 'H', 'F', 'F', 'M', 9,  1,  2,
                                       3,   4,   5,   6, 7,   8,   9,   10,  11, 12, 13};
    Write(t, "garbage-between",
          MakeStreamInput(Concat({garbage, ModuleMessage(*a, ModuleCodec::FP16), garbage,
                                  ModuleMessage(*b, ModuleCodec::INT8)}),
                          {5, 11}));
    auto truncated = ModuleMessage(*a, ModuleCodec::FP32);
    truncated.resize(truncated.size() - 5);
    Write(t, "truncated", MakeStreamInput(truncated, {}));
    // Payload over the limit (index 2: 64 bytes), skipped; the next message still arrives.
    Write(t, "too-large-then-ok",
          MakeStreamInput(
              Concat({ModuleMessage(*c, ModuleCodec::FP32),
                      ModuleMessage(*MakeModule("w", layouts[0], 1.0), ModuleCodec::FP32)}),
              {100}, 2));
    auto badCrc = ModuleMessage(*a, ModuleCodec::FP32);
    badCrc.back() ^= 0x10;
    Write(t, "payload-crc-mismatch",
          MakeStreamInput(Concat({badCrc, ModuleMessage(*b, ModuleCodec::FP32)}), {}));
    auto badHeader = ModuleMessage(*a, ModuleCodec::FP16);
    badHeader[10] ^= 0x01;
    Write(t, "header-crc-mismatch",
          MakeStreamInput(Concat({badHeader, ModuleMessage(*b, ModuleCodec::FP16)}), {3}));
    Write(t, "empty-payload",
          MakeStreamInput(HeaderDeclaring(0, ModuleCodec::FP32, MessageType::MODULE_PUSH, {}), {}));
    Write(t, "declares-large-sends-little",
          MakeStreamInput(HeaderDeclaring(1U << 30, ModuleCodec::INT8, MessageType::MODULE_PUSH,
                                          std::vector<uint8_t>(200, 0)),
                          {}, 5));
    ModuleState tiny("adapter/tiny", {{"x", {3}}});
    tiny.GetData()[0] = 1e-37F;
    tiny.GetData()[1] = 5e-38F;
    Write(t, "int8-tiny", MakeStreamInput(ModuleMessage(tiny, ModuleCodec::INT8), {}));
}

void
CodecSeeds()
{
    const std::string t = "fuzz-codec";
    const auto& layouts = CodecLayouts();
    for (std::size_t l = 0; l < layouts.size(); ++l)
    {
        for (auto codec : CODECS)
        {
            const auto m = MakeModule("m", layouts[l], 4.0, 10.0);
            const auto payload = Payload(*m, codec);
            const std::size_t tableSize = LayoutPreamble(layouts[l], 0.0).size();
            const std::string suffix = ns3::ToString(codec) + "-layout" + std::to_string(l);
            InputWriter layout;
            layout.Put<uint8_t>(CodecMode(codec, CODEC_PATH_LAYOUT));
            layout.Put<uint8_t>(static_cast<uint8_t>(l));
            layout.Put<double>(10.0);
            layout.PutBytes(payload.data() + tableSize, payload.size() - tableSize);
            Write(t, "layout-" + suffix, layout.Bytes());
            InputWriter raw;
            raw.Put<uint8_t>(CodecMode(codec, CODEC_PATH_RAW));
            raw.PutBytes(payload);
            Write(t, "raw-" + suffix, raw.Bytes());
        }
    }
    const float fmax = std::numeric_limits<float>::max();
    const float denorm = std::numeric_limits<float>::denorm_min();
    const std::vector<std::pair<std::string, std::vector<float>>> values{
        {"ordinary", {0.5F, -1.25F, 3.0F, 0.0F, -0.0F, 7.5F, 1e-3F, -2e2F}},
        {"tiny", {1e-37F, 5e-38F, 0.0F}},
        {"subnormal", {denorm, -3 * denorm, 1e-40F}},
        {"huge", {fmax, -fmax, 1e38F, 1.0F}},
        {"half-edges", {65504.0F, -65519.0F, 6.1035156e-05F, 5.9604645e-08F, 2.9802322e-08F}},
        {"half-overflow", {65520.0F, 1.0F}},
    };
    for (auto codec : CODECS)
    {
        for (const auto& [name, v] : values)
        {
            Write(t, "encode-" + ns3::ToString(codec) + "-" + name, EncodeInput(codec, v));
        }
    }
}

void
CheckpointSeeds()
{
    const auto dir = g_dir / "fuzz-checkpoint";
    std::filesystem::create_directories(dir);
    const auto& layouts = CodecLayouts();
    const std::vector<std::vector<std::shared_ptr<const ModuleState>>> sets{
        {MakeModule("head/fine", layouts[0], 1.0)},
        {MakeModule("encoder/image", layouts[1], 0.1), MakeModule("adapter/0", layouts[2], 3.0),
         MakeModule("moe/0/gate", layouts[4], 1e-20, 0.0)},
    };
    for (std::size_t i = 0; i < sets.size(); ++i)
    {
        const auto path = (dir / ("modules-" + std::to_string(sets[i].size()))).string();
        const std::string error = ns3::WriteCheckpoint(path, sets[i]);
        if (!error.empty())
        {
            std::cerr << "make-corpus: " << error << "\n";
            std::exit(1);
        }
        ++g_files;
    }
}

void
ScenarioSeeds()
{
    const std::string t = "fuzz-scenario";
    ns3::DeviceSpec full;
    full.profile.modalities = {ns3::Modality::IMAGE, ns3::Modality::TEXT};
    full.profile.tasks = {"fine", "coarse", "question"};
    ns3::DeviceSpec image;
    image.profile.modalities = {ns3::Modality::IMAGE};
    image.profile.tasks = {"fine"};
    image.macsPerSecond = 2e9;
    image.computePower = 1.5;
    ns3::DeviceSpec idle;
    idle.profile.modalities = {ns3::Modality::TEXT};
    idle.macsPerSecond = 1e9;
    idle.computePower = 0.0;
    WriteText(t, "three-devices",
              "# modalities,tasks,macs_per_second,compute_watts\n" + ns3::FormatScenarioLine(full)
                  + "\n" + ns3::FormatScenarioLine(image) + "\r\n\n" + ns3::FormatScenarioLine(idle)
                  + "\n");
    WriteText(t, "handwritten",
              "image+text,fine+coarse+question,5e9,2.0\nimage,fine,2e9,1.5\n"
              "text,-,1e9,1.0\n");
    WriteText(t, "numbers", "image,coarse,+1.5E+10,0x1p-3\ntext,question,  7,1e-310\n");
    WriteText(t, "bad-line", "image,fine,5e9,1\nimage,question,5e9,1\n");
}

/// Inputs of defects found by construction (kept under fuzz/regressions/).
void
Regressions()
{
    // A checkpoint that declares a 4 GiB payload: a reader that allocates from the length
    // field asks for 4 GiB. Format 1 (43 bytes: header and a 12-byte payload preamble) and
    // format 2 (59 bytes: with the 16-byte preamble).
    InputWriter preamble;
    preamble.PutBytes(std::string("HFFMCKPT"));
    for (uint32_t v : {ns3::CheckpointFormat::VERSION, 1U})
    {
        const uint8_t be[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                               static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
        preamble.PutBytes(be, 4);
    }
    InputWriter twelve;
    twelve.Put<double>(0.0).Put<uint32_t>(1);
    const auto huge
        = HeaderDeclaring(0xFFFFFFFFU, ModuleCodec::FP32, MessageType::MODULE_PUSH, twelve.Bytes());
    Write("fuzz-checkpoint", "format1-declares-4gib-payload", huge);
    Write("fuzz-checkpoint", "format2-declares-4gib-payload", Concat({preamble.Bytes(), huge}));

    // The same header on a stream whose reader takes any length (limit index 5: 2^32 - 1).
    Write("fuzz-stream-reader", "header-declares-4gib-payload", MakeStreamInput(huge, {}, 5));

    // int8 with tiny magnitudes: the encoder computed 127 / max|x| in float, which overflows
    // for max|x| < 127 / FLT_MAX; values came back as 127 * s or NaN.
    Write("fuzz-codec", "int8-tiny-magnitudes",
          EncodeInput(ModuleCodec::INT8, {1e-37F, 5e-38F, 0.0F}));
    // The payload that encoder wrote for it: s = 1e-37 / 127 in float, q = {127, 127, 0}.
    ModuleState tiny("adapter/tiny", {{"x", {3}}});
    auto payload = Payload(tiny, ModuleCodec::INT8);
    const float oldScale = 1e-37F / 127.0F;
    std::memcpy(payload.data() + payload.size() - 7, &oldScale, 4);
    payload[payload.size() - 3] = 127;
    payload[payload.size() - 2] = 127;
    payload[payload.size() - 1] = 0;
    Write("fuzz-stream-reader", "int8-tiny-magnitudes-old-encoding",
          MakeStreamInput(Message("adapter/tiny", ModuleCodec::INT8, payload), {}));
    InputWriter raw;
    raw.Put<uint8_t>(CodecMode(ModuleCodec::INT8, CODEC_PATH_RAW));
    raw.PutBytes(payload);
    Write("fuzz-codec", "int8-tiny-magnitudes-old-encoding", raw.Bytes());

    // Scenario numbers that did not survive FormatScenarioLine() (6 significant digits) or
    // that ParseScenario() refused as "not a number" (subnormal ones), as text ...
    WriteText("fuzz-scenario", "text-5000000001", "image,fine,5000000001,2.5\n");
    WriteText("fuzz-scenario", "text-dbl-min", "image,fine,2.2250738585072014e-308,1\n");
    WriteText("fuzz-scenario", "text-dbl-max-third",
              "image+text,fine+question,1.7976931348623157e308,0.3333333333333333\n");
    // ... and as devices to write and read (profile byte, speed, power: fuzz-scenario.cc).
    const double edge[][2] = {{5000000001.0, 0.1},
                              {std::numeric_limits<double>::max(), 1.0 / 3.0},
                              {std::numeric_limits<double>::min(), 0.0},
                              {std::numeric_limits<double>::denorm_min(), 2.5}};
    const char* names[] = {"device-5000000001", "device-dbl-max", "device-dbl-min-0-watts",
                           "device-smallest-subnormal"};
    for (std::size_t i = 0; i < 4; ++i)
    {
        InputWriter w;
        w.Put<uint8_t>(0x05).Put<double>(edge[i][0]).Put<double>(edge[i][1]);
        Write("fuzz-scenario", names[i], w.Bytes());
    }
}

} // namespace

int
main(int argc, char** argv)
{
    const bool regressions = argc == 3 && std::string(argv[1]) == "--regressions";
    if (argc != 2 && !regressions)
    {
        std::cerr << "usage: make-corpus DIR | make-corpus --regressions DIR\n";
        return 2;
    }
    g_dir = argv[argc - 1];
    if (regressions)
    {
        Regressions();
    }
    else
    {
        StreamReaderSeeds();
        CodecSeeds();
        CheckpointSeeds();
        ScenarioSeeds();
    }
    std::cout << "make-corpus: " << g_files << " files in " << g_dir.string() << "\n";
    return 0;
}
