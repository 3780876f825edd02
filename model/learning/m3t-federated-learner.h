/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_M3T_FEDERATED_LEARNER_H
#define HFFM_M3T_FEDERATED_LEARNER_H

#include "ns3/federated-learner.h"

#include <memory>
#include <string>

namespace ns3
{

/// Configuration of M3TFederatedLearner.
struct M3TLearnerConfig
{
    M3TConfig model;
    TrainOptions train;                //!< local training of every device
    double proximalMu{0.0};            //!< FedProx mu of devices' training (>= 0; TrainLocal)
    std::string dataDir;               //!< Fashion-MNIST folder; empty: DefaultFashionMnistDir()
    std::size_t devices{4};            //!< devices the data is partitioned over
    std::size_t samplesPerDevice{200}; //!< the federated pool has devices x this many samples
    double alpha{0.5};                 //!< Dirichlet concentration of the non-IID partition
    std::size_t testSamples{2000};     //!< held-out test images used by Evaluate() (<= 10000)
    /// Foundation checkpoint (encoders and backbone, hffm-model --command=pretrain). Read when
    /// it exists; otherwise, when pretrainSamples > 0, written after pretraining.
    std::string checkpoint;
    std::size_t pretrainSamples{0}; //!< pretraining split samples (<= 10000); 0: none
    int64_t pretrainEpochs{1};
    bool freezeBackbone{true}; //!< backbone blocks frozen (shared, never sent) after loading
    uint64_t seed{1};
    int threads{1}; //!< LibTorch intra-op threads (results are reproducible for a fixed count)

    /// \return an empty string, or what is wrong (naming the value)
    std::string Check() const;
};

/**
 * \ingroup hffm
 * \brief The FederatedLearner of hffm's M3T model on Fashion-MNIST.
 *
 * The federated pool is the first devices x samplesPerDevice of Fashion-MNIST's first 50000
 * training images, split over devices by DirichletPartition(alpha) on the fine label; the
 * pretraining split (the last 10000) is never used by devices or for evaluation; Evaluate()
 * uses the first testSamples of the 10000 test images. One LibTorch model serves every
 * device: a device's modules are imported into it, trained, and exported, so frozen modules
 * exist once per process. LibTorch stays behind this class (pimpl).
 */
class M3TFederatedLearner : public FederatedLearner
{
  public:
    /// \throws std::invalid_argument naming a bad value; std::runtime_error for data or
    ///         checkpoint that cannot be read
    explicit M3TFederatedLearner(const M3TLearnerConfig& config);
    ~M3TFederatedLearner() override;

    std::size_t GetDeviceCount() const override;
    int64_t GetTrainSamples(std::size_t device) const override;
    ModuleMap GetInitialModules() const override;
    std::vector<std::string> GetModuleIdsFor(const NodeProfile& profile) const override;
    LocalUpdate Train(std::size_t device, const NodeProfile& profile, const ModuleMap& modules,
                      uint32_t round) override;
    std::map<std::string, double> Evaluate(const ModuleMap& modules,
                                           const NodeProfile& profile) override;

    /// \return the model configuration
    const M3TConfig& GetModelConfig() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace ns3

#endif /* HFFM_M3T_FEDERATED_LEARNER_H */
