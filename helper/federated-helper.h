/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_FEDERATED_HELPER_H
#define HFFM_FEDERATED_HELPER_H

#include "ns3/cloud-app.h"
#include "ns3/device-app.h"
#include "ns3/device-scenario.h"
#include "ns3/federated-learner.h"
#include "ns3/federated-topology.h"
#include "ns3/fog-app.h"
#include "ns3/object-factory.h"

#include <memory>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief A federated method: who aggregates, and how often the cloud does.
 *
 * Names: "star" (devices send to the cloud, plain FedAvg), "edge-only" (fogs aggregate, no
 * cloud), "hier-K" (fogs aggregate, the cloud every K edge rounds). The D2D variants of the
 * reference's table ("+d2d") are reserved for the D2D transport.
 */
struct FederatedMethod
{
    std::string name{"hier-2"};
    bool star{false};
    uint32_t globalEvery{2}; //!< 0: never (edge-only)

    /**
     * \param name a method name as above
     * \param[out] method the method
     * \return an empty string, or why the name is not a method
     */
    static std::string Parse(const std::string& name, FederatedMethod& method);
};

/// The applications of a federated run.
struct FederatedApps
{
    std::vector<Ptr<DeviceApp>> devices; //!< by device index
    /// the edge aggregators: one per fog, or one on the cloud node for the star baseline
    std::vector<Ptr<FogApp>> fogs;
    Ptr<CloudApp> cloud; //!< null unless the method has a cloud tier
    /// per device, the index in fogs of its aggregator
    std::vector<uint32_t> aggregatorOf;
};

/**
 * \ingroup hffm
 * \brief Installs device, fog and cloud applications on a FederatedTopology for a method.
 *
 * Device i trains shard i of the learner with specs[i]; it is a child of its fog (or of the
 * cloud's aggregator in the star baseline) and holds learner.GetModuleIdsFor(profile).
 * Devices without training samples or tasks get an application but take no part. Every
 * aggregator starts from the learner's initial modules.
 */
class FederatedHelper
{
  public:
    explicit FederatedHelper(std::shared_ptr<FederatedLearner> learner);

    /// Attributes for every DeviceApp (ns3::DeviceApp), FogApp or CloudApp installed later.
    void SetDeviceAttribute(const std::string& name, const AttributeValue& value);
    void SetFogAttribute(const std::string& name, const AttributeValue& value);
    void SetCloudAttribute(const std::string& name, const AttributeValue& value);

    /**
     * Install the applications; they start at time 0 (set start and stop times on them to
     * change that). Aborts when specs and topology disagree on the number of devices.
     */
    FederatedApps Install(const FederatedTopology& topology, const std::vector<DeviceSpec>& specs,
                          const FederatedMethod& method) const;

    /// Fix the random streams of the applications' draws. \return streams used
    static int64_t AssignStreams(const FederatedApps& apps, int64_t stream);

    static constexpr uint16_t DEVICE_PORT = 7070; //!< devices listen here
    static constexpr uint16_t FOG_PORT = 7071;    //!< fogs (and the star aggregator) here
    static constexpr uint16_t CLOUD_PORT = 7072;  //!< the cloud here

  private:
    std::shared_ptr<FederatedLearner> m_learner;
    ObjectFactory m_device;
    ObjectFactory m_fog;
    ObjectFactory m_cloud;
};

} // namespace ns3

#endif /* HFFM_FEDERATED_HELPER_H */
