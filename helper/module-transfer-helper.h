/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_MODULE_TRANSFER_HELPER_H
#define HFFM_MODULE_TRANSFER_HELPER_H

#include "ns3/address.h"
#include "ns3/application-container.h"
#include "ns3/attribute.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"

#include <string>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Common part of the module transfer helpers: a factory for one application type.
 */
class ModuleApplicationHelper
{
  public:
    /// Set an attribute of every application installed from now on.
    void SetAttribute(const std::string& name, const AttributeValue& value);
    /// Install one application on each node.
    ApplicationContainer Install(NodeContainer nodes) const;
    ApplicationContainer Install(Ptr<Node> node) const;

  protected:
    /// \param tid the application type \param addressAttribute its address attribute
    /// \param address the address to set
    ModuleApplicationHelper(TypeId tid, const std::string& addressAttribute,
                            const Address& address);

  private:
    ObjectFactory m_factory;
};

/**
 * \ingroup hffm
 * \brief Installs ModuleSinkApplication on nodes.
 */
class ModuleSinkHelper : public ModuleApplicationHelper
{
  public:
    /// \param local the address (and port) the sinks listen on
    explicit ModuleSinkHelper(const Address& local);
};

/**
 * \ingroup hffm
 * \brief Installs ModuleSourceApplication on nodes.
 *
 * Modules to send are added to each installed application with
 * ModuleSourceApplication::AddModule().
 */
class ModuleSourceHelper : public ModuleApplicationHelper
{
  public:
    /// \param remote the address (and port) of the sink to connect to
    explicit ModuleSourceHelper(const Address& remote);
};

} // namespace ns3

#endif /* HFFM_MODULE_TRANSFER_HELPER_H */
