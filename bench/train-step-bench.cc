/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Time of one training step (forward, backward, Adam step) of the default M3T model on a
// batch with both modalities and all three tasks, in C++ (LibTorch). bench/train_step.py does
// the same in PyTorch eager with Debian's python3-torch; scripts/run-benchmarks.sh runs both
// with the same thread count and batch and prints the ratio.
//
//     hffm-bench-train-step --threads=1 --batch=64 --steps=40

#include "ns3/checked-command-line.h"
#include "ns3/command-line.h"
#include "ns3/m3t-model.h"

#include <chrono>
#include <exception>
#include <iostream>
#include <string>

using namespace ns3;

namespace
{

/// The benchmark; main() reports an exception that escapes it.
int
Run(int argc, char* argv[])
{
    uint32_t threads = 1;
    int64_t batch = 64;
    uint32_t steps = 40;
    CommandLine cmd(__FILE__);
    AddCheckedValue(cmd, "threads", "LibTorch intra-op threads", threads, {1, 1024});
    AddCheckedValue(cmd, "batch", "samples per training step", batch, {1});
    AddCheckedValue(cmd, "steps", "timed training steps (after 5 warm-up steps)", steps, {1});
    cmd.Parse(argc, argv);
    at::set_num_threads(static_cast<int>(threads));
    torch::manual_seed(0);
    M3TModel model;
    model->train();
    torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-3));
    const auto images = torch::randn({batch, 1, 28, 28});
    const auto text = torch::randint(0, 27, {batch, 8}, torch::kInt64);
    const auto fine = torch::randint(0, 10, {batch}, torch::kInt64);
    const auto coarse = torch::randint(0, 4, {batch}, torch::kInt64);
    const auto answer = torch::randint(0, 2, {batch}, torch::kInt64);
    const std::vector<std::string> tasks = {"fine", "coarse", "question"};
    auto step = [&]
    {
        const auto out = model->Forward(images, text, tasks);
        namespace F = torch::nn::functional;
        auto loss = F::cross_entropy(out.logits.at("fine"), fine)
                    + F::cross_entropy(out.logits.at("coarse"), coarse)
                    + F::cross_entropy(out.logits.at("question"), answer) + 0.01 * out.balanceLoss;
        adam.zero_grad();
        loss.backward();
        adam.step();
    };
    for (int i = 0; i < 5; ++i)
    {
        step();
    }
    const auto start = std::chrono::steady_clock::now();
    for (uint32_t i = 0; i < steps; ++i)
    {
        step();
    }
    const double seconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "implementation=cpp\nthreads=" << threads << "\nbatch=" << batch
              << "\nsteps=" << steps << "\nms_per_step=" << 1000.0 * seconds / steps << "\n";
    return 0;
}

} // namespace

int
main(int argc, char* argv[])
{
    return RunProgram("hffm-bench-train-step", [&] { return Run(argc, argv); });
}
