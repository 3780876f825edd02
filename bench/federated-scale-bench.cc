/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/**
 * \file
 * Wall time of federated rounds, split into learning (LibTorch training and evaluation
 * inside the learner) and simulation (everything else: ns-3's radio, TCP, the applications),
 * for a number of devices on Wi-Fi or LTE.
 *
 *     hffm-bench-federated-scale --radio=wifi --devices=100 --rounds=1
 *
 * Prints key=value lines. The learner is wrapped in a decorator that times its calls with a
 * steady clock; the simulation itself never reads a wall clock. On MPI ranks
 * (mpirun -np N ... --distributed=gtw, Wi-Fi) each rank runs its share of the fog cells
 * (CellPartition::Even) and rank 0 prints every rank's figures (rank<r>_...) and the slowest
 * rank's run_wall_s; peak_memory_MB is the process's maximum resident set.
 */

#include "ns3/checked-command-line.h"
#include "ns3/command-line.h"
#include "ns3/core-module.h"
#include "ns3/distributed-run.h"
#include "ns3/federated-helper.h"
#include "ns3/lte-topology-helper.h"
#include "ns3/m3t-federated-learner.h"
#include "ns3/model-options.h"
#include "ns3/results-collector.h"
#include "ns3/wall-clock-learner.h"
#include "ns3/wifi-topology-helper.h"

#include <chrono>
#include <cmath>
#include <exception>
#include <iostream>
#include <sstream>
#include <sys/resource.h>

using namespace ns3;

namespace
{

using Clock = std::chrono::steady_clock;

/// Adds up the wall time of the learner's training and evaluation.
/// The benchmark; main() reports an exception that escapes it.
int
Run(int argc, char* argv[])
{
    std::string radio = "wifi";
    uint32_t devices = 10;
    uint32_t fogs = 0;
    uint32_t rounds = 1;
    uint32_t samplesPerDevice = 100;
    std::string method = "hier-1";
    std::string standard = "80211ax";
    bool ampdu = true;
    bool channelPerCell = true;
    bool controlErrorModel = false;
    double idleSeconds = 0.0;
    uint32_t threads = 1;
    std::string distributed;
    CommandLine cmd(__FILE__);
    cmd.AddValue("radio", "wifi or lte", radio);
    AddCheckedValue(cmd, "devices", "edge devices", devices, {1, 50000});
    AddCheckedValue(cmd, "fogs", "fogs (0: one per 10 devices)", fogs, {0, 250});
    AddCheckedValue(cmd, "rounds", "edge rounds", rounds, {1});
    AddCheckedValue(cmd, "samplesPerDevice", "training samples per device", samplesPerDevice,
                    {1, 50000});
    cmd.AddValue("method", "star, edge-only or hier-K", method);
    cmd.AddValue("standard", "Wi-Fi standard: 80211n, 80211ac, 80211ax", standard);
    cmd.AddValue("ampdu", "Wi-Fi A-MPDU aggregation (off: no Block Ack with 802.11n)", ampdu);
    cmd.AddValue("channelPerCell", "LTE: each cell on spectrum channels of its own",
                 channelPerCell);
    cmd.AddValue("controlErrorModel", "LTE: the PCFICH/PDCCH error model", controlErrorModel);
    AddCheckedValue(cmd, "idleSeconds",
                    "> 0: no applications, only the network for this many simulated seconds",
                    idleSeconds, {0.0});
    AddCheckedValue(cmd, "threads", "LibTorch threads per process", threads, {1, 1024});
    M3TConfig modelConfig;
    AddModelOptions(cmd, modelConfig);
    uint32_t lteRegions = 1;
    AddCheckedValue(cmd, "lteRegions",
                    "LTE regional cores (EPCs), 1..fogs; a distributed LTE run needs one "
                    "region per rank or more",
                    lteRegions, {1, 250});
    cmd.AddValue("distributed",
                 "run on MPI ranks (mpirun -np N) with ns-3's distributed simulator: gtw or "
                 "null; "
                 "empty: one process",
                 distributed);
    cmd.Parse(argc, argv);
    if (fogs == 0)
    {
        fogs = std::max(1U, devices / 10);
    }
    if (const std::string error = CheckModelOptions(modelConfig); !error.empty())
    {
        std::cerr << error << "\n";
        return 2;
    }
    FederatedMethod m;
    const std::string error = FederatedMethod::Parse(method, m);
    if (!error.empty() || (radio != "wifi" && radio != "lte"))
    {
        std::cerr << (error.empty() ? "--radio is not wifi or lte" : error) << "\n";
        return 2;
    }

    WifiTopologyHelper::Config wifiConfig;
    wifiConfig.devices = devices;
    wifiConfig.fogs = fogs;
    wifiConfig.standard = standard;
    wifiConfig.ampdu = ampdu;
    LteTopologyHelper::Config lteConfig;
    lteConfig.devices = devices;
    lteConfig.fogs = fogs;
    lteConfig.channelPerCell = channelPerCell;
    lteConfig.controlErrorModel = controlErrorModel;
    lteConfig.regions = lteRegions;
    if (!distributed.empty())
    {
        const std::string refused = DistributedRun::CheckSimulator(distributed);
        if (!refused.empty())
        {
            std::cerr << "--distributed=" << distributed << ": " << refused << "\n";
            return 2;
        }
        DistributedRun::Enable(&argc, &argv, distributed);
        const uint32_t ranks = DistributedRun::GetSize();
        const uint32_t rank = DistributedRun::GetRank();
        wifiConfig.partition = CellPartition::Even(fogs, ranks, rank);
        lteConfig.partition = LteTopologyHelper::EvenByRegion(lteConfig, ranks, rank);
    }
    const bool talks = DistributedRun::GetRank() == 0;
    const std::string topologyError = radio == "wifi" ? WifiTopologyHelper::Check(wifiConfig)
                                                      : LteTopologyHelper::Check(lteConfig);
    if (!topologyError.empty())
    {
        std::cerr << "bad topology: " << topologyError << "\n";
        DistributedRun::Disable();
        return 2;
    }
    auto buildTopology = [&]()
    {
        return radio == "wifi" ? WifiTopologyHelper::Build(wifiConfig)
                               : LteTopologyHelper::Build(lteConfig);
    };
    if (idleSeconds > 0.0)
    {
        // what the radio costs with no traffic: beacons, or LTE's per-TTI control and CQI;
        // no learner (data, model) is needed for it
        const FederatedTopology topology = buildTopology(); // alive while the network runs
        const auto idleStart = Clock::now();
        Simulator::Stop(Seconds(idleSeconds));
        Simulator::Run();
        const double idle = std::chrono::duration<double>(Clock::now() - idleStart).count();
        Simulator::Destroy();
        std::cout << "radio=" << radio << "\ndevices=" << devices << "\nfogs=" << fogs
                  << (radio == "lte" ? "\nlte_regions=" + std::to_string(lteRegions) : "")
                  << "\nidle_simulated_s=" << idleSeconds << "\nidle_wall_s=" << idle << "\n";
        return 0;
    }

    M3TLearnerConfig lc;
    lc.model = modelConfig;
    lc.devices = devices;
    lc.samplesPerDevice = samplesPerDevice;
    lc.testSamples = 100;
    lc.threads = static_cast<int>(threads);
    auto learner = std::make_shared<WallClockLearner>(std::make_shared<M3TFederatedLearner>(lc));
    const auto profiles = DrawNodeProfiles(devices, 0.8, 0.6, 0.6, 1);
    std::vector<DeviceSpec> specs(devices);
    for (uint32_t i = 0; i < devices; ++i)
    {
        specs[i].profile = profiles[i];
    }

    const auto setupStart = Clock::now();
    const FederatedTopology topology = buildTopology();
    FederatedHelper helper(learner);
    helper.SetFogStrategyAttribute("Rounds", UintegerValue(rounds));
    helper.SetFogAttribute("RoundDeadline", TimeValue(Seconds(600)));
    helper.SetCloudAttribute("RoundDeadline", TimeValue(Seconds(600)));
    const FederatedApps apps = helper.Install(topology, specs, m);
    ResultsCollector::Options observe;
    observe.rounds = rounds;
    observe.evalEvery = 0; // accuracy after the run only, outside the timed part
    ResultsCollector collector(topology, apps, specs, m, *learner, helper.GetStartTime(), observe);
    const double setup = std::chrono::duration<double>(Clock::now() - setupStart).count();
    const auto runStart = Clock::now();
    const bool finished = collector.Run(Seconds(3600));
    const double total = std::chrono::duration<double>(Clock::now() - runStart).count();
    const double simulated = Simulator::Now().GetSeconds();
    const double learning = learner->GetSeconds();
    collector.Finish();
    Simulator::Destroy();

    // every rank's figures, for rank 0 to print
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::ostringstream mine;
    mine << setup << " " << total << " " << learning << " " << usage.ru_maxrss / 1024.0;
    const std::vector<std::string> ranks = DistributedRun::AllGather(mine.str());
    DistributedRun::Disable();
    if (!talks)
    {
        return 0;
    }
    std::cout << "radio=" << radio << "\ndevices=" << devices << "\nfogs=" << fogs
              << (radio == "lte" ? "\nlte_regions=" + std::to_string(lteRegions) : "")
              << "\nmethod=" << method << "\nrounds=" << rounds << "\nranks=" << ranks.size()
              << "\nthreads=" << threads << "\nfinished=" << finished
              << "\nsimulated_s_per_round=" << simulated / rounds << "\n";
    double slowest = 0.0;
    for (std::size_t r = 0; r < ranks.size(); ++r)
    {
        double rankSetup = 0;
        double rankRun = 0;
        double rankLearning = 0;
        double peakMb = 0;
        std::istringstream(ranks[r]) >> rankSetup >> rankRun >> rankLearning >> peakMb;
        const std::string key = ranks.size() > 1 ? "rank" + std::to_string(r) + "_" : "";
        std::cout << key << "setup_wall_s=" << rankSetup << "\n"
                  << key << "run_wall_s=" << rankRun << "\n"
                  << key << "learning_wall_s_per_round=" << rankLearning / rounds << "\n"
                  << key << "simulation_wall_s_per_round=" << (rankRun - rankLearning) / rounds
                  << "\n"
                  << key << "simulation_fraction=" << (rankRun - rankLearning) / rankRun << "\n"
                  << key << "peak_memory_MB=" << peakMb << "\n";
        slowest = std::max(slowest, rankRun);
    }
    if (ranks.size() > 1)
    {
        std::cout << "run_wall_s=" << slowest << "\n";
    }
    return 0;
}

} // namespace

int
main(int argc, char* argv[])
{
    return RunProgram("hffm-bench-federated-scale", [&] { return Run(argc, argv); });
}
