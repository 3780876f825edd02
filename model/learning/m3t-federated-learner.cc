/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/m3t-federated-learner.h"

#include "ns3/checkpoint.h"
#include "ns3/local-trainer.h"
#include "ns3/m3t-dataset.h"
#include "ns3/m3t-model.h"
#include "ns3/partition.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <stdexcept>

namespace ns3
{

namespace
{

/// Images of the training file used by devices; the rest is the pretraining split.
constexpr int64_t FEDERATED_POOL = 50000;
constexpr int64_t PRETRAIN_SPLIT = 10000;

bool
FileExists(const std::string& path)
{
    std::ifstream f(path);
    return f.good();
}

} // namespace

std::string
M3TLearnerConfig::Check() const
{
    std::string error = model.Check();
    if (error.empty())
    {
        error = train.Check();
    }
    if (error.empty())
    {
        error = CheckProximalMu(proximalMu);
    }
    if (!error.empty())
    {
        return error;
    }
    if (devices == 0)
    {
        return "devices 0 is not positive";
    }
    if (samplesPerDevice == 0)
    {
        return "samplesPerDevice 0 is not positive";
    }
    if (devices * samplesPerDevice > static_cast<std::size_t>(FEDERATED_POOL))
    {
        return "devices x samplesPerDevice = " + std::to_string(devices * samplesPerDevice)
               + " exceeds the federated pool of " + std::to_string(FEDERATED_POOL) + " images";
    }
    if (!(alpha > 0.0) || !std::isfinite(alpha))
    {
        return "alpha " + std::to_string(alpha) + " is not positive";
    }
    if (testSamples == 0 || testSamples > 10000)
    {
        return "testSamples " + std::to_string(testSamples) + " is not in 1..10000";
    }
    if (pretrainSamples > static_cast<std::size_t>(PRETRAIN_SPLIT))
    {
        return "pretrainSamples " + std::to_string(pretrainSamples) + " exceeds "
               + std::to_string(PRETRAIN_SPLIT);
    }
    if (threads < 1)
    {
        return "threads " + std::to_string(threads) + " is not positive";
    }
    if (pretrainEpochs < 1)
    {
        return "pretrainEpochs " + std::to_string(pretrainEpochs) + " is not positive";
    }
    return "";
}

struct M3TFederatedLearner::Impl
{
    M3TLearnerConfig config;
    M3TModel model{nullptr};
    M3TDataset pool;
    M3TDataset test;
    std::vector<Shard> shards;
    ModuleMap initial;

    /// Load the foundation: read the checkpoint, or pretrain (and write it), or nothing.
    void LoadFoundation(const M3TDataset& pretrainSplit);
    /// Copy \p modules into the model, checking every one a profile needs is there.
    void ImportAll(const ModuleMap& modules, const NodeProfile& profile);
};

void
M3TFederatedLearner::Impl::LoadFoundation(const M3TDataset& pretrainSplit)
{
    if (!config.checkpoint.empty() && FileExists(config.checkpoint))
    {
        const CheckpointContents read = ReadCheckpoint(config.checkpoint);
        if (!read.error.empty())
        {
            throw std::runtime_error(read.error);
        }
        const std::string missing = model->FindMissingFoundation(read.modules);
        if (!missing.empty())
        {
            throw std::runtime_error("checkpoint " + config.checkpoint
                                     + " lacks foundation module '" + missing + "'");
        }
        for (const auto& m : read.modules)
        {
            model->Import(*m);
        }
        return;
    }
    if (config.pretrainSamples == 0)
    {
        return;
    }
    NodeProfile everything;
    everything.modalities = {Modality::IMAGE, Modality::TEXT};
    for (const auto& t : config.model.tasks)
    {
        everything.tasks.insert(t.name);
    }
    // Pretraining trains every module, but only the foundation (what a checkpoint holds) is
    // kept: the others go back to their initial values, so that this run starts where a run
    // reading the checkpoint starts.
    std::vector<ModuleState> others;
    for (const auto& id : model->GetModuleIds())
    {
        if (!model->IsFoundation(id))
        {
            others.push_back(model->Export(id));
        }
    }
    std::vector<int64_t> indices(config.pretrainSamples);
    std::iota(indices.begin(), indices.end(), 0);
    TrainOptions options = config.train;
    options.epochs = config.pretrainEpochs;
    TrainLocal(model, pretrainSplit, indices, everything, options);
    for (const auto& m : others)
    {
        model->Import(m);
    }
    if (!config.checkpoint.empty())
    {
        const std::string error = WriteCheckpoint(config.checkpoint, model->ExportFoundation());
        if (!error.empty())
        {
            throw std::runtime_error(error);
        }
    }
}

void
M3TFederatedLearner::Impl::ImportAll(const ModuleMap& modules, const NodeProfile& profile)
{
    for (const auto& id : model->GetModuleIdsFor(profile))
    {
        if (!model->IsTrainable(id))
        {
            continue;
        }
        auto it = modules.find(id);
        if (it == modules.end() || !it->second)
        {
            throw std::invalid_argument("module '" + id + "' is missing");
        }
        model->Import(*it->second);
    }
}

M3TFederatedLearner::M3TFederatedLearner(const M3TLearnerConfig& config)
    : m_impl(std::make_unique<Impl>())
{
    const std::string error = config.Check();
    if (!error.empty())
    {
        throw std::invalid_argument("M3TFederatedLearner: " + error);
    }
    Impl& d = *m_impl;
    d.config = config;
    torch::set_num_threads(config.threads);
    torch::manual_seed(config.seed);
    d.model = M3TModel(config.model);

    const std::string dir = config.dataDir.empty() ? DefaultFashionMnistDir() : config.dataDir;
    const M3TDataset all = BuildM3TDataset(ReadFashionMnist(dir, true), config.seed);
    const auto poolSize = static_cast<int64_t>(config.devices * config.samplesPerDevice);
    d.pool = all.Slice(0, poolSize);
    d.test = BuildM3TDataset(ReadFashionMnist(dir, false), config.seed + 1)
                 .Slice(0, static_cast<int64_t>(config.testSamples));
    d.LoadFoundation(all.Slice(FEDERATED_POOL, FEDERATED_POOL + PRETRAIN_SPLIT));
    d.model->SetBackboneFrozen(config.freezeBackbone);

    const auto fine = d.pool.labels.select(1, 0).contiguous();
    const std::vector<int64_t> labels(fine.data_ptr<int64_t>(),
                                      fine.data_ptr<int64_t>() + fine.numel());
    const auto parts = DirichletPartition(labels, config.devices, config.alpha, config.seed);
    for (std::size_t i = 0; i < parts.size(); ++i)
    {
        // every device keeps all of its shard for training: evaluation uses the global test set
        d.shards.push_back(SplitShard(parts[i], 0.0, config.seed + i));
    }
    for (const auto& id : d.model->GetModuleIds())
    {
        if (d.model->IsTrainable(id))
        {
            d.initial[id] = std::make_shared<const ModuleState>(d.model->Export(id));
        }
    }
}

M3TFederatedLearner::~M3TFederatedLearner() = default;

std::size_t
M3TFederatedLearner::GetDeviceCount() const
{
    return m_impl->shards.size();
}

int64_t
M3TFederatedLearner::GetTrainSamples(std::size_t device) const
{
    return static_cast<int64_t>(m_impl->shards.at(device).train.size());
}

ModuleMap
M3TFederatedLearner::GetInitialModules() const
{
    return m_impl->initial;
}

std::vector<std::string>
M3TFederatedLearner::GetModuleIdsFor(const NodeProfile& profile) const
{
    std::vector<std::string> ids;
    for (const auto& id : m_impl->model->GetModuleIdsFor(profile))
    {
        if (m_impl->model->IsTrainable(id))
        {
            ids.push_back(id);
        }
    }
    return ids;
}

LocalUpdate
M3TFederatedLearner::Train(std::size_t device, const NodeProfile& profile, const ModuleMap& modules,
                           uint32_t round)
{
    Impl& d = *m_impl;
    if (device >= d.shards.size())
    {
        throw std::invalid_argument("M3TFederatedLearner::Train: device " + std::to_string(device)
                                    + " of " + std::to_string(d.shards.size()));
    }
    const std::string error = profile.Check(d.config.model);
    if (!error.empty())
    {
        throw std::invalid_argument("M3TFederatedLearner::Train: device " + std::to_string(device)
                                    + ": " + error);
    }
    LocalUpdate update;
    const auto& indices = d.shards[device].train;
    if (indices.empty() || profile.tasks.empty())
    {
        return update;
    }
    d.ImportAll(modules, profile);
    TrainOptions options = d.config.train;
    options.seed = d.config.seed * 1000003ULL + device * 7919ULL + round;
    const TrainReport report
        = TrainLocal(d.model, d.pool, indices, profile, options, d.config.proximalMu);
    update.samples = report.samples;
    update.multiplyAdds = report.multiplyAdds;
    update.lossPerTask = report.lossPerTask;
    for (const auto& id : report.trainedModules)
    {
        update.modules.push_back(std::make_shared<const ModuleState>(
            d.model->Export(id, static_cast<double>(report.samples))));
    }
    return update;
}

std::map<std::string, double>
M3TFederatedLearner::Evaluate(const ModuleMap& modules, const NodeProfile& profile)
{
    Impl& d = *m_impl;
    d.ImportAll(modules, profile);
    return ns3::Evaluate(d.model, d.test, {}, profile);
}

const M3TConfig&
M3TFederatedLearner::GetModelConfig() const
{
    return m_impl->config.model;
}

} // namespace ns3
