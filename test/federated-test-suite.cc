/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Hierarchical federated training inside the simulator: device, fog and cloud applications
// over ns-3 Wi-Fi and LTE, with a tiny M3T model trained by LibTorch on Fashion-MNIST.

#include "federated-test-util.h"
#include "hffm-test-util.h"
#include "ns3/core-module.h"
#include "ns3/d2d-radio-helper.h"
#include "ns3/federated-helper.h"
#include "ns3/lte-enb-net-device.h"
#include "ns3/lte-enb-phy.h"
#include "ns3/lte-spectrum-phy.h"
#include "ns3/lte-topology-helper.h"
#include "ns3/lte-ue-net-device.h"
#include "ns3/lte-ue-phy.h"
#include "ns3/m3t-federated-learner.h"
#include "ns3/module-source-application.h"
#include "ns3/module-transfer-helper.h"
#include "ns3/test.h"
#include "ns3/wifi-topology-helper.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>

using namespace ns3;

namespace
{

using hffmtest::FourDevices;
using hffmtest::Profile;
using hffmtest::SmallTopology;
using hffmtest::TinyLearner;

/// The apps of \p methodName for FourDevices() on \p topology: \p rounds edge rounds, each
/// closed by the fogs after \p deadline at the latest.
FederatedApps
InstallFourDevices(std::shared_ptr<FederatedLearner> learner, const FederatedTopology& topology,
                   const std::string& methodName, uint32_t rounds, Time deadline)
{
    FederatedMethod method;
    const std::string parsed = FederatedMethod::Parse(methodName, method);
    NS_ABORT_MSG_IF(!parsed.empty(), parsed);
    FederatedHelper helper(std::move(learner));
    helper.SetFogStrategyAttribute("Rounds", UintegerValue(rounds));
    helper.SetFogAttribute("RoundDeadline", TimeValue(deadline));
    return helper.Install(topology, FourDevices(), method);
}

/// Records what the applications of a run report.
struct Recorder
{
    std::map<std::string, uint32_t> usedAtFogs;       //!< "round/module" -> contributions, summed
    std::map<std::string, uint32_t> usedAtCloud;      //!< "round/module" -> contributions
    std::map<uint32_t, std::set<std::string>> sentBy; //!< device -> module ids it uploaded
    std::vector<RoundSummary> fogRounds;
    std::map<std::string, uint32_t> rejectedAtFogs; //!< reason -> count
    uint32_t finished{0};

    void Attach(const FederatedApps& apps)
    {
        for (const auto& f : apps.fogs)
        {
            f->TraceConnectWithoutContext(
                "ModuleAggregated",
                Callback<void, uint32_t, const std::string&, uint32_t, uint32_t>(
                    ([this](uint32_t r, const std::string& id, uint32_t used, uint32_t)
                     { usedAtFogs[std::to_string(r) + "/" + id] += used; })));
            f->TraceConnectWithoutContext(
                "RoundDone", Callback<void, const RoundSummary&>(
                                 ([this](const RoundSummary& s) { fogRounds.push_back(s); })));
            f->TraceConnectWithoutContext(
                "ModuleRejected", Callback<void, uint32_t, const std::string&, const std::string&>(
                                      ([this](uint32_t, const std::string& reason,
                                              const std::string&) { ++rejectedAtFogs[reason]; })));
            const auto fogs = static_cast<uint32_t>(apps.fogs.size());
            f->GetStrategy()->TraceConnectWithoutContext("Finished", Callback<void>(
                                                                         [this, fogs]()
                                                                         {
                                                                             if (++finished == fogs)
                                                                             {
                                                                                 Simulator::Stop();
                                                                             }
                                                                         }));
        }
        if (apps.cloud)
        {
            apps.cloud->TraceConnectWithoutContext(
                "ModuleAggregated",
                Callback<void, uint32_t, const std::string&, uint32_t, uint32_t>(
                    ([this](uint32_t r, const std::string& id, uint32_t used, uint32_t)
                     { usedAtCloud[std::to_string(r) + "/" + id] = used; })));
        }
        for (const auto& d : apps.devices)
        {
            const uint32_t index = d->GetDeviceIndex();
            d->TraceConnectWithoutContext(
                "ModuleSent",
                Callback<void, const MessageFields&>(
                    ([this, index](const MessageFields& f) { sentBy[index].insert(f.moduleId); })));
        }
    }
};

/**
 * Hierarchical rounds (the cloud every 2 edge rounds) over a small network: every round
 * completes, modules are aggregated over their holders only, and the bytes the servers
 * received are exactly the bytes the devices and the cloud sent.
 */
class HierarchicalRoundsTestCase : public TestCase
{
  public:
    HierarchicalRoundsTestCase(std::string radio, uint32_t rounds)
        : TestCase("hierarchical rounds over " + radio + ", 2 fogs, 4 devices")
        , m_radio(std::move(radio))
        , m_rounds(rounds)
    {
    }

  private:
    void DoRun() override
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        auto learner = TinyLearner(4);
        const auto specs = FourDevices();
        const FederatedTopology topology = SmallTopology(m_radio, 4, 2);
        FederatedMethod method;
        NS_TEST_ASSERT_MSG_EQ(FederatedMethod::Parse("hier-2", method), "", "hier-2 parses");
        FederatedHelper helper(learner);
        helper.SetFogStrategyAttribute("Rounds", UintegerValue(m_rounds));
        helper.SetFogAttribute("RoundDeadline", TimeValue(Seconds(30)));
        const FederatedApps apps = helper.Install(topology, specs, method);
        Recorder rec;
        rec.Attach(apps);
        Simulator::Stop(Seconds(600));
        Simulator::Run();

        NS_TEST_ASSERT_MSG_EQ(rec.finished, 2U, "both fogs finish");
        for (const auto& f : apps.fogs)
        {
            NS_TEST_ASSERT_MSG_EQ(f->GetStrategy<EdgeRoundStrategy>()->GetRoundsDone(), m_rounds,
                                  "every edge round is done");
            NS_TEST_ASSERT_MSG_EQ(f->GetStrategy<EdgeRoundStrategy>()->GetGlobalSyncs(),
                                  m_rounds / 2, "a sync every 2 rounds");
        }
        NS_TEST_ASSERT_MSG_EQ(apps.GetCloudStrategy()->GetRoundsDone(), m_rounds / 2,
                              "cloud rounds");
        for (const auto& s : rec.fogRounds)
        {
            NS_TEST_ASSERT_MSG_EQ(s.stragglers.size(), 0U, "no straggler in round " << s.round);
        }
        for (const auto& d : apps.devices)
        {
            NS_TEST_ASSERT_MSG_EQ(d->GetRoundsTrained(), m_rounds, "every device trains");
        }

        // encoder/text: device 3 alone holds it, so only it sends it and the aggregates of
        // its fog and of the cloud each have exactly one contribution
        for (uint32_t i = 0; i < 3; ++i)
        {
            NS_TEST_ASSERT_MSG_EQ(rec.sentBy[i].count("encoder/text"), 0U,
                                  "device " << i << " has no text and never sends its encoder");
        }
        NS_TEST_ASSERT_MSG_EQ(rec.sentBy[3].count("encoder/text"), 1U, "device 3 sends it");
        NS_TEST_ASSERT_MSG_EQ(rec.usedAtFogs["1/encoder/text"], 1U, "one holder at the fogs");
        NS_TEST_ASSERT_MSG_EQ(rec.usedAtCloud["2/encoder/text"], 1U, "one fog holds it");
        // adapter/0: every device holds it
        NS_TEST_ASSERT_MSG_EQ(rec.usedAtFogs["1/adapter/0"], 4U, "four holders at the fogs");
        NS_TEST_ASSERT_MSG_EQ(rec.usedAtCloud["2/adapter/0"], 2U, "two fogs");
        // head/question: device 3 only; fog 0 never holds it
        const auto fog0 = apps.fogs[0]->GetChildModuleIds();
        NS_TEST_ASSERT_MSG_EQ(std::count(fog0.begin(), fog0.end(), "head/question"), 0,
                              "fog 0 has no device with the question task");

        // the global modules the fogs got from the cloud are the cloud's
        const ModuleMap& cloud = apps.cloud->GetModules();
        const ModuleMap& fog1 = apps.fogs[1]->GetModules();
        if (m_rounds % 2 == 0)
        {
            NS_TEST_ASSERT_MSG_EQ(
                fog1.at("encoder/text")->IsBitIdentical(*cloud.at("encoder/text")), true,
                "after the last sync the fog holds the cloud's module");
        }
        NS_TEST_ASSERT_MSG_EQ(
            cloud.at("encoder/text")
                ->IsBitIdentical(*learner->GetInitialModules().at("encoder/text")),
            false, "training changed encoder/text");

        // bytes: what servers received is what devices and the cloud sent, to the byte
        uint64_t devicesSent = 0;
        uint64_t devicesReceived = 0;
        for (const auto& d : apps.devices)
        {
            devicesSent += d->GetBytesSent();
            devicesReceived += d->GetBytesReceived();
        }
        uint64_t fogsReceived = 0;
        uint64_t fogsSentDown = 0;
        uint64_t fogsSentUp = 0;
        for (const auto& f : apps.fogs)
        {
            fogsReceived += f->GetBytesReceived();
            fogsSentDown += f->GetBytesSentDown();
            fogsSentUp += f->GetBytesSentUp();
        }
        NS_TEST_ASSERT_MSG_GT(devicesSent, 0U, "devices sent updates");
        NS_TEST_ASSERT_MSG_EQ(fogsReceived, devicesSent + apps.cloud->GetBytesSentDown(),
                              "fogs received what devices and the cloud sent");
        NS_TEST_ASSERT_MSG_EQ(devicesReceived, fogsSentDown, "devices received what fogs sent");
        NS_TEST_ASSERT_MSG_EQ(apps.cloud->GetBytesReceived(), fogsSentUp,
                              "the cloud received what fogs sent up");
        // radio energy was spent by every device
        for (uint32_t i = 0; i < 4; ++i)
        {
            NS_TEST_ASSERT_MSG_GT(topology.energy->GetEnergy(i), 0.0, "device " << i << " radio");
            NS_TEST_ASSERT_MSG_GT(apps.devices[i]->GetComputeEnergy(), 0.0, "compute energy");
        }
        Simulator::Destroy();
    }

    std::string m_radio;
    uint32_t m_rounds;
};

/**
 * LteTopologyHelper::Config::channelPerCell: each cell's eNB and UEs are the only
 * receivers of their own pair of spectrum channels, and with the default geometry (every
 * other cell beyond maxLossDb) a round over them is the same, to the nanosecond and the
 * byte, as over the one channel pair of all cells. So is a round with the control channels'
 * error model on (Config::controlErrorModel, off by default): in these cells it never fails.
 */
class LteChannelPerCellTestCase : public TestCase
{
  public:
    LteChannelPerCellTestCase()
        : TestCase("LTE rounds: one channel pair per cell, control errors off, change nothing")
    {
    }

  private:
    /// What a round tells apart: when each fog's round ended, and what each device moved
    /// and spent on air.
    struct Outcome
    {
        std::vector<int64_t> roundEndsNs;
        std::vector<uint64_t> deviceBytes;
        std::vector<double> radioJoules;
    };

    Outcome Run(bool channelPerCell, bool controlErrorModel)
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        auto learner = TinyLearner(4);
        LteTopologyHelper::Config c;
        c.devices = 4;
        c.fogs = 2;
        c.resourceBlocks = 25;
        c.channelPerCell = channelPerCell;
        c.controlErrorModel = controlErrorModel;
        const FederatedTopology topology = LteTopologyHelper::Build(c);
        if (channelPerCell)
        {
            CheckChannels(topology);
        }
        const FederatedApps apps
            = InstallFourDevices(learner, topology, "edge-only", 1, Seconds(30));
        Recorder rec;
        rec.Attach(apps);
        Simulator::Stop(Seconds(600));
        Simulator::Run();
        NS_TEST_EXPECT_MSG_EQ(rec.finished, 2U, "both fogs finish");
        Outcome o;
        for (const auto& s : rec.fogRounds)
        {
            o.roundEndsNs.push_back(s.finished.GetNanoSeconds());
        }
        for (uint32_t i = 0; i < apps.devices.size(); ++i)
        {
            o.deviceBytes.push_back(apps.devices[i]->GetBytesSent());
            o.radioJoules.push_back(topology.energy->GetEnergy(i));
        }
        Simulator::Destroy();
        return o;
    }

    /// Each cell's channels have that cell's receivers only: the eNB on the uplink, its
    /// UEs on the downlink.
    void CheckChannels(const FederatedTopology& topology)
    {
        std::set<Ptr<SpectrumChannel>> downlinks;
        for (uint32_t f = 0; f < topology.radioPoints.GetN(); ++f)
        {
            Ptr<LteEnbNetDevice> enb
                = topology.radioPoints.Get(f)->GetDevice(0)->GetObject<LteEnbNetDevice>();
            NS_TEST_ASSERT_MSG_NE(enb, nullptr, "an eNB device on radio point " << f);
            Ptr<SpectrumChannel> ul = enb->GetPhy()->GetUlSpectrumPhy()->GetChannel();
            Ptr<SpectrumChannel> dl = enb->GetPhy()->GetDlSpectrumPhy()->GetChannel();
            NS_TEST_EXPECT_MSG_EQ(ul->GetNDevices(), 1U, "cell " << f << ": its eNB hears");
            NS_TEST_EXPECT_MSG_EQ(ul->GetDevice(0), enb, "cell " << f << ": its own eNB");
            uint32_t cellUes = 0;
            for (uint32_t i = 0; i < topology.devices.GetN(); ++i)
            {
                if (topology.fogOf[i] != f)
                {
                    continue;
                }
                ++cellUes;
                Ptr<LteUeNetDevice> ue
                    = topology.devices.Get(i)->GetDevice(0)->GetObject<LteUeNetDevice>();
                NS_TEST_ASSERT_MSG_NE(ue, nullptr, "an LTE UE device on device " << i);
                NS_TEST_EXPECT_MSG_EQ(ue->GetPhy()->GetDlSpectrumPhy()->GetChannel(), dl,
                                      "UE " << i << " listens to its own cell's downlink");
                NS_TEST_EXPECT_MSG_EQ(ue->GetPhy()->GetUlSpectrumPhy()->GetChannel(), ul,
                                      "UE " << i << " sends on its own cell's uplink");
            }
            NS_TEST_EXPECT_MSG_EQ(dl->GetNDevices(), cellUes, "cell " << f << ": its UEs hear");
            downlinks.insert(dl);
        }
        NS_TEST_EXPECT_MSG_EQ(downlinks.size(), topology.radioPoints.GetN(), "a channel a cell");
    }

    void DoRun() override
    {
        const Outcome own = Run(true, false);
        NS_TEST_ASSERT_MSG_EQ(own.roundEndsNs.size(), 2U, "a round at each fog");
        for (const auto& [name, other] :
             {std::make_pair("one channel pair", Run(false, false)),
              std::make_pair("the control error model", Run(true, true))})
        {
            NS_TEST_EXPECT_MSG_EQ((own.roundEndsNs == other.roundEndsNs), true,
                                  name << ": the rounds end at the same nanosecond");
            NS_TEST_EXPECT_MSG_EQ((own.deviceBytes == other.deviceBytes), true,
                                  name << ": the same bytes");
            NS_TEST_EXPECT_MSG_EQ((own.radioJoules == other.radioJoules), true,
                                  name << ": the same radio energy");
        }
    }
};

/**
 * LTE with regional cores: two fogs in two regions, each with its own EPC and gateway. Each
 * region numbers its UEs 7.(r+1).x.y and its devices reach the cloud at the cloud's address on
 * their region's gateway link; in the star baseline, what each region's devices upload crosses
 * that region's gateway link and no other, and the fogs' backhaul links carry nothing.
 */
class LteRegionsTestCase : public TestCase
{
  public:
    LteRegionsTestCase()
        : TestCase("LTE regional cores: own UE addresses, star uploads through own gateway")
    {
    }

  private:
    void DoRun() override
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        auto learner = TinyLearner(4);
        LteTopologyHelper::Config c;
        c.devices = 4;
        c.fogs = 2;
        c.regions = 2;
        c.resourceBlocks = 25;
        const FederatedTopology topology = LteTopologyHelper::Build(c);
        for (uint32_t i = 0; i < c.devices; ++i)
        {
            const uint32_t region = topology.fogOf[i]; // one fog per region
            const Ipv4Address ues(("7." + std::to_string(region + 1) + ".0.0").c_str());
            NS_TEST_EXPECT_MSG_EQ(topology.deviceAddress[i].CombineMask(Ipv4Mask("/16")), ues,
                                  "device " << i << "'s address " << topology.deviceAddress[i]);
            const Ipv4Address cloud(("10.4." + std::to_string(region) + ".2").c_str());
            NS_TEST_EXPECT_MSG_EQ(topology.cloudDeviceAddress[i], cloud,
                                  "device " << i << " reaches the cloud through its region");
        }
        // the cloud's devices: loopback, the two fogs' backhaul links, the two gateway links
        Ptr<Node> cloud = topology.cloud.Get(0);
        NS_TEST_ASSERT_MSG_EQ(cloud->GetNDevices(), 5U, "the cloud's links");
        std::vector<uint64_t> received(4, 0);
        for (uint32_t d = 1; d < 5; ++d)
        {
            cloud->GetDevice(d)->TraceConnectWithoutContext(
                "MacRx", Callback<void, Ptr<const Packet>>([&received, d](Ptr<const Packet> p)
                                                           { received[d - 1] += p->GetSize(); }));
        }
        const FederatedApps apps = InstallFourDevices(learner, topology, "star", 1, Seconds(30));
        Recorder rec;
        rec.Attach(apps);
        Simulator::Stop(Seconds(600));
        Simulator::Run();
        NS_TEST_EXPECT_MSG_EQ(rec.finished, 1U, "the star round finishes");
        std::vector<uint64_t> uploaded(2, 0);
        for (uint32_t i = 0; i < apps.devices.size(); ++i)
        {
            uploaded[topology.fogOf[i]] += apps.devices[i]->GetBytesSent();
        }
        Simulator::Destroy();
        NS_TEST_EXPECT_MSG_EQ(received[0] + received[1], 0U, "nothing on the fogs' backhaul");
        for (uint32_t r = 0; r < 2; ++r)
        {
            NS_TEST_ASSERT_MSG_GT(uploaded[r], 0U, "region " << r << "'s devices uploaded");
            // the uploads with their TCP/IP headers, and the ACKs of the cloud's pushes
            NS_TEST_EXPECT_MSG_GT_OR_EQ(received[2 + r], uploaded[r],
                                        "region " << r << "'s uploads cross its gateway link");
            NS_TEST_EXPECT_MSG_LT(received[2 + r], uploaded[r] * 11 / 10 + 10000,
                                  "region " << r << "'s gateway link carries only its uploads");
        }
    }
};

/**
 * A busy 802.11ax cell: ten stations and their access point set up Block Ack agreements in
 * both directions while they contend. With ns-3 3.37's 1 ms ADDBA response timeout a late
 * response left one station's traffic buffered for ever, and it missed every round (checked
 * with this seed: the test fails with a 1 ms timeout); with WifiTopologyHelper's timeout
 * every station reports in every round.
 */
class BusyWifiCellTestCase : public TestCase
{
  public:
    BusyWifiCellTestCase()
        : TestCase("a busy 802.11ax cell: every station reports every round")
    {
    }

  private:
    void DoRun() override
    {
        const uint32_t n = 10;
        RngSeedManager::SetSeed(5); // with a 1 ms timeout, this seed stalls a station
        RngSeedManager::SetRun(1);
        auto learner = TinyLearner(n, 20);
        std::vector<DeviceSpec> specs(n);
        for (auto& s : specs)
        {
            s.profile = Profile({Modality::IMAGE}, {"fine"});
        }
        WifiTopologyHelper::Config c;
        c.devices = n;
        c.fogs = 1;
        c.standard = "80211ax";
        const FederatedTopology topology = WifiTopologyHelper::Build(c);
        FederatedMethod method;
        FederatedMethod::Parse("edge-only", method);
        FederatedHelper helper(learner);
        helper.SetFogStrategyAttribute("Rounds", UintegerValue(2));
        helper.SetFogAttribute("RoundDeadline", TimeValue(Seconds(30)));
        const FederatedApps apps = helper.Install(topology, specs, method);
        Recorder rec;
        rec.Attach(apps);
        Simulator::Stop(Seconds(300));
        Simulator::Run();
        NS_TEST_ASSERT_MSG_EQ(rec.finished, 1U, "the fog finishes");
        NS_TEST_ASSERT_MSG_EQ(rec.fogRounds.size(), 2U, "two rounds");
        for (const auto& r : rec.fogRounds)
        {
            NS_TEST_EXPECT_MSG_EQ(r.stragglers.size(), 0U, "no straggler in round " << r.round);
            NS_TEST_EXPECT_MSG_LT(r.finished - r.started, Seconds(30),
                                  "round " << r.round << " ends before its deadline");
        }
        for (const auto& d : apps.devices)
        {
            NS_TEST_EXPECT_MSG_EQ(d->GetRoundsTrained(), 2U, "every station trains twice");
        }
        Simulator::Destroy();
    }
};

/// A device that drops out does not stall its fog past the round deadline.
class DropoutTestCase : public TestCase
{
  public:
    DropoutTestCase()
        : TestCase("a device that drops out does not stall the round past its deadline")
    {
    }

  private:
    void DoRun() override
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        auto learner = TinyLearner(4);
        const FederatedTopology topology = SmallTopology("wifi", 4, 2);
        const FederatedApps apps
            = InstallFourDevices(learner, topology, "edge-only", 2, Seconds(5));
        apps.devices[2]->SetStopTime(MilliSeconds(1)); // device 2 (fog 0) leaves at once
        Recorder rec;
        rec.Attach(apps);
        Simulator::Stop(Seconds(100));
        Simulator::Run();

        NS_TEST_ASSERT_MSG_EQ(rec.finished, 2U, "both fogs finish");
        bool sawStraggler = false;
        for (const auto& s : rec.fogRounds)
        {
            if (!s.stragglers.empty())
            {
                sawStraggler = true;
                NS_TEST_ASSERT_MSG_EQ(s.stragglers.size(), 1U, "one straggler");
                NS_TEST_ASSERT_MSG_EQ(s.stragglers[0], 2U, "device 2 is the straggler");
                const double waited = (s.finished - s.started).GetSeconds();
                NS_TEST_ASSERT_MSG_EQ_TOL(waited, 5.0, 1e-9, "aggregated at the deadline");
                NS_TEST_ASSERT_MSG_GT(s.modulesAggregated, 0U, "device 0's modules count");
            }
        }
        NS_TEST_ASSERT_MSG_EQ(sawStraggler, true, "the dropout was noticed");
        NS_TEST_ASSERT_MSG_EQ(apps.GetFogStrategy(0)->GetRoundsDone(), 2U, "fog 0 went on");
        NS_TEST_ASSERT_MSG_EQ(apps.devices[2]->GetRoundsTrained(), 0U, "device 2 never trained");
        // fog 0's adapter/0 in round 1 averaged device 0 alone
        NS_TEST_ASSERT_MSG_EQ(rec.usedAtFogs["1/adapter/0"], 3U, "devices 0, 1, 3 contribute");
        Simulator::Destroy();
    }
};

/// An upload with the wrong layout is rejected with a reason and not aggregated.
class CorruptUploadTestCase : public TestCase
{
  public:
    CorruptUploadTestCase()
        : TestCase("a rejected (wrong-shape) upload is not aggregated")
    {
    }

  private:
    void DoRun() override
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        auto learner = TinyLearner(4);
        const FederatedTopology topology = SmallTopology("wifi", 4, 2);
        const FederatedApps apps
            = InstallFourDevices(learner, topology, "edge-only", 1, Seconds(3600));

        // While device 0 trains (slowly: its round-1 upload leaves seconds later), its node
        // also sends a forged round-1 adapter/0 of the wrong shape under its sender id.
        apps.devices[0]->SetAttribute("MacsPerSecond", DoubleValue(1e6));
        ModuleState forged("adapter/0", {{"down.weight", {3, 3}}});
        forged.SetSampleWeight(1e6);
        Ptr<ModuleSourceApplication> source;
        apps.devices[0]->TraceConnectWithoutContext(
            "TrainingDone",
            Callback<void, uint32_t, uint32_t, int64_t, double, Time>(
                [&](uint32_t, uint32_t, int64_t, double, Time computeTime)
                {
                    NS_TEST_EXPECT_MSG_GT(computeTime, Seconds(1), "device 0 trains for a while");
                    ModuleSourceHelper forger(
                        InetSocketAddress(topology.fogDeviceAddress[0], FederatedHelper::FOG_PORT));
                    forger.SetAttribute("SenderId", UintegerValue(0));
                    forger.SetAttribute("Round", UintegerValue(1));
                    source = DynamicCast<ModuleSourceApplication>(
                        forger.Install(topology.devices.Get(0)).Get(0));
                    NS_TEST_EXPECT_MSG_EQ(source->AddModule(std::make_shared<ModuleState>(forged)),
                                          "", "the forged module encodes");
                }));

        Recorder rec;
        rec.Attach(apps);
        Simulator::Stop(Seconds(4000));
        Simulator::Run();

        NS_TEST_ASSERT_MSG_EQ(rec.rejectedAtFogs["layout-mismatch"], 1U,
                              "the forged update is rejected for its layout");
        NS_TEST_ASSERT_MSG_EQ(rec.usedAtFogs["1/adapter/0"], 4U,
                              "the four real updates, not the forged one, are aggregated");
        const auto& adapter = apps.fogs[0]->GetModules().at("adapter/0");
        NS_TEST_ASSERT_MSG_EQ(adapter->HasSameLayout(*learner->GetInitialModules().at("adapter/0")),
                              true, "the aggregate keeps the model's layout");
        NS_TEST_ASSERT_MSG_EQ(adapter->FindNonFinite(), adapter->GetNumel(), "finite values");
        Simulator::Destroy();
    }
};

/**
 * A device's training costs simulated time multiply-adds / MacsPerSecond, the multiply-adds
 * counted here by hand: one device with both modalities and tasks fine and question, on the
 * tiny model (width 16, 2 heads of 8, 1 block, MLP hidden 32, adapter 4, 2 prompt tokens per
 * task, 2 experts, top-1, expert hidden 16). A forward pass runs T = 4 + 49 + 8 = 61 tokens:
 * conv1 28*28*32*(1*9) = 225,792; conv2 14*14*16*(32*9) = 903,168; qkv 61*16*48 = 46,848;
 * scores and mix 2 * 2 heads * 61*61*8 = 119,072; proj 61*16*16 = 15,616; MLP 2 * 61*16*32 =
 * 62,464; adapter 61*(16*4 + 4*16) = 7,808; gate 61*16*2 = 1,952; one expert
 * 61*(16*16 + 16*16) = 31,232; heads 16*10 + 16*2 = 192: 1,414,144 in all. The device holds
 * the whole pool of 40 samples and trains 2 epochs, 3 passes per sample (forward, backward at
 * twice it): 1,414,144 * 3 * 40 * 2 = 339,394,560 multiply-adds, at 1e8 per second
 * 3.3939456 s, and at 2 W 6.7878912 J.
 */
class ComputeTimeTestCase : public TestCase
{
  public:
    ComputeTimeTestCase()
        : TestCase("a device trains for its hand-counted multiply-adds over MacsPerSecond")
    {
    }

  private:
    void DoRun() override
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        M3TLearnerConfig c;
        c.model = hffmtest::TinyModelConfig();
        c.devices = 1;
        c.samplesPerDevice = 40;
        c.testSamples = 50;
        c.train.epochs = 2;
        c.train.batchSize = 20;
        c.seed = 3;
        auto learner = std::make_shared<M3TFederatedLearner>(c);
        std::vector<DeviceSpec> specs(1);
        specs[0].profile = Profile({Modality::IMAGE, Modality::TEXT}, {"fine", "question"});
        specs[0].macsPerSecond = 1e8;
        specs[0].computePower = 2.0;
        FederatedMethod method;
        NS_TEST_ASSERT_MSG_EQ(FederatedMethod::Parse("edge-only", method), "", "parses");
        FederatedHelper helper(learner);
        helper.SetFogStrategyAttribute("Rounds", UintegerValue(1));
        const FederatedTopology topology = SmallTopology("wifi", 1, 1);
        const FederatedApps apps = helper.Install(topology, specs, method);
        std::vector<std::pair<int64_t, Time>> trained; // samples, compute time
        apps.devices[0]->TraceConnectWithoutContext(
            "TrainingDone", Callback<void, uint32_t, uint32_t, int64_t, double, Time>(
                                [&trained](uint32_t, uint32_t, int64_t samples, double, Time t)
                                { trained.emplace_back(samples, t); }));
        Simulator::Stop(Seconds(60));
        Simulator::Run();

        NS_TEST_ASSERT_MSG_EQ(trained.size(), 1U, "one round trained");
        NS_TEST_ASSERT_MSG_EQ(trained[0].first, 40, "the whole pool");
        NS_TEST_ASSERT_MSG_EQ(trained[0].second, NanoSeconds(3393945600), "3.3939456 s");
        NS_TEST_ASSERT_MSG_EQ(apps.devices[0]->GetComputeTime(), NanoSeconds(3393945600),
                              "the device's total");
        NS_TEST_ASSERT_MSG_EQ_TOL(apps.devices[0]->GetComputeEnergy(), 6.7878912, 1e-9,
                                  "2 W for 3.3939456 s");
        Simulator::Destroy();
    }
};

/// Federated rounds raise accuracy on held-out data (EXTENSIVE: a minute of training).
class AccuracyRisesTestCase : public TestCase
{
  public:
    AccuracyRisesTestCase()
        : TestCase("accuracy rises over star FedAvg rounds")
    {
    }

  private:
    void DoRun() override
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        auto learner = TinyLearner(4, 500, 1000);
        const auto specs = FourDevices();
        const FederatedTopology topology = SmallTopology("wifi", 4, 2);
        FederatedMethod method;
        FederatedMethod::Parse("star", method);
        FederatedHelper helper(learner);
        helper.SetFogStrategyAttribute("Rounds", UintegerValue(6));
        const FederatedApps apps = helper.Install(topology, specs, method);
        const NodeProfile probe = Profile({Modality::IMAGE}, {"fine", "coarse"});
        const auto before = learner->Evaluate(learner->GetInitialModules(), probe);
        Simulator::Stop(Seconds(600));
        Simulator::Run();
        const auto after = learner->Evaluate(apps.fogs[0]->GetModules(), probe);
        NS_TEST_ASSERT_MSG_GT(after.at("fine"), before.at("fine") + 0.2,
                              "fine accuracy rises by 20 points or more");
        NS_TEST_ASSERT_MSG_GT(after.at("coarse"), before.at("coarse") + 0.2,
                              "coarse accuracy rises by 20 points or more");
        Simulator::Destroy();
    }
};

using hffmtest::RecordingLearner;

/// Four devices under one fog, with a D2D radio.
FederatedTopology
OneFogWithD2d()
{
    WifiTopologyHelper::Config c;
    c.devices = 4;
    c.fogs = 1;
    FederatedTopology t = WifiTopologyHelper::Build(c);
    D2dRadioHelper::Install(t, "adhoc-80211n");
    return t;
}

/// The largest absolute difference between two modules of the same layout.
double
MaxDifference(const ModuleState& a, const ModuleState& b)
{
    double d = 0.0;
    for (std::size_t k = 0; k < a.GetNumel(); ++k)
    {
        d = std::max(d, std::abs(double(a.GetData()[k]) - double(b.GetData()[k])));
    }
    return d;
}

/**
 * The set-up of the D2D tests: \p methodName on the four devices of \p topology
 * (FourDevices) in one cluster with D2D range \p rangeM (min-max aggregator), \p rounds
 * rounds, the fog's RoundDeadline \p deadline (zero: the default), \p steps consensus steps.
 */
FederatedApps
InstallOneCluster(std::shared_ptr<FederatedLearner> learner, const FederatedTopology& topology,
                  const std::string& methodName, double rangeM, uint32_t rounds,
                  Time deadline = Time(0), uint32_t steps = 5)
{
    FederatedMethod method;
    const std::string parsed = FederatedMethod::Parse(methodName, method);
    NS_ABORT_MSG_IF(!parsed.empty(), parsed);
    FederatedHelper helper(std::move(learner));
    const std::string clusters = helper.SetD2dClusters(4, rangeM, "min-max");
    NS_ABORT_MSG_IF(!clusters.empty(), clusters);
    const std::string consensus = helper.SetConsensusSteps(steps);
    NS_ABORT_MSG_IF(!consensus.empty(), consensus);
    helper.SetFogStrategyAttribute("Rounds", UintegerValue(rounds));
    if (deadline.IsStrictlyPositive())
    {
        helper.SetFogAttribute("RoundDeadline", TimeValue(deadline));
    }
    return helper.Install(topology, FourDevices(), method);
}

/**
 * Localized cooperative training in one D2D cluster: the fog sees one upload per round,
 * from the cluster's aggregator, and its aggregate equals what direct uploads give. With a
 * D2D range too short for the cluster, the spanning tree patches it and modules travel over
 * two or more D2D hops, arriving bit for bit.
 */
class D2dClusterTestCase : public TestCase
{
  public:
    D2dClusterTestCase(double rangeM)
        : TestCase("D2D cluster aggregation, range " + std::to_string(int(rangeM)) + " m")
        , m_range(rangeM)
    {
    }

  private:
    /// Run one edge round of \p method and return the fog's modules.
    ModuleMap RunOnce(const std::string& methodName, std::shared_ptr<RecordingLearner> learner,
                      std::map<uint32_t, std::set<uint32_t>>* sendersPerRound,
                      std::vector<uint32_t>* depthTwoOrMore)
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        FederatedTopology topology = OneFogWithD2d();
        const FederatedApps apps = InstallOneCluster(learner, topology, methodName, m_range, 2);
        FederatedMethod method;
        FederatedMethod::Parse(methodName, method);
        apps.fogs[0]->TraceConnectWithoutContext(
            "ModuleReceived", Callback<void, const MessageFields&>(
                                  [sendersPerRound](const MessageFields& f)
                                  {
                                      if (sendersPerRound && f.type == MessageType::MODULE_UPDATE)
                                      {
                                          (*sendersPerRound)[f.round].insert(f.sender);
                                      }
                                  }));
        uint32_t finished = 0;
        apps.fogs[0]->GetStrategy()->TraceConnectWithoutContext("Finished",
                                                                Callback<void>(
                                                                    [&finished]()
                                                                    {
                                                                        ++finished;
                                                                        Simulator::Stop();
                                                                    }));
        if (depthTwoOrMore && method.d2d)
        {
            for (uint32_t i = 0; i < 4; ++i)
            {
                AddressValue parent;
                apps.clusterApps[i]->GetAttribute("Parent", parent);
                const auto a = InetSocketAddress::ConvertFrom(parent.Get()).GetIpv4();
                const bool parentIsHead = a == topology.d2dAddress[apps.clusterHeadOf[i]]
                                          || a == topology.fogDeviceAddress[0];
                if (!parentIsHead)
                {
                    depthTwoOrMore->push_back(i);
                }
            }
        }
        Simulator::Stop(Seconds(300));
        Simulator::Run();
        NS_TEST_EXPECT_MSG_EQ(finished, 1U, methodName << ": the fog finishes");
        for (const auto& d : apps.devices)
        {
            NS_TEST_EXPECT_MSG_EQ(d->GetRoundsTrained(), 2U, methodName << ": every device trains");
        }
        ModuleMap result = apps.fogs[0]->GetModules();
        Simulator::Destroy();
        return result;
    }

    void DoRun() override
    {
        auto inner = TinyLearner(4);
        auto direct = std::make_shared<RecordingLearner>(inner);
        const ModuleMap viaFog = RunOnce("edge-only", direct, nullptr, nullptr);
        auto cooperative = std::make_shared<RecordingLearner>(inner);
        std::map<uint32_t, std::set<uint32_t>> senders;
        std::vector<uint32_t> deep;
        const ModuleMap viaD2d = RunOnce("edge-only+d2d", cooperative, &senders, &deep);

        NS_TEST_ASSERT_MSG_EQ(senders.size(), 2U, "updates in both rounds");
        for (const auto& [round, who] : senders)
        {
            NS_TEST_ASSERT_MSG_EQ(who.size(), 1U, "round " << round << ": one uploader");
        }
        // every device trained on exactly the modules it would have got from the fog
        NS_TEST_ASSERT_MSG_EQ(cooperative->given.size(), 8U, "4 devices trained twice");
        NS_TEST_ASSERT_MSG_EQ(direct->given.size(), 8U, "4 devices trained twice");
        for (const auto& [key, modules] : cooperative->given)
        {
            const auto found = direct->given.find(key);
            NS_TEST_ASSERT_MSG_EQ((found != direct->given.end()), true,
                                  "device " << key.first << " trained round " << key.second
                                            << " in both runs");
            if (found == direct->given.end())
            {
                return; // ns-3's test runner goes on after a failed assertion
            }
            const auto& reference = found->second;
            NS_TEST_ASSERT_MSG_EQ(modules.size(), reference.size(), "same module set");
            for (const auto& [id, m] : modules)
            {
                if (!reference.count(id))
                {
                    NS_TEST_ASSERT_MSG_EQ(reference.count(id), 1U,
                                          "device " << key.first << " trains " << id);
                    return;
                }
                NS_TEST_ASSERT_MSG_EQ(
                    m->IsBitIdentical(*reference.at(id))
                        || (key.second > 1 && MaxDifference(*m, *reference.at(id)) < 1e-5),
                    true, "device " << key.first << " round " << key.second << " " << id);
                if (key.second == 1)
                {
                    NS_TEST_ASSERT_MSG_EQ(m->IsBitIdentical(*inner->GetInitialModules().at(id)),
                                          true, "round 1 pushes arrive bit for bit over every hop");
                }
            }
        }
        // the aggregate over clusters equals the aggregate over devices (float rounding)
        for (const auto& [id, m] : viaFog)
        {
            NS_TEST_ASSERT_MSG_LT(MaxDifference(*m, *viaD2d.at(id)), 1e-5, id);
        }
        if (m_range < 10)
        {
            NS_TEST_ASSERT_MSG_GT(deep.size(), 0U, "some member is two or more hops away");
        }
    }

    double m_range;
};

/**
 * A relay that leaves mid-round does not stall the round: its subtree straggles (cluster
 * head), or its neighbours mix without it once StepTimeout has passed (consensus). With a
 * cluster head, the next round is routed around the relay.
 */
class D2dRelayLeavesTestCase : public TestCase
{
  public:
    D2dRelayLeavesTestCase(std::string method)
        : TestCase("a D2D relay that leaves does not stall the round, " + method)
        , m_method(std::move(method))
    {
    }

  private:
    void DoRun() override
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        auto learner = TinyLearner(4);
        FederatedTopology topology = OneFogWithD2d();
        // range 1 m: a chain, members relay for each other
        const FederatedApps apps
            = InstallOneCluster(learner, topology, m_method, 1.0, 2, Seconds(10));
        // a member with children in the tree leaves when the first round starts
        uint32_t relay = 4;
        for (uint32_t i = 0; i < 4 && relay == 4; ++i)
        {
            for (uint32_t j = 0; j < 4; ++j)
            {
                AddressValue parent;
                apps.clusterApps[j]->GetAttribute("Parent", parent);
                if (i != apps.clusterHeadOf[i]
                    && InetSocketAddress::ConvertFrom(parent.Get()).GetIpv4()
                           == topology.d2dAddress[i])
                {
                    relay = i;
                    break;
                }
            }
        }
        NS_TEST_ASSERT_MSG_LT(relay, 4U, "the chain has a relay that is not the aggregator");
        std::vector<uint32_t> behindRelay; // its children in the tree (members are devices)
        for (uint32_t m = 0; m < 4 && !apps.clusterTrees.empty(); ++m)
        {
            if (m != relay && apps.clusterTrees[0]->GetParents()[m] == relay)
            {
                behindRelay.push_back(m);
            }
        }
        NS_TEST_ASSERT_MSG_GT(behindRelay.size(), 0U, "the relay relays for someone");
        apps.clusterApps[relay]->SetStopTime(Seconds(1.0));
        apps.devices[relay]->SetStopTime(Seconds(1.0));
        Recorder rec;
        rec.Attach(apps);
        Simulator::Stop(Seconds(300));
        Simulator::Run();
        NS_TEST_ASSERT_MSG_EQ(rec.finished, 1U, "the fog finishes its rounds");
        NS_TEST_ASSERT_MSG_EQ(apps.GetFogStrategy(0)->GetRoundsDone(), 2U, "both rounds are done");
        NS_TEST_ASSERT_MSG_EQ(apps.devices[relay]->GetRoundsTrained(), 0U, "the relay left");
        NS_TEST_ASSERT_MSG_GT(apps.devices[apps.clusterHeadOf[0]]->GetRoundsTrained(), 0U,
                              "the aggregator still trains and reports");
        if (m_method == "edge-only+d2d")
        {
            // the relay's parent missed it in round 1: round 2 is routed around it, so the
            // members behind it, cut off in round 1, train in round 2
            NS_TEST_EXPECT_MSG_EQ(apps.clusterTrees[0]->GetRebuilds(), 1U, "rebuilt once");
            for (uint32_t m : behindRelay)
            {
                NS_TEST_EXPECT_MSG_EQ(apps.devices[m]->GetRoundsTrained(), 1U,
                                      "device " << m << " behind the relay trains round 2");
                NS_TEST_EXPECT_MSG_NE(apps.clusterTrees[0]->GetParents()[m], relay,
                                      "device " << m << " no longer behind the relay");
            }
        }
        Simulator::Destroy();
    }

    std::string m_method;
};

/**
 * A relay that disappears after forwarding a round's modules: its child's contribution
 * cannot reach it (the connection is refused) and takes the fog path instead, so the fog
 * aggregates it in that round. The stop time comes from a first run of the same seed: the
 * moment the child's device has trained, before its upload to the relay.
 */
class D2dFogFallbackTestCase : public TestCase
{
  public:
    D2dFogFallbackTestCase()
        : TestCase("a D2D relay that disappears mid-round: its child takes the fog path")
    {
    }

  private:
    struct Outcome
    {
        uint32_t relay{4};
        uint32_t child{4};
        Time childTrained;
        std::set<uint32_t> uploaders; //!< senders of round 1 updates at the fog
        uint32_t fallbacks{0};
        bool finished{false};
    };

    Outcome Run(Time relayStop)
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        auto learner = TinyLearner(4);
        FederatedTopology topology = OneFogWithD2d();
        // range 1 m: a chain, members relay for each other
        const FederatedApps apps
            = InstallOneCluster(learner, topology, "edge-only+d2d", 1.0, 1, Seconds(20));
        Outcome out;
        for (uint32_t g = 0; g < 4 && out.relay == 4; ++g)
        {
            AddressValue parent;
            apps.clusterApps[g]->GetAttribute("Parent", parent);
            const auto a = InetSocketAddress::ConvertFrom(parent.Get()).GetIpv4();
            for (uint32_t r = 0; r < 4; ++r)
            {
                if (r != apps.clusterHeadOf[r] && a == topology.d2dAddress[r])
                {
                    out.relay = r;
                    out.child = g;
                    break;
                }
            }
        }
        if (out.relay == 4)
        {
            return out;
        }
        apps.devices[out.child]->TraceConnectWithoutContext(
            "TrainingDone", Callback<void, uint32_t, uint32_t, int64_t, double, Time>(
                                [&out](uint32_t, uint32_t round, int64_t, double, Time)
                                {
                                    if (round == 1)
                                    {
                                        out.childTrained = Simulator::Now();
                                    }
                                }));
        apps.fogs[0]->TraceConnectWithoutContext(
            "ModuleReceived", Callback<void, const MessageFields&>(
                                  [&out](const MessageFields& f)
                                  {
                                      if (f.type == MessageType::MODULE_UPDATE && f.round == 1)
                                      {
                                          out.uploaders.insert(f.sender);
                                      }
                                  }));
        apps.fogs[0]->GetStrategy()->TraceConnectWithoutContext(
            "Finished", Callback<void>([&out]() { out.finished = true; }));
        if (relayStop.IsStrictlyPositive())
        {
            apps.clusterApps[out.relay]->SetStopTime(relayStop);
            apps.devices[out.relay]->SetStopTime(relayStop);
        }
        Simulator::Stop(Seconds(120));
        Simulator::Run();
        out.fallbacks
            = apps.clusterApps[out.child]->GetStrategy<ClusterTreeStrategy>()->GetFallbacks();
        Simulator::Destroy();
        return out;
    }

    void DoRun() override
    {
        const Outcome first = Run(Time(0));
        NS_TEST_ASSERT_MSG_LT(first.relay, 4U, "the chain has a relay that is not the head");
        if (first.relay == 4)
        {
            return; // ns-3's test runner goes on after a failed assertion
        }
        NS_TEST_ASSERT_MSG_EQ(first.finished, true, "the round finishes");
        NS_TEST_ASSERT_MSG_EQ(first.uploaders.size(), 1U, "with its relay, the head alone uploads");
        NS_TEST_ASSERT_MSG_EQ(first.fallbacks, 0U, "no fallback");
        NS_TEST_ASSERT_MSG_GT(first.childTrained, Seconds(1), "the child trained");

        const Outcome second = Run(first.childTrained);
        NS_TEST_ASSERT_MSG_EQ(second.finished, true, "the round still finishes");
        NS_TEST_ASSERT_MSG_EQ(second.fallbacks, 1U, "the child took the fog path once");
        NS_TEST_ASSERT_MSG_EQ(second.uploaders.count(second.child), 1U,
                              "the fog got the child's contribution directly");
        NS_TEST_ASSERT_MSG_EQ(second.uploaders.count(second.relay), 0U, "and none from the relay");
    }
};

/**
 * Walking devices (TopologyConfig::deviceSpeed): every device moves, and none leaves the
 * square of half-side deviceRadius around its fog's radio.
 */
class WalkingDevicesTestCase : public TestCase
{
  public:
    WalkingDevicesTestCase()
        : TestCase("walking devices move and stay around their fog")
    {
    }

  private:
    void DoRun() override
    {
        WifiTopologyHelper::Config c;
        c.devices = 6;
        c.fogs = 2;
        c.deviceRadius = 10.0;
        c.deviceSpeed = 3.0;
        FederatedTopology t = WifiTopologyHelper::Build(c);
        std::vector<Vector> start;
        for (uint32_t i = 0; i < c.devices; ++i)
        {
            start.push_back(t.devices.Get(i)->GetObject<MobilityModel>()->GetPosition());
        }
        double farthest = 0.0;
        std::function<void()> sample = [&]()
        {
            for (uint32_t i = 0; i < c.devices; ++i)
            {
                const Vector p = t.devices.Get(i)->GetObject<MobilityModel>()->GetPosition();
                const Vector fog
                    = t.radioPoints.Get(t.fogOf[i])->GetObject<MobilityModel>()->GetPosition();
                farthest = std::max({farthest, std::abs(p.x - fog.x), std::abs(p.y - fog.y)});
            }
            Simulator::Schedule(MilliSeconds(250), sample);
        };
        Simulator::Schedule(MilliSeconds(250), sample);
        Simulator::Stop(Seconds(30));
        Simulator::Run();
        for (uint32_t i = 0; i < c.devices; ++i)
        {
            const Vector p = t.devices.Get(i)->GetObject<MobilityModel>()->GetPosition();
            NS_TEST_EXPECT_MSG_GT(CalculateDistance(p, start[i]), 0.5, "device " << i << " moved");
        }
        NS_TEST_EXPECT_MSG_LT_OR_EQ(farthest, 10.0 + 1e-9, "within deviceRadius on each axis");
        NS_TEST_EXPECT_MSG_GT(farthest, 5.0, "devices reach the square's outer half");
        Simulator::Destroy();
    }
};

/**
 * The D2D tree follows its members: a chain of four (range 3 m, members 2.5 m apart) has a
 * member two or more hops from the aggregator; when the first round is done it moves next to
 * the aggregator. Before the second round is forwarded the tree is rebuilt: the member's
 * next hop is now the aggregator itself, its old relay no longer has it as a child, and the
 * second round still aggregates every device's samples with one upload to the fog. With
 * average consensus, the member mixes with its new neighbours in the second round.
 */
class D2dTreeRebuildTestCase : public TestCase
{
  public:
    D2dTreeRebuildTestCase(std::string method)
        : TestCase("the D2D tree is rebuilt when a member moves, " + method)
        , m_method(std::move(method))
    {
    }

  private:
    void DoRun() override
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        auto learner = TinyLearner(4);
        FederatedTopology topology = OneFogWithD2d();
        const Vector ap = topology.radioPoints.Get(0)->GetObject<MobilityModel>()->GetPosition();
        for (uint32_t i = 0; i < 4; ++i)
        {
            topology.devices.Get(i)->GetObject<MobilityModel>()->SetPosition(
                Vector(ap.x + 2.0 + 2.5 * i, ap.y, 1.5));
        }
        const FederatedApps apps = InstallOneCluster(learner, topology, m_method, 3.0, 2);
        FederatedMethod method;
        FederatedMethod::Parse(m_method, method);
        NS_TEST_ASSERT_MSG_EQ(apps.clusterTrees.size(), 1U, "one cluster");
        const Ptr<D2dClusterTree> tree = apps.clusterTrees[0];
        const std::vector<std::size_t> before = tree->GetParents(); // members are devices 0..3
        const uint32_t head = apps.clusterHeadOf[0];
        uint32_t mover = 4;
        for (uint32_t m = 0; m < 4; ++m)
        {
            if (m != head && before[m] != head)
            {
                mover = m;
            }
        }
        NS_TEST_ASSERT_MSG_LT(mover, 4U, "a member two or more hops from the aggregator");
        if (mover == 4)
        {
            return; // ns-3's test runner goes on after a failed assertion
        }
        const uint32_t oldRelay = static_cast<uint32_t>(before[mover]);
        const Vector headAt = topology.devices.Get(head)->GetObject<MobilityModel>()->GetPosition();
        std::vector<RoundSummary> rounds;
        apps.fogs[0]->TraceConnectWithoutContext(
            "RoundDone",
            Callback<void, const RoundSummary&>(
                [&](const RoundSummary& s)
                {
                    rounds.push_back(s);
                    if (s.round == 1)
                    {
                        topology.devices.Get(mover)->GetObject<MobilityModel>()->SetPosition(
                            Vector(headAt.x, headAt.y + 1.0, headAt.z));
                    }
                }));
        // before round 1, a forged push of round 99 that is no module of this model reaches
        // the aggregator: it is rejected and changes nothing (a round that seemed to have
        // begun would stop the aggregator from rebuilding before round 2)
        ModuleState forged("adapter/0", {{"down.weight", {3, 3}}});
        Ptr<ModuleSourceApplication> source;
        Simulator::Schedule(MilliSeconds(500),
                            [&]()
                            {
                                ModuleSourceHelper forger(InetSocketAddress(
                                    topology.d2dAddress[head], FederatedHelper::CLUSTER_PORT));
                                forger.SetAttribute("Type", StringValue("push"));
                                forger.SetAttribute("Round", UintegerValue(99));
                                source = DynamicCast<ModuleSourceApplication>(
                                    forger.Install(topology.devices.Get(mover)).Get(0));
                                source->AddModule(std::make_shared<ModuleState>(forged));
                            });
        std::vector<uint32_t> rebuiltBefore;
        tree->TraceConnectWithoutContext(
            "Rebuilt", Callback<void, uint32_t, uint32_t>([&](uint32_t round, uint32_t)
                                                          { rebuiltBefore.push_back(round); }));
        std::map<uint32_t, uint32_t> moverNeighbours; // consensus: per round, at its last step
        if (method.consensus)
        {
            apps.clusterApps[mover]->GetStrategy()->TraceConnectWithoutContext(
                "StepDone", Callback<void, uint32_t, uint32_t, uint32_t, uint32_t>(
                                [&](uint32_t round, uint32_t, uint32_t, uint32_t neighbours)
                                { moverNeighbours[round] = neighbours; }));
        }
        std::map<uint32_t, std::set<uint32_t>> uploaders;
        apps.fogs[0]->TraceConnectWithoutContext("ModuleReceived",
                                                 Callback<void, const MessageFields&>(
                                                     [&](const MessageFields& f)
                                                     {
                                                         if (f.type == MessageType::MODULE_UPDATE)
                                                         {
                                                             uploaders[f.round].insert(f.sender);
                                                         }
                                                     }));
        Simulator::Stop(Seconds(300));
        Simulator::Run();

        NS_TEST_EXPECT_MSG_GT(apps.clusterApps[head]->GetRejectedCount(), 0U, "forgery rejected");
        NS_TEST_EXPECT_MSG_EQ(rebuiltBefore.size(), 1U, "rebuilt once");
        NS_TEST_EXPECT_MSG_EQ((rebuiltBefore == std::vector<uint32_t>{2}), true, "before round 2");
        NS_TEST_EXPECT_MSG_EQ(tree->GetParents()[mover], head, "the mover's next hop is the head");
        AddressValue parent;
        apps.clusterApps[mover]->GetAttribute("Parent", parent);
        NS_TEST_EXPECT_MSG_EQ(InetSocketAddress::ConvertFrom(parent.Get()).GetIpv4(),
                              topology.d2dAddress[head], "its collector sends to the head");
        const auto headChildren = apps.clusterApps[head]->GetChildIds();
        const auto relayChildren = apps.clusterApps[oldRelay]->GetChildIds();
        NS_TEST_EXPECT_MSG_EQ(std::count(headChildren.begin(), headChildren.end(), mover), 1,
                              "the head has the mover as a child");
        NS_TEST_EXPECT_MSG_EQ(std::count(relayChildren.begin(), relayChildren.end(), mover), 0,
                              "its old relay no longer does");
        NS_TEST_ASSERT_MSG_EQ(rounds.size(), 2U, "both rounds are done");
        if (rounds.size() != 2)
        {
            Simulator::Destroy();
            return; // ns-3's test runner goes on after a failed assertion
        }
        double samples = 0.0;
        for (uint32_t i = 0; i < 4; ++i)
        {
            NS_TEST_EXPECT_MSG_EQ(apps.devices[i]->GetRoundsTrained(), 2U, "device " << i);
            samples += double(learner->GetTrainSamples(i));
        }
        const std::string shared = "encoder/image"; // every device holds it
        NS_TEST_EXPECT_MSG_EQ(rounds[1].stragglers.size(), 0U, "no straggler in round 2");
        NS_TEST_EXPECT_MSG_EQ(rounds[1].weights.count(shared), 1U, shared << " is aggregated");
        if (method.consensus)
        {
            // at a chain's end it mixed with one neighbour; beside the head, with two or more
            NS_TEST_EXPECT_MSG_EQ(moverNeighbours[1], 1U, "round 1: one neighbour");
            NS_TEST_EXPECT_MSG_GT(moverNeighbours[2], 1U, "round 2: more neighbours");
        }
        else if (rounds[1].weights.count(shared))
        {
            NS_TEST_EXPECT_MSG_EQ_TOL(rounds[1].weights.at(shared), samples, 1e-9,
                                      "round 2 weighs every device's samples");
        }
        NS_TEST_EXPECT_MSG_EQ(uploaders[2].size(), 1U, "one upload to the fog in round 2");
        Simulator::Destroy();
    }

    std::string m_method;
};

/**
 * Horizontal relaying: device 0 (task fine) takes on task coarse after the first round.
 * Members 1 and 2 hold coarse's head, so the cluster's aggregator already gets it from the
 * fog; in round 2 it reaches device 0 over D2D — the fog sends nothing to device 0 — bit for
 * bit the fog's round-1 aggregate, device 0 trains it, and the fog's round-2 aggregate of it
 * weighs devices 0, 1 and 2. Tasks that cannot be taken on are refused with a reason.
 */
class TaskTakenOnTestCase : public TestCase
{
  public:
    TaskTakenOnTestCase(std::string method)
        : TestCase("a device taking on a task gets its head, " + method)
        , m_method(std::move(method))
    {
    }

  private:
    void DoRun() override
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        auto inner = TinyLearner(4);
        auto learner = std::make_shared<RecordingLearner>(inner);
        FederatedTopology topology = OneFogWithD2d();
        const FederatedApps apps = InstallOneCluster(learner, topology, m_method, 30.0, 2);
        const bool d2d = m_method == "edge-only+d2d";
        const std::string head = "head/coarse";
        // the device: one without coarse (0 or 3) that is not the cluster's aggregator
        const uint32_t d = d2d && apps.clusterHeadOf[0] == 0 ? 3 : 0;
        NS_TEST_ASSERT_MSG_EQ(apps.devices[d]->GetModuleIds().count(head), 0U, "not yet");
        NS_TEST_EXPECT_MSG_NE(FederatedHelper::StartTask(apps, d, "fine"), "", "has it already");
        NS_TEST_EXPECT_MSG_NE(FederatedHelper::StartTask(apps, d, "no-such-task"), "", "unknown");
        NS_TEST_EXPECT_MSG_NE(FederatedHelper::StartTask(apps, 9, "coarse"), "", "no device 9");
        std::shared_ptr<const ModuleState> afterRound1;
        std::vector<RoundSummary> rounds;
        std::string started = "not called";
        apps.fogs[0]->TraceConnectWithoutContext(
            "RoundDone", Callback<void, const RoundSummary&>(
                             [&](const RoundSummary& s)
                             {
                                 rounds.push_back(s);
                                 if (s.round == 1)
                                 {
                                     afterRound1 = apps.fogs[0]->GetModules().at(head);
                                     started = FederatedHelper::StartTask(apps, d, "coarse");
                                 }
                             }));
        const Ipv4Address direct = topology.deviceAddress[d];
        std::map<uint32_t, uint32_t> headsToDevice; // per round, the fog's pushes of the head
        apps.fogs[0]->TraceConnectWithoutContext(
            "ModuleSent", Callback<void, const MessageFields&, const Address&>(
                              [&](const MessageFields& f, const Address& to)
                              {
                                  if (InetSocketAddress::ConvertFrom(to).GetIpv4() == direct
                                      && f.moduleId == head)
                                  {
                                      ++headsToDevice[f.round];
                                  }
                              }));
        Simulator::Stop(Seconds(300));
        Simulator::Run();

        NS_TEST_EXPECT_MSG_EQ(started, "", "device " << d << " may take on coarse");
        if (d2d)
        {
            NS_TEST_EXPECT_MSG_EQ(apps.clusterTrees[0]->GetTasksStarted(), 1U, "one task");
        }
        NS_TEST_ASSERT_MSG_EQ(rounds.size(), 2U, "both rounds are done");
        const auto r1 = learner->given.find({d, 1});
        const auto r2 = learner->given.find({d, 2});
        NS_TEST_ASSERT_MSG_EQ((r1 != learner->given.end() && r2 != learner->given.end()), true,
                              "device " << d << " trained both rounds");
        if (r1 == learner->given.end() || r2 == learner->given.end() || !afterRound1)
        {
            Simulator::Destroy();
            return; // ns-3's test runner goes on after a failed assertion
        }
        NS_TEST_EXPECT_MSG_EQ(r1->second.count(head), 0U, "round 1 without coarse");
        NS_TEST_ASSERT_MSG_EQ(r2->second.count(head), 1U, "round 2 with coarse");
        if (r2->second.count(head))
        {
            NS_TEST_EXPECT_MSG_EQ(r2->second.at(head)->IsBitIdentical(*afterRound1), true,
                                  "the fog's round-1 head, bit for bit, over D2D");
        }
        // over D2D the fog sends the device nothing; directly, the head in round 2 only
        NS_TEST_EXPECT_MSG_EQ(headsToDevice[1], 0U, "round 1: no head from the fog");
        NS_TEST_EXPECT_MSG_EQ(headsToDevice[2], (d2d ? 0U : 1U), "round 2: the head's path");
        const double samples = double(inner->GetTrainSamples(d) + inner->GetTrainSamples(1)
                                      + inner->GetTrainSamples(2));
        NS_TEST_EXPECT_MSG_EQ(rounds[1].weights.count(head), 1U, head << " aggregated");
        if (rounds[1].weights.count(head))
        {
            NS_TEST_EXPECT_MSG_EQ_TOL(rounds[1].weights.at(head), samples, 1e-9,
                                      "round 2 weighs devices 1, 2 and the new one");
        }
        Simulator::Destroy();
    }

    std::string m_method;
};

/**
 * D2D average consensus in one cluster of four members in reach of each other (every member
 * has three neighbours, step size 1 / 3.6). One step is checked against the mixing rule
 * computed here from the devices' own updates; many steps against the direct FedAvg.
 */
class ConsensusTestCase : public TestCase
{
  public:
    ConsensusTestCase()
        : TestCase("D2D average consensus: one step by hand, many steps reach FedAvg")
    {
    }

  private:
    struct Outcome
    {
        ModuleMap fogModules;
        std::map<uint32_t, std::set<uint32_t>> senders; //!< round -> uploaders at the fog
        std::map<std::string, double> weights;          //!< module -> weight at the fog
        uint32_t stepsDone{0};
        uint32_t stepsHeardAll{0};
        uint32_t reporter{0};
        uint64_t sharedBytes{0};
        bool finished{false};
    };

    Outcome Run(const std::string& methodName, std::shared_ptr<RecordingLearner> learner,
                uint32_t steps)
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        FederatedTopology topology = OneFogWithD2d();
        const FederatedApps apps
            = InstallOneCluster(learner, topology, methodName, 30.0, 1, Time(0), steps);
        FederatedMethod method;
        FederatedMethod::Parse(methodName, method);
        Outcome out;
        apps.fogs[0]->TraceConnectWithoutContext("ModuleReceived",
                                                 Callback<void, const MessageFields&>(
                                                     [&out](const MessageFields& f)
                                                     {
                                                         if (f.type == MessageType::MODULE_UPDATE)
                                                         {
                                                             out.senders[f.round].insert(f.sender);
                                                         }
                                                     }));
        apps.fogs[0]->TraceConnectWithoutContext(
            "RoundDone", Callback<void, const RoundSummary&>([&out](const RoundSummary& s)
                                                             { out.weights = s.weights; }));
        apps.fogs[0]->GetStrategy()->TraceConnectWithoutContext(
            "Finished", Callback<void>([&out]() { out.finished = true; }));
        if (method.consensus)
        {
            out.reporter = apps.clusterHeadOf[0];
            for (const auto& node : apps.clusterApps)
            {
                Ptr<ConsensusStrategy> c = node->GetStrategy<ConsensusStrategy>();
                NS_TEST_EXPECT_MSG_NE(c, nullptr,
                                      "consensus methods install ConsensusStrategy collectors");
                if (!c)
                {
                    continue;
                }
                c->TraceConnectWithoutContext(
                    "StepDone", Callback<void, uint32_t, uint32_t, uint32_t, uint32_t>(
                                    [&out](uint32_t, uint32_t, uint32_t heard, uint32_t all)
                                    {
                                        ++out.stepsDone;
                                        out.stepsHeardAll += heard == all && all == 3 ? 1 : 0;
                                    }));
            }
        }
        Simulator::Stop(Seconds(300)); // every member finishes its steps, not just the reporter
        Simulator::Run();
        out.fogModules = apps.fogs[0]->GetModules();
        if (method.consensus)
        {
            for (const auto& node : apps.clusterApps)
            {
                out.sharedBytes += node->GetBytesShared();
            }
        }
        Simulator::Destroy();
        return out;
    }

    void DoRun() override
    {
        auto inner = TinyLearner(4);
        const auto direct = Run("edge-only", std::make_shared<RecordingLearner>(inner), 1);
        NS_TEST_ASSERT_MSG_EQ(direct.finished, true, "the direct round finishes");

        // one step: the reporter's upload is its own update mixed with its three neighbours'
        auto oneStepLearner = std::make_shared<RecordingLearner>(inner);
        const auto oneStep = Run("edge-only+consensus", oneStepLearner, 1);
        NS_TEST_ASSERT_MSG_EQ(oneStep.finished, true, "the consensus round finishes");
        NS_TEST_ASSERT_MSG_EQ(oneStep.senders.size(), 1U, "an upload reached the fog");
        if (oneStep.senders.size() != 1 || oneStep.senders.begin()->second.empty())
        {
            return; // ns-3's test runner goes on after a failed assertion
        }
        NS_TEST_ASSERT_MSG_EQ(oneStep.senders.begin()->second.size(), 1U, "from one member");
        NS_TEST_ASSERT_MSG_EQ(*oneStep.senders.begin()->second.begin(), oneStep.reporter,
                              "the reporter");
        NS_TEST_ASSERT_MSG_EQ(oneStep.stepsDone, 4U, "every member mixed once");
        NS_TEST_ASSERT_MSG_EQ(oneStep.stepsHeardAll, 4U, "hearing all three neighbours");
        NS_TEST_ASSERT_MSG_GT(oneStep.sharedBytes, 0U, "shares went over the D2D radio");
        const double eps = 1.0 / 3.6;
        std::size_t checked = 0;
        for (const auto& [id, atFog] : oneStep.fogModules)
        {
            // y = samples x module and z = samples, 0 where a device does not hold the module
            std::vector<double> y(atFog->GetNumel(), 0.0);
            std::vector<double> yr(atFog->GetNumel(), 0.0);
            double z = 0.0;
            double zr = 0.0;
            bool held = false;
            for (uint32_t d = 0; d < 4; ++d)
            {
                const auto trained = oneStepLearner->trained.find({d, 1});
                NS_TEST_ASSERT_MSG_EQ((trained != oneStepLearner->trained.end()), true,
                                      "device " << d << " trained");
                if (trained == oneStepLearner->trained.end())
                {
                    return;
                }
                for (const auto& m : trained->second.modules)
                {
                    if (m->GetModuleId() != id)
                    {
                        continue;
                    }
                    held = true;
                    const double w = m->GetSampleWeight();
                    auto& target = d == oneStep.reporter ? yr : y;
                    for (std::size_t k = 0; k < y.size(); ++k)
                    {
                        target[k] += w * m->GetData()[k];
                    }
                    (d == oneStep.reporter ? zr : z) += w;
                }
            }
            if (!held)
            {
                continue;
            }
            // the reporter after one step: y_r + eps (sum_j y_j - 3 y_r), likewise z
            const double zNext = zr + eps * (z - 3.0 * zr);
            NS_TEST_ASSERT_MSG_EQ(oneStep.weights.count(id), 1U, id << " was aggregated");
            if (!oneStep.weights.count(id))
            {
                return;
            }
            NS_TEST_ASSERT_MSG_EQ_TOL(oneStep.weights.at(id), 4.0 * zNext, 1e-6 * zNext,
                                      id << ": the reporter's weight is 4 z");
            double worst = 0.0;
            for (std::size_t k = 0; k < y.size(); ++k)
            {
                const double expected = (yr[k] + eps * (y[k] - 3.0 * yr[k])) / zNext;
                worst = std::max(worst, std::abs(expected - atFog->GetData()[k]));
            }
            NS_TEST_ASSERT_MSG_LT(worst, 1e-5, id << ": one mixing step, as computed here");
            ++checked;
        }
        NS_TEST_ASSERT_MSG_GT(checked, 3U, "the modules the devices hold were checked");

        // many steps: the cluster's modules converge to the sample-weighted average
        const auto many = Run("edge-only+consensus", std::make_shared<RecordingLearner>(inner), 12);
        NS_TEST_ASSERT_MSG_EQ(many.stepsDone, 48U, "12 steps on every member");
        for (const auto& [id, m] : direct.fogModules)
        {
            NS_TEST_ASSERT_MSG_LT(MaxDifference(*m, *many.fogModules.at(id)), 1e-5, id);
            if (direct.weights.count(id) && many.weights.count(id))
            {
                NS_TEST_ASSERT_MSG_EQ_TOL(many.weights.at(id), direct.weights.at(id),
                                          1e-6 * direct.weights.at(id), id << ": total samples");
            }
        }
        NS_TEST_ASSERT_MSG_GT(many.sharedBytes, 11 * oneStep.sharedBytes, "12 x the shares");
    }
};

class FederatedTestSuite : public TestSuite
{
  public:
    FederatedTestSuite()
        : TestSuite("hffm-federated", UNIT)
    {
        AddTestCase(new HierarchicalRoundsTestCase("wifi", 4), TestCase::QUICK);
        AddTestCase(new HierarchicalRoundsTestCase("lte", 2), TestCase::QUICK);
        AddTestCase(new LteChannelPerCellTestCase, TestCase::QUICK);
        AddTestCase(new LteRegionsTestCase, TestCase::QUICK);
        AddTestCase(new BusyWifiCellTestCase, TestCase::QUICK);
        AddTestCase(new DropoutTestCase, TestCase::QUICK);
        AddTestCase(new CorruptUploadTestCase, TestCase::QUICK);
        AddTestCase(new ComputeTimeTestCase, TestCase::QUICK);
        AddTestCase(new D2dClusterTestCase(30.0), TestCase::QUICK);
        AddTestCase(new D2dClusterTestCase(5.0), TestCase::QUICK);
        AddTestCase(new D2dRelayLeavesTestCase("edge-only+d2d"), TestCase::QUICK);
        AddTestCase(new D2dRelayLeavesTestCase("edge-only+consensus"), TestCase::QUICK);
        AddTestCase(new D2dFogFallbackTestCase, TestCase::QUICK);
        AddTestCase(new WalkingDevicesTestCase, TestCase::QUICK);
        AddTestCase(new D2dTreeRebuildTestCase("edge-only+d2d"), TestCase::QUICK);
        AddTestCase(new D2dTreeRebuildTestCase("edge-only+consensus"), TestCase::QUICK);
        AddTestCase(new TaskTakenOnTestCase("edge-only+d2d"), TestCase::QUICK);
        AddTestCase(new TaskTakenOnTestCase("edge-only"), TestCase::QUICK);
        AddTestCase(new ConsensusTestCase, TestCase::QUICK);
        AddTestCase(new AccuracyRisesTestCase, TestCase::EXTENSIVE);
    }
};

static FederatedTestSuite g_federatedTestSuite; //!< static instance

} // namespace
