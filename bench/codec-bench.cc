/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Encode and decode throughput of each payload codec, next to memcpy of the same bytes in
// the same run (the physical limit here). Bytes counted are the module's fp32 value bytes,
// so every row is comparable: "bytes_per_second" of RoundTrip/fp32 against Memcpy is the
// ratio the foundation issue asks for.
//
//     hffm-bench-codec --benchmark_min_time=0.5
//
// Google Benchmark reads its own flags; the numeric ones are checked first, as
// ParseCheckedValue() reads numbers (its --benchmark_repetitions=-1 ends in std::terminate).

#include "ns3/buffer-allocator.h"
#include "ns3/checked-command-line.h"
#include "ns3/crc32c.h"
#include "ns3/module-codec.h"

#include <benchmark/benchmark.h>
#include <cstring>
#include <exception>
#include <iostream>
#include <random>
#include <vector>

using namespace ns3;

namespace
{

ModuleState
MakeState(int64_t bytes)
{
    const int64_t values = bytes / 4;
    ModuleState s("adapter/0", {{"w", {values}}});
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.0F, 0.02F);
    for (std::size_t i = 0; i < s.GetNumel(); ++i)
    {
        s.GetData()[i] = normal(rng);
    }
    return s;
}

void
Memcpy(benchmark::State& st)
{
    const auto bytes = static_cast<std::size_t>(st.range(0));
    // Source and destination 2 KiB apart modulo 4 KiB: glibc's "rep movsb" copy runs several
    // times slower on some AMD processors when they are nearly 4 KiB-aliased, which two
    // adjacent heap blocks often are. This is memcpy at its best, the fair limit.
    std::vector<uint8_t> src(bytes + 4096, 1);
    std::vector<uint8_t> dst(bytes + 4096, 0);
    const auto srcAt = reinterpret_cast<uintptr_t>(src.data());
    uint8_t* to = dst.data();
    while ((reinterpret_cast<uintptr_t>(to) - srcAt) % 4096 != 2048)
    {
        ++to;
    }
    for (auto _ : st)
    {
        std::memcpy(to, src.data(), bytes);
        benchmark::DoNotOptimize(to);
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * st.range(0));
}

/// memcpy into a buffer allocated for the copy, as the codec's encode and decode do: the
/// same first-touch (page fault) cost, without checksum or format.
void
MemcpyFresh(benchmark::State& st)
{
    const auto bytes = static_cast<std::size_t>(st.range(0));
    std::vector<uint8_t> src(bytes + 4096, 1);
    for (auto _ : st)
    {
        std::vector<uint8_t, BufferAllocator<uint8_t>> dst;
        dst.resize(bytes);
        // 2 KiB apart modulo 4 KiB, as in Memcpy
        const std::size_t off = (reinterpret_cast<uintptr_t>(dst.data())
                                 - reinterpret_cast<uintptr_t>(src.data()) - 2048)
                                & 4095;
        std::memcpy(dst.data(), src.data() + off, bytes);
        benchmark::DoNotOptimize(dst.data());
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * st.range(0));
}

/// The checksum alone and fused with a copy: what the fp32 codec costs beyond memcpy.
void
Crc(benchmark::State& st, bool copy)
{
    const auto bytes = static_cast<std::size_t>(st.range(0));
    std::vector<uint8_t> src(bytes, 1);
    std::vector<uint8_t> dst(bytes, 0);
    for (auto _ : st)
    {
        const uint32_t c
            = copy ? Crc32cCopy(dst.data(), src.data(), bytes) : Crc32c(src.data(), bytes);
        benchmark::DoNotOptimize(c);
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * st.range(0));
}

void
Encode(benchmark::State& st, ModuleCodec codec)
{
    const ModuleState s = MakeState(st.range(0));
    for (auto _ : st)
    {
        auto enc = EncodeModule(s, codec);
        benchmark::DoNotOptimize(enc.payload->crc);
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * st.range(0));
}

void
Decode(benchmark::State& st, ModuleCodec codec)
{
    const ModuleState s = MakeState(st.range(0));
    const auto enc = EncodeModule(s, codec);
    for (auto _ : st)
    {
        auto dec = DecodeModule("adapter/0", codec, enc.payload->bytes.data(),
                                enc.payload->bytes.size(), enc.payload->crc);
        if (!dec.ok)
        {
            st.SkipWithError(dec.detail.c_str());
            break;
        }
        benchmark::DoNotOptimize(dec.state->GetData());
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * st.range(0));
}

void
RoundTrip(benchmark::State& st, ModuleCodec codec)
{
    const ModuleState s = MakeState(st.range(0));
    for (auto _ : st)
    {
        auto enc = EncodeModule(s, codec);
        auto dec = DecodeModule("adapter/0", codec, enc.payload->bytes.data(),
                                enc.payload->bytes.size(), enc.payload->crc);
        benchmark::DoNotOptimize(dec.state->GetData());
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * st.range(0));
}

/// \return whether every numeric Google Benchmark flag in \p argv is in its range; prints why
///         not on stderr
bool
CheckBenchmarkFlags(int argc, char* argv[])
{
    const std::pair<std::string, ValueRange<double>> seconds[]
        = {{"--benchmark_min_time=", {0.0}}, {"--benchmark_min_warmup_time=", {0.0}}};
    const std::pair<std::string, ValueRange<int64_t>> counts[]
        = {{"--benchmark_repetitions=", {1, 2147483647}}, {"--v=", {0, 2147483647}}};
    bool ok = true;
    for (int i = 1; i < argc; ++i)
    {
        const std::string arg = argv[i];
        std::string error;
        for (const auto& [flag, range] : seconds)
        {
            double value = 0;
            if (arg.rfind(flag, 0) == 0)
            {
                error = ParseCheckedValue(arg.substr(flag.size()), range, value);
            }
        }
        for (const auto& [flag, range] : counts)
        {
            int64_t value = 0;
            if (arg.rfind(flag, 0) == 0)
            {
                error = ParseCheckedValue(arg.substr(flag.size()), range, value);
            }
        }
        if (!error.empty())
        {
            std::cerr << arg << ": " << error << "\n";
            ok = false;
        }
    }
    return ok;
}

void
Sizes(benchmark::internal::Benchmark* b)
{
    b->Arg(64 << 10)->Arg(1 << 20)->Arg(64 << 20)->Unit(benchmark::kMicrosecond);
}

} // namespace

BENCHMARK(Memcpy)->Apply(Sizes);
BENCHMARK(MemcpyFresh)->Apply(Sizes);
BENCHMARK_CAPTURE(Crc, crc32c, false)->Apply(Sizes);
BENCHMARK_CAPTURE(Crc, crc32c_copy, true)->Apply(Sizes);
BENCHMARK_CAPTURE(Encode, fp32, ModuleCodec::FP32)->Apply(Sizes);
BENCHMARK_CAPTURE(Decode, fp32, ModuleCodec::FP32)->Apply(Sizes);
BENCHMARK_CAPTURE(RoundTrip, fp32, ModuleCodec::FP32)->Apply(Sizes);
BENCHMARK_CAPTURE(Encode, fp16, ModuleCodec::FP16)->Apply(Sizes);
BENCHMARK_CAPTURE(Decode, fp16, ModuleCodec::FP16)->Apply(Sizes);
BENCHMARK_CAPTURE(RoundTrip, fp16, ModuleCodec::FP16)->Apply(Sizes);
BENCHMARK_CAPTURE(Encode, int8, ModuleCodec::INT8)->Apply(Sizes);
BENCHMARK_CAPTURE(Decode, int8, ModuleCodec::INT8)->Apply(Sizes);
BENCHMARK_CAPTURE(RoundTrip, int8, ModuleCodec::INT8)->Apply(Sizes);

int
main(int argc, char* argv[])
{
    if (!CheckBenchmarkFlags(argc, argv))
    {
        return 2;
    }
    try
    {
        benchmark::Initialize(&argc, argv);
        if (benchmark::ReportUnrecognizedArguments(argc, argv))
        {
            return 1;
        }
        benchmark::RunSpecifiedBenchmarks();
        benchmark::Shutdown();
    }
    catch (const std::exception& e)
    {
        std::cerr << "hffm-bench-codec: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
