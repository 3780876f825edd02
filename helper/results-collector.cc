/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/results-collector.h"

#include "ns3/device-scenario.h"
#include "ns3/distributed-run.h"
#include "ns3/inet-socket-address.h"
#include "ns3/m3t-spec.h"
#include "ns3/message-format.h"
#include "ns3/mobility-model.h"
#include "ns3/simulator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iterator>
#include <limits>
#include <sstream>

namespace ns3
{

namespace
{

/// What makes two devices' evaluations the same: their aggregator and their profile.
std::string
Key(uint32_t aggregator, const NodeProfile& p)
{
    std::ostringstream os;
    os << aggregator << ":";
    for (auto m : p.modalities)
    {
        os << ToString(m) << "+";
    }
    os << ":";
    for (const auto& t : p.tasks)
    {
        os << t << "+";
    }
    return os.str();
}

/// Per task, the accuracies of the devices that have it, in device order.
std::map<std::string, std::vector<double>>
PerTask(const std::vector<std::map<std::string, double>>& perDevice)
{
    std::map<std::string, std::vector<double>> perTask;
    for (const auto& device : perDevice)
    {
        for (const auto& [task, acc] : device)
        {
            perTask[task].push_back(acc);
        }
    }
    return perTask;
}

double
Mean(const std::vector<double>& v)
{
    double s = 0;
    for (double x : v)
    {
        s += x;
    }
    return v.empty() ? NAN : s / static_cast<double>(v.size());
}

double
StdDev(const std::vector<double>& v)
{
    if (v.size() < 2)
    {
        return 0.0;
    }
    const double m = Mean(v);
    double s = 0;
    for (double x : v)
    {
        s += (x - m) * (x - m);
    }
    return std::sqrt(s / static_cast<double>(v.size() - 1));
}

/// Bytes of a module message on the wire: header and payload.
uint64_t
Bytes(const MessageFields& f)
{
    return MessageFormat::HeaderSize(f.moduleId.size()) + f.payloadLength;
}

/// \return whether device \p i takes part in the run (is its aggregator's child, or a member
/// of a D2D cluster)
bool
TakesPart(const FederatedApps& apps, std::size_t i)
{
    if (!apps.clusterApps.empty())
    {
        return apps.clusterApps[i] != nullptr;
    }
    const auto children = apps.fogs[apps.aggregatorOf[i]]->GetChildIds();
    return std::binary_search(children.begin(), children.end(), static_cast<uint32_t>(i));
}

/// What a rank tells the others, as text: numbers exactly (doubles in hexadecimal).
class Packer
{
  public:
    Packer& U(uint64_t v)
    {
        m_os << v << ' ';
        return *this;
    }

    Packer& I(int64_t v)
    {
        m_os << v << ' ';
        return *this;
    }

    Packer& D(double v)
    {
        char text[64];
        std::snprintf(text, sizeof(text), "%a ", v);
        m_os << text;
        return *this;
    }

    Packer& S(const std::string& v)
    {
        m_os << v.size() << ':' << v;
        return *this;
    }

    std::string Str() const { return m_os.str(); }

  private:
    std::ostringstream m_os;
};

/// Reads what a Packer wrote, in the same order.
class Unpacker
{
  public:
    explicit Unpacker(const std::string& text)
        : m_text(text)
    {
    }

    uint64_t U() { return std::strtoull(Token().c_str(), nullptr, 10); }

    int64_t I() { return std::strtoll(Token().c_str(), nullptr, 10); }

    double D() { return std::strtod(Token().c_str(), nullptr); }

    std::string S()
    {
        const std::size_t colon = m_text.find(':', m_pos);
        NS_ABORT_MSG_IF(colon == std::string::npos, "ResultsCollector: truncated exchange");
        const std::size_t n
            = std::strtoull(m_text.substr(m_pos, colon - m_pos).c_str(), nullptr, 10);
        std::string v = m_text.substr(colon + 1, n);
        m_pos = colon + 1 + n;
        return v;
    }

  private:
    std::string Token()
    {
        const std::size_t space = m_text.find(' ', m_pos);
        NS_ABORT_MSG_IF(space == std::string::npos, "ResultsCollector: truncated exchange");
        std::string token = m_text.substr(m_pos, space - m_pos);
        m_pos = space + 1;
        return token;
    }

    const std::string& m_text;
    std::size_t m_pos{0};
};

} // namespace

ResultsCollector::ResultsCollector(const FederatedTopology& topology, const FederatedApps& apps,
                                   const std::vector<DeviceSpec>& specs,
                                   const FederatedMethod& method, FederatedLearner& learner,
                                   Time start, const Options& options)
    : m_topology(topology)
    , m_apps(apps)
    , m_specs(specs)
    , m_method(method)
    , m_learner(learner)
    , m_start(start)
    , m_options(options)
{
    NS_ABORT_MSG_IF(!options.chunk.IsStrictlyPositive(), "ResultsCollector: chunk is not > 0");
    for (std::size_t i = 0; i < topology.d2dAddress.size(); ++i)
    {
        m_d2dPeer[topology.d2dAddress[i]] = static_cast<uint32_t>(i);
    }
    m_topology.energy->KeepHistory();
    Connect();
}

bool
ResultsCollector::IsLocalDevice(std::size_t i) const
{
    return m_topology.IsLocalDevice(static_cast<uint32_t>(i));
}

bool
ResultsCollector::IsLocalAggregator(std::size_t a) const
{
    return m_method.star ? m_topology.partition.IsCloudLocal()
                         : m_topology.partition.IsLocalFog(static_cast<uint32_t>(a));
}

double
ResultsCollector::Distance(uint32_t a, uint32_t b) const
{
    return std::max(1.0, m_topology.devices.Get(a)->GetObject<MobilityModel>()->GetDistanceFrom(
                             m_topology.devices.Get(b)->GetObject<MobilityModel>()));
}

void
ResultsCollector::Connect()
{
    const bool star = m_method.star;
    for (std::size_t i = 0; i < m_apps.devices.size(); ++i)
    {
        if (!IsLocalDevice(i))
        {
            continue;
        }
        const double watts = m_specs[i].computePower;
        m_apps.devices[i]->TraceConnectWithoutContext(
            "TrainingDone", Callback<void, uint32_t, uint32_t, int64_t, double, Time>(
                                [this, watts, i](uint32_t, uint32_t r, int64_t, double, Time t)
                                { m_computeJoules[r][i] += watts * t.GetSeconds(); }));
        if (m_method.d2d)
        {
            continue; // a device's uploads go to its cluster node over loopback
        }
        m_apps.devices[i]->TraceConnectWithoutContext(
            "ModuleSent", Callback<void, const MessageFields&>(
                              [this, i, star](const MessageFields& f)
                              {
                                  m_tagged[f.round].deviceUp += Bytes(f);
                                  m_upBits[f.round][i] += 8.0 * Bytes(f);
                                  m_tagged[f.round].backhaul += star ? Bytes(f) : 0;
                              }));
    }
    for (std::size_t i = 0; i < m_apps.clusterApps.size(); ++i)
    {
        if (!m_apps.clusterApps[i] || !IsLocalDevice(i))
        {
            continue;
        }
        m_apps.clusterApps[i]->TraceConnectWithoutContext(
            "ModuleSent",
            Callback<void, const MessageFields&, const Address&>(
                [this, i](const MessageFields& m, const Address& to)
                {
                    const auto a = InetSocketAddress::ConvertFrom(to);
                    if (a.GetIpv4() == Ipv4Address::GetLoopback())
                    {
                        return; // to its own device, not on air
                    }
                    if (m.type == MessageType::MODULE_UPDATE
                        && a.GetPort() == FederatedHelper::FOG_PORT)
                    {
                        m_tagged[m.round].deviceUp += Bytes(m); // the cluster's upload
                        m_upBits[m.round][i] += 8.0 * Bytes(m);
                    }
                    else
                    {
                        m_tagged[m.round].d2d += Bytes(m);
                        const auto peer = m_d2dPeer.find(a.GetIpv4());
                        if (m.type != MessageType::MODULE_PUSH && peer != m_d2dPeer.end())
                        {
                            m_d2dSends[m.round].emplace_back(
                                Simulator::Now().GetTimeStep(),
                                ClosedFormD2dSend{static_cast<uint32_t>(i), 8.0 * Bytes(m),
                                                  Distance(static_cast<uint32_t>(i), peer->second),
                                                  1.0});
                        }
                    }
                }));
    }
    for (std::size_t a = 0; a < m_apps.fogs.size(); ++a)
    {
        if (!IsLocalAggregator(a))
        {
            continue;
        }
        const auto& f = m_apps.fogs[a];
        f->TraceConnectWithoutContext(
            "ModuleSent", Callback<void, const MessageFields&, const Address&>(
                              [this, star](const MessageFields& m, const Address&)
                              {
                                  const bool down = m.type == MessageType::MODULE_PUSH;
                                  if (!down)
                                  {
                                      m_backhaulBits[m.round][m.sender] += 8.0 * Bytes(m);
                                  }
                                  (down ? m_tagged[m.round].deviceDown : m_tagged[m.round].backhaul)
                                      += Bytes(m);
                                  m_tagged[m.round].backhaul += star && down ? Bytes(m) : 0;
                              }));
        f->TraceConnectWithoutContext("RoundDone", Callback<void, const RoundSummary&>(
                                                       [this](const RoundSummary& summary) {
                                                           m_tagged[summary.round].stragglers
                                                               += static_cast<uint32_t>(
                                                                   summary.stragglers.size());
                                                       }));
        const auto aggregator = static_cast<uint32_t>(a);
        m_versions[aggregator].emplace_back(std::numeric_limits<int64_t>::min(), f->GetModules());
        f->TraceConnectWithoutContext(
            "ModulesChanged",
            Callback<void, const ModuleMap&>(
                [this, aggregator](const ModuleMap& modules)
                { m_versions[aggregator].emplace_back(Simulator::Now().GetTimeStep(), modules); }));
        f->GetStrategy()->TraceConnectWithoutContext(
            "RoundComplete",
            Callback<void, uint32_t>(
                [this, aggregator](uint32_t r)
                { m_completed.emplace_back(aggregator, r, Simulator::Now().GetTimeStep()); }));
        f->GetStrategy()->TraceConnectWithoutContext(
            "Finished", Callback<void>([this]() { ++m_localFinished; }));
    }
    if (m_apps.cloud && m_topology.partition.IsCloudLocal())
    {
        m_apps.cloud->TraceConnectWithoutContext(
            "ModuleSent", Callback<void, const MessageFields&, const Address&>(
                              [this](const MessageFields& m, const Address&)
                              { m_tagged[m.round].backhaul += Bytes(m); }));
    }
}

bool
ResultsCollector::Run(Time limit)
{
    while (m_finished < m_apps.fogs.size() && Simulator::Now() < limit)
    {
        Simulator::Stop(std::min(m_options.chunk, limit - Simulator::Now()));
        Simulator::Run();
        EndChunk();
    }
    return m_finished == m_apps.fogs.size();
}

void
ResultsCollector::EndChunk()
{
    Packer mine;
    mine.U(m_localFinished).U(m_completed.size());
    for (const auto& [a, r, t] : m_completed)
    {
        mine.U(a).U(r).I(t);
    }
    m_completed.clear();
    m_localFinished = 0;
    for (const std::string& part : DistributedRun::AllGather(mine.Str()))
    {
        Unpacker in(part);
        m_finished += static_cast<uint32_t>(in.U());
        const uint64_t n = in.U();
        for (uint64_t k = 0; k < n; ++k)
        {
            in.U(); // the aggregator
            const auto r = static_cast<uint32_t>(in.U());
            const int64_t t = in.I();
            ++m_completedBy[r];
            m_endOf[r] = m_endOf.count(r) ? std::max(m_endOf[r], t) : t;
        }
    }
    const Time now = Simulator::Now();
    if (!m_startObserved && now >= m_start)
    {
        m_energyAtStart.assign(m_apps.devices.size(), 0.0);
        for (std::size_t i = 0; i < m_apps.devices.size(); ++i)
        {
            if (IsLocalDevice(i))
            {
                m_energyAtStart[i]
                    = m_topology.energy->GetEnergyAt(static_cast<uint32_t>(i), m_start);
            }
        }
        m_startObserved = true;
    }
    // rounds end in order: every aggregator completes its rounds one after another
    while (m_completedBy.count(m_nextRound) && m_completedBy[m_nextRound] == m_apps.fogs.size())
    {
        ObserveRound(m_nextRound, TimeStep(m_endOf[m_nextRound]));
        ++m_nextRound;
    }
    // a round that ends later ends at this chunk's end or after it
    if (m_startObserved)
    {
        m_topology.energy->ForgetBefore(now);
        for (auto& [a, versions] : m_versions)
        {
            auto first = std::upper_bound(versions.begin(), versions.end(), now.GetTimeStep(),
                                          [](int64_t time, const std::pair<int64_t, ModuleMap>& v)
                                          { return time < v.first; });
            if (first != versions.begin())
            {
                versions.erase(versions.begin(), std::prev(first));
            }
        }
    }
}

void
ResultsCollector::ObserveRound(uint32_t r, Time time)
{
    auto& energy = m_energyAt[r];
    energy.assign(m_apps.devices.size(), 0.0);
    for (std::size_t i = 0; i < m_apps.devices.size(); ++i)
    {
        if (IsLocalDevice(i))
        {
            energy[i] = m_topology.energy->GetEnergyAt(static_cast<uint32_t>(i), time);
        }
    }
    const uint32_t every = m_options.evalEvery;
    if (every > 0 && (r % every == 0 || r == m_options.rounds))
    {
        m_roundAccuracy[r] = EvaluateLocal(time);
    }
    if (m_options.progress && DistributedRun::GetRank() == 0)
    {
        *m_options.progress << "  " << m_method.name << " round " << r << "/" << m_options.rounds
                            << ": " << std::fixed << std::setprecision(2) << time.GetSeconds()
                            << " s simulated, " << (m_options.wall ? m_options.wall() : 0.0)
                            << " s wall" << std::endl;
    }
}

std::vector<std::map<std::string, double>>
ResultsCollector::EvaluateLocal(Time time)
{
    std::map<std::string, std::map<std::string, double>> cache;
    std::vector<std::map<std::string, double>> perDevice(m_apps.devices.size());
    for (std::size_t i = 0; i < m_apps.devices.size(); ++i)
    {
        const uint32_t a = m_apps.aggregatorOf[i];
        if (!IsLocalAggregator(a) || !TakesPart(m_apps, i))
        {
            continue;
        }
        const std::string key = Key(a, m_specs[i].profile);
        if (!cache.count(key))
        {
            // the version in use at time: the last that began at or before it
            const auto& versions = m_versions.at(a);
            const auto after = std::upper_bound(
                versions.begin(), versions.end(), time.GetTimeStep(),
                [](int64_t t, const std::pair<int64_t, ModuleMap>& v) { return t < v.first; });
            NS_ABORT_MSG_IF(after == versions.begin(), "ResultsCollector: no modules at " << time);
            cache[key] = m_learner.Evaluate(std::prev(after)->second, m_specs[i].profile);
        }
        perDevice[i] = cache[key];
    }
    return perDevice;
}

std::string
ResultsCollector::Pack() const
{
    Packer p;
    const std::size_t n = m_apps.devices.size();
    // tagged bytes and stragglers, by round
    p.U(m_tagged.size());
    for (const auto& [r, t] : m_tagged)
    {
        p.U(r).U(t.deviceUp).U(t.deviceDown).U(t.backhaul).U(t.d2d).U(t.stragglers);
    }
    auto packPerDevice = [&p](const std::map<uint32_t, std::map<std::size_t, double>>& byRound)
    {
        p.U(byRound.size());
        for (const auto& [r, devices] : byRound)
        {
            p.U(r).U(devices.size());
            for (const auto& [i, v] : devices)
            {
                p.U(i).D(v);
            }
        }
    };
    packPerDevice(m_computeJoules);
    packPerDevice(m_upBits);
    p.U(m_backhaulBits.size());
    for (const auto& [r, fogs] : m_backhaulBits)
    {
        p.U(r).U(fogs.size());
        for (const auto& [f, v] : fogs)
        {
            p.U(f).D(v);
        }
    }
    p.U(m_d2dSends.size());
    for (const auto& [r, sends] : m_d2dSends)
    {
        p.U(r).U(sends.size());
        for (const auto& [t, send] : sends)
        {
            p.I(t).U(send.sender).D(send.bits).D(send.distanceM).D(send.fading);
        }
    }
    // per device of this rank: energy at the start and at each round's end, totals
    auto packMap = [&p](const std::map<std::string, double>& m)
    {
        p.U(m.size());
        for (const auto& [k, v] : m)
        {
            p.S(k).D(v);
        }
    };
    uint64_t local = 0;
    for (std::size_t i = 0; i < n; ++i)
    {
        local += IsLocalDevice(i) ? 1 : 0;
    }
    p.U(local);
    for (std::size_t i = 0; i < n; ++i)
    {
        if (!IsLocalDevice(i))
        {
            continue;
        }
        const auto index = static_cast<uint32_t>(i);
        const auto& d = m_apps.devices[i];
        const auto fog
            = m_topology.radioPoints.Get(m_topology.fogOf[i])->GetObject<MobilityModel>();
        p.U(i).D(m_energyAtStart.empty() ? 0.0 : m_energyAtStart[i]);
        p.U(d->GetRoundsTrained())
            .D(m_topology.energy->GetAirtime(index).GetSeconds())
            .D(m_topology.energy->GetEnergy(index))
            .D(d->GetComputeTime().GetSeconds())
            .D(d->GetComputeEnergy())
            .U(d->GetBytesSent())
            .U(d->GetBytesReceived())
            .D(std::max(
                1.0,
                m_topology.devices.Get(index)->GetObject<MobilityModel>()->GetDistanceFrom(fog)));
        p.U(m_energyAt.size());
        for (const auto& [r, energy] : m_energyAt)
        {
            p.U(r).D(energy[i]);
        }
    }
    // accuracy of the devices of this rank's aggregators: per evaluated round, and final
    auto packAccuracy = [&](const std::vector<std::map<std::string, double>>& perDevice)
    {
        uint64_t count = 0;
        for (const auto& m : perDevice)
        {
            count += m.empty() ? 0 : 1;
        }
        p.U(count);
        for (std::size_t i = 0; i < perDevice.size(); ++i)
        {
            if (!perDevice[i].empty())
            {
                p.U(i);
                packMap(perDevice[i]);
            }
        }
    };
    p.U(m_roundAccuracy.size());
    for (const auto& [r, perDevice] : m_roundAccuracy)
    {
        p.U(r);
        packAccuracy(perDevice);
    }
    packAccuracy(m_result.deviceAccuracy);
    // rejections and rebuilds
    uint64_t rejected = 0;
    for (std::size_t a = 0; a < m_apps.fogs.size(); ++a)
    {
        rejected += IsLocalAggregator(a) ? m_apps.fogs[a]->GetRejectedCount() : 0;
    }
    if (m_apps.cloud && m_topology.partition.IsCloudLocal())
    {
        rejected += m_apps.cloud->GetRejectedCount();
    }
    for (std::size_t i = 0; i < n; ++i)
    {
        rejected += IsLocalDevice(i) ? m_apps.devices[i]->GetRejectedCount() : 0;
    }
    uint64_t rebuilds = 0;
    for (const auto& tree : m_apps.clusterTrees)
    {
        rebuilds += tree->GetRebuilds();
    }
    p.U(rejected).U(rebuilds);
    return p.Str();
}

void
ResultsCollector::Merge(const std::string& packed)
{
    Unpacker in(packed);
    for (uint64_t k = in.U(); k > 0; --k)
    {
        RoundRow& t = m_tagged[static_cast<uint32_t>(in.U())];
        t.deviceUp += in.U();
        t.deviceDown += in.U();
        t.backhaul += in.U();
        t.d2d += in.U();
        t.stragglers += static_cast<uint32_t>(in.U());
    }
    auto mergePerDevice = [&in](std::map<uint32_t, std::map<std::size_t, double>>& byRound)
    {
        for (uint64_t k = in.U(); k > 0; --k)
        {
            auto& devices = byRound[static_cast<uint32_t>(in.U())];
            for (uint64_t j = in.U(); j > 0; --j)
            {
                const auto i = static_cast<std::size_t>(in.U());
                devices[i] = in.D(); // a device is observed by one rank
            }
        }
    };
    mergePerDevice(m_computeJoules);
    mergePerDevice(m_upBits);
    for (uint64_t k = in.U(); k > 0; --k)
    {
        auto& fogs = m_backhaulBits[static_cast<uint32_t>(in.U())];
        for (uint64_t j = in.U(); j > 0; --j)
        {
            const auto f = static_cast<uint32_t>(in.U());
            fogs[f] = in.D(); // a fog is observed by one rank
        }
    }
    for (uint64_t k = in.U(); k > 0; --k)
    {
        auto& sends = m_d2dSends[static_cast<uint32_t>(in.U())];
        for (uint64_t j = in.U(); j > 0; --j)
        {
            const int64_t t = in.I();
            ClosedFormD2dSend send;
            send.sender = static_cast<uint32_t>(in.U());
            send.bits = in.D();
            send.distanceM = in.D();
            send.fading = in.D();
            sends.emplace_back(t, send);
        }
    }
    auto unpackMap = [&in]()
    {
        std::map<std::string, double> m;
        for (uint64_t k = in.U(); k > 0; --k)
        {
            const std::string key = in.S();
            m[key] = in.D();
        }
        return m;
    };
    const std::size_t n = m_apps.devices.size();
    m_totals.resize(n);
    m_energyAtStart.resize(n, 0.0);
    for (uint64_t k = in.U(); k > 0; --k)
    {
        const auto i = static_cast<std::size_t>(in.U());
        m_energyAtStart[i] = in.D();
        DeviceTotals& d = m_totals[i];
        d.roundsTrained = static_cast<uint32_t>(in.U());
        d.airtime = in.D();
        d.radioEnergy = in.D();
        d.computeTime = in.D();
        d.computeEnergy = in.D();
        d.bytesSent = in.U();
        d.bytesReceived = in.U();
        d.uploadDistance = in.D();
        for (uint64_t j = in.U(); j > 0; --j)
        {
            auto& energy = m_energyAt[static_cast<uint32_t>(in.U())];
            energy.resize(n, 0.0);
            energy[i] = in.D();
        }
    }
    auto unpackAccuracy = [&](std::vector<std::map<std::string, double>>& perDevice)
    {
        perDevice.resize(n);
        for (uint64_t k = in.U(); k > 0; --k)
        {
            const auto i = static_cast<std::size_t>(in.U());
            perDevice[i] = unpackMap();
        }
    };
    for (uint64_t k = in.U(); k > 0; --k)
    {
        unpackAccuracy(m_roundAccuracy[static_cast<uint32_t>(in.U())]);
    }
    unpackAccuracy(m_result.deviceAccuracy);
    m_result.rejected += in.U();
    m_result.treeRebuilds += static_cast<uint32_t>(in.U());
}

const MethodRun&
ResultsCollector::Finish()
{
    m_result.deviceAccuracy = EvaluateLocal(Simulator::Now());
    const std::vector<std::string> parts = DistributedRun::AllGather(Pack());
    // from here on, the whole run's observations, as rank 0 merges them
    m_tagged.clear();
    m_computeJoules.clear();
    m_upBits.clear();
    m_backhaulBits.clear();
    m_d2dSends.clear();
    m_energyAt.clear();
    m_energyAtStart.clear();
    m_roundAccuracy.clear();
    m_totals.clear();
    m_result = MethodRun();
    if (DistributedRun::GetRank() != 0)
    {
        return m_result;
    }
    for (const std::string& part : parts)
    {
        Merge(part);
    }
    const std::size_t n = m_apps.devices.size();
    auto radioTotal = [n](const std::vector<double>& perDevice)
    {
        double sum = 0.0;
        for (std::size_t i = 0; i < n; ++i)
        {
            sum += perDevice[i];
        }
        return sum;
    };
    double lastRadio = radioTotal(m_energyAtStart);
    for (uint32_t r = 1; r < m_nextRound; ++r)
    {
        RoundRow row;
        row.round = r;
        row.time = TimeStep(m_endOf.at(r)).GetSeconds();
        row.latency
            = row.time
              - (m_result.rounds.empty() ? m_start.GetSeconds() : m_result.rounds.back().time);
        const double radioNow = radioTotal(m_energyAt.at(r));
        row.radioEnergy = radioNow - lastRadio;
        lastRadio = radioNow;
        const RoundRow& t = m_tagged[r];
        row.stragglers = t.stragglers;
        for (const auto& [i, joules] : m_computeJoules[r])
        {
            row.computeEnergy += joules;
        }
        row.deviceUp = t.deviceUp;
        row.deviceDown = t.deviceDown;
        row.backhaul = t.backhaul;
        row.d2d = t.d2d;
        const auto evaluated = m_roundAccuracy.find(r);
        if (evaluated != m_roundAccuracy.end())
        {
            for (const auto& [task, accs] : PerTask(evaluated->second))
            {
                row.accuracy[task] = Mean(accs);
            }
        }
        std::vector<ClosedFormUpload> uploads;
        std::map<uint32_t, double> fogBits = m_backhaulBits[r];
        for (const auto& [device, b] : m_upBits[r])
        {
            uploads.push_back({b, m_totals.at(device).uploadDistance, 1.0});
            if (m_method.star)
            {
                fogBits[m_topology.fogOf[device]] += b; // every upload crosses the backhaul
            }
        }
        std::vector<double> perFog;
        for (const auto& [fog, b] : fogBits)
        {
            perFog.push_back(b);
        }
        // the sends in the order they were made (by sender at equal times)
        auto& timed = m_d2dSends[r];
        std::stable_sort(timed.begin(), timed.end(),
                         [](const auto& x, const auto& y) {
                             return x.first != y.first ? x.first < y.first
                                                       : x.second.sender < y.second.sender;
                         });
        std::vector<ClosedFormD2dSend> sends;
        for (const auto& [time, send] : timed)
        {
            sends.push_back(send);
        }
        const TransferCost cf = ClosedFormRound(m_options.closedForm, uploads, perFog, sends);
        row.closedFormLatency = cf.seconds;
        row.closedFormEnergy = cf.joules;
        m_result.rounds.push_back(row);
    }
    m_result.accuracy = PerTask(m_result.deviceAccuracy);
    return m_result;
}

std::vector<std::map<std::string, double>>
ResultsCollector::EvaluateDevices(FederatedLearner& learner, const FederatedApps& apps,
                                  const std::vector<DeviceSpec>& specs)
{
    std::map<std::string, std::map<std::string, double>> cache;
    std::vector<std::map<std::string, double>> perDevice(apps.devices.size());
    for (std::size_t i = 0; i < apps.devices.size(); ++i)
    {
        const uint32_t a = apps.aggregatorOf[i];
        if (!TakesPart(apps, i))
        {
            continue;
        }
        const std::string key = Key(a, specs[i].profile);
        if (!cache.count(key))
        {
            cache[key] = learner.Evaluate(apps.fogs[a]->GetModules(), specs[i].profile);
        }
        perDevice[i] = cache[key];
    }
    return perDevice;
}

void
ResultsCollector::WriteNodes(std::ostream& nodes, uint32_t seed) const
{
    nodes << "method,seed,device,aggregator,modalities,tasks,train_samples,"
             "rounds_trained,radio_airtime_s,radio_energy_J,compute_time_s,"
             "compute_energy_J,bytes_sent,bytes_received";
    for (const auto& t : DefaultTasks())
    {
        nodes << ",acc_" << t.name << "_pct";
    }
    nodes << "\n";
    for (std::size_t i = 0; i < m_apps.devices.size(); ++i)
    {
        const DeviceTotals& d = m_totals.at(i);
        // the scenario line's first two fields: modalities and tasks
        std::string line = FormatScenarioLine(m_specs[i]);
        line = line.substr(0, line.find(',', line.find(',') + 1));
        nodes << m_method.name << "," << seed << "," << i << "," << m_apps.aggregatorOf[i] << ","
              << line << "," << m_learner.GetTrainSamples(i) << "," << d.roundsTrained << ","
              << d.airtime << "," << d.radioEnergy << "," << d.computeTime << "," << d.computeEnergy
              << "," << d.bytesSent << "," << d.bytesReceived;
        // final accuracy on each of its tasks; empty for a task it lacks or a device that took
        // no part (summary.csv's mean and spread are over these cells)
        for (const auto& t : DefaultTasks())
        {
            nodes << ",";
            const auto it = m_result.deviceAccuracy[i].find(t.name);
            if (it != m_result.deviceAccuracy[i].end())
            {
                nodes << std::setprecision(12) << 100.0 * it->second << std::setprecision(6);
            }
        }
        nodes << "\n";
    }
}

void
ResultsCollector::WriteRounds(std::ostream& csv, uint32_t seed) const
{
    csv << std::setprecision(12); // summary.csv can be remade from these rows
    csv << "method,seed,round,time_s,latency_s,radio_energy_J,compute_energy_J,"
           "device_up_bytes,device_down_bytes,backhaul_bytes,d2d_bytes,stragglers,"
           "closed_form_latency_s,closed_form_energy_J";
    for (const auto& t : DefaultTasks())
    {
        csv << ",acc_" << t.name << "_pct";
    }
    csv << "\n";
    for (const auto& row : m_result.rounds)
    {
        csv << m_method.name << "," << seed << "," << row.round << "," << row.time << ","
            << row.latency << "," << row.radioEnergy << "," << row.computeEnergy << ","
            << row.deviceUp << "," << row.deviceDown << "," << row.backhaul << "," << row.d2d << ","
            << row.stragglers << "," << row.closedFormLatency << "," << row.closedFormEnergy;
        for (const auto& t : DefaultTasks())
        {
            csv << ",";
            const auto it = row.accuracy.find(t.name);
            if (it != row.accuracy.end())
            {
                csv << 100.0 * it->second;
            }
        }
        csv << "\n";
    }
}

void
ResultsCollector::WriteRun(std::ostream& os, uint32_t seed, const std::string& radio,
                           uint32_t devices, uint32_t fogs) const
{
    os << "method,seed,radio,devices,fogs,rounds,rejected,d2d_tree_rebuilds\n"
       << m_method.name << "," << seed << "," << radio << "," << devices << "," << fogs << ","
       << m_options.rounds << "," << m_result.rejected << "," << m_result.treeRebuilds << "\n";
}

void
ResultsCollector::SummaryTable(const std::vector<FederatedMethod>& methods,
                               const std::map<std::string, std::vector<MethodRun>>& results,
                               const std::string& radio, uint32_t devices, uint32_t fogs,
                               uint32_t rounds, std::ostream& csv, std::ostream& text)
{
    csv << "method,radio,devices,fogs,seeds,rounds,latency_per_round_s,radio_energy_per_round_J,"
           "compute_energy_per_round_J,energy_per_round_J";
    text << std::left << std::setw(14) << "method" << std::right << std::setw(7) << "rounds"
         << std::setw(12) << "latency/rd" << std::setw(12) << "radio J/rd" << std::setw(14)
         << "compute J/rd";
    for (const auto& t : DefaultTasks())
    {
        csv << ",acc_" << t.name << "_pct,acc_" << t.name << "_std";
        text << std::setw(16) << ("acc " + t.name + " %");
    }
    csv << ",device_up_bytes,device_down_bytes,backhaul_bytes,d2d_bytes,stragglers,rejected,"
           "closed_form_latency_per_round_s,closed_form_energy_per_round_J,d2d_tree_rebuilds\n";
    text << std::setw(14) << "device up MB" << std::setw(14) << "device dn MB" << std::setw(14)
         << "backhaul MB" << std::setw(10) << "D2D MB" << std::setw(14) << "formula s/rd"
         << std::setw(14) << "formula J/rd"
         << "\n";
    static const std::vector<MethodRun> none;
    for (const auto& method : methods)
    {
        const auto found = results.find(method.name);
        const auto& runs = found == results.end() ? none : found->second;
        double latency = 0, radioJ = 0, computeJ = 0, cfLatency = 0, cfEnergy = 0;
        uint64_t up = 0, down = 0, backhaul = 0, d2d = 0, straggling = 0, rejected = 0;
        uint32_t rebuilds = 0;
        std::size_t roundCount = 0;
        std::map<std::string, std::vector<double>> acc;
        for (const auto& r : runs)
        {
            for (const auto& row : r.rounds)
            {
                latency += row.latency;
                cfLatency += row.closedFormLatency;
                cfEnergy += row.closedFormEnergy;
                radioJ += row.radioEnergy;
                computeJ += row.computeEnergy;
                up += row.deviceUp;
                down += row.deviceDown;
                backhaul += row.backhaul;
                d2d += row.d2d;
                straggling += row.stragglers;
                ++roundCount;
            }
            rejected += r.rejected;
            rebuilds += r.treeRebuilds;
            for (const auto& [task, v] : r.accuracy)
            {
                acc[task].insert(acc[task].end(), v.begin(), v.end());
            }
        }
        const double n = roundCount ? static_cast<double>(roundCount) : NAN;
        const double perSeed = static_cast<double>(runs.size());
        csv << method.name << "," << radio << "," << devices << "," << fogs << "," << runs.size()
            << "," << rounds << "," << latency / n << "," << radioJ / n << "," << computeJ / n
            << "," << (radioJ + computeJ) / n;
        text << std::left << std::setw(14) << method.name << std::right << std::setw(7) << rounds
             << std::fixed << std::setprecision(3) << std::setw(12) << latency / n << std::setw(12)
             << radioJ / n << std::setw(14) << computeJ / n;
        for (const auto& t : DefaultTasks())
        {
            const auto& v = acc[t.name];
            csv << "," << 100.0 * Mean(v) << "," << 100.0 * StdDev(v);
            std::ostringstream cell;
            cell << std::fixed << std::setprecision(2) << 100.0 * Mean(v) << " ± "
                 << 100.0 * StdDev(v);
            text << std::setw(17) << cell.str();
        }
        csv << "," << std::llround(up / perSeed) << "," << std::llround(down / perSeed) << ","
            << std::llround(backhaul / perSeed) << "," << std::llround(d2d / perSeed) << ","
            << straggling << "," << rejected << "," << cfLatency / n << "," << cfEnergy / n << ","
            << rebuilds << "\n";
        text << std::setw(14) << up / perSeed / 1e6 << std::setw(14) << down / perSeed / 1e6
             << std::setw(14) << backhaul / perSeed / 1e6 << std::setw(10) << d2d / perSeed / 1e6
             << std::setw(14) << cfLatency / n << std::setw(14) << cfEnergy / n << "\n";
    }
}

} // namespace ns3
