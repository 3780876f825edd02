/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_FEDERATED_TEST_UTIL_H
#define HFFM_FEDERATED_TEST_UTIL_H

// What the ns-3 suites of federated runs share: a tiny learner, the four-device scenario and
// small Wi-Fi or LTE topologies.

#include "hffm-test-util.h"
#include "ns3/device-scenario.h"
#include "ns3/federated-learner.h"
#include "ns3/federated-topology.h"
#include "ns3/lte-topology-helper.h"
#include "ns3/m3t-federated-learner.h"
#include "ns3/wifi-topology-helper.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ns3
{
namespace hffmtest
{

/// A tiny model and small shards: a round trains in milliseconds.
inline std::shared_ptr<M3TFederatedLearner>
TinyLearner(uint32_t devices, std::size_t samplesPerDevice = 40, std::size_t testSamples = 200)
{
    M3TLearnerConfig c;
    c.model = TinyModelConfig();
    c.devices = devices;
    c.samplesPerDevice = samplesPerDevice;
    c.alpha = 100.0; // near IID: every device gets samples
    c.testSamples = testSamples;
    c.train.batchSize = 20;
    c.freezeBackbone = true;
    c.seed = 3;
    return std::make_shared<M3TFederatedLearner>(c);
}

/// A node profile of \p modalities and \p tasks.
inline NodeProfile
Profile(std::set<Modality> modalities, std::set<std::string> tasks)
{
    NodeProfile p;
    p.modalities = std::move(modalities);
    p.tasks = std::move(tasks);
    return p;
}

/// Four devices: 0 and 2 under fog 0, 1 and 3 under fog 1; only device 3 has text.
inline std::vector<DeviceSpec>
FourDevices()
{
    std::vector<DeviceSpec> specs(4);
    specs[0].profile = Profile({Modality::IMAGE}, {"fine"});
    specs[1].profile = Profile({Modality::IMAGE}, {"fine", "coarse"});
    specs[2].profile = Profile({Modality::IMAGE}, {"coarse"});
    specs[3].profile = Profile({Modality::IMAGE, Modality::TEXT}, {"fine", "question"});
    return specs;
}

/// \p devices devices under \p fogs fogs over "wifi" (802.11ax access points) or "lte"
/// (25 resource blocks), with the helpers' defaults otherwise.
inline FederatedTopology
SmallTopology(const std::string& radio, uint32_t devices, uint32_t fogs)
{
    if (radio == "wifi")
    {
        WifiTopologyHelper::Config c;
        c.devices = devices;
        c.fogs = fogs;
        return WifiTopologyHelper::Build(c);
    }
    LteTopologyHelper::Config c;
    c.devices = devices;
    c.fogs = fogs;
    c.resourceBlocks = 25;
    return LteTopologyHelper::Build(c);
}

/// Keeps the modules each device was given and what it trained, per device and round.
class RecordingLearner : public ForwardingLearner
{
  public:
    using ForwardingLearner::ForwardingLearner;

    LocalUpdate Train(std::size_t device, const NodeProfile& profile, const ModuleMap& modules,
                      uint32_t round) override
    {
        given[{device, round}] = modules;
        LocalUpdate update = ForwardingLearner::Train(device, profile, modules, round);
        trained[{device, round}] = update;
        return update;
    }

    std::map<std::pair<std::size_t, uint32_t>, ModuleMap> given;
    std::map<std::pair<std::size_t, uint32_t>, LocalUpdate> trained;
};

} // namespace hffmtest
} // namespace ns3

#endif /* HFFM_FEDERATED_TEST_UTIL_H */
