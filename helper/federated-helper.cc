/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/federated-helper.h"

#include "ns3/abort.h"
#include "ns3/double.h"
#include "ns3/inet-socket-address.h"
#include "ns3/log.h"
#include "ns3/uinteger.h"

#include <cctype>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("FederatedHelper");

std::string
FederatedMethod::Parse(const std::string& name, FederatedMethod& method)
{
    FederatedMethod m;
    m.name = name;
    if (name == "star")
    {
        m.star = true;
        m.globalEvery = 0;
    }
    else if (name == "edge-only")
    {
        m.globalEvery = 0;
    }
    else if (name.rfind("hier-", 0) == 0 && name.size() > 5 && name.size() <= 11)
    {
        const std::string k = name.substr(5);
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
    else
    {
        return "method '" + name + "' is not one of star, edge-only, hier-K (K >= 1)";
    }
    method = m;
    return "";
}

FederatedHelper::FederatedHelper(std::shared_ptr<FederatedLearner> learner)
    : m_learner(std::move(learner))
{
    NS_ABORT_MSG_IF(!m_learner, "FederatedHelper needs a learner");
    m_device.SetTypeId(DeviceApp::GetTypeId());
    m_fog.SetTypeId(FogApp::GetTypeId());
    m_cloud.SetTypeId(CloudApp::GetTypeId());
}

void
FederatedHelper::SetDeviceAttribute(const std::string& name, const AttributeValue& value)
{
    m_device.Set(name, value);
}

void
FederatedHelper::SetFogAttribute(const std::string& name, const AttributeValue& value)
{
    m_fog.Set(name, value);
}

void
FederatedHelper::SetCloudAttribute(const std::string& name, const AttributeValue& value)
{
    m_cloud.Set(name, value);
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
    FederatedApps apps;

    // edge aggregators
    if (method.star)
    {
        Ptr<FogApp> star = m_fog.Create<FogApp>();
        star->SetAttribute("Port", UintegerValue(FOG_PORT));
        star->SetAttribute("GlobalEvery", UintegerValue(0));
        star->SetModules(initial);
        topology.cloud.Get(0)->AddApplication(star);
        apps.fogs.push_back(star);
    }
    else
    {
        for (uint32_t f = 0; f < topology.fogs.GetN(); ++f)
        {
            Ptr<FogApp> fog = m_fog.Create<FogApp>();
            fog->SetAttribute("Port", UintegerValue(FOG_PORT));
            fog->SetAttribute("FogId", UintegerValue(f));
            fog->SetAttribute("GlobalEvery", UintegerValue(method.globalEvery));
            if (method.globalEvery > 0)
            {
                fog->SetAttribute("Parent", AddressValue(InetSocketAddress(
                                                topology.cloudAddress.at(f), CLOUD_PORT)));
            }
            fog->SetModules(initial);
            topology.fogs.Get(f)->AddApplication(fog);
            apps.fogs.push_back(fog);
        }
    }

    // devices
    for (uint32_t i = 0; i < n; ++i)
    {
        const uint32_t aggregator = method.star ? 0 : topology.fogOf.at(i);
        const Ipv4Address server
            = method.star ? topology.cloudDeviceAddress : topology.fogDeviceAddress.at(aggregator);
        Ptr<DeviceApp> device = m_device.Create<DeviceApp>();
        device->SetAttribute("Port", UintegerValue(DEVICE_PORT));
        device->SetAttribute("DeviceIndex", UintegerValue(i));
        device->SetAttribute("Server", AddressValue(InetSocketAddress(server, FOG_PORT)));
        device->SetAttribute("MacsPerSecond", DoubleValue(specs[i].macsPerSecond));
        device->SetAttribute("ComputePower", DoubleValue(specs[i].computePower));
        device->Setup(m_learner, specs[i].profile);
        topology.devices.Get(i)->AddApplication(device);
        apps.devices.push_back(device);
        apps.aggregatorOf.push_back(aggregator);
        if (m_learner->GetTrainSamples(i) == 0 || specs[i].profile.tasks.empty())
        {
            NS_LOG_WARN("device " << i << " has no training samples or no task: it takes no part");
            continue;
        }
        const auto ids = m_learner->GetModuleIdsFor(specs[i].profile);
        apps.fogs[aggregator]->AddChild(
            i, InetSocketAddress(topology.deviceAddress.at(i), DEVICE_PORT), ids);
    }

    // the cloud
    if (!method.star && method.globalEvery > 0)
    {
        apps.cloud = m_cloud.Create<CloudApp>();
        apps.cloud->SetAttribute("Port", UintegerValue(CLOUD_PORT));
        apps.cloud->SetModules(initial);
        for (uint32_t f = 0; f < apps.fogs.size(); ++f)
        {
            apps.cloud->AddChild(f, InetSocketAddress(topology.fogBackhaulAddress.at(f), FOG_PORT),
                                 apps.fogs[f]->GetChildModuleIds());
        }
        topology.cloud.Get(0)->AddApplication(apps.cloud);
    }
    return apps;
}

int64_t
FederatedHelper::AssignStreams(const FederatedApps& apps, int64_t stream)
{
    int64_t used = 0;
    for (const auto& fog : apps.fogs)
    {
        used += fog->AssignStreams(stream + used);
    }
    return used;
}

} // namespace ns3
