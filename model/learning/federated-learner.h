/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_FEDERATED_LEARNER_H
#define HFFM_FEDERATED_LEARNER_H

#include "ns3/m3t-spec.h"
#include "ns3/module-state.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

/**
 * \file
 * \ingroup hffm
 * The seam between the network side and the learning side: what a device, fog or cloud
 * application asks of learning, in plain C++ types (no LibTorch, no ns-3).
 */

namespace ns3
{

/// Modules by id.
using ModuleMap = std::map<std::string, std::shared_ptr<const ModuleState>>;

/// What one device's local training produced.
struct LocalUpdate
{
    /// the trained modules; each one's sample weight is the device's training samples
    std::vector<std::shared_ptr<const ModuleState>> modules;
    int64_t samples{0};                        //!< training samples used
    double multiplyAdds{0.0};                  //!< work done, for the compute model
    std::map<std::string, double> lossPerTask; //!< mean loss over the last epoch
};

/**
 * \ingroup hffm
 * \brief The learning side as the network side sees it.
 *
 * One instance serves every simulated node of a run: devices differ by their index (their
 * data shard) and their profile (modalities and tasks); modules travel as ModuleState.
 */
class FederatedLearner
{
  public:
    virtual ~FederatedLearner() = default;

    /// \return the number of devices the data is partitioned over
    virtual std::size_t GetDeviceCount() const = 0;

    /// \return the training samples of device \p device
    virtual int64_t GetTrainSamples(std::size_t device) const = 0;

    /// \return the trainable modules every node starts from (the global initial model)
    virtual ModuleMap GetInitialModules() const = 0;

    /**
     * \return the ids of the trainable modules a node with \p profile needs: the encoders of
     * its modalities, the prompts and heads of its tasks, and the shared trainable modules.
     * Frozen modules are shared by all nodes in the learner and never move.
     */
    virtual std::vector<std::string> GetModuleIdsFor(const NodeProfile& profile) const = 0;

    /**
     * Train device \p device's modules on its shard for its tasks.
     * \param modules at least the modules GetModuleIdsFor(profile) names
     * \param round the round number (it seeds the shuffling order)
     * \return the updated modules; none when the device has no training samples
     * \throws std::invalid_argument for an unknown device, a bad profile or a missing module
     */
    virtual LocalUpdate Train(std::size_t device, const NodeProfile& profile,
                              const ModuleMap& modules, uint32_t round)
        = 0;

    /**
     * Accuracy per task of the model made of \p modules (plus the frozen ones), used with
     * \p profile's modalities, for \p profile's tasks, on the held-out test set.
     */
    virtual std::map<std::string, double> Evaluate(const ModuleMap& modules,
                                                   const NodeProfile& profile)
        = 0;
};

/**
 * \ingroup hffm
 * \brief A FederatedLearner that hands every call to another one: the base of learners
 * that observe (time, record) what the network side asks.
 */
class ForwardingLearner : public FederatedLearner
{
  public:
    explicit ForwardingLearner(std::shared_ptr<FederatedLearner> inner)
        : m_inner(std::move(inner))
    {
    }

    std::size_t GetDeviceCount() const override { return m_inner->GetDeviceCount(); }

    int64_t GetTrainSamples(std::size_t device) const override
    {
        return m_inner->GetTrainSamples(device);
    }

    ModuleMap GetInitialModules() const override { return m_inner->GetInitialModules(); }

    std::vector<std::string> GetModuleIdsFor(const NodeProfile& profile) const override
    {
        return m_inner->GetModuleIdsFor(profile);
    }

    LocalUpdate Train(std::size_t device, const NodeProfile& profile, const ModuleMap& modules,
                      uint32_t round) override
    {
        return m_inner->Train(device, profile, modules, round);
    }

    std::map<std::string, double> Evaluate(const ModuleMap& modules,
                                           const NodeProfile& profile) override
    {
        return m_inner->Evaluate(modules, profile);
    }

  private:
    std::shared_ptr<FederatedLearner> m_inner;
};

} // namespace ns3

#endif /* HFFM_FEDERATED_LEARNER_H */
