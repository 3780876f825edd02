/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Module transfers over real ns-3 TCP connections on point-to-point links.

#include "hffm-test-util.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/module-sink-application.h"
#include "ns3/module-source-application.h"
#include "ns3/module-transfer-helper.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/test.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace ns3;
using namespace ns3::hffmtest;

namespace
{

const uint16_t PORT = 7070;

/// Nodes 1..senders each connected to node 0 (the sink) by its own point-to-point link.
struct Star
{
    NodeContainer nodes;
    std::vector<Ipv4Address> sinkAddress; //!< the sink's address on the link to sender i+1

    Star(uint32_t senders, const std::string& rate, const std::string& delay)
    {
        nodes.Create(senders + 1);
        InternetStackHelper internet;
        internet.Install(nodes);
        PointToPointHelper p2p;
        p2p.SetDeviceAttribute("DataRate", StringValue(rate));
        p2p.SetChannelAttribute("Delay", StringValue(delay));
        Ipv4AddressHelper ipv4;
        for (uint32_t i = 1; i <= senders; ++i)
        {
            NetDeviceContainer d = p2p.Install(nodes.Get(0), nodes.Get(i));
            std::ostringstream base;
            base << "10.1." << i << ".0";
            ipv4.SetBase(base.str().c_str(), "255.255.255.0");
            sinkAddress.push_back(ipv4.Assign(d).GetAddress(0));
        }
    }
};

/// Everything a sink reports, collected from its trace sources.
struct SinkLog
{
    std::vector<MessageFields> fields;
    std::vector<std::shared_ptr<const ModuleState>> modules;
    std::vector<Time> at;
    std::vector<RejectReason> rejects;

    void Attach(Ptr<ModuleSinkApplication> sink)
    {
        sink->TraceConnectWithoutContext("ModuleReceived", MakeCallback(&SinkLog::OnModule, this));
        sink->TraceConnectWithoutContext("MessageRejected", MakeCallback(&SinkLog::OnReject, this));
    }

    void OnModule(const MessageFields& f, std::shared_ptr<const ModuleState> s, const Address&)
    {
        fields.push_back(f);
        modules.push_back(std::move(s));
        at.push_back(Simulator::Now());
    }

    void OnReject(RejectReason r, const std::string&, const Address&) { rejects.push_back(r); }
};

Ptr<ModuleSinkApplication>
InstallSink(Ptr<Node> node)
{
    ModuleSinkHelper helper(InetSocketAddress(Ipv4Address::GetAny(), PORT));
    ApplicationContainer apps = helper.Install(node);
    apps.Start(Seconds(0));
    return DynamicCast<ModuleSinkApplication>(apps.Get(0));
}

Ptr<ModuleSourceApplication>
InstallSource(Ptr<Node> node, Ipv4Address to, uint32_t senderId, const std::string& codec = "fp32")
{
    ModuleSourceHelper helper(InetSocketAddress(to, PORT));
    helper.SetAttribute("SenderId", UintegerValue(senderId));
    helper.SetAttribute("Codec", StringValue(codec));
    ApplicationContainer apps = helper.Install(node);
    apps.Start(Seconds(0.1));
    return DynamicCast<ModuleSourceApplication>(apps.Get(0));
}

/**
 * Sends raw bytes over one TCP connection, then closes it: how the tests put malformed
 * streams on a real connection.
 */
class RawStreamSender
{
  public:
    RawStreamSender(Ptr<Node> node, Address to, std::vector<uint8_t> bytes)
        : m_bytes(std::move(bytes))
    {
        m_socket = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
        m_socket->Bind();
        m_socket->SetConnectCallback(MakeCallback(&RawStreamSender::Connected, this),
                                     MakeNullCallback<void, Ptr<Socket>>());
        m_socket->SetSendCallback(MakeCallback(&RawStreamSender::Room, this));
        Simulator::Schedule(Seconds(0.1), &Socket::Connect, m_socket, to);
    }

  private:
    void Connected(Ptr<Socket>) { Pump(); }

    void Room(Ptr<Socket>, uint32_t) { Pump(); }

    void Pump()
    {
        while (m_sent < m_bytes.size() && m_socket->GetTxAvailable() > 0)
        {
            const auto n = static_cast<uint32_t>(std::min<std::size_t>(
                {m_bytes.size() - m_sent, m_socket->GetTxAvailable(), std::size_t{4000}}));
            const int sent = m_socket->Send(m_bytes.data() + m_sent, n, 0);
            if (sent <= 0)
            {
                return;
            }
            m_sent += static_cast<std::size_t>(sent);
        }
        if (m_sent == m_bytes.size() && !m_closed)
        {
            m_closed = true;
            m_socket->Close();
        }
    }

    std::vector<uint8_t> m_bytes;
    std::size_t m_sent{0};
    bool m_closed{false};
    Ptr<Socket> m_socket;
};

} // namespace

/// One module, several sizes and codecs, arrives once and exactly as sent.
class SingleModuleTestCase : public TestCase
{
  public:
    SingleModuleTestCase(int64_t values, std::string codec, std::string rate)
        : TestCase("one module of " + std::to_string(values * 4) + " value bytes, " + codec
                   + ", over " + rate)
        , m_values(values)
        , m_codec(std::move(codec))
        , m_rate(std::move(rate))
    {
    }

  private:
    void DoRun() override
    {
        Star star(1, m_rate, "1ms");
        auto sink = InstallSink(star.nodes.Get(0));
        SinkLog log;
        log.Attach(sink);
        auto source = InstallSource(star.nodes.Get(1), star.sinkAddress[0], 9, m_codec);
        auto module = std::make_shared<ModuleState>(MakeModule("encoder/image", m_values, 0.5F));
        NS_TEST_ASSERT_MSG_EQ(source->AddModule(module), "", "module accepted");
        Simulator::Run();

        NS_TEST_ASSERT_MSG_EQ(log.modules.size(), 1, "exactly one module arrives");
        NS_TEST_ASSERT_MSG_EQ(log.rejects.size(), 0, "nothing rejected");
        NS_TEST_ASSERT_MSG_EQ(log.fields[0].sender, 9, "sender id");
        NS_TEST_ASSERT_MSG_EQ(log.fields[0].moduleId, "encoder/image", "module id");
        NS_TEST_ASSERT_MSG_EQ(ToString(log.fields[0].codec), m_codec, "codec");
        if (m_codec == "fp32")
        {
            NS_TEST_ASSERT_MSG_EQ(log.modules[0]->IsBitIdentical(*module), true,
                                  "fp32 must arrive bit-exact");
        }
        else
        {
            NS_TEST_ASSERT_MSG_EQ(log.modules[0]->HasSameLayout(*module), true, "layout");
            // The codec's documented bound (module-codec.h), per tensor.
            double worst = 0.0; // largest error as a fraction of the bound
            for (std::size_t t = 0; t < module->GetTensorCount(); ++t)
            {
                const auto n = static_cast<std::size_t>(module->GetTensors()[t].Numel());
                const float* x = module->GetTensorData(t);
                const float* y = log.modules[0]->GetTensorData(t);
                double maxAbs = 0.0;
                for (std::size_t i = 0; i < n; ++i)
                {
                    maxAbs = std::max(maxAbs, std::fabs(double{x[i]}));
                }
                for (std::size_t i = 0; i < n; ++i)
                {
                    const double bound = m_codec == "fp16"
                                             ? std::max(std::ldexp(std::fabs(double{x[i]}), -11),
                                                        std::ldexp(1.0, -25))
                                             : maxAbs / 254.0 * (1 + 1e-5);
                    worst = std::max(worst, std::fabs(double{x[i]} - y[i]) / bound);
                }
            }
            NS_TEST_ASSERT_MSG_LT_OR_EQ(worst, 1.0, "decoded values within the codec's bound");
        }
        NS_TEST_ASSERT_MSG_EQ(sink->GetBytesReceived(), source->GetBytesQueued(),
                              "the sink received every byte sent, no more");
        NS_TEST_ASSERT_MSG_EQ(source->GetBytesSent(), source->GetBytesQueued(), "all sent");
        Simulator::Destroy();
    }

    int64_t m_values;
    std::string m_codec;
    std::string m_rate;
};

/// Several modules back to back on one connection arrive in order, each intact.
class BackToBackTestCase : public TestCase
{
  public:
    BackToBackTestCase()
        : TestCase("five modules back to back on one connection")
    {
    }

  private:
    void DoRun() override
    {
        Star star(1, "50Mbps", "2ms");
        auto sink = InstallSink(star.nodes.Get(0));
        SinkLog log;
        log.Attach(sink);
        auto source = InstallSource(star.nodes.Get(1), star.sinkAddress[0], 1);
        std::vector<std::shared_ptr<ModuleState>> sent;
        for (int i = 0; i < 5; ++i)
        {
            sent.push_back(std::make_shared<ModuleState>(
                MakeModule("adapter/" + std::to_string(i), 1 + 20000 * i, static_cast<float>(i))));
            source->AddModule(sent.back());
        }
        Simulator::Run();
        NS_TEST_ASSERT_MSG_EQ(log.modules.size(), 5, "all five arrive");
        NS_TEST_ASSERT_MSG_EQ(sink->GetAcceptedConnections(), 1, "over one connection");
        for (int i = 0; i < 5; ++i)
        {
            NS_TEST_ASSERT_MSG_EQ(log.modules[i]->IsBitIdentical(*sent[i]), true,
                                  "module " << i << " intact and in order");
            if (i > 0)
            {
                NS_TEST_ASSERT_MSG_GT(log.at[i], log.at[i - 1], "arrival order");
            }
        }
        Simulator::Destroy();
    }
};

/// Several senders to one receiver: each connection is reassembled on its own.
class ManySendersTestCase : public TestCase
{
  public:
    ManySendersTestCase()
        : TestCase("four senders to one sink at once")
    {
    }

  private:
    void DoRun() override
    {
        const uint32_t senders = 4;
        Star star(senders, "20Mbps", "3ms");
        auto sink = InstallSink(star.nodes.Get(0));
        SinkLog log;
        log.Attach(sink);
        std::map<uint32_t, std::shared_ptr<ModuleState>> sent;
        for (uint32_t i = 1; i <= senders; ++i)
        {
            auto source = InstallSource(star.nodes.Get(i), star.sinkAddress[i - 1], i);
            // Same module id from everyone, different values: as devices uploading one module.
            sent[i] = std::make_shared<ModuleState>(
                MakeModule("adapter/0", 150000, static_cast<float>(i)));
            source->AddModule(sent[i]);
        }
        Simulator::Run();
        NS_TEST_ASSERT_MSG_EQ(log.modules.size(), senders, "one module per sender");
        NS_TEST_ASSERT_MSG_EQ(sink->GetAcceptedConnections(), senders, "one connection each");
        for (std::size_t k = 0; k < log.modules.size(); ++k)
        {
            const uint32_t from = log.fields[k].sender;
            NS_TEST_ASSERT_MSG_EQ(sent.count(from), 1, "known sender");
            NS_TEST_ASSERT_MSG_EQ(log.modules[k]->IsBitIdentical(*sent[from]), true,
                                  "module from sender " << from << " not mixed with others");
        }
        // The transfers overlapped in time: all four share the sink, none waited for another.
        NS_TEST_ASSERT_MSG_LT((log.at.back() - log.at.front()).GetSeconds(), 0.1,
                              "transfers ran in parallel");
        Simulator::Destroy();
    }
};

/**
 * Malformed input on a real connection: every kind is rejected with its reason and counted,
 * valid messages between them still arrive, and nothing crashes.
 */
class BadInputTestCase : public TestCase
{
  public:
    BadInputTestCase()
        : TestCase("malformed messages on a TCP connection are rejected with a reason")
    {
    }

  private:
    void DoRun() override
    {
        Star star(1, "100Mbps", "1ms");
        auto sink = InstallSink(star.nodes.Get(0));
        sink->SetAttribute("MaxPayloadBytes", UintegerValue(100000));
        SinkLog log;
        log.Attach(sink);

        const ModuleState good = MakeModule("head/fine", 1000, 1.0F);
        const auto goodPayload = PayloadOf(good);
        auto badMagic = Message(good, 2);
        badMagic[0] = 'X';
        auto badVersion = Message(good, 3);
        badVersion[4] = 2;
        auto badChecksum = Message(good, 4);
        badChecksum[badChecksum.size() - 100] ^= 0xFF;
        const auto tooLarge = Message(MakeModule("head/fine", 30000, 1.0F), 5);
        std::vector<uint8_t> shapeless(goodPayload.begin(), goodPayload.end() - 8);
        auto withNan = goodPayload;
        const float nan = std::nanf("");
        std::memcpy(withNan.data() + withNan.size() - 4, &nan, 4);
        auto truncated = Message(good, 9);
        truncated.resize(truncated.size() / 2);

        const auto stream
            = Concat({Message(good, 1), badMagic, Message(good, 10), badVersion, Message(good, 11),
                      badChecksum, Message(good, 12), tooLarge, Message(good, 13),
                      MessageWithPayload("head/fine", shapeless, 6),
                      MessageWithPayload("head/fine", withNan, 7), Message(good, 14), truncated});
        RawStreamSender raw(star.nodes.Get(1), InetSocketAddress(star.sinkAddress[0], PORT),
                            stream);
        Simulator::Run();

        std::vector<uint32_t> senders;
        for (const auto& f : log.fields)
        {
            senders.push_back(f.sender);
        }
        NS_TEST_ASSERT_MSG_EQ((senders == std::vector<uint32_t>{1, 10, 11, 12, 13, 14}), true,
                              "every valid message arrives, in order");
        for (const auto& m : log.modules)
        {
            NS_TEST_ASSERT_MSG_EQ(m->IsBitIdentical(good), true, "valid modules intact");
        }
        for (auto r : {RejectReason::BAD_MAGIC, RejectReason::BAD_VERSION,
                       RejectReason::PAYLOAD_CHECKSUM_MISMATCH, RejectReason::PAYLOAD_TOO_LARGE,
                       RejectReason::SHAPE_MISMATCH, RejectReason::NON_FINITE_VALUE,
                       RejectReason::TRUNCATED})
        {
            NS_TEST_ASSERT_MSG_EQ(sink->GetRejectedCount(r), 1,
                                  "one rejection for " << ToString(r));
        }
        NS_TEST_ASSERT_MSG_EQ(sink->GetRejectedCount(), 7, "no other rejection");
        NS_TEST_ASSERT_MSG_EQ(log.rejects.size(), 7, "each rejection traced");
        NS_TEST_ASSERT_MSG_EQ(sink->GetBytesReceived(), stream.size(), "whole stream read");
        Simulator::Destroy();
    }
};

/// The ns-3 test suite for module transfers.
class ModuleTransferTestSuite : public TestSuite
{
  public:
    ModuleTransferTestSuite()
        : TestSuite("hffm-module-transfer", UNIT)
    {
        AddTestCase(new SingleModuleTestCase(1, "fp32", "10Mbps"), TestCase::QUICK);
        AddTestCase(new SingleModuleTestCase(250000, "fp32", "100Mbps"), TestCase::QUICK);
        AddTestCase(new SingleModuleTestCase(250000, "fp16", "100Mbps"), TestCase::QUICK);
        AddTestCase(new SingleModuleTestCase(250000, "int8", "100Mbps"), TestCase::QUICK);
        AddTestCase(new BackToBackTestCase, TestCase::QUICK);
        AddTestCase(new ManySendersTestCase, TestCase::QUICK);
        AddTestCase(new BadInputTestCase, TestCase::QUICK);
        // tens of MB: the size of a large encoder or backbone block
        AddTestCase(new SingleModuleTestCase(8000000, "fp32", "1Gbps"), TestCase::EXTENSIVE);
    }
};

static ModuleTransferTestSuite g_moduleTransferTestSuite; //!< static instance
