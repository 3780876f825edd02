/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/results-collector.h"

#include "ns3/device-scenario.h"
#include "ns3/inet-socket-address.h"
#include "ns3/m3t-spec.h"
#include "ns3/message-format.h"
#include "ns3/mobility-model.h"
#include "ns3/simulator.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
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
    for (std::size_t i = 0; i < topology.d2dAddress.size(); ++i)
    {
        m_d2dPeer[topology.d2dAddress[i]] = static_cast<uint32_t>(i);
    }
    Connect();
}

double
ResultsCollector::Distance(uint32_t a, uint32_t b) const
{
    return std::max(1.0, m_topology.devices.Get(a)->GetObject<MobilityModel>()->GetDistanceFrom(
                             m_topology.devices.Get(b)->GetObject<MobilityModel>()));
}

double
ResultsCollector::RadioTotal() const
{
    double sum = 0.0;
    for (std::size_t i = 0; i < m_apps.devices.size(); ++i)
    {
        sum += m_topology.energy->GetEnergy(static_cast<uint32_t>(i));
    }
    return sum;
}

void
ResultsCollector::Connect()
{
    const bool star = m_method.star;
    for (std::size_t i = 0; i < m_apps.devices.size(); ++i)
    {
        const double watts = m_specs[i].computePower;
        m_apps.devices[i]->TraceConnectWithoutContext(
            "TrainingDone", Callback<void, uint32_t, uint32_t, int64_t, double, Time>(
                                [this, watts](uint32_t, uint32_t r, int64_t, double, Time t)
                                { m_tagged[r].computeEnergy += watts * t.GetSeconds(); }));
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
        if (!m_apps.clusterApps[i])
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
                            m_d2dSends[m.round].push_back(
                                {static_cast<uint32_t>(i), 8.0 * Bytes(m),
                                 Distance(static_cast<uint32_t>(i), peer->second), 1.0});
                        }
                    }
                }));
    }
    for (const auto& f : m_apps.fogs)
    {
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
    }
    if (m_apps.cloud)
    {
        m_apps.cloud->TraceConnectWithoutContext(
            "ModuleSent", Callback<void, const MessageFields&, const Address&>(
                              [this](const MessageFields& m, const Address&)
                              { m_tagged[m.round].backhaul += Bytes(m); }));
    }
    // joining the network (association, attach) before the first round is not a round's
    Simulator::Schedule(m_start, [this]() { m_lastRadio = RadioTotal(); });
    for (const auto& f : m_apps.fogs)
    {
        f->TraceConnectWithoutContext("RoundDone", Callback<void, const RoundSummary&>(
                                                       [this](const RoundSummary& summary) {
                                                           m_stragglers[summary.round]
                                                               += static_cast<uint32_t>(
                                                                   summary.stragglers.size());
                                                       }));
        f->GetStrategy()->TraceConnectWithoutContext(
            "RoundComplete", Callback<void, uint32_t>([this](uint32_t r) { RoundComplete(r); }));
        f->GetStrategy()->TraceConnectWithoutContext("Finished",
                                                     Callback<void>(
                                                         [this]()
                                                         {
                                                             if (++m_finished == m_apps.fogs.size())
                                                             {
                                                                 Simulator::Stop();
                                                             }
                                                         }));
    }
}

void
ResultsCollector::RoundComplete(uint32_t r)
{
    if (++m_completedBy[r] < m_apps.fogs.size())
    {
        return;
    }
    const double radioNow = RadioTotal();
    RoundRow row;
    row.round = r;
    row.time = Simulator::Now().GetSeconds();
    row.latency
        = row.time - (m_result.rounds.empty() ? m_start.GetSeconds() : m_result.rounds.back().time);
    row.radioEnergy = radioNow - m_lastRadio;
    m_lastRadio = radioNow;
    row.stragglers = m_stragglers[r];
    const uint32_t every = m_options.evalEvery;
    if (every > 0 && (r % every == 0 || r == m_options.rounds))
    {
        for (const auto& [task, accs] : PerTask(EvaluateDevices(m_learner, m_apps, m_specs)))
        {
            row.accuracy[task] = Mean(accs);
        }
    }
    m_result.rounds.push_back(row);
    if (m_options.progress)
    {
        *m_options.progress << "  " << m_method.name << " round " << r << "/" << m_options.rounds
                            << ": " << std::fixed << std::setprecision(2) << row.time
                            << " s simulated, " << (m_options.wall ? m_options.wall() : 0.0)
                            << " s wall" << std::endl;
    }
}

const MethodRun&
ResultsCollector::Finish()
{
    for (auto& row : m_result.rounds)
    {
        const RoundRow& t = m_tagged[row.round];
        row.computeEnergy = t.computeEnergy;
        row.deviceUp = t.deviceUp;
        row.deviceDown = t.deviceDown;
        row.backhaul = t.backhaul;
        row.d2d = t.d2d;
        std::vector<ClosedFormUpload> uploads;
        std::map<uint32_t, double> fogBits = m_backhaulBits[row.round];
        for (const auto& [device, b] : m_upBits[row.round])
        {
            const uint32_t fog = m_topology.fogOf[device];
            const auto a = m_topology.devices.Get(device)->GetObject<MobilityModel>();
            const auto z = m_topology.radioPoints.Get(fog)->GetObject<MobilityModel>();
            uploads.push_back({b, std::max(1.0, a->GetDistanceFrom(z)), 1.0});
            if (m_method.star)
            {
                fogBits[fog] += b; // in the star every upload crosses the backhaul
            }
        }
        std::vector<double> perFog;
        for (const auto& [fog, b] : fogBits)
        {
            perFog.push_back(b);
        }
        const TransferCost cf
            = ClosedFormRound(m_options.closedForm, uploads, perFog, m_d2dSends[row.round]);
        row.closedFormLatency = cf.seconds;
        row.closedFormEnergy = cf.joules;
    }
    m_result.deviceAccuracy = EvaluateDevices(m_learner, m_apps, m_specs);
    m_result.accuracy = PerTask(m_result.deviceAccuracy);
    for (const auto& f : m_apps.fogs)
    {
        m_result.rejected += f->GetRejectedCount();
    }
    if (m_apps.cloud)
    {
        m_result.rejected += m_apps.cloud->GetRejectedCount();
    }
    for (const auto& d : m_apps.devices)
    {
        m_result.rejected += d->GetRejectedCount();
    }
    for (const auto& tree : m_apps.clusterTrees)
    {
        m_result.treeRebuilds += tree->GetRebuilds();
    }
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
        const auto children = apps.fogs[a]->GetChildIds();
        const bool takesPart
            = apps.clusterApps.empty()
                  ? std::binary_search(children.begin(), children.end(), static_cast<uint32_t>(i))
                  : apps.clusterApps[i] != nullptr;
        if (!takesPart)
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
        const auto& d = m_apps.devices[i];
        const auto index = static_cast<uint32_t>(i);
        // the scenario line's first two fields: modalities and tasks
        std::string line = FormatScenarioLine(m_specs[i]);
        line = line.substr(0, line.find(',', line.find(',') + 1));
        nodes << m_method.name << "," << seed << "," << i << "," << m_apps.aggregatorOf[i] << ","
              << line << "," << m_learner.GetTrainSamples(i) << "," << d->GetRoundsTrained() << ","
              << m_topology.energy->GetAirtime(index).GetSeconds() << ","
              << m_topology.energy->GetEnergy(index) << "," << d->GetComputeTime().GetSeconds()
              << "," << d->GetComputeEnergy() << "," << d->GetBytesSent() << ","
              << d->GetBytesReceived();
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
