/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/local-trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace ns3
{

namespace
{

std::vector<std::string>
TaskList(const M3TConfig& config, const NodeProfile& profile)
{
    std::vector<std::string> tasks; // in config order, for a stable loss sum
    for (const auto& t : config.tasks)
    {
        if (profile.tasks.count(t.name))
        {
            tasks.push_back(t.name);
        }
    }
    return tasks;
}

std::size_t
TaskColumn(const M3TConfig& config, const std::string& task)
{
    for (std::size_t i = 0; i < config.tasks.size(); ++i)
    {
        if (config.tasks[i].name == task)
        {
            return i;
        }
    }
    throw std::invalid_argument("unknown task '" + task + "'");
}

/// The batch's inputs, leaving out the modalities the node lacks.
struct Inputs
{
    torch::Tensor images;
    torch::Tensor text;
    torch::Tensor labels;
};

Inputs
Batch(const M3TDataset& data, const torch::Tensor& index, const NodeProfile& profile)
{
    Inputs in;
    if (profile.modalities.count(Modality::IMAGE))
    {
        in.images = data.images.index_select(0, index);
    }
    if (profile.modalities.count(Modality::TEXT))
    {
        in.text = data.text.index_select(0, index);
    }
    in.labels = data.labels.index_select(0, index);
    return in;
}

/// FedProx's proximal term without its factor mu / 2: the sum over \p parameters of
/// ||p - anchor||^2, \p anchors holding their values at the start of the round.
torch::Tensor
SquaredDistance(const std::vector<torch::Tensor>& parameters,
                const std::vector<torch::Tensor>& anchors)
{
    torch::Tensor sum = (parameters[0] - anchors[0]).square().sum();
    for (std::size_t i = 1; i < parameters.size(); ++i)
    {
        sum = sum + (parameters[i] - anchors[i]).square().sum();
    }
    return sum;
}

} // namespace

std::string
TrainOptions::Check() const
{
    if (epochs < 1)
    {
        return "epochs " + std::to_string(epochs) + " is not positive";
    }
    if (batchSize < 1)
    {
        return "batch size " + std::to_string(batchSize) + " is not positive";
    }
    if (optimizer != "adam" && optimizer != "sgd")
    {
        return "optimizer '" + optimizer + "' is not adam or sgd";
    }
    if (!(learningRate > 0.0) || !std::isfinite(learningRate))
    {
        return "learning rate " + std::to_string(learningRate) + " is not positive";
    }
    if (!(balanceWeight >= 0.0) || !std::isfinite(balanceWeight))
    {
        return "balance weight " + std::to_string(balanceWeight) + " is negative";
    }
    return "";
}

std::string
CheckProximalMu(double mu)
{
    if (!(mu >= 0.0) || !std::isfinite(mu))
    {
        return "proximalMu " + std::to_string(mu) + " is not a finite number >= 0";
    }
    return "";
}

TrainReport
TrainLocal(M3TModel& model, const M3TDataset& data, const std::vector<int64_t>& indices,
           const NodeProfile& profile, const TrainOptions& options, double proximalMu)
{
    std::string error = profile.Check(model->GetConfig());
    if (error.empty())
    {
        error = options.Check();
    }
    if (error.empty())
    {
        error = CheckProximalMu(proximalMu);
    }
    if (error.empty() && indices.empty())
    {
        error = "the node has no training samples";
    }
    if (error.empty() && profile.tasks.empty())
    {
        error = "the node has no task";
    }
    if (!error.empty())
    {
        throw std::invalid_argument("TrainLocal: " + error);
    }
    const auto& config = model->GetConfig();
    const auto tasks = TaskList(config, profile);

    TrainReport report;
    report.samples = static_cast<int64_t>(indices.size());
    std::vector<torch::Tensor> parameters;
    for (const auto& id : model->GetModuleIdsFor(profile))
    {
        if (!model->IsTrainable(id))
        {
            continue;
        }
        report.trainedModules.push_back(id);
        for (auto& p : model->GetModule(id).parameters())
        {
            parameters.push_back(p);
        }
    }
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    if (options.optimizer == "adam")
    {
        optimizer = std::make_unique<torch::optim::Adam>(
            parameters, torch::optim::AdamOptions(options.learningRate));
    }
    else
    {
        optimizer = std::make_unique<torch::optim::SGD>(
            parameters, torch::optim::SGDOptions(options.learningRate).momentum(0.9));
    }

    // FedProx: the trained parameters as this call found them (a device: as it received them
    // for the round). Left empty when mu is 0, so that training without the term does exactly
    // what it did before the term existed.
    std::vector<torch::Tensor> anchors;
    if (proximalMu > 0.0 && !parameters.empty())
    {
        anchors.reserve(parameters.size());
        for (const auto& p : parameters)
        {
            anchors.push_back(p.detach().clone());
        }
    }

    model->train();
    std::mt19937_64 rng(options.seed);
    std::vector<int64_t> order = indices;
    for (int64_t epoch = 0; epoch < options.epochs; ++epoch)
    {
        std::shuffle(order.begin(), order.end(), rng);
        std::map<std::string, double> taskSum;
        double totalSum = 0.0;
        int64_t batches = 0;
        for (std::size_t start = 0; start < order.size();
             start += static_cast<std::size_t>(options.batchSize))
        {
            const std::size_t end
                = std::min(order.size(), start + static_cast<std::size_t>(options.batchSize));
            const auto index = torch::tensor(
                std::vector<int64_t>(order.begin() + start, order.begin() + end), torch::kInt64);
            const Inputs in = Batch(data, index, profile);
            const M3TOutput out = model->Forward(in.images, in.text, tasks);
            torch::Tensor loss = options.balanceWeight * out.balanceLoss;
            for (const auto& t : tasks)
            {
                auto l = torch::nn::functional::cross_entropy(
                    out.logits.at(t),
                    in.labels.select(1, static_cast<int64_t>(TaskColumn(config, t))));
                taskSum[t] += l.item<double>();
                loss = loss + l;
            }
            if (!anchors.empty())
            {
                loss = loss + 0.5 * proximalMu * SquaredDistance(parameters, anchors);
            }
            optimizer->zero_grad();
            loss.backward();
            optimizer->step();
            const double value = loss.item<double>();
            if (report.steps == 0)
            {
                report.firstLoss = value;
            }
            totalSum += value;
            ++batches;
            ++report.steps;
        }
        report.lastEpochLoss = totalSum / batches;
        for (const auto& t : tasks)
        {
            report.lossPerTask[t] = taskSum[t] / batches;
        }
    }
    report.multiplyAdds = 3.0 * model->ForwardMultiplyAdds(profile)
                          * static_cast<double>(indices.size()) * options.epochs;
    return report;
}

std::map<std::string, double>
Evaluate(M3TModel& model, const M3TDataset& data, const std::vector<int64_t>& indices,
         const NodeProfile& profile, int64_t batchSize)
{
    const std::string error = profile.Check(model->GetConfig());
    if (!error.empty())
    {
        throw std::invalid_argument("Evaluate: " + error);
    }
    const auto& config = model->GetConfig();
    const auto tasks = TaskList(config, profile);
    std::vector<int64_t> all = indices;
    if (all.empty())
    {
        all.resize(static_cast<std::size_t>(data.Size()));
        std::iota(all.begin(), all.end(), 0);
    }
    torch::NoGradGuard noGrad;
    model->eval();
    std::map<std::string, int64_t> correct;
    for (std::size_t start = 0; start < all.size(); start += static_cast<std::size_t>(batchSize))
    {
        const std::size_t end = std::min(all.size(), start + static_cast<std::size_t>(batchSize));
        const auto index
            = torch::tensor(std::vector<int64_t>(all.begin() + start, all.begin() + end));
        const Inputs in = Batch(data, index, profile);
        const M3TOutput out = model->Forward(in.images, in.text, tasks);
        for (const auto& t : tasks)
        {
            const auto truth = in.labels.select(1, static_cast<int64_t>(TaskColumn(config, t)));
            correct[t] += out.logits.at(t).argmax(1).eq(truth).sum().item<int64_t>();
        }
    }
    std::map<std::string, double> accuracy;
    for (const auto& t : tasks)
    {
        accuracy[t] = all.empty() ? 0.0 : double(correct[t]) / double(all.size());
    }
    return accuracy;
}

} // namespace ns3
