/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-transfer-helper.h"

#include "ns3/module-sink-application.h"
#include "ns3/module-source-application.h"
#include "ns3/node.h"

namespace ns3
{

ModuleApplicationHelper::ModuleApplicationHelper(TypeId tid, const std::string& addressAttribute,
                                                 const Address& address)
{
    m_factory.SetTypeId(tid);
    m_factory.Set(addressAttribute, AddressValue(address));
}

void
ModuleApplicationHelper::SetAttribute(const std::string& name, const AttributeValue& value)
{
    m_factory.Set(name, value);
}

ApplicationContainer
ModuleApplicationHelper::Install(NodeContainer nodes) const
{
    ApplicationContainer apps;
    for (auto it = nodes.Begin(); it != nodes.End(); ++it)
    {
        Ptr<Application> app = m_factory.Create<Application>();
        (*it)->AddApplication(app);
        apps.Add(app);
    }
    return apps;
}

ApplicationContainer
ModuleApplicationHelper::Install(Ptr<Node> node) const
{
    return Install(NodeContainer(node));
}

ModuleSinkHelper::ModuleSinkHelper(const Address& local)
    : ModuleApplicationHelper(ModuleSinkApplication::GetTypeId(), "Local", local)
{
}

ModuleSourceHelper::ModuleSourceHelper(const Address& remote)
    : ModuleApplicationHelper(ModuleSourceApplication::GetTypeId(), "Remote", remote)
{
}

} // namespace ns3
