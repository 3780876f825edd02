/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Faults injected into federated rounds over ns-3 Wi-Fi: a fog-cloud backhaul that goes
// down in the middle of a sync, a fog that stops in the middle of a round, random loss on
// the radio links, and a device whose update arrives twice. Each case asserts what the
// applications must do about it, with figures derived here from what was sent.

#include "federated-test-util.h"
#include "hffm-test-util.h"
#include "ns3/aggregation.h"
#include "ns3/core-module.h"
#include "ns3/error-model.h"
#include "ns3/federated-helper.h"
#include "ns3/ipv4-header.h"
#include "ns3/ipv4-l3-protocol.h"
#include "ns3/m3t-federated-learner.h"
#include "ns3/module-source-application.h"
#include "ns3/module-transfer-helper.h"
#include "ns3/point-to-point-channel.h"
#include "ns3/point-to-point-net-device.h"
#include "ns3/test.h"
#include "ns3/wifi-net-device.h"
#include "ns3/wifi-phy.h"
#include "ns3/wifi-topology-helper.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <tuple>

using namespace ns3;

namespace
{

// NS_LOG=HffmFaultInjectionTest=info prints what each fault did (doc/hffm.rst, "Reliability")
NS_LOG_COMPONENT_DEFINE("HffmFaultInjectionTest");

using hffmtest::FourDevices;
using hffmtest::Profile;
using hffmtest::TinyLearner;

/// \p devices devices under \p fogs Wi-Fi access points.
FederatedTopology
WifiTopology(uint32_t devices, uint32_t fogs)
{
    return hffmtest::SmallTopology("wifi", devices, fogs);
}

using hffmtest::RecordingLearner;

/// Drops what an ns-3 error model drops, and counts it.
class CountingErrorModel : public ErrorModel
{
  public:
    static TypeId GetTypeId()
    {
        static TypeId tid = TypeId("ns3::HffmTestCountingErrorModel")
                                .SetParent<ErrorModel>()
                                .SetGroupName("Hffm");
        return tid;
    }

    explicit CountingErrorModel(Ptr<ErrorModel> inner)
        : m_inner(inner)
    {
    }

    uint64_t GetDropped() const { return m_dropped; }

    uint64_t GetSeen() const { return m_seen; }

  private:
    bool DoCorrupt(Ptr<Packet> p) override
    {
        if (!IsEnabled())
        {
            return false; // ns-3's models each check this in DoCorrupt()
        }
        ++m_seen;
        const bool drop = m_inner->IsCorrupt(p);
        m_dropped += drop ? 1 : 0;
        return drop;
    }

    void DoReset() override { m_inner->Reset(); }

    Ptr<ErrorModel> m_inner;
    uint64_t m_dropped{0};
    uint64_t m_seen{0};
};

/// A RateErrorModel dropping \p rate of the packets, its draws on stream \p stream.
Ptr<RateErrorModel>
PacketLoss(double rate, int64_t stream)
{
    Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
    em->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
    em->SetRate(rate);
    em->AssignStreams(stream);
    return em;
}

/// Fog \p fog's end and the cloud's end of its backhaul link.
std::pair<Ptr<PointToPointNetDevice>, Ptr<PointToPointNetDevice>>
Backhaul(const FederatedTopology& topology, uint32_t fog)
{
    Ptr<Node> node = topology.fogs.Get(fog);
    for (uint32_t k = 0; k < node->GetNDevices(); ++k)
    {
        Ptr<PointToPointNetDevice> own = DynamicCast<PointToPointNetDevice>(node->GetDevice(k));
        if (!own)
        {
            continue;
        }
        Ptr<PointToPointChannel> channel = DynamicCast<PointToPointChannel>(own->GetChannel());
        for (std::size_t i = 0; i < 2; ++i)
        {
            Ptr<PointToPointNetDevice> peer = channel->GetPointToPointDevice(i);
            if (peer != own)
            {
                return {own, peer};
            }
        }
    }
    NS_ABORT_MSG("fog " << fog << " has no point-to-point link");
    return {};
}

using MessageKey = std::tuple<uint32_t, uint32_t, std::string>; //!< sender, round, module

/// Records what the fogs and the cloud of a run report.
struct Watch
{
    std::map<std::string, uint32_t> usedAtCloud;    //!< "round/module" -> contributions
    std::map<std::string, uint32_t> usedAtFog;      //!< "fog/round/module" -> contributions
    std::map<MessageKey, uint32_t> acceptedAtCloud; //!< updates taken, per message
    std::map<std::pair<uint32_t, std::string>, uint32_t> rejectedAtCloud; //!< sender, reason
    std::vector<RoundSummary> cloudRounds;
    std::map<uint32_t, std::vector<RoundSummary>> fogRounds;
    std::map<uint32_t, std::map<uint32_t, Time>> syncs;              //!< fog -> round -> when
    std::map<uint32_t, std::map<uint32_t, ModuleMap>> fogAfterRound; //!< at RoundDone
    std::map<uint32_t, std::map<uint32_t, ModuleMap>> fogAfterSync;  //!< at GlobalSync
    std::map<uint32_t, ModuleMap> cloudAfterRound;                   //!< at RoundDone
    uint32_t finished{0};

    void Attach(const FederatedApps& apps)
    {
        for (uint32_t f = 0; f < apps.fogs.size(); ++f)
        {
            const Ptr<CollectorApp> fog = apps.fogs[f];
            fog->TraceConnectWithoutContext(
                "ModuleAggregated",
                Callback<void, uint32_t, const std::string&, uint32_t, uint32_t>(
                    [this, f](uint32_t r, const std::string& id, uint32_t used, uint32_t)
                    { usedAtFog[std::to_string(f) + "/" + std::to_string(r) + "/" + id] = used; }));
            fog->TraceConnectWithoutContext(
                "RoundDone", Callback<void, const RoundSummary&>(
                                 [this, f, fog = PeekPointer(fog)](const RoundSummary& s)
                                 {
                                     fogRounds[f].push_back(s);
                                     fogAfterRound[f][s.round] = fog->GetModules();
                                 }));
            fog->GetStrategy()->TraceConnectWithoutContext(
                "GlobalSync", Callback<void, uint32_t>(
                                  [this, f, fog = PeekPointer(fog)](uint32_t r)
                                  {
                                      syncs[f][r] = Simulator::Now();
                                      fogAfterSync[f][r] = fog->GetModules();
                                  }));
            fog->GetStrategy()->TraceConnectWithoutContext(
                "Finished", Callback<void>([this]() { ++finished; }));
        }
        if (!apps.cloud)
        {
            return;
        }
        const Ptr<CollectorApp> cloud = apps.cloud;
        cloud->TraceConnectWithoutContext(
            "ModuleAggregated",
            Callback<void, uint32_t, const std::string&, uint32_t, uint32_t>(
                [this](uint32_t r, const std::string& id, uint32_t used, uint32_t)
                { usedAtCloud[std::to_string(r) + "/" + id] = used; }));
        cloud->TraceConnectWithoutContext(
            "ModuleReceived", Callback<void, const MessageFields&>(
                                  [this](const MessageFields& m) {
                                      ++acceptedAtCloud[{m.sender, m.round, m.moduleId}];
                                  }));
        cloud->TraceConnectWithoutContext(
            "ModuleRejected",
            Callback<void, uint32_t, const std::string&, const std::string&>(
                [this](uint32_t sender, const std::string& reason, const std::string&) {
                    ++rejectedAtCloud[{sender, reason}];
                }));
        cloud->TraceConnectWithoutContext(
            "RoundDone", Callback<void, const RoundSummary&>(
                             [this, cloud = PeekPointer(cloud)](const RoundSummary& s)
                             {
                                 cloudRounds.push_back(s);
                                 cloudAfterRound[s.round] = cloud->GetModules();
                             }));
    }
};

/// Application bytes: what each tier handed to TCP and what each tier received.
struct Bytes
{
    uint64_t devicesSent{0};
    uint64_t devicesReceived{0};
    uint64_t fogsReceived{0};
    uint64_t fogsSentDown{0};
    uint64_t fogsSentUp{0};
    uint64_t cloudReceived{0};
    uint64_t cloudSentDown{0};

    Bytes() = default;

    explicit Bytes(const FederatedApps& apps)
    {
        for (const auto& d : apps.devices)
        {
            devicesSent += d->GetBytesSent();
            devicesReceived += d->GetBytesReceived();
        }
        for (const auto& f : apps.fogs)
        {
            fogsReceived += f->GetBytesReceived();
            fogsSentDown += f->GetBytesSentDown();
            fogsSentUp += f->GetBytesSentUp();
        }
        if (apps.cloud)
        {
            cloudReceived = apps.cloud->GetBytesReceived();
            cloudSentDown = apps.cloud->GetBytesSentDown();
        }
    }
};

/// \return true if \p ids (sorted) holds \p id
bool
Holds(const std::vector<std::string>& ids, const std::string& id)
{
    return std::binary_search(ids.begin(), ids.end(), id);
}

/**
 * The backhaul of fog 0 goes down (a RateErrorModel with rate 1 on both ends'
 * ReceiveErrorModel) when the first module of fog 0's first sync has reached the cloud, in
 * the middle of that transfer, and comes back after a while.
 *
 * A short outage (2.5 s, the cloud's RoundDeadline 10 s): TCP resends after the link is
 * back, the sync completes, and the cloud's round has both fogs, each module once. A long
 * one (12 s, the cloud's RoundDeadline 5 s): the cloud goes on at its deadline without the
 * modules of fog 0 that had not arrived, records fog 0 as a straggler, and refuses the rest
 * of fog 0's update when TCP delivers it after the outage (stale round); fog 0 takes the
 * newest global modules once the link is back and is counted again in the next round. In
 * both, no module is counted twice, no fog waits out its ParentDeadline, and the bytes the
 * cloud received are the bytes the fogs sent up.
 */
class BackhaulOutageTestCase : public TestCase
{
  public:
    static constexpr uint32_t ROUNDS = 3; //!< edge rounds, each followed by a sync

    BackhaulOutageTestCase()
        : TestCase("the fog-cloud backhaul goes down in the middle of a sync and comes back")
    {
    }

  private:
    struct Outcome
    {
        Watch watch;
        Time outageStart;
        Time outageEnd;
        std::set<std::string> arrivedBeforeOutage; //!< fog 0's round-1 modules at the cloud
        std::vector<std::string> fogModules[2];    //!< the modules each fog holds
        uint64_t dropped{0};
        uint32_t roundsDone[2]{0, 0};
        uint32_t roundsSkipped[2]{0, 0};
        uint32_t parentTimeouts[2]{0, 0};
        uint32_t globalSyncs[2]{0, 0};
        uint32_t cloudRounds{0};
        uint64_t fogsSentUp{0};
        uint64_t cloudReceived{0};
        uint64_t fogsReceived{0};
        uint64_t devicesSentPlusCloudDown{0};
    };

    Outcome Run(Time outage, Time cloudDeadline)
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        auto learner = TinyLearner(4);
        const FederatedTopology topology = WifiTopology(4, 2);
        FederatedMethod method;
        FederatedMethod::Parse("hier-1", method);
        FederatedHelper helper(learner);
        helper.SetFogStrategyAttribute("Rounds", UintegerValue(ROUNDS));
        helper.SetFogAttribute("RoundDeadline", TimeValue(Seconds(20)));
        helper.SetCloudAttribute("RoundDeadline", TimeValue(cloudDeadline));
        const FederatedApps apps = helper.Install(topology, FourDevices(), method);

        Outcome out;
        out.watch.Attach(apps);
        for (uint32_t f = 0; f < 2; ++f)
        {
            out.fogModules[f] = apps.fogs[f]->GetChildModuleIds();
        }
        const auto [fogEnd, cloudEnd] = Backhaul(topology, 0);
        std::vector<Ptr<CountingErrorModel>> down;
        for (const auto& end : {fogEnd, cloudEnd})
        {
            auto em = CreateObject<CountingErrorModel>(PacketLoss(1.0, 300));
            em->Disable();
            end->SetReceiveErrorModel(em);
            down.push_back(em);
        }
        // the link goes down when the first module of fog 0's first sync has arrived
        apps.cloud->TraceConnectWithoutContext(
            "ModuleReceived", Callback<void, const MessageFields&>(
                                  [&out, &down, outage](const MessageFields& m)
                                  {
                                      if (m.sender != 0 || m.round != 1)
                                      {
                                          return;
                                      }
                                      if (out.outageStart.IsZero())
                                      {
                                          out.outageStart = Simulator::Now();
                                          out.outageEnd = out.outageStart + outage;
                                          for (const auto& em : down)
                                          {
                                              em->Enable();
                                              Simulator::Schedule(outage, &ErrorModel::Disable, em);
                                          }
                                      }
                                      if (Simulator::Now() == out.outageStart)
                                      {
                                          out.arrivedBeforeOutage.insert(m.moduleId);
                                      }
                                  }));
        Simulator::Stop(Seconds(60)); // long after every round: TCP has delivered it all
        Simulator::Run();
        for (const auto& em : down)
        {
            out.dropped += em->GetDropped();
        }
        for (uint32_t f = 0; f < 2; ++f)
        {
            out.roundsDone[f] = apps.GetFogStrategy(f)->GetRoundsDone();
            out.roundsSkipped[f] = apps.GetFogStrategy(f)->GetRoundsSkipped();
            out.parentTimeouts[f] = apps.GetFogStrategy(f)->GetParentTimeouts();
            out.globalSyncs[f] = apps.GetFogStrategy(f)->GetGlobalSyncs();
        }
        out.cloudRounds = apps.GetCloudStrategy()->GetRoundsDone();
        const Bytes bytes(apps);
        NS_LOG_INFO("backhaul outage "
                    << outage.As(Time::S) << " from " << out.outageStart.As(Time::S)
                    << ", cloud deadline " << cloudDeadline.As(Time::S) << ": "
                    << out.arrivedBeforeOutage.size() << " of " << out.fogModules[0].size()
                    << " modules of fog 0 had arrived, " << out.dropped << " packets dropped");
        for (const auto& r : out.watch.cloudRounds)
        {
            NS_LOG_INFO("  cloud round "
                        << r.round << ": " << r.started.As(Time::S) << " to "
                        << r.finished.As(Time::S) << ", " << r.stragglers.size() << " straggler(s)"
                        << (r.stragglers.empty() ? std::string()
                                                 : " (fog " + std::to_string(r.stragglers[0]) + ")")
                        << ", adapter/0 over "
                        << out.watch.usedAtCloud[std::to_string(r.round) + "/adapter/0"]
                        << " fog(s)");
        }
        for (uint32_t f = 0; f < 2; ++f)
        {
            for (const auto& [round, when] : out.watch.syncs[f])
            {
                NS_LOG_INFO("  fog " << f << " synchronised round " << round << " at "
                                     << when.As(Time::S));
            }
            NS_LOG_INFO("  fog " << f << " gave up on the cloud "
                                 << apps.GetFogStrategy(f)->GetParentTimeouts() << " time(s)");
        }
        for (const auto& [who, count] : out.watch.rejectedAtCloud)
        {
            NS_LOG_INFO("  cloud refused " << count << " message(s) from fog " << who.first << ": "
                                           << who.second);
        }
        NS_LOG_INFO("  bytes: fogs sent up "
                    << bytes.fogsSentUp << ", the cloud received " << bytes.cloudReceived
                    << "; cloud sent down " << bytes.cloudSentDown << ", devices sent "
                    << bytes.devicesSent << ", fogs received " << bytes.fogsReceived);
        out.fogsSentUp = bytes.fogsSentUp;
        out.cloudReceived = bytes.cloudReceived;
        out.fogsReceived = bytes.fogsReceived;
        out.devicesSentPlusCloudDown = bytes.devicesSent + bytes.cloudSentDown;
        Simulator::Destroy();
        return out;
    }

    /// What holds whatever the outage's length: the outage hit the middle of the transfer,
    /// no module was taken twice, no contribution beyond the fogs that hold a module, bytes.
    void CheckCommon(const Outcome& o, const std::string& name)
    {
        NS_TEST_ASSERT_MSG_GT(o.outageStart, Seconds(1), name << ": the outage began");
        NS_TEST_ASSERT_MSG_GT(o.dropped, 0U, name << ": the link dropped packets");
        NS_TEST_ASSERT_MSG_GT(o.arrivedBeforeOutage.size(), 0U, name << ": some had arrived");
        NS_TEST_ASSERT_MSG_LT(o.arrivedBeforeOutage.size(), o.fogModules[0].size(),
                              name << ": the outage began in the middle of the transfer");
        for (const auto& [key, count] : o.watch.acceptedAtCloud)
        {
            NS_TEST_ASSERT_MSG_EQ(count, 1U,
                                  name << ": module " << std::get<2>(key) << " of round "
                                       << std::get<1>(key) << " from fog " << std::get<0>(key)
                                       << " taken once");
        }
        for (const auto& [key, used] : o.watch.usedAtCloud)
        {
            const std::string id = key.substr(key.find('/') + 1);
            const uint32_t holders
                = (Holds(o.fogModules[0], id) ? 1U : 0U) + (Holds(o.fogModules[1], id) ? 1U : 0U);
            NS_TEST_ASSERT_MSG_LT_OR_EQ(used, holders,
                                        name << ": " << key << " at most once a fog");
        }
        for (uint32_t f = 0; f < 2; ++f)
        {
            NS_TEST_ASSERT_MSG_EQ(o.roundsDone[f] + o.roundsSkipped[f], ROUNDS,
                                  name << ": fog " << f << " did or skipped every round");
            NS_TEST_ASSERT_MSG_EQ(o.parentTimeouts[f], 0U,
                                  name << ": fog " << f << " never waited out its deadline");
        }
        NS_TEST_ASSERT_MSG_EQ(o.watch.finished, 2U, name << ": both fogs finish");
        NS_TEST_ASSERT_MSG_EQ(o.cloudRounds, ROUNDS, name << ": a global round each round");
        NS_TEST_ASSERT_MSG_EQ(o.cloudReceived, o.fogsSentUp,
                              name << ": the cloud received every byte the fogs sent up");
        NS_TEST_ASSERT_MSG_EQ(o.fogsReceived, o.devicesSentPlusCloudDown,
                              name << ": the fogs received what devices and the cloud sent");
    }

    void DoRun() override
    {
        // a short outage: TCP resends after it, and the sync completes
        const Outcome brief = Run(Seconds(2.5), Seconds(10));
        CheckCommon(brief, "2.5 s outage");
        NS_TEST_ASSERT_MSG_EQ(brief.watch.cloudRounds.size(), ROUNDS, "global rounds");
        if (brief.watch.cloudRounds.size() != ROUNDS)
        {
            return; // ns-3's test runner goes on after a failed assertion
        }
        const auto& r1 = brief.watch.cloudRounds[0];
        NS_TEST_ASSERT_MSG_EQ(r1.round, 1U, "the first global round");
        NS_TEST_ASSERT_MSG_EQ(r1.stragglers.size(), 0U, "fog 0's update completed");
        NS_TEST_ASSERT_MSG_GT(r1.finished, brief.outageEnd, "after the link came back");
        NS_TEST_ASSERT_MSG_LT(r1.finished - r1.started, Seconds(10), "before the deadline");
        for (const auto& id : brief.fogModules[0])
        {
            NS_TEST_ASSERT_MSG_EQ(brief.watch.acceptedAtCloud.count({0, 1, id}), 1U,
                                  "fog 0's " << id << " reached the cloud");
        }
        NS_TEST_ASSERT_MSG_EQ(Used(brief, "1/adapter/0"), 2U, "both fogs");
        NS_TEST_ASSERT_MSG_EQ(Used(brief, "1/encoder/text"), 1U, "fog 1 alone");
        NS_TEST_ASSERT_MSG_EQ(Synced(brief, 0, 1), 1U, "fog 0 synchronised");
        NS_TEST_ASSERT_MSG_GT(SyncTime(brief, 0, 1), brief.outageEnd,
                              "fog 0's first sync completed after the link came back");
        for (uint32_t f = 0; f < 2; ++f)
        {
            NS_TEST_ASSERT_MSG_EQ(brief.globalSyncs[f], ROUNDS, "fog " << f << ": every round");
            NS_TEST_ASSERT_MSG_EQ(brief.roundsSkipped[f], 0U, "fog " << f << " skipped none");
        }
        for (const auto& r : brief.watch.cloudRounds)
        {
            NS_TEST_ASSERT_MSG_EQ(r.stragglers.size(), 0U, "round " << r.round << ": both fogs");
        }

        // A long outage: the cloud goes on at its deadline without fog 0's missing modules,
        // in round 1 and in round 2 (closed at about 11.2 s, before the link is back at about
        // 13.1 s). Its pushes to fog 0 wait for TCP's connection retries (3 s, doubling):
        // round 2's (first tried at 11.2 s, again at 14.2 s) gets through before round 1's
        // (6.1 s, 9.1 s, 15.1 s), so fog 0 takes the global modules of round 2, skips its own
        // round 2, and is back in the cloud's round 3.
        const Outcome cut = Run(Seconds(12), Seconds(5));
        CheckCommon(cut, "12 s outage");
        NS_TEST_ASSERT_MSG_EQ(cut.watch.cloudRounds.size(), ROUNDS, "global rounds");
        if (cut.watch.cloudRounds.size() != ROUNDS)
        {
            return;
        }
        for (uint32_t i = 0; i < 2; ++i)
        {
            const auto& c = cut.watch.cloudRounds[i];
            NS_TEST_ASSERT_MSG_EQ(c.round, i + 1, "global round " << i + 1);
            NS_TEST_ASSERT_MSG_EQ(c.participants, 2U, "two fogs were waited for");
            NS_TEST_ASSERT_MSG_EQ(c.stragglers.size(), 1U, "round " << c.round << ": one missing");
            NS_TEST_ASSERT_MSG_EQ(c.stragglers.at(0), 0U, "fog 0 is recorded as the missing one");
            NS_TEST_ASSERT_MSG_EQ(c.finished - c.started, Seconds(5), "closed at the deadline");
            NS_TEST_ASSERT_MSG_LT(c.finished, cut.outageEnd, "while the link was down");
        }
        // round 1, per module: fog 1 if it holds it, fog 0 if it had arrived before the outage
        for (const auto& id : ModuleUnion(cut))
        {
            const uint32_t expected = (Holds(cut.fogModules[1], id) ? 1U : 0U)
                                      + (cut.arrivedBeforeOutage.count(id) ? 1U : 0U);
            NS_TEST_ASSERT_MSG_EQ(Used(cut, "1/" + id), expected, "round 1, " << id);
        }
        // the rest of fog 0's round-1 update came after the link was back, and was refused
        const auto refused = cut.watch.rejectedAtCloud.find({0, "stale-round"});
        NS_TEST_ASSERT_MSG_EQ((refused != cut.watch.rejectedAtCloud.end()), true,
                              "fog 0's late modules are refused as stale");
        if (refused != cut.watch.rejectedAtCloud.end())
        {
            NS_TEST_ASSERT_MSG_GT_OR_EQ(refused->second,
                                        cut.fogModules[0].size() - cut.arrivedBeforeOutage.size(),
                                        "every module that came late");
        }
        for (const auto& id : cut.fogModules[0])
        {
            if (!cut.arrivedBeforeOutage.count(id))
            {
                NS_TEST_ASSERT_MSG_EQ(cut.watch.acceptedAtCloud.count({0, 1, id}), 0U,
                                      "fog 0's late " << id << " is never taken for round 1");
            }
        }
        // fog 0 took round 2's global modules after the link came back, and rejoined
        NS_TEST_ASSERT_MSG_EQ(Synced(cut, 0, 2), 1U, "fog 0 took round 2's modules");
        NS_TEST_ASSERT_MSG_GT(SyncTime(cut, 0, 2), cut.outageEnd, "after the link came back");
        NS_TEST_ASSERT_MSG_EQ(Synced(cut, 0, 1), 0U, "not round 1's, older");
        NS_TEST_ASSERT_MSG_EQ(cut.roundsSkipped[0], 1U, "fog 0 skipped its round 2");
        NS_TEST_ASSERT_MSG_EQ(cut.watch.cloudRounds[2].stragglers.size(), 0U,
                              "round 3: fog 0 is counted again");
        NS_TEST_ASSERT_MSG_EQ(Used(cut, "3/adapter/0"), 2U, "round 3: both fogs");
        NS_TEST_ASSERT_MSG_EQ(cut.globalSyncs[1], ROUNDS, "fog 1 synchronised every round");
    }

    /// \return 1 if fog \p f took the cloud's modules of \p round, else 0
    static uint32_t Synced(const Outcome& o, uint32_t f, uint32_t round)
    {
        const auto it = o.watch.syncs.find(f);
        return it != o.watch.syncs.end() && it->second.count(round) ? 1U : 0U;
    }

    /// \return when fog \p f took the cloud's modules of \p round (zero: never)
    static Time SyncTime(const Outcome& o, uint32_t f, uint32_t round)
    {
        return Synced(o, f, round) ? o.watch.syncs.at(f).at(round) : Time(0);
    }

    /// \return the contributions the cloud aggregated for "round/module" \p key
    static uint32_t Used(const Outcome& o, const std::string& key)
    {
        const auto it = o.watch.usedAtCloud.find(key);
        return it == o.watch.usedAtCloud.end() ? 0U : it->second;
    }

    /// \return the modules either fog holds
    static std::set<std::string> ModuleUnion(const Outcome& o)
    {
        std::set<std::string> all(o.fogModules[0].begin(), o.fogModules[0].end());
        all.insert(o.fogModules[1].begin(), o.fogModules[1].end());
        return all;
    }
};

/**
 * Fog 0 of three stops (its application stops) while its devices train the first round.
 * Its devices' uploads are refused; they try again until their RetryDeadline (the fog's
 * RoundDeadline, 5 s, after the round's modules arrived) and then give up: no packet to
 * the fog after that. The cloud waits its RoundDeadline in each round, aggregates over fogs
 * 1 and 2 — each module weighs their devices' samples, as summed here — and records fog 0
 * as the straggler; fogs 1 and 2 get the global modules every round although the cloud
 * waited its whole deadline (their ParentDeadline exceeds it).
 */
class FogStopsTestCase : public TestCase
{
  public:
    FogStopsTestCase()
        : TestCase("a fog that stops mid-round: its devices give up at the deadline, the cloud "
                   "goes on without it")
    {
    }

  private:
    void DoRun() override
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        const uint32_t n = 6; // device i under fog i mod 3
        auto learner = TinyLearner(n);
        std::vector<DeviceSpec> specs(n);
        for (auto& s : specs)
        {
            s.profile = Profile({Modality::IMAGE}, {"fine"});
        }
        specs[4].profile = Profile({Modality::IMAGE, Modality::TEXT}, {"fine", "question"});
        const FederatedTopology topology = WifiTopology(n, 3);
        FederatedMethod method;
        FederatedMethod::Parse("hier-1", method);
        FederatedHelper helper(learner);
        const Time deadline = Seconds(5);
        helper.SetFogStrategyAttribute("Rounds", UintegerValue(2));
        helper.SetFogAttribute("RoundDeadline", TimeValue(deadline));
        helper.SetCloudAttribute("RoundDeadline", TimeValue(deadline));
        const FederatedApps apps = helper.Install(topology, specs, method);
        const Time stop = Seconds(1.5);
        apps.fogs[0]->SetStopTime(stop);
        const std::vector<uint32_t> orphans{0, 3};
        for (uint32_t d : orphans)
        {
            apps.devices[d]->SetAttribute("MacsPerSecond", DoubleValue(1e8)); // trains > 1 s
        }

        Watch watch;
        watch.Attach(apps);
        std::map<uint32_t, Time> pushArrived;  // orphan -> its round-1 modules came
        std::map<uint32_t, Time> trained;      // orphan -> training began
        std::map<uint32_t, Time> firstFailure; // orphan -> its first refused upload
        std::map<uint32_t, Time> gaveUp;       // orphan -> when it gave its upload up
        std::map<uint32_t, Time> lastToFog;    // orphan -> its last IP packet to fog 0
        const Ipv4Address fog0 = topology.fogDeviceAddress[0];
        for (uint32_t d : orphans)
        {
            apps.devices[d]->TraceConnectWithoutContext(
                "ModuleReceived", Callback<void, const MessageFields&>(
                                      [&pushArrived, d](const MessageFields& m)
                                      {
                                          if (m.round == 1 && !pushArrived.count(d))
                                          {
                                              pushArrived[d] = Simulator::Now();
                                          }
                                      }));
            apps.devices[d]->TraceConnectWithoutContext(
                "TrainingDone", Callback<void, uint32_t, uint32_t, int64_t, double, Time>(
                                    [&trained, d](uint32_t, uint32_t, int64_t, double, Time)
                                    { trained[d] = Simulator::Now(); }));
            apps.devices[d]->TraceConnectWithoutContext(
                "UploadFailed", Callback<void, uint32_t, bool>(
                                    [&firstFailure, &gaveUp, d](uint32_t, bool retrying)
                                    {
                                        if (!firstFailure.count(d))
                                        {
                                            firstFailure[d] = Simulator::Now();
                                        }
                                        if (!retrying)
                                        {
                                            gaveUp[d] = Simulator::Now();
                                        }
                                    }));
            topology.devices.Get(d)->GetObject<Ipv4L3Protocol>()->TraceConnectWithoutContext(
                "Tx", Callback<void, Ptr<const Packet>, Ptr<Ipv4>, uint32_t>(
                          [&lastToFog, fog0, d](Ptr<const Packet> p, Ptr<Ipv4>, uint32_t)
                          {
                              Ipv4Header h;
                              p->PeekHeader(h);
                              if (h.GetDestination() == fog0)
                              {
                                  lastToFog[d] = Simulator::Now();
                              }
                          }));
        }
        Simulator::Stop(Seconds(60));
        Simulator::Run();

        // the fault: fog 0 stopped while its devices were training round 1
        for (uint32_t d : orphans)
        {
            NS_TEST_ASSERT_MSG_EQ(trained.count(d), 1U, "device " << d << " trained");
            NS_TEST_ASSERT_MSG_LT(trained[d], stop, "device " << d << " began before the stop");
            NS_TEST_ASSERT_MSG_EQ(firstFailure.count(d), 1U, "device " << d << "'s upload failed");
            NS_TEST_ASSERT_MSG_GT(firstFailure[d], stop, "after the fog had stopped");
        }
        NS_TEST_ASSERT_MSG_EQ(apps.GetFogStrategy(0)->GetRoundsDone(), 0U,
                              "fog 0 completed no round");

        // its devices tried again, then gave up at the deadline: nothing more to the fog
        for (uint32_t d : orphans)
        {
            NS_TEST_ASSERT_MSG_EQ(apps.devices[d]->GetUploadsAbandoned(), 1U,
                                  "device " << d << " gave its upload up");
            NS_TEST_ASSERT_MSG_EQ(gaveUp.count(d), 1U, "device " << d << " reported it");
            NS_TEST_ASSERT_MSG_LT_OR_EQ(gaveUp[d], pushArrived[d] + deadline,
                                        "device " << d << " gave up by the deadline");
            NS_TEST_ASSERT_MSG_LT_OR_EQ(lastToFog[d], pushArrived[d] + deadline + Seconds(0.1),
                                        "device " << d << " sends nothing to fog 0 after the "
                                                  << "deadline");
            NS_TEST_ASSERT_MSG_EQ(apps.devices[d]->GetRoundsTrained(), 1U, "one round trained");
        }

        // the cloud: both rounds over fogs 1 and 2, fog 0 recorded as missing
        NS_TEST_ASSERT_MSG_EQ(watch.cloudRounds.size(), 2U, "two global rounds");
        double samples12 = 0.0; // fogs 1 and 2: devices 1, 2, 4, 5
        for (uint32_t d : {1U, 2U, 4U, 5U})
        {
            samples12 += double(learner->GetTrainSamples(d));
        }
        for (const auto& s : watch.cloudRounds)
        {
            NS_TEST_ASSERT_MSG_EQ(s.participants, 3U, "round " << s.round << ": three fogs");
            NS_TEST_ASSERT_MSG_EQ(s.stragglers.size(), 1U, "round " << s.round << ": one missing");
            NS_TEST_ASSERT_MSG_EQ(s.stragglers.at(0), 0U, "round " << s.round << ": fog 0");
            NS_TEST_ASSERT_MSG_EQ(s.finished - s.started, deadline, "closed at the deadline");
            const std::string r = std::to_string(s.round);
            NS_TEST_ASSERT_MSG_EQ(watch.usedAtCloud[r + "/adapter/0"], 2U, "fogs 1 and 2");
            NS_TEST_ASSERT_MSG_EQ(watch.usedAtCloud[r + "/encoder/text"], 1U, "fog 1 alone");
            NS_TEST_ASSERT_MSG_EQ(s.weights.count("adapter/0"), 1U, "adapter/0 aggregated");
            NS_TEST_ASSERT_MSG_EQ_TOL(s.weights.at("adapter/0"), samples12, 1e-9,
                                      "round " << s.round << ": the samples of fogs 1 and 2");
            NS_TEST_ASSERT_MSG_EQ_TOL(s.weights.at("encoder/text"),
                                      double(learner->GetTrainSamples(4)), 1e-9,
                                      "round " << s.round << ": device 4's samples");
        }
        // fogs 1 and 2 went on with the cloud's modules, every round
        for (uint32_t f = 1; f < 3; ++f)
        {
            NS_TEST_ASSERT_MSG_EQ(apps.GetFogStrategy(f)->GetRoundsDone(), 2U,
                                  "fog " << f << " went on");
            NS_TEST_ASSERT_MSG_EQ(apps.GetFogStrategy(f)->GetGlobalSyncs(), 2U,
                                  "fog " << f << " got the global modules in both rounds");
            NS_TEST_ASSERT_MSG_EQ(apps.GetFogStrategy(f)->GetParentTimeouts(), 0U, "never gave up");
            for (uint32_t round = 1; round <= 2; ++round)
            {
                if (!watch.fogAfterSync[f].count(round) || !watch.cloudAfterRound.count(round))
                {
                    continue; // counted above
                }
                for (const auto& [id, m] : watch.fogAfterSync[f][round])
                {
                    if (Holds(apps.fogs[f]->GetChildModuleIds(), id))
                    {
                        NS_TEST_ASSERT_MSG_EQ(
                            m->IsBitIdentical(*watch.cloudAfterRound[round].at(id)), true,
                            "fog " << f << " holds the cloud's " << id << " of round " << round);
                    }
                }
            }
        }
        for (uint32_t d : {1U, 2U, 4U, 5U})
        {
            NS_TEST_ASSERT_MSG_EQ(apps.devices[d]->GetRoundsTrained(), 2U, "device " << d);
        }
        // no byte was counted as sent that nobody received
        const Bytes b(apps);
        NS_TEST_ASSERT_MSG_EQ(b.fogsReceived, b.devicesSent + b.cloudSentDown, "up to the fogs");
        NS_TEST_ASSERT_MSG_EQ(b.devicesReceived, b.fogsSentDown, "down to the devices");
        NS_TEST_ASSERT_MSG_EQ(b.cloudReceived, b.fogsSentUp, "up to the cloud");

        NS_LOG_INFO("fog 0 stops at " << stop.As(Time::S));
        for (uint32_t d : orphans)
        {
            NS_LOG_INFO("  device " << d << ": modules at " << pushArrived[d].As(Time::S)
                                    << ", upload failed first at " << firstFailure[d].As(Time::S)
                                    << ", given up at " << gaveUp[d].As(Time::S)
                                    << ", last packet to fog 0 at " << lastToFog[d].As(Time::S)
                                    << ", " << apps.devices[d]->GetBytesSent() << " bytes sent");
        }
        for (const auto& r : watch.cloudRounds)
        {
            NS_LOG_INFO("  cloud round "
                        << r.round << ": " << r.started.As(Time::S) << " to "
                        << r.finished.As(Time::S) << ", " << r.participants << " fogs, stragglers "
                        << (r.stragglers.empty() ? -1 : int(r.stragglers[0]))
                        << ", adapter/0 weight "
                        << (r.weights.count("adapter/0") ? r.weights.at("adapter/0") : 0.0)
                        << " (samples of fogs 1 and 2: " << samples12 << ")");
        }
        for (uint32_t f = 1; f < 3; ++f)
        {
            for (const auto& [round, when] : watch.syncs[f])
            {
                NS_LOG_INFO("  fog " << f << " synchronised round " << round << " at "
                                     << when.As(Time::S));
            }
        }
        NS_LOG_INFO("  bytes: devices sent " << b.devicesSent << ", cloud sent down "
                                             << b.cloudSentDown << ", fogs received "
                                             << b.fogsReceived << "; fogs sent up " << b.fogsSentUp
                                             << ", the cloud received " << b.cloudReceived);
        Simulator::Destroy();
    }
};

/**
 * Random loss on every Wi-Fi link: a RateErrorModel dropping 5 % of the frames each radio
 * receives (WifiPhy's PostReceptionErrorModel). The rounds complete with every device; every
 * module that arrives is the one that was sent (its payload CRC-32C against the sender's, its
 * values through what each device trained on and through the fog's aggregate, recomputed
 * here from what the devices sent), the run's modules are bit for bit those of a run without
 * loss, and every byte the applications sent was received.
 */
class RadioLossTestCase : public TestCase
{
  public:
    RadioLossTestCase()
        : TestCase("5 % random loss on the radio links: modules arrive bit-exact, bytes balance")
    {
    }

  private:
    struct Outcome
    {
        std::shared_ptr<RecordingLearner> learner;
        Watch watch;
        uint64_t dropped{0};
        uint64_t frames{0};
        Time end;
        uint32_t crcMismatches{0};
        uint32_t unmatched{0};      //!< arrivals with no such message sent
        uint32_t updatesArrived{0}; //!< at the fogs and the cloud
        uint32_t pushesArrived{0};  //!< at the devices and the fogs
        std::map<MessageKey, uint32_t> updatesAtFogs;
        std::vector<uint32_t> roundsTrained;
        std::vector<std::vector<std::string>> deviceModules;
        uint32_t globalSyncs{0};
        uint32_t cloudRounds{0};
        ModuleMap cloud;
        std::vector<ModuleMap> fogs;
        std::vector<uint64_t> deviceBytesSent;
        Bytes bytes;
    };

    Outcome Run(double lossRate, std::shared_ptr<FederatedLearner> inner)
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        Outcome out;
        out.learner = std::make_shared<RecordingLearner>(inner);
        const FederatedTopology topology = WifiTopology(4, 2);
        Ptr<CountingErrorModel> loss;
        if (lossRate > 0)
        {
            loss = CreateObject<CountingErrorModel>(PacketLoss(lossRate, 400));
            NodeContainer radios(topology.devices, topology.fogs);
            for (uint32_t i = 0; i < radios.GetN(); ++i)
            {
                for (uint32_t k = 0; k < radios.Get(i)->GetNDevices(); ++k)
                {
                    if (auto wifi = DynamicCast<WifiNetDevice>(radios.Get(i)->GetDevice(k)))
                    {
                        wifi->GetPhy()->SetPostReceptionErrorModel(loss);
                    }
                }
            }
        }
        FederatedMethod method;
        FederatedMethod::Parse("hier-1", method);
        FederatedHelper helper(out.learner);
        helper.SetFogStrategyAttribute("Rounds", UintegerValue(2));
        helper.SetFogAttribute("RoundDeadline", TimeValue(Seconds(30)));
        helper.SetCloudAttribute("RoundDeadline", TimeValue(Seconds(30)));
        const FederatedApps apps = helper.Install(topology, FourDevices(), method);
        out.watch.Attach(apps);

        // every message as sent: its payload's CRC-32C and length
        std::map<std::tuple<int, uint32_t, uint32_t, std::string>, std::pair<uint32_t, uint32_t>>
            sent; // (tier: 0 device update, 1 fog update, 2 fog push, 3 cloud push), ...
        auto record = [&sent](int tier, uint32_t who, const MessageFields& m)
        {
            sent[{tier, who, m.round, m.moduleId}] = {m.payloadCrc, m.payloadLength};
        };
        auto check = [&out, &sent](int tier, uint32_t who, const MessageFields& m)
        {
            const auto it = sent.find({tier, who, m.round, m.moduleId});
            if (it == sent.end())
            {
                ++out.unmatched;
                return;
            }
            if (it->second != std::make_pair(m.payloadCrc, m.payloadLength))
            {
                ++out.crcMismatches;
            }
        };
        std::map<Ipv4Address, uint32_t> deviceAt; // address -> device index
        for (uint32_t i = 0; i < apps.devices.size(); ++i)
        {
            deviceAt[topology.deviceAddress[i]] = i;
            apps.devices[i]->TraceConnectWithoutContext(
                "ModuleSent", Callback<void, const MessageFields&>(
                                  [record, i](const MessageFields& m) { record(0, i, m); }));
            apps.devices[i]->TraceConnectWithoutContext("ModuleReceived",
                                                        Callback<void, const MessageFields&>(
                                                            [&out, check, i](const MessageFields& m)
                                                            {
                                                                ++out.pushesArrived;
                                                                check(2, i, m);
                                                            }));
        }
        for (uint32_t f = 0; f < apps.fogs.size(); ++f)
        {
            apps.fogs[f]->TraceConnectWithoutContext(
                "ModuleSent",
                Callback<void, const MessageFields&, const Address&>(
                    [record, &deviceAt, f](const MessageFields& m, const Address& to)
                    {
                        if (m.type == MessageType::MODULE_PUSH)
                        {
                            record(2, deviceAt.at(InetSocketAddress::ConvertFrom(to).GetIpv4()), m);
                        }
                        else
                        {
                            record(1, f, m);
                        }
                    }));
            apps.fogs[f]->TraceConnectWithoutContext(
                "ModuleReceived", Callback<void, const MessageFields&>(
                                      [&out, check, f](const MessageFields& m)
                                      {
                                          if (m.type == MessageType::MODULE_PUSH)
                                          {
                                              ++out.pushesArrived;
                                              check(3, f, m);
                                              return;
                                          }
                                          ++out.updatesArrived;
                                          ++out.updatesAtFogs[{m.sender, m.round, m.moduleId}];
                                          check(0, m.sender, m);
                                      }));
        }
        apps.cloud->TraceConnectWithoutContext(
            "ModuleSent", Callback<void, const MessageFields&, const Address&>(
                              [record, &topology](const MessageFields& m, const Address& to)
                              {
                                  const auto a = InetSocketAddress::ConvertFrom(to).GetIpv4();
                                  for (uint32_t f = 0; f < topology.fogBackhaulAddress.size(); ++f)
                                  {
                                      if (topology.fogBackhaulAddress[f] == a)
                                      {
                                          record(3, f, m);
                                      }
                                  }
                              }));
        apps.cloud->TraceConnectWithoutContext("ModuleReceived",
                                               Callback<void, const MessageFields&>(
                                                   [&out, check](const MessageFields& m)
                                                   {
                                                       ++out.updatesArrived;
                                                       check(1, m.sender, m);
                                                   }));
        apps.fogs[0]->GetStrategy()->TraceConnectWithoutContext(
            "Finished", Callback<void>([&out]() { out.end = Simulator::Now(); }));
        Simulator::Stop(Seconds(60));
        Simulator::Run();
        if (loss)
        {
            out.dropped = loss->GetDropped();
            out.frames = loss->GetSeen();
        }
        for (const auto& d : apps.devices)
        {
            out.roundsTrained.push_back(d->GetRoundsTrained());
            out.deviceModules.emplace_back(d->GetModuleIds().begin(), d->GetModuleIds().end());
            out.deviceBytesSent.push_back(d->GetBytesSent());
        }
        for (const auto& f : apps.fogs)
        {
            out.globalSyncs += f->GetStrategy<EdgeRoundStrategy>()->GetGlobalSyncs();
            out.fogs.push_back(f->GetModules());
        }
        out.cloudRounds = apps.GetCloudStrategy()->GetRoundsDone();
        out.cloud = apps.cloud->GetModules();
        out.bytes = Bytes(apps);
        Simulator::Destroy();
        return out;
    }

    void DoRun() override
    {
        auto inner = TinyLearner(4);
        const Outcome clean = Run(0.0, inner);
        const Outcome lossy = Run(0.05, inner);

        // the fault happened
        NS_TEST_ASSERT_MSG_GT(lossy.dropped, 0U, "the radios dropped frames");
        NS_TEST_ASSERT_MSG_GT(lossy.frames, 0U, "frames were received");
        const double rate = double(lossy.dropped) / double(lossy.frames);
        NS_TEST_ASSERT_MSG_EQ_TOL(rate, 0.05, 0.02, "about 5 % of the frames");

        // the rounds complete, with every device
        NS_TEST_ASSERT_MSG_EQ(lossy.watch.finished, 2U, "both fogs finish");
        NS_TEST_ASSERT_MSG_EQ(lossy.cloudRounds, 2U, "two global rounds");
        NS_TEST_ASSERT_MSG_EQ(lossy.globalSyncs, 4U, "each fog synchronised twice");
        for (const auto& [f, rounds] : lossy.watch.fogRounds)
        {
            NS_TEST_ASSERT_MSG_EQ(rounds.size(), 2U, "fog " << f << ": two rounds");
            for (const auto& s : rounds)
            {
                NS_TEST_ASSERT_MSG_EQ(s.stragglers.size(), 0U,
                                      "fog " << f << " round " << s.round << ": no straggler");
            }
        }
        for (const auto& s : lossy.watch.cloudRounds)
        {
            NS_TEST_ASSERT_MSG_EQ(s.stragglers.size(), 0U, "cloud round " << s.round);
        }
        for (uint32_t d = 0; d < 4; ++d)
        {
            NS_TEST_ASSERT_MSG_EQ(lossy.roundsTrained[d], 2U, "device " << d << " trained twice");
        }

        // every message that arrived carries the payload that was sent
        NS_TEST_ASSERT_MSG_GT(lossy.updatesArrived, 0U, "updates arrived");
        NS_TEST_ASSERT_MSG_GT(lossy.pushesArrived, 0U, "pushes arrived");
        NS_TEST_ASSERT_MSG_EQ(lossy.unmatched, 0U, "no module arrived that was not sent");
        NS_TEST_ASSERT_MSG_EQ(lossy.crcMismatches, 0U, "each payload's CRC-32C as sent");
        for (uint32_t d = 0; d < 4; ++d)
        {
            for (uint32_t round = 1; round <= 2; ++round)
            {
                for (const auto& id : lossy.deviceModules[d])
                {
                    NS_TEST_ASSERT_MSG_EQ(lossy.updatesAtFogs.count({d, round, id}), 1U,
                                          "device " << d << "'s " << id << " of round " << round
                                                    << " arrived once");
                }
            }
        }
        // values: what each device trained on is what its fog held when it pushed ...
        const auto& rec = *lossy.learner;
        for (uint32_t d = 0; d < 4; ++d)
        {
            const uint32_t f = d % 2;
            for (uint32_t round = 1; round <= 2; ++round)
            {
                const ModuleMap& pushed = round == 1 ? inner->GetInitialModules()
                                                     : lossy.watch.fogAfterSync.at(f).at(1);
                const auto given = rec.given.find({d, round});
                NS_TEST_ASSERT_MSG_EQ((given != rec.given.end()), true, "device " << d);
                for (const auto& [id, m] : given->second)
                {
                    NS_TEST_ASSERT_MSG_EQ(m->IsBitIdentical(*pushed.at(id)), true,
                                          "device " << d << " round " << round << ": " << id
                                                    << " as pushed");
                }
            }
        }
        // ... and each fog's aggregate is the FedAvg of what its devices sent, bit for bit
        auto fedavg = CreateObject<FedAvgRule>();
        for (uint32_t f = 0; f < 2; ++f)
        {
            for (uint32_t round = 1; round <= 2; ++round)
            {
                std::vector<std::pair<std::string, std::vector<std::shared_ptr<const ModuleState>>>>
                    offers;
                for (uint32_t d = f; d < 4; d += 2)
                {
                    offers.emplace_back(std::to_string(d), rec.trained.at({d, round}).modules);
                }
                const auto& atFog = lossy.watch.fogAfterRound.at(f).at(round);
                for (const auto& [id, result] : AggregateModules(*fedavg, offers))
                {
                    NS_TEST_ASSERT_MSG_EQ(result.state->IsBitIdentical(*atFog.at(id)), true,
                                          "fog " << f << " round " << round << ": " << id
                                                 << " from what the devices sent");
                }
            }
        }
        // and the whole run's modules are those of the run without loss
        for (const auto& [id, m] : clean.cloud)
        {
            NS_TEST_ASSERT_MSG_EQ(m->IsBitIdentical(*lossy.cloud.at(id)), true, "cloud " << id);
        }
        for (uint32_t f = 0; f < 2; ++f)
        {
            for (const auto& [id, m] : clean.fogs[f])
            {
                NS_TEST_ASSERT_MSG_EQ(m->IsBitIdentical(*lossy.fogs[f].at(id)), true,
                                      "fog " << f << " " << id);
            }
        }
        NS_TEST_ASSERT_MSG_EQ((clean.deviceBytesSent == lossy.deviceBytesSent), true,
                              "the devices sent the same bytes");

        NS_LOG_INFO("radio loss: " << lossy.dropped << " of " << lossy.frames
                                   << " frames dropped; fog 0 finished at " << lossy.end.As(Time::S)
                                   << " (without loss " << clean.end.As(Time::S) << "); "
                                   << lossy.updatesArrived << " updates and " << lossy.pushesArrived
                                   << " pushes arrived, " << lossy.crcMismatches
                                   << " CRC mismatches");
        // byte balance: every byte handed to TCP arrived
        const Bytes& b = lossy.bytes;
        NS_LOG_INFO("  bytes: devices sent "
                    << b.devicesSent << " (without loss " << clean.bytes.devicesSent
                    << "), cloud sent down " << b.cloudSentDown << ", fogs received "
                    << b.fogsReceived << "; fogs sent down " << b.fogsSentDown
                    << ", devices received " << b.devicesReceived << "; fogs sent up "
                    << b.fogsSentUp << ", the cloud received " << b.cloudReceived);
        NS_TEST_ASSERT_MSG_GT(b.devicesSent, 0U, "devices sent updates");
        NS_TEST_ASSERT_MSG_EQ(b.fogsReceived, b.devicesSent + b.cloudSentDown,
                              "fogs received what devices and the cloud sent");
        NS_TEST_ASSERT_MSG_EQ(b.devicesReceived, b.fogsSentDown, "devices received what fogs sent");
        NS_TEST_ASSERT_MSG_EQ(b.cloudReceived, b.fogsSentUp, "the cloud received what fogs sent");
    }
};

/**
 * Device 0's update arrives twice in round 1: its own upload, and a copy of the same
 * modules (same sender id and round, same values and weights) that its node sends again
 * while the round still waits for device 2, which trains slowly. The fog takes both copies
 * (each is a valid update of a participant) but counts device 0 once: each module's
 * aggregate weighs device 0's samples once, and its values are the FedAvg of devices 0 and 2
 * computed here, not one that weighs device 0 twice.
 */
class DuplicateUpdateTestCase : public TestCase
{
  public:
    DuplicateUpdateTestCase()
        : TestCase("an update that arrives twice in a round is counted once")
    {
    }

  private:
    void DoRun() override
    {
        RngSeedManager::SetSeed(5);
        RngSeedManager::SetRun(1);
        auto learner = std::make_shared<RecordingLearner>(TinyLearner(4));
        const FederatedTopology topology = WifiTopology(4, 2);
        FederatedMethod method;
        FederatedMethod::Parse("edge-only", method);
        FederatedHelper helper(learner);
        helper.SetFogStrategyAttribute("Rounds", UintegerValue(1));
        helper.SetFogAttribute("RoundDeadline", TimeValue(Seconds(3600)));
        const FederatedApps apps = helper.Install(topology, FourDevices(), method);
        apps.devices[2]->SetAttribute("MacsPerSecond", DoubleValue(1e8)); // trains > 1 s

        // device 0's node sends the same update again, 0.2 s after its own upload left
        Ptr<ModuleSourceApplication> copy;
        apps.devices[0]->TraceConnectWithoutContext(
            "TrainingDone",
            Callback<void, uint32_t, uint32_t, int64_t, double, Time>(
                [&](uint32_t, uint32_t round, int64_t, double, Time computeTime)
                {
                    ModuleSourceHelper source(
                        InetSocketAddress(topology.fogDeviceAddress[0], FederatedHelper::FOG_PORT));
                    source.SetAttribute("SenderId", UintegerValue(0));
                    source.SetAttribute("Round", UintegerValue(round));
                    copy = DynamicCast<ModuleSourceApplication>(
                        source.Install(topology.devices.Get(0)).Get(0));
                    copy->SetStartTime(computeTime + MilliSeconds(200));
                    for (const auto& m : learner->trained.at({0, round}).modules)
                    {
                        NS_TEST_EXPECT_MSG_EQ(copy->AddModule(m), "", "the copy encodes");
                    }
                }));
        std::map<std::string, std::vector<Time>> fromDevice0; // module -> arrivals taken
        std::vector<Time> refusedFromDevice0;                 // arrivals refused
        Time device2Last;
        apps.fogs[0]->TraceConnectWithoutContext(
            "ModuleRejected", Callback<void, uint32_t, const std::string&, const std::string&>(
                                  [&](uint32_t sender, const std::string&, const std::string&)
                                  {
                                      if (sender == 0)
                                      {
                                          refusedFromDevice0.push_back(Simulator::Now());
                                      }
                                  }));
        apps.fogs[0]->TraceConnectWithoutContext(
            "ModuleReceived", Callback<void, const MessageFields&>(
                                  [&](const MessageFields& m)
                                  {
                                      if (m.sender == 0)
                                      {
                                          fromDevice0[m.moduleId].push_back(Simulator::Now());
                                      }
                                      if (m.sender == 2)
                                      {
                                          device2Last = Simulator::Now();
                                      }
                                  }));
        Watch watch;
        watch.Attach(apps);
        Simulator::Stop(Seconds(30));
        Simulator::Run();

        NS_TEST_ASSERT_MSG_NE(copy, nullptr, "the copy was sent");
        NS_TEST_ASSERT_MSG_EQ(watch.fogRounds[0].size(), 1U, "fog 0 did its round");
        if (!copy || watch.fogRounds[0].size() != 1)
        {
            return; // ns-3's test runner goes on after a failed assertion
        }
        const auto& round = watch.fogRounds[0][0];
        const auto& sent = learner->trained.at({0, 1}).modules;
        // both copies of each module arrived while the round was open (the fog may take the
        // second or refuse it: either way it must count device 0 once)
        std::size_t arrived = refusedFromDevice0.size();
        for (const auto& m : sent)
        {
            const auto& taken = fromDevice0[m->GetModuleId()];
            NS_TEST_ASSERT_MSG_GT_OR_EQ(taken.size(), 1U, m->GetModuleId() << " was taken");
            arrived += taken.size();
            for (const auto& t : taken)
            {
                NS_TEST_ASSERT_MSG_LT(t, round.finished, "before the round closed");
            }
        }
        for (const auto& t : refusedFromDevice0)
        {
            NS_TEST_ASSERT_MSG_LT(t, round.finished, "before the round closed");
        }
        NS_TEST_ASSERT_MSG_EQ(arrived, 2 * sent.size(), "every module of device 0 came twice");
        NS_TEST_ASSERT_MSG_EQ(copy->GetSentCount(), sent.size(), "the copy sent every module");
        NS_TEST_ASSERT_MSG_EQ(round.stragglers.size(), 0U, "devices 0 and 2 reported");
        NS_TEST_ASSERT_MSG_EQ(round.finished, device2Last, "closed by device 2's last module");

        // device 0 counts once
        const double w0 = double(learner->GetTrainSamples(0));
        const double w2 = double(learner->GetTrainSamples(2));
        NS_TEST_ASSERT_MSG_EQ(watch.usedAtFog["0/1/adapter/0"], 2U, "devices 0 and 2");
        NS_TEST_ASSERT_MSG_EQ(watch.usedAtFog["0/1/head/fine"], 1U, "device 0 alone");
        NS_TEST_ASSERT_MSG_EQ_TOL(round.weights.at("adapter/0"), w0 + w2, 1e-9, "w0 + w2");
        NS_TEST_ASSERT_MSG_EQ_TOL(round.weights.at("head/fine"), w0, 1e-9, "w0, once");

        // values: (w0 x0 + w2 x2) / (w0 + w2), not (2 w0 x0 + w2 x2) / (2 w0 + w2)
        auto trainedBy = [&](uint32_t d, const std::string& id)
        {
            for (const auto& m : learner->trained.at({d, 1}).modules)
            {
                if (m->GetModuleId() == id)
                {
                    return m;
                }
            }
            return std::shared_ptr<const ModuleState>();
        };
        const auto x0 = trainedBy(0, "adapter/0");
        const auto x2 = trainedBy(2, "adapter/0");
        NS_TEST_ASSERT_MSG_EQ((x0 && x2), true, "both trained adapter/0");
        const auto& agg = apps.fogs[0]->GetModules().at("adapter/0");
        double once = 0.0;  // worst difference from the average that counts device 0 once
        double twice = 0.0; // the largest from the one that counts it twice
        for (std::size_t k = 0; k < agg->GetNumel(); ++k)
        {
            const double a = x0->GetData()[k];
            const double b = x2->GetData()[k];
            once = std::max(once, std::abs((w0 * a + w2 * b) / (w0 + w2) - agg->GetData()[k]));
            twice = std::max(twice,
                             std::abs((2 * w0 * a + w2 * b) / (2 * w0 + w2) - agg->GetData()[k]));
        }
        NS_TEST_ASSERT_MSG_LT(once, 1e-6, "the aggregate weighs device 0 once");
        NS_TEST_ASSERT_MSG_GT(twice, 1e-4, "and differs from one that weighs it twice");
        const auto head = trainedBy(0, "head/fine");
        const auto& headAtFog = apps.fogs[0]->GetModules().at("head/fine");
        double headDiff = 0.0;
        for (std::size_t k = 0; k < headAtFog->GetNumel(); ++k)
        {
            headDiff = std::max(
                headDiff, std::abs(double(head->GetData()[k]) - double(headAtFog->GetData()[k])));
        }
        NS_TEST_ASSERT_MSG_LT(headDiff, 1e-6, "head/fine: device 0's, as sent");

        NS_LOG_INFO("duplicate update: " << arrived << " messages of device 0 for " << sent.size()
                                         << " modules, " << refusedFromDevice0.size()
                                         << " refused; round closed at "
                                         << round.finished.As(Time::S) << "; adapter/0 over "
                                         << watch.usedAtFog["0/1/adapter/0"] << " devices, weight "
                                         << round.weights.at("adapter/0") << " (w0 " << w0
                                         << ", w2 " << w2 << "); largest difference " << once
                                         << " from the average counting device 0 once, " << twice
                                         << " from the one counting it twice");
        NS_LOG_INFO("  bytes: fog 0 received "
                    << apps.fogs[0]->GetBytesReceived() << ", device 0 sent "
                    << apps.devices[0]->GetBytesSent() << ", device 2 "
                    << apps.devices[2]->GetBytesSent() << ", the copy " << copy->GetBytesSent());
        // bytes: the fog received its devices' uploads and the copy
        NS_TEST_ASSERT_MSG_EQ(apps.fogs[0]->GetBytesReceived(),
                              apps.devices[0]->GetBytesSent() + apps.devices[2]->GetBytesSent()
                                  + copy->GetBytesSent(),
                              "fog 0 received every byte sent to it");
        Simulator::Destroy();
    }
};

class FaultInjectionTestSuite : public TestSuite
{
  public:
    FaultInjectionTestSuite()
        : TestSuite("hffm-fault-injection", UNIT)
    {
        AddTestCase(new BackhaulOutageTestCase, TestCase::QUICK);
        AddTestCase(new FogStopsTestCase, TestCase::QUICK);
        AddTestCase(new RadioLossTestCase, TestCase::QUICK);
        AddTestCase(new DuplicateUpdateTestCase, TestCase::QUICK);
    }
};

static FaultInjectionTestSuite g_faultInjectionTestSuite; //!< static instance

} // namespace
