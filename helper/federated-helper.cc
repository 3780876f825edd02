/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/federated-helper.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/closed-form-cost.h"
#include "ns3/d2d-cluster-tree.h"
#include "ns3/d2d-graph.h"
#include "ns3/double.h"
#include "ns3/inet-socket-address.h"
#include "ns3/log.h"
#include "ns3/mobility-model.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("FederatedHelper");

std::string
FederatedMethod::Parse(const std::string& name, FederatedMethod& method)
{
    FederatedMethod m;
    m.name = name;
    std::string base = name;
    for (const std::string suffix : {"+d2d", "+consensus"})
    {
        if (base.size() > suffix.size()
            && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0)
        {
            m.d2d = true;
            m.consensus = suffix == "+consensus";
            base = base.substr(0, base.size() - suffix.size());
            if (base == "star")
            {
                return "method '" + name + "': the star baseline has no D2D variant";
            }
            break;
        }
    }
    if (base == "star")
    {
        m.star = true;
        m.globalEvery = 0;
    }
    else if (base == "edge-only")
    {
        m.globalEvery = 0;
    }
    else if (base.rfind("hier-", 0) == 0 && base.size() > 5 && base.size() <= 11)
    {
        const std::string k = base.substr(5);
        for (char c : k)
        {
            if (!std::isdigit(static_cast<unsigned char>(c)))
            {
                return "method '" + name + "': '" + k + "' is not a number of edge rounds";
            }
        }
        m.globalEvery = static_cast<uint32_t>(std::stoul(k));
        if (m.globalEvery == 0)
        {
            return "method '" + name + "': the cloud must aggregate every 1 or more rounds";
        }
    }
    else if (base.rfind("adaptive-", 0) == 0 && base.size() > 9)
    {
        const std::string t = base.substr(9);
        char* end = nullptr;
        const double threshold = std::strtod(t.c_str(), &end);
        if (end != t.c_str() + t.size() || !(threshold >= 0.0) || !std::isfinite(threshold))
        {
            return "method '" + name + "': '" + t + "' is not a drift threshold >= 0";
        }
        m.globalEvery = 1; // the drift is checked after every edge round
        m.fogStrategy = "ns3::hffm::AdaptiveSyncStrategy";
        m.fogStrategyAttributes = {{"Threshold", t}};
    }
    else
    {
        return "method '" + name
               + "' is not one of star, edge-only, hier-K (K >= 1), adaptive-T (T >= 0), and "
                 "the last three with +d2d or +consensus";
    }
    method = m;
    return "";
}

Ptr<EdgeRoundStrategy>
FederatedApps::GetFogStrategy(std::size_t f) const
{
    return fogs.at(f)->GetStrategy<EdgeRoundStrategy>();
}

Ptr<GlobalRoundStrategy>
FederatedApps::GetCloudStrategy() const
{
    return cloud ? cloud->GetStrategy<GlobalRoundStrategy>() : nullptr;
}

FederatedHelper::FederatedHelper(std::shared_ptr<FederatedLearner> learner)
    : m_learner(std::move(learner))
{
    NS_ABORT_MSG_IF(!m_learner, "FederatedHelper needs a learner");
    m_device.SetTypeId(DeviceApp::GetTypeId());
    m_fog.SetTypeId(CollectorApp::GetTypeId());
    m_cloud.SetTypeId(CollectorApp::GetTypeId());
    m_cluster.SetTypeId(CollectorApp::GetTypeId());
    m_fogStrategy.SetTypeId(EdgeRoundStrategy::GetTypeId());
    m_cloudStrategy.SetTypeId(GlobalRoundStrategy::GetTypeId());
    m_clusterStrategy.SetTypeId(ClusterTreeStrategy::GetTypeId());
    m_consensusStrategy.SetTypeId(ConsensusStrategy::GetTypeId());
}

bool
FederatedHelper::IsUserSet(const std::string& factory, const std::string& name) const
{
    return m_userSet.count(factory + "/" + name) > 0;
}

void
FederatedHelper::SetDeviceAttribute(const std::string& name, const AttributeValue& value)
{
    m_device.Set(name, value);
    m_deviceRetryDeadlineSet = m_deviceRetryDeadlineSet || name == "RetryDeadline";
}

void
FederatedHelper::SetFogAttribute(const std::string& name, const AttributeValue& value)
{
    m_fog.Set(name, value);
    m_userSet.insert("fog/" + name);
}

void
FederatedHelper::SetClusterAttribute(const std::string& name, const AttributeValue& value)
{
    m_cluster.Set(name, value);
    m_userSet.insert("cluster/" + name);
}

void
FederatedHelper::SetFogStrategyAttribute(const std::string& name, const AttributeValue& value)
{
    m_fogStrategy.Set(name, value);
    m_userSet.insert("fog-strategy/" + name);
}

void
FederatedHelper::SetCloudStrategyAttribute(const std::string& name, const AttributeValue& value)
{
    m_cloudStrategy.Set(name, value);
    m_userSet.insert("cloud-strategy/" + name);
}

void
FederatedHelper::SetClusterStrategyAttribute(const std::string& name, const AttributeValue& value)
{
    m_clusterStrategy.Set(name, value);
    m_userSet.insert("cluster-strategy/" + name);
}

void
FederatedHelper::SetConsensusStrategyAttribute(const std::string& name, const AttributeValue& value)
{
    m_consensusStrategy.Set(name, value);
    m_userSet.insert("consensus-strategy/" + name);
}

void
FederatedHelper::SetFogStrategy(const std::string& typeId)
{
    m_fogStrategy.SetTypeId(typeId);
    NS_ABORT_MSG_IF(!m_fogStrategy.GetTypeId().IsChildOf(EdgeRoundStrategy::GetTypeId())
                        && m_fogStrategy.GetTypeId() != EdgeRoundStrategy::GetTypeId(),
                    "FederatedHelper: fog strategy " << typeId << " is not an EdgeRoundStrategy");
}

void
FederatedHelper::SetCloudStrategy(const std::string& typeId)
{
    m_cloudStrategy.SetTypeId(typeId);
    NS_ABORT_MSG_IF(!m_cloudStrategy.GetTypeId().IsChildOf(RoundStrategy::GetTypeId()),
                    "FederatedHelper: cloud strategy " << typeId << " is not a RoundStrategy");
}

void
FederatedHelper::SetStartTime(Time start)
{
    m_start = start;
}

std::string
FederatedHelper::SetD2dClusters(uint32_t size, double rangeM, const std::string& aggregator)
{
    const std::string error = CheckD2dClusters(size, rangeM, aggregator);
    if (error.empty())
    {
        m_clusterSize = size;
        m_d2dRange = rangeM;
        m_clusterAggregator = aggregator;
    }
    return error;
}

std::string
FederatedHelper::CheckD2dClusters(uint32_t size, double rangeM, const std::string& aggregator)
{
    if (size == 0)
    {
        return "cluster size 0 is not positive";
    }
    if (!(rangeM > 0.0) || !std::isfinite(rangeM))
    {
        return "D2D range " + std::to_string(rangeM) + " m is not positive";
    }
    if (aggregator != "min-max" && aggregator != "min-total" && aggregator != "random")
    {
        return "cluster aggregator '" + aggregator + "' is not min-max, min-total or random";
    }
    return "";
}

std::string
FederatedHelper::SetConsensusSteps(uint32_t steps)
{
    const std::string error = CheckConsensusSteps(steps);
    if (error.empty())
    {
        m_consensusSteps = steps;
    }
    return error;
}

std::string
FederatedHelper::CheckConsensusSteps(uint32_t steps)
{
    if (steps < 1 || steps > 255)
    {
        return "consensus steps " + std::to_string(steps) + " not in 1..255";
    }
    return "";
}

Time
FederatedHelper::GetStartTime() const
{
    return m_start;
}

void
FederatedHelper::SetCloudAttribute(const std::string& name, const AttributeValue& value)
{
    m_cloud.Set(name, value);
    m_userSet.insert("cloud/" + name);
}

FederatedApps
FederatedHelper::Install(const FederatedTopology& topology, const std::vector<DeviceSpec>& specs,
                         const FederatedMethod& method) const
{
    const uint32_t n = topology.devices.GetN();
    NS_ABORT_MSG_IF(specs.size() != n,
                    "FederatedHelper: " << specs.size() << " device specs for " << n << " devices");
    NS_ABORT_MSG_IF(m_learner->GetDeviceCount() != n, "FederatedHelper: the learner has "
                                                          << m_learner->GetDeviceCount()
                                                          << " devices, the topology " << n);
    const ModuleMap initial = m_learner->GetInitialModules();
    const CellPartition& cells = topology.partition;
    FederatedApps apps;

    // the fogs' strategy: the helper's, or the one the method names
    ObjectFactory fogStrategy = m_fogStrategy;
    if (method.fogStrategy != EdgeRoundStrategy::GetTypeId().GetName())
    {
        fogStrategy.SetTypeId(method.fogStrategy);
    }
    for (const auto& [name, value] : method.fogStrategyAttributes)
    {
        fogStrategy.Set(name, StringValue(value));
    }
    auto createEdge = [&]()
    {
        Ptr<CollectorApp> app = m_fog.Create<CollectorApp>();
        app->SetStrategy(fogStrategy.Create<EdgeRoundStrategy>());
        NS_ABORT_MSG_IF(!app->GetStrategy<EdgeRoundStrategy>(),
                        "FederatedHelper: the fog strategy is not an EdgeRoundStrategy");
        app->SetAttribute("Port", UintegerValue(FOG_PORT));
        app->SetModules(initial);
        return app;
    };

    // edge collectors
    if (method.star)
    {
        Ptr<CollectorApp> star = createEdge();
        star->GetStrategy()->SetAttribute("GlobalEvery", UintegerValue(0));
        if (cells.IsCloudLocal())
        {
            topology.cloud.Get(0)->AddApplication(star);
        }
        apps.fogs.push_back(star);
    }
    else
    {
        for (uint32_t f = 0; f < topology.fogs.GetN(); ++f)
        {
            Ptr<CollectorApp> fog = createEdge();
            fog->SetAttribute("SenderId", UintegerValue(f));
            fog->GetStrategy()->SetAttribute("GlobalEvery", UintegerValue(method.globalEvery));
            if (method.globalEvery > 0)
            {
                fog->SetAttribute("Parent", AddressValue(InetSocketAddress(
                                                topology.cloudAddress.at(f), CLOUD_PORT)));
            }
            if (cells.IsLocalFog(f))
            {
                topology.fogs.Get(f)->AddApplication(fog);
            }
            apps.fogs.push_back(fog);
        }
    }

    // devices
    for (uint32_t i = 0; i < n; ++i)
    {
        const uint32_t aggregator = method.star ? 0 : topology.fogOf.at(i);
        const Ipv4Address server = method.star ? topology.cloudDeviceAddress.at(i)
                                               : topology.fogDeviceAddress.at(aggregator);
        Ptr<DeviceApp> device = m_device.Create<DeviceApp>();
        device->SetAttribute("Port", UintegerValue(DEVICE_PORT));
        device->SetAttribute("DeviceIndex", UintegerValue(i));
        device->SetAttribute("Parent", AddressValue(InetSocketAddress(server, FOG_PORT)));
        device->SetAttribute("MacsPerSecond", DoubleValue(specs[i].macsPerSecond));
        device->SetAttribute("ComputePower", DoubleValue(specs[i].computePower));
        if (!m_deviceRetryDeadlineSet)
        {
            // a failed upload is not tried again once the aggregator has closed the round
            TimeValue deadline;
            apps.fogs[aggregator]->GetAttribute("RoundDeadline", deadline);
            device->SetAttribute("RetryDeadline", deadline);
        }
        device->Setup(m_learner, specs[i].profile);
        if (topology.IsLocalDevice(i))
        {
            topology.devices.Get(i)->AddApplication(device);
        }
        apps.devices.push_back(device);
        apps.aggregatorOf.push_back(aggregator);
        if (m_learner->GetTrainSamples(i) == 0 || specs[i].profile.tasks.empty())
        {
            NS_LOG_WARN("device " << i << " has no training samples or no task: it takes no part");
            continue;
        }
        if (method.d2d)
        {
            continue; // the cluster trees are the fogs' children
        }
        const auto ids = m_learner->GetModuleIdsFor(specs[i].profile);
        apps.fogs[aggregator]->AddChild(
            i, InetSocketAddress(topology.deviceAddress.at(i), DEVICE_PORT), ids);
    }

    if (method.d2d)
    {
        InstallClusters(topology, specs, method.consensus, apps);
    }

    // the cloud
    if (!method.star && method.globalEvery > 0)
    {
        apps.cloud = m_cloud.Create<CollectorApp>();
        apps.cloud->SetStrategy(m_cloudStrategy.Create<RoundStrategy>());
        apps.cloud->SetAttribute("Port", UintegerValue(CLOUD_PORT));
        apps.cloud->SetModules(initial);
        for (uint32_t f = 0; f < apps.fogs.size(); ++f)
        {
            // what fog f's children hold, also when another rank runs fog f (and its D2D
            // clusters): the modules of its devices that take part
            std::set<std::string> held;
            for (uint32_t i = 0; i < n; ++i)
            {
                if (topology.fogOf[i] == f && m_learner->GetTrainSamples(i) > 0
                    && !specs[i].profile.tasks.empty())
                {
                    const auto ids = m_learner->GetModuleIdsFor(specs[i].profile);
                    held.insert(ids.begin(), ids.end());
                }
            }
            const std::vector<std::string> ids(held.begin(), held.end());
            NS_ABORT_MSG_IF(cells.IsLocalFog(f) && ids != apps.fogs[f]->GetChildModuleIds(),
                            "FederatedHelper: fog " << f << "'s children hold other modules");
            apps.cloud->AddChild(f, InetSocketAddress(topology.fogBackhaulAddress.at(f), FOG_PORT),
                                 ids);
        }
        if (cells.IsCloudLocal())
        {
            topology.cloud.Get(0)->AddApplication(apps.cloud);
        }
        if (!IsUserSet("fog-strategy", "ParentDeadline"))
        {
            // the cloud may wait its whole deadline for a missing fog before it pushes: a fog
            // waits that long, and its own deadline more for the push to come
            for (const auto& fog : apps.fogs)
            {
                fog->GetStrategy()->SetAttribute(
                    "ParentDeadline",
                    TimeValue(apps.cloud->GetRoundDeadline() + fog->GetRoundDeadline()));
            }
        }
    }
    for (const auto& fog : apps.fogs)
    {
        fog->SetStartTime(m_start); // fogs open the rounds; everything else listens from 0
    }
    return apps;
}

void
FederatedHelper::InstallClusters(const FederatedTopology& topology,
                                 const std::vector<DeviceSpec>& specs, bool consensus,
                                 FederatedApps& apps) const
{
    NS_ABORT_MSG_IF(topology.d2dRadio.empty(),
                    "FederatedHelper: a D2D method needs a D2D radio (D2dRadioHelper::Install)");
    const uint32_t n = topology.devices.GetN();
    apps.clusterApps.assign(n, nullptr);
    apps.clusterHeadOf.assign(n, 0);
    for (uint32_t i = 0; i < n; ++i)
    {
        apps.clusterHeadOf[i] = i;
    }
    // a link's cost: the closed-form time of a 1 MB module over it (monotone in distance)
    const ClosedFormConfig closedForm;
    auto cost = [closedForm](double d)
    {
        return 8e6 / ShannonRate(closedForm, std::max(d, 1.0));
    };
    TimeValue fogDeadline;
    m_fog.Create<CollectorApp>()->GetAttribute("RoundDeadline", fogDeadline);

    for (uint32_t f = 0; f < topology.fogs.GetN(); ++f)
    {
        if (!topology.partition.IsLocalFog(f))
        {
            continue; // another rank runs this cell and its clusters
        }
        // cluster k of a fog: its devices at positions k x size .. (k + 1) x size - 1 among the
        // fog's devices (TopologyConfig::groupSize places them together), that take part
        std::map<uint32_t, std::vector<uint32_t>> clusters;
        uint32_t position = 0; // among the fog's devices
        for (uint32_t i = 0; i < n; ++i)
        {
            if (topology.fogOf[i] != f)
            {
                continue;
            }
            if (m_learner->GetTrainSamples(i) > 0 && !specs[i].profile.tasks.empty())
            {
                clusters[position / m_clusterSize].push_back(i);
            }
            ++position;
        }
        for (const auto& [index, cluster] : clusters)
        {
            std::vector<std::pair<double, double>> positions;
            std::vector<double> uplink; // each member's cost of the upload to the fog
            const auto radio = topology.radioPoints.Get(f)->GetObject<MobilityModel>();
            for (uint32_t i : cluster)
            {
                const auto mobility = topology.devices.Get(i)->GetObject<MobilityModel>();
                const Vector p = mobility->GetPosition();
                positions.emplace_back(p.x, p.y);
                uplink.push_back(cost(mobility->GetDistanceFrom(radio)));
            }
            const D2dGraph graph(positions, m_d2dRange, cost);
            const std::size_t head
                = m_clusterAggregator == "random"
                      ? graph.ChooseRandomAggregator(m_clusterSeed * 7919 + cluster.front())
                  : m_clusterAggregator == "min-total" ? graph.ChooseMinTotalAggregator(uplink)
                                                       : graph.ChooseMinMaxAggregator(uplink);
            const std::size_t k = cluster.size();
            std::vector<D2dClusterTree::Member> members;
            for (std::size_t m = 0; m < k; ++m)
            {
                const uint32_t i = cluster[m];
                Ptr<CollectorApp> node = m_cluster.Create<CollectorApp>();
                if (consensus)
                {
                    Ptr<ConsensusStrategy> c = m_consensusStrategy.Create<ConsensusStrategy>();
                    // steps are synchronous: a step waits for every neighbour's share (up to
                    // half the fog's deadline, for one that is gone) and the steps end at 85 %
                    // of it, so that the reporter is heard; the device has 30 % of it
                    if (!IsUserSet("consensus-strategy", "Steps"))
                    {
                        c->SetAttribute("Steps", UintegerValue(m_consensusSteps));
                    }
                    if (!IsUserSet("cluster", "RoundDeadline"))
                    {
                        node->SetAttribute("RoundDeadline", TimeValue(fogDeadline.Get() * 0.3));
                    }
                    if (!IsUserSet("consensus-strategy", "StepTimeout"))
                    {
                        c->SetAttribute("StepTimeout", TimeValue(fogDeadline.Get() * 0.5));
                    }
                    if (!IsUserSet("consensus-strategy", "ConsensusDeadline"))
                    {
                        c->SetAttribute("ConsensusDeadline", TimeValue(fogDeadline.Get() * 0.85));
                    }
                    c->SetAttribute("Reporter", BooleanValue(m == head));
                    c->SetAttribute("ClusterSize", UintegerValue(static_cast<uint32_t>(k)));
                    node->SetStrategy(c);
                }
                else
                {
                    node->SetStrategy(m_clusterStrategy.Create<ClusterTreeStrategy>());
                }
                node->SetAttribute("Port", UintegerValue(CLUSTER_PORT));
                node->SetAttribute("SenderId", UintegerValue(i));
                node->SetModules(m_learner->GetInitialModules());
                const auto own = m_learner->GetModuleIdsFor(specs[i].profile);
                const Address ownDevice
                    = InetSocketAddress(Ipv4Address::GetLoopback(), DEVICE_PORT);
                node->AddChild(i, ownDevice, own);
                topology.devices.Get(i)->AddApplication(node);
                apps.clusterApps[i] = node;
                apps.clusterHeadOf[i] = cluster[head];
                apps.devices[i]->SetAttribute(
                    "Parent",
                    AddressValue(InetSocketAddress(Ipv4Address::GetLoopback(), CLUSTER_PORT)));
                D2dClusterTree::Member member;
                member.device = i;
                member.app = node;
                member.mobility = topology.devices.Get(i)->GetObject<MobilityModel>();
                member.d2dAddress = InetSocketAddress(topology.d2dAddress.at(i), CLUSTER_PORT);
                member.directAddress
                    = InetSocketAddress(topology.deviceAddress.at(i), CLUSTER_PORT);
                member.moduleIds = {own.begin(), own.end()};
                member.deviceApp = apps.devices[i];
                members.push_back(member);
            }
            D2dClusterTree::Fog fog;
            fog.app = apps.fogs[f];
            fog.address = InetSocketAddress(topology.fogDeviceAddress.at(f), FOG_PORT);
            fog.deadline = fogDeadline.Get();
            Ptr<D2dClusterTree> tree = CreateObject<D2dClusterTree>();
            tree->Setup(members, head, m_d2dRange, cost, fog, consensus);
            const auto& all = tree->GetSubtreeModules(head);
            if (consensus)
            {
                for (uint32_t i : cluster)
                {
                    apps.clusterApps[i]->GetStrategy<ConsensusStrategy>()->SetConsensusModules(
                        {all.begin(), all.end()});
                }
            }
            tree->Refresh(); // members that moved get new routes before each round
            apps.clusterTrees.push_back(tree);
            apps.fogs[f]->AddChild(
                cluster[head],
                InetSocketAddress(topology.deviceAddress.at(cluster[head]), CLUSTER_PORT),
                {all.begin(), all.end()});
        }
    }
}

std::string
FederatedHelper::StartTask(const FederatedApps& apps, uint32_t device, const std::string& task)
{
    for (const auto& tree : apps.clusterTrees)
    {
        if (tree->HasMember(device))
        {
            return tree->StartTask(device, task);
        }
    }
    if (device >= apps.devices.size())
    {
        return "there is no device " + std::to_string(device);
    }
    // a device of its aggregator: the task's modules come in the aggregator's next push
    const Ptr<DeviceApp> d = apps.devices[device];
    const Ptr<CollectorApp> aggregator = apps.fogs.at(apps.aggregatorOf.at(device));
    std::set<std::string> ids;
    const std::string error = d->GetModuleIdsWithTask(task, &ids);
    if (!error.empty())
    {
        return error;
    }
    const auto children = aggregator->GetChildIds();
    if (std::find(children.begin(), children.end(), device) == children.end())
    {
        return "device " + std::to_string(device) + " takes no part";
    }
    const auto held = aggregator->GetChildModuleIds();
    for (const auto& id : ids)
    {
        if (!std::binary_search(held.begin(), held.end(), id))
        {
            return "no device of device " + std::to_string(device) + "'s aggregator holds " + id;
        }
    }
    if (!aggregator->SetChildModules(device, {ids.begin(), ids.end()}))
    {
        return "device " + std::to_string(device)
               + "'s aggregator is collecting a round it takes part in: take a task on "
                 "between rounds";
    }
    const std::string added = d->AddTask(task);
    NS_ABORT_MSG_IF(!added.empty(), "FederatedHelper::StartTask: " << added);
    return "";
}

int64_t
FederatedHelper::AssignStreams(const FederatedApps& apps, int64_t stream)
{
    int64_t used = 0;
    for (const auto& fog : apps.fogs)
    {
        used += fog->GetStrategy()->AssignStreams(stream + used);
    }
    return used;
}

} // namespace ns3
