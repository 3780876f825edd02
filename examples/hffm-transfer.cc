/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/**
 * \file
 * \ingroup hffm
 * Moves one model module between two nodes over a point-to-point link as hffm messages
 * over TCP, and compares the simulated transfer time with the link's theoretical minimum.
 *
 *     node 0 (ModuleSourceApplication) ---- dataRate, delay ---- node 1 (ModuleSinkApplication)
 *
 * The module is the size of one in the HF-FM paper's prototype (6 MB by default), filled with
 * normally distributed values from ns-3's random number generator (seed and run decide
 * them). The sink checks what arrived against what was sent.
 *
 * Output: key=value lines on stdout, a one-row CSV summary and, with --pcap, one PCAP file
 * per link end (readable by tshark/Wireshark) under --outputDir.
 *
 *     hffm-transfer --moduleBytes=6000000 --dataRate=100Mbps --delay=2ms --codec=fp32 --pcap=1
 */

#include "ns3/applications-module.h"
#include "ns3/checked-command-line.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/module-codec.h"
#include "ns3/module-sink-application.h"
#include "ns3/module-source-application.h"
#include "ns3/module-transfer-helper.h"
#include "ns3/network-module.h"
#include "ns3/output-folder.h"
#include "ns3/point-to-point-module.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("HffmTransfer");

namespace
{

/// A module of about \p bytes bytes of float values: a weight matrix and a bias.
std::shared_ptr<ModuleState>
MakeModule(uint64_t bytes)
{
    const int64_t values = std::max<int64_t>(2, static_cast<int64_t>(bytes / 4));
    const int64_t cols = std::min<int64_t>(768, values - 1);
    const int64_t rows = (values - 1) / cols;
    const int64_t bias = values - rows * cols;
    auto state = std::make_shared<ModuleState>(
        "encoder/image",
        std::vector<TensorSpec>{{"proj.weight", {rows, cols}}, {"proj.bias", {bias}}});
    Ptr<NormalRandomVariable> normal = CreateObject<NormalRandomVariable>();
    normal->SetAttribute("Mean", DoubleValue(0.0));
    normal->SetAttribute("Variance", DoubleValue(0.02 * 0.02));
    normal->SetStream(1);
    float* v = state->GetData();
    for (std::size_t i = 0; i < state->GetNumel(); ++i)
    {
        v[i] = static_cast<float>(normal->GetValue());
    }
    state->SetSampleWeight(1.0);
    return state;
}

struct Arrival
{
    bool arrived{false};
    Time at;
    std::shared_ptr<const ModuleState> state;
};

/// The example; main() reports an exception that escapes it.
int
Run(int argc, char* argv[])
{
    uint64_t moduleBytes = 6000000;
    std::string dataRate = "100Mbps";
    std::string delay = "2ms";
    std::string codec = "fp32";
    bool pcap = true;
    uint32_t segmentSize = 1448;
    uint32_t tcpBuffer = 131072;
    std::string outputDir = "results/hffm-transfer";
    std::string runTag = "";

    CommandLine cmd(__FILE__);
    AddCheckedValue(cmd, "moduleBytes", "Size of the module's float values in bytes", moduleBytes,
                    {8, 1ULL << 30});
    AddCheckedDataRate(cmd, "dataRate", "Point-to-point link rate (ns-3 DataRate, e.g. 100Mbps)",
                       dataRate);
    AddCheckedTime(cmd, "delay", "Point-to-point propagation delay (ns-3 Time, e.g. 2ms)", delay);
    cmd.AddValue("codec", "Payload codec: fp32, fp16 or int8", codec);
    cmd.AddValue("pcap", "Write PCAP files of the link", pcap);
    AddCheckedValue(cmd, "segmentSize",
                    "TCP segment size in bytes (ns-3's own default is 536; 1448 fills a "
                    "1500-byte MTU)",
                    segmentSize, {64, 65000});
    AddCheckedValue(cmd, "tcpBuffer",
                    "TCP send and receive buffer in bytes, at least the segment size (ns-3's "
                    "default 131072 caps a connection at buffer / round-trip time)",
                    tcpBuffer, {64});
    cmd.AddValue("outputDir", "Folder for the CSV summary and PCAP files", outputDir);
    cmd.AddValue("runTag", "Tag added to output file names so runs do not overwrite each other",
                 runTag);
    cmd.Parse(argc, argv);

    ModuleCodec codecValue;
    if (!ParseModuleCodec(codec, codecValue))
    {
        std::cerr << "--codec=" << codec << " is not one of fp32, fp16, int8\n";
        return 2;
    }
    // the texts are checked as they are read (AddCheckedDataRate, AddCheckedTime)
    const DataRate rate(dataRate);
    const Time propagation(delay);
    if (tcpBuffer < segmentSize)
    {
        std::cerr << "--tcpBuffer=" << tcpBuffer << " is below --segmentSize=" << segmentSize
                  << "\n";
        return 2;
    }
    const std::string folderError = PrepareOutputFolder(outputDir);
    if (!folderError.empty())
    {
        std::cerr << "--outputDir: " << folderError << "\n";
        return 2;
    }
    const std::filesystem::path folder(outputDir);

    Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(segmentSize));
    Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(tcpBuffer));
    Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(tcpBuffer));

    NodeContainer nodes;
    nodes.Create(2);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", DataRateValue(rate));
    p2p.SetChannelAttribute("Delay", TimeValue(propagation));
    NetDeviceContainer devices = p2p.Install(nodes);
    InternetStackHelper internet;
    internet.Install(nodes);
    Ipv4AddressHelper ipv4;
    ipv4.SetBase("10.1.1.0", "255.255.255.0");
    Ipv4InterfaceContainer interfaces = ipv4.Assign(devices);

    const uint16_t port = 7070;
    ModuleSinkHelper sinkHelper(InetSocketAddress(Ipv4Address::GetAny(), port));
    ApplicationContainer sinkApps = sinkHelper.Install(nodes.Get(1));
    auto sink = DynamicCast<ModuleSinkApplication>(sinkApps.Get(0));

    ModuleSourceHelper sourceHelper(InetSocketAddress(interfaces.GetAddress(1), port));
    sourceHelper.SetAttribute("Codec", StringValue(codec));
    sourceHelper.SetAttribute("SenderId", UintegerValue(0));
    ApplicationContainer sourceApps = sourceHelper.Install(nodes.Get(0));
    auto source = DynamicCast<ModuleSourceApplication>(sourceApps.Get(0));

    const auto module = MakeModule(moduleBytes);
    const std::string error = source->AddModule(module);
    NS_ABORT_MSG_IF(!error.empty(), "cannot send the module: " << error);

    Arrival arrival;
    sink->TraceConnectWithoutContext(
        "ModuleReceived", MakeBoundCallback(
                              +[](Arrival* a, const MessageFields&,
                                  std::shared_ptr<const ModuleState> state, const Address&)
                              {
                                  a->arrived = true;
                                  a->at = Simulator::Now();
                                  a->state = std::move(state);
                              },
                              &arrival));

    const Time start = Seconds(0.1);
    sinkApps.Start(Seconds(0.0));
    sourceApps.Start(start);

    const std::string tag = runTag.empty() ? "" : "-" + runTag;
    if (pcap)
    {
        p2p.EnablePcapAll((folder / ("hffm-transfer" + tag)).string());
    }
    Simulator::Stop(Seconds(3600));
    Simulator::Run();

    // Theoretical minimum: the message's bytes at the link rate plus one propagation delay.
    // The minimum with protocol overhead adds per segment TCP (20 + 12 timestamp option),
    // IPv4 (20) and PPP (2) headers, and the connection set-up (one round trip before data).
    const uint64_t messageBytes = source->GetBytesQueued();
    const double bitsPerSecond = static_cast<double>(rate.GetBitRate());
    const double payloadOnly = messageBytes * 8.0 / bitsPerSecond + propagation.GetSeconds();
    const uint64_t segments = (messageBytes + segmentSize - 1) / segmentSize;
    const double withOverhead
        = (messageBytes + segments * (20.0 + 12 + 20 + 2)) * 8.0 / bitsPerSecond
          + 3 * propagation.GetSeconds();

    std::cout << std::setprecision(6);
    std::cout << "module_id=" << module->GetModuleId() << "\n"
              << "module_values=" << module->GetNumel() << "\n"
              << "codec=" << codec << "\n"
              << "message_bytes=" << messageBytes << "\n"
              << "data_rate_bps=" << rate.GetBitRate() << "\n"
              << "delay_s=" << propagation.GetSeconds() << "\n"
              << "segment_size=" << segmentSize << "\n"
              << "tcp_buffer=" << tcpBuffer << "\n";
    if (!arrival.arrived)
    {
        std::cout << "arrived=0\nrejected=" << sink->GetRejectedCount() << "\n";
        Simulator::Destroy();
        return 1;
    }
    double maxError = 0.0;
    for (std::size_t i = 0; i < module->GetNumel(); ++i)
    {
        maxError = std::max(maxError, std::fabs(double{module->GetData()[i]}
                                                - double{arrival.state->GetData()[i]}));
    }
    const double transfer = (arrival.at - start).GetSeconds();
    const double goodput = messageBytes * 8.0 / transfer;
    std::cout << "arrived=1\n"
              << "bit_identical=" << (arrival.state->IsBitIdentical(*module) ? 1 : 0) << "\n"
              << "max_abs_error=" << maxError << "\n"
              << "transfer_time_s=" << transfer << "\n"
              << "min_time_payload_only_s=" << payloadOnly << "\n"
              << "min_time_with_headers_s=" << withOverhead << "\n"
              << "goodput_bps=" << goodput << "\n"
              << "goodput_fraction_of_link=" << goodput / bitsPerSecond << "\n";

    std::ofstream csv(folder / ("summary" + tag + ".csv"));
    csv << "# hffm-transfer: one module over one point-to-point link. Columns: codec; "
           "message_bytes (header + payload); data_rate_bps; delay_s; segment_size (TCP, "
           "bytes); transfer_time_s (source start to module decoded at the sink, simulated); "
           "min_time_payload_only_s (message bits / rate + delay); min_time_with_headers_s "
           "(adds TCP/IP/PPP headers per segment and the handshake); goodput_fraction_of_link; "
           "max_abs_error (decoded vs sent)\n";
    csv << "codec,message_bytes,data_rate_bps,delay_s,segment_size,transfer_time_s,"
           "min_time_payload_only_s,min_time_with_headers_s,goodput_fraction_of_link,"
           "max_abs_error\n";
    csv << codec << "," << messageBytes << "," << rate.GetBitRate() << ","
        << propagation.GetSeconds() << "," << segmentSize << "," << transfer << "," << payloadOnly
        << "," << withOverhead << "," << goodput / bitsPerSecond << "," << maxError << "\n";
    Simulator::Destroy();
    return 0;
}

} // namespace

int
main(int argc, char* argv[])
{
    return RunProgram("hffm-transfer", [&] { return Run(argc, argv); });
}
