/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/**
 * \file
 * \ingroup hffm
 * A look inside hffm's M3T model, and its centralized training.
 *
 *     hffm-model --command=list                 every module: id, kind, parameters, bytes
 *     hffm-model --command=layout               every tensor of every module: name, shape
 *     hffm-model --command=memory               bytes a device holds for some profiles
 *     hffm-model --command=pretrain --checkpoint=foundation.hffm
 *                                               pretrain on the pretraining split and save
 *                                               the encoders and backbone blocks
 *     hffm-model --command=train --epochs=3     train on all modalities and tasks, print
 *                                               per-task test accuracy next to a plain CNN
 *     hffm-model --command=train --checkpoint=foundation.hffm --freezeBackbone=1
 *                                               the same, starting from the pretrained
 *                                               modules with the backbone frozen
 *
 * Data: Fashion-MNIST from Debian's dataset-fashion-mnist. Training uses the first 50000
 * training images (the federated pool); the last 10000 are the pretraining split, never used
 * for evaluation; accuracy is measured on the 10000 test images. Output is key=value lines
 * (CSV for list and layout).
 */

#include "ns3/checked-command-line.h"
#include "ns3/checkpoint.h"
#include "ns3/command-line.h"
#include "ns3/local-trainer.h"
#include "ns3/m3t-dataset.h"
#include "ns3/m3t-model.h"
#include "ns3/model-options.h"
#include "ns3/output-folder.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <random>
#include <sstream>

using namespace ns3;

namespace
{

/// The plain CNN baseline: conv 32, pool, conv 64, pool, fc 128, fc 10.
struct PlainCnnImpl : torch::nn::Module
{
    PlainCnnImpl()
        : conv1(register_module("conv1",
                                torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 32, 3).padding(1))))
        , conv2(register_module("conv2",
                                torch::nn::Conv2d(torch::nn::Conv2dOptions(32, 64, 3).padding(1))))
        , fc1(register_module("fc1", torch::nn::Linear(64 * 7 * 7, 128)))
        , fc2(register_module("fc2", torch::nn::Linear(128, 10)))
    {
    }

    torch::Tensor forward(torch::Tensor x)
    {
        x = torch::max_pool2d(torch::relu(conv1(x)), 2);
        x = torch::max_pool2d(torch::relu(conv2(x)), 2);
        return fc2(torch::relu(fc1(x.flatten(1))));
    }

    torch::nn::Conv2d conv1;
    torch::nn::Conv2d conv2;
    torch::nn::Linear fc1;
    torch::nn::Linear fc2;
};

TORCH_MODULE(PlainCnn);

double
TrainAndTestCnn(const M3TDataset& train, const M3TDataset& test, const TrainOptions& options)
{
    torch::manual_seed(static_cast<uint64_t>(options.seed));
    PlainCnn cnn;
    torch::optim::Adam adam(cnn->parameters(), torch::optim::AdamOptions(options.learningRate));
    std::mt19937_64 rng(options.seed);
    std::vector<int64_t> order(static_cast<std::size_t>(train.Size()));
    std::iota(order.begin(), order.end(), 0);
    cnn->train();
    for (int64_t e = 0; e < options.epochs; ++e)
    {
        std::shuffle(order.begin(), order.end(), rng);
        for (std::size_t s = 0; s < order.size(); s += static_cast<std::size_t>(options.batchSize))
        {
            const std::size_t end
                = std::min(order.size(), s + static_cast<std::size_t>(options.batchSize));
            const auto index
                = torch::tensor(std::vector<int64_t>(order.begin() + s, order.begin() + end));
            auto loss = torch::nn::functional::cross_entropy(
                cnn->forward(train.images.index_select(0, index)),
                train.labels.index_select(0, index).select(1, 0));
            adam.zero_grad();
            loss.backward();
            adam.step();
        }
    }
    torch::NoGradGuard noGrad;
    cnn->eval();
    const auto predicted = cnn->forward(test.images).argmax(1);
    return predicted.eq(test.labels.select(1, 0)).to(torch::kFloat64).mean().item<double>();
}

std::string
Join(const std::map<std::string, double>& m, const std::string& prefix)
{
    std::ostringstream os;
    for (const auto& [k, v] : m)
    {
        os << prefix << k << "=" << std::setprecision(4) << v << "\n";
    }
    return os.str();
}

/// The example; main() reports an exception that escapes it.
int
Run(int argc, char* argv[])
{
    std::string command = "list";
    int64_t epochs = 3;
    int64_t batchSize = 64;
    double learningRate = 1e-3;
    uint32_t threads = 1;
    uint64_t seed = 1;
    std::string dataDir = DefaultFashionMnistDir();
    std::string checkpoint;
    bool freezeBackbone = false;
    int64_t trainSamples = 50000;

    CommandLine cmd(__FILE__);
    cmd.AddValue("command", "list | layout | memory | pretrain | train", command);
    cmd.AddValue("checkpoint", "pretrain: file to write; train: pretrained modules to start from",
                 checkpoint);
    cmd.AddValue("freezeBackbone", "train: do not train the backbone blocks", freezeBackbone);
    AddCheckedValue(cmd, "trainSamples", "train: samples of the federated pool to use",
                    trainSamples, {1, 50000});
    AddCheckedValue(cmd, "epochs", "Training epochs (train)", epochs, {1});
    AddCheckedValue(cmd, "batchSize", "Training batch size (train)", batchSize, {1});
    AddCheckedValue(cmd, "learningRate", "Adam learning rate (train)", learningRate,
                    ValueRange<double>::Positive());
    AddCheckedValue(cmd, "threads", "LibTorch intra-op threads", threads, {1, 1024});
    AddCheckedValue(cmd, "seed", "Seed of weights, text synthesis and shuffling", seed, {0});
    cmd.AddValue("dataDir", "Folder of Fashion-MNIST's gzipped idx files", dataDir);
    M3TConfig modelConfig;
    AddModelOptions(cmd, modelConfig);
    cmd.Parse(argc, argv);
    const std::string modelError = CheckModelOptions(modelConfig);
    if (!modelError.empty())
    {
        std::cerr << modelError << "\n";
        return 2;
    }

    at::set_num_threads(static_cast<int>(threads));
    torch::manual_seed(seed);
    M3TModel model(modelConfig);

    if (command == "list")
    {
        std::cout << "# module_id: stable id; kind; parameters: float count; bytes: fp32 bytes; "
                     "trainable: 0 when frozen\n";
        std::cout << "module_id,kind,parameters,bytes,trainable\n";
        std::size_t total = 0;
        for (const auto& id : model->GetModuleIds())
        {
            const ModuleState s = model->Export(id);
            total += s.GetNumel();
            std::cout << id << "," << ToString(model->GetModuleKind(id)) << "," << s.GetNumel()
                      << "," << s.GetValueBytes() << "," << (model->IsTrainable(id) ? 1 : 0)
                      << "\n";
        }
        std::cout << "# total parameters: " << total << "\n";
        return 0;
    }
    if (command == "layout")
    {
        std::cout << "# module_id; tensor: parameter name; shape: dimensions separated by x\n";
        std::cout << "module_id,tensor,shape\n";
        for (const auto& id : model->GetModuleIds())
        {
            const ModuleState state = model->Export(id); // keep it alive for the loop
            for (const auto& t : state.GetTensors())
            {
                std::cout << id << "," << t.name << ",";
                for (std::size_t k = 0; k < t.shape.size(); ++k)
                {
                    std::cout << (k ? "x" : "") << t.shape[k];
                }
                std::cout << "\n";
            }
        }
        return 0;
    }
    if (command == "memory")
    {
        // A device keeps its own copy of the modules it trains; modules it uses but does not
        // train (a frozen backbone) live once in the process's compute model and are shared
        // by all simulated devices.
        std::cout << "# profile; frozen_backbone; held_modules: modules the device trains and "
                     "keeps; held_bytes: their fp32 bytes; shared_bytes: used, frozen, one "
                     "copy per process\n";
        std::cout << "profile,frozen_backbone,held_modules,held_bytes,shared_bytes\n";
        const std::vector<std::pair<std::string, NodeProfile>> profiles
            = {{"image+text/all-tasks",
                {{Modality::IMAGE, Modality::TEXT}, {"fine", "coarse", "question"}}},
               {"image/fine+coarse", {{Modality::IMAGE}, {"fine", "coarse"}}},
               {"text/question", {{Modality::TEXT}, {"question"}}}};
        for (bool frozen : {false, true})
        {
            model->SetBackboneFrozen(frozen);
            for (const auto& [name, profile] : profiles)
            {
                std::size_t held = 0;
                std::size_t shared = 0;
                std::size_t count = 0;
                for (const auto& id : model->GetModuleIdsFor(profile))
                {
                    const std::size_t bytes = model->Export(id).GetValueBytes();
                    if (model->IsTrainable(id))
                    {
                        held += bytes;
                        ++count;
                    }
                    else
                    {
                        shared += bytes;
                    }
                }
                std::cout << name << "," << frozen << "," << count << "," << held << "," << shared
                          << "\n";
            }
        }
        return 0;
    }
    if (command != "train" && command != "pretrain")
    {
        std::cerr << "--command=" << command
                  << " is not one of list, layout, memory, pretrain, train\n";
        return 2;
    }
    if (command == "pretrain" && checkpoint.empty())
    {
        std::cerr << "--command=pretrain needs --checkpoint=FILE to write\n";
        return 2;
    }
    if (command == "pretrain")
    {
        const std::string folder = std::filesystem::path(checkpoint).parent_path().string();
        const std::string error = folder.empty() ? "" : PrepareOutputFolder(folder);
        if (!error.empty())
        {
            std::cerr << "--checkpoint=" << checkpoint << ": " << error << "\n";
            return 2;
        }
    }
    TrainOptions options;
    options.epochs = epochs;
    options.batchSize = batchSize;
    options.learningRate = learningRate;
    options.seed = seed;
    const std::string error = options.Check();
    if (!error.empty())
    {
        std::cerr << "bad option: " << error << "\n";
        return 2;
    }

    const M3TDataset all = BuildM3TDataset(ReadFashionMnist(dataDir, true), seed);
    const M3TDataset pool
        = command == "pretrain" ? all.Slice(50000, 60000) : all.Slice(0, trainSamples);
    const M3TDataset test = BuildM3TDataset(ReadFashionMnist(dataDir, false), seed + 1);
    NodeProfile everything;
    everything.modalities = {Modality::IMAGE, Modality::TEXT};
    for (const auto& t : model->GetConfig().tasks)
    {
        everything.tasks.insert(t.name);
    }
    std::vector<int64_t> indices(static_cast<std::size_t>(pool.Size()));
    std::iota(indices.begin(), indices.end(), 0);
    if (command == "train" && !checkpoint.empty())
    {
        const CheckpointContents pretrained = ReadCheckpoint(checkpoint);
        if (!pretrained.error.empty())
        {
            std::cerr << pretrained.error << "\n";
            return 1;
        }
        const std::string missing = model->FindMissingFoundation(pretrained.modules);
        if (!missing.empty())
        {
            std::cerr << "checkpoint " << checkpoint << " lacks foundation module '" << missing
                      << "'\n";
            return 1;
        }
        for (const auto& m : pretrained.modules)
        {
            model->Import(*m);
        }
    }
    model->SetBackboneFrozen(freezeBackbone);

    const auto start = std::chrono::steady_clock::now();
    const TrainReport report = TrainLocal(model, pool, indices, everything, options);
    const double m3tSeconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (command == "pretrain")
    {
        const auto foundation = model->ExportFoundation();
        const std::string written = WriteCheckpoint(checkpoint, foundation);
        if (!written.empty())
        {
            std::cerr << written << "\n";
            return 1;
        }
        std::cout << "pretrain_samples=" << report.samples << "\nepochs=" << epochs
                  << "\nlast_epoch_loss=" << report.lastEpochLoss
                  << "\npretrain_seconds=" << m3tSeconds << "\ncheckpoint=" << checkpoint
                  << "\ncheckpoint_modules=" << foundation.size() << "\n";
        return 0;
    }
    const auto accuracy = Evaluate(model, test, {}, everything);
    NodeProfile imageOnly{{Modality::IMAGE}, {"fine", "coarse"}};
    NodeProfile textOnly{{Modality::TEXT}, {"fine", "coarse", "question"}};
    const auto imageAccuracy = Evaluate(model, test, {}, imageOnly);
    const auto textAccuracy = Evaluate(model, test, {}, textOnly);

    const auto cnnStart = std::chrono::steady_clock::now();
    const double cnnAccuracy = TrainAndTestCnn(pool, test, options);
    const double cnnSeconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - cnnStart).count();

    std::cout << "checkpoint=" << checkpoint << "\nfreeze_backbone=" << freezeBackbone
              << "\nepochs=" << epochs << "\nbatch_size=" << batchSize << "\nthreads=" << threads
              << "\nseed=" << seed << "\ntrain_samples=" << report.samples
              << "\ntest_samples=" << test.Size() << "\nfirst_batch_loss=" << report.firstLoss
              << "\nlast_epoch_loss=" << report.lastEpochLoss
              << "\nmultiply_adds=" << report.multiplyAdds << "\nm3t_train_seconds=" << m3tSeconds
              << "\n"
              << Join(accuracy, "test_accuracy_")
              << Join(imageAccuracy, "test_accuracy_image_only_")
              << Join(textAccuracy, "test_accuracy_text_only_")
              << "cnn_baseline_test_accuracy_fine=" << cnnAccuracy
              << "\ncnn_train_seconds=" << cnnSeconds << "\n";
    return 0;
}

} // namespace

int
main(int argc, char* argv[])
{
    return RunProgram("hffm-model", [&] { return Run(argc, argv); });
}
