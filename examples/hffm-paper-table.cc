/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/**
 * \file
 * \ingroup hffm
 * The HF-FM reference's table, simulated: the same scenario and seed under several federated
 * methods (star FedAvg, edge-only, hierarchical with the cloud every K edge rounds), over
 * ns-3's Wi-Fi or LTE, with the M3T model trained by LibTorch on Fashion-MNIST.
 *
 *     hffm-paper-table                               short default (Wi-Fi, 8 devices, 2 fogs)
 *     hffm-paper-table --radio=lte
 *     hffm-paper-table --devices=40 --fogs=10 --rounds=16 --seeds=3     the full table
 *
 * (scripts/run-full-table.sh runs the full table as one process per method and seed.)
 * Writes to <outputDir>/<runTag>/: summary.csv (one row per method), summary.txt (the same
 * as a readable table), rounds-<method>-seed<S>.csv (one row per round),
 * nodes-<method>-seed<S>.csv (one row per device: radio and compute energy, bytes, final
 * accuracy per task), run-<method>-seed<S>.csv (what else the summary needs, so that
 * scripts/merge-paper-tables.py can make one table of runs made apart), scenario-seed<S>.csv
 * (the devices, in the scenario file format), ranks-<method>-seed<S>.csv (each rank's wall
 * time of the run, learning and the rest, and peak memory: one row in one process), and with
 * --pcap=1 PCAP files per method. Each column is described in doc/hffm.rst ("The paper
 * table"). With --distributed=gtw under mpirun, the run is spread over the ranks by fog cell
 * and rank 0 writes these files (doc/hffm.rst, "Distributed runs").
 */

#include "ns3/checked-command-line.h"
#include "ns3/closed-form-cost.h"
#include "ns3/command-line.h"
#include "ns3/core-module.h"
#include "ns3/d2d-radio-helper.h"
#include "ns3/distributed-run.h"
#include "ns3/federated-helper.h"
#include "ns3/lte-topology-helper.h"
#include "ns3/m3t-federated-learner.h"
#include "ns3/mobility-model.h"
#include "ns3/model-options.h"
#include "ns3/output-folder.h"
#include "ns3/results-collector.h"
#include "ns3/wall-clock-learner.h"
#include "ns3/wifi-topology-helper.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <sys/resource.h>

using namespace ns3;

namespace
{

/// The example; main() reports an exception that escapes it.
int
Run(int argc, char* argv[])
{
    std::string radio = "wifi";
    std::string methods = "star,edge-only,edge-only+d2d,hier-2,hier-8,hier-2+d2d,hier-8+d2d";
    uint32_t devices = 8;
    uint32_t fogs = 2;
    uint32_t rounds = 8;
    uint32_t seeds = 1;
    uint32_t seed = 1;
    uint32_t run = 1;
    uint32_t samplesPerDevice = 200;
    double alpha = 0.5;
    uint32_t testSamples = 1000;
    uint32_t epochs = 1;
    uint32_t batchSize = 32;
    double learningRate = 1e-3;
    double proximalMu = 0.0;
    double imageProbability = 0.8;
    double textProbability = 0.6;
    double taskProbability = 0.6;
    double macsPerSecond = 5e9;
    double computePower = 2.0;
    double deadline = 30.0;
    double participation = 1.0;
    std::string codec = "fp32";
    std::string aggregation = "fedavg";
    std::string checkpoint;
    uint32_t pretrainSamples = 5000;
    bool freezeBackbone = true;
    uint32_t evalEvery = 1;
    uint32_t threads = 2;
    std::string standard = "80211ax";
    bool ampdu = true;
    uint32_t resourceBlocks = 50;
    std::string backhaulRate = "100Mbps";
    std::string backhaulDelay = "10ms";
    bool pcap = false;
    std::string outputDir = "results/hffm-paper-table";
    std::string runTag = "default";
    std::string scenario;
    std::string d2dRadio = "adhoc-80211n";
    uint32_t clusterSize = 4;
    double d2dRange = 30.0;
    std::string clusterAggregator = "min-max";
    uint32_t consensusSteps = 5;
    double groupRadius = 15.0;
    double deviceSpeed = 0.0;
    std::string startTask;
    std::string attackers;
    double attackScale = -1.0;

    CommandLine cmd(__FILE__);
    cmd.AddValue("radio", "wifi or lte", radio);
    cmd.AddValue("methods",
                 "comma-separated: star, edge-only, hier-K, adaptive-T (sync when the fog's "
                 "modules drifted by more than T from the last global ones), and the last three "
                 "with +d2d or +consensus",
                 methods);
    AddCheckedValue(cmd, "consensusSteps",
                    "D2D average consensus steps per round (+consensus methods)", consensusSteps,
                    {1, 255});
    cmd.AddValue(
        "d2dRadio",
        "D2D radio of the +d2d and +consensus methods: adhoc-80211n, adhoc-80211ac, adhoc-80211ax, "
        "ocb-80211p",
        d2dRadio);
    AddCheckedValue(cmd, "clusterSize", "devices per D2D cluster", clusterSize, {1});
    AddCheckedValue(cmd, "d2dRange",
                    "D2D neighbour range (m); a spanning tree joins what it leaves apart", d2dRange,
                    ValueRange<double>::Positive());
    AddCheckedValue(cmd, "groupRadius",
                    "devices stand in groups of clusterSize within this many metres (the D2D "
                    "clusters; the same placement for every method)",
                    groupRadius, ValueRange<double>::Positive());
    AddCheckedValue(cmd, "deviceSpeed",
                    "device random-walk speed (m/s; 0: static); D2D trees follow the members",
                    deviceSpeed, {0.0});
    cmd.AddValue("startTask",
                 "DEVICE:TASK:ROUND: after edge round ROUND, device DEVICE takes on TASK, its "
                 "modules over D2D in +d2d methods, from its aggregator in the others (not "
                 "+consensus; empty: none)",
                 startTask);
    cmd.AddValue("clusterAggregator", "D2D cluster aggregator: min-max, min-total, random",
                 clusterAggregator);
    // the federated pool holds 50000 images: at most one device per image
    AddCheckedValue(cmd, "devices", "edge devices", devices, {1, 50000});
    AddCheckedValue(cmd, "fogs", "fog (edge) servers", fogs, {1, 250});
    AddCheckedValue(cmd, "rounds", "edge rounds per method", rounds, {1});
    AddCheckedValue(cmd, "seeds",
                    "seeds to run, from --seed on (accuracy mean and spread over them)", seeds,
                    {1, 1000});
    // ns-3's generator needs a seed other than 0; the last seed, seed + seeds - 1, must fit
    AddCheckedValue(cmd, "seed", "first seed (data partition, profiles, placement, ns-3 RNG)", seed,
                    {1, 2147483647});
    AddCheckedValue(cmd, "run", "ns-3 run number", run, {0});
    AddCheckedValue(cmd, "samplesPerDevice", "average training samples per device",
                    samplesPerDevice, {1, 50000});
    AddCheckedValue(cmd, "alpha", "Dirichlet concentration of the non-IID split", alpha,
                    ValueRange<double>::Positive());
    AddCheckedValue(cmd, "testSamples", "held-out test images for accuracy", testSamples,
                    {1, 10000});
    AddCheckedValue(cmd, "epochs", "local epochs per round", epochs, {1});
    AddCheckedValue(cmd, "batchSize", "local batch size", batchSize, {1});
    AddCheckedValue(cmd, "learningRate", "local Adam learning rate", learningRate,
                    ValueRange<double>::Positive());
    AddCheckedValue(cmd, "proximalMu",
                    "FedProx proximal coefficient mu of local training (0: plain local training)",
                    proximalMu, {0.0});
    AddCheckedValue(cmd, "imageProbability", "probability that a device has the image modality",
                    imageProbability, {0.0, 1.0});
    AddCheckedValue(cmd, "textProbability", "probability that a device has the text modality",
                    textProbability, {0.0, 1.0});
    AddCheckedValue(cmd, "taskProbability", "probability of each task a device's modalities allow",
                    taskProbability, {0.0, 1.0});
    AddCheckedValue(cmd, "macsPerSecond", "device compute speed (multiply-adds per second)",
                    macsPerSecond, {1.0});
    AddCheckedValue(cmd, "computePower", "device power while training (W)", computePower, {0.0});
    AddCheckedValue(cmd, "deadline", "round deadline (s) after which aggregators go on", deadline,
                    ValueRange<double>::Positive());
    AddCheckedValue(cmd, "participation", "fraction of devices per edge round", participation,
                    {0.0, 1.0, true});
    cmd.AddValue("codec", "payload codec: fp32, fp16, int8", codec);
    cmd.AddValue("aggregation",
                 "the aggregation rule at every tier: fedavg, median, trimmed-mean:BETA, krum:F, "
                 "multi-krum:F:M, fedavgm, fedadam, fedyogi, fedadagrad, dp-fedavg:CLIP:NOISE",
                 aggregation);
    cmd.AddValue("checkpoint",
                 "foundation checkpoint: read if it exists, else written after pretraining "
                 "(default: <outputDir>/foundation-<seed>.hffm)",
                 checkpoint);
    AddCheckedValue(cmd, "pretrainSamples", "pretraining images (0: no pretraining)",
                    pretrainSamples, {0, 10000});
    cmd.AddValue("freezeBackbone", "freeze the pretrained backbone", freezeBackbone);
    AddCheckedValue(cmd, "evalEvery",
                    "evaluate accuracy every this many rounds (0: only at the end)", evalEvery,
                    {0});
    AddCheckedValue(cmd, "threads", "LibTorch threads", threads, {1, 1024});
    cmd.AddValue("standard", "Wi-Fi standard: 80211n, 80211ac, 80211ax", standard);
    cmd.AddValue("ampdu", "Wi-Fi A-MPDU aggregation (off with 80211n: no Block Ack agreements)",
                 ampdu);
    AddCheckedValue(cmd, "resourceBlocks",
                    "LTE bandwidth in resource blocks: 6, 15, 25, 50, 75 or 100", resourceBlocks,
                    {6, 100});
    M3TConfig modelConfig;
    AddModelOptions(cmd, modelConfig);
    uint32_t lteRegions = 1;
    AddCheckedValue(cmd, "lteRegions",
                    "LTE regional cores (EPCs), 1..fogs: fog f in region floor(f x regions / "
                    "fogs), each with its own EPC and a gateway to the cloud; a distributed LTE "
                    "run needs one region per rank or more",
                    lteRegions, {1, 250});
    AddCheckedDataRate(cmd, "backhaulRate", "fog-cloud link rate", backhaulRate);
    AddCheckedTime(cmd, "backhaulDelay", "fog-cloud link delay", backhaulDelay);
    cmd.AddValue("pcap", "write PCAP files", pcap);
    cmd.AddValue("attackers",
                 "comma-separated device indices that poison their uploads (DeviceApp "
                 "UpdateScale = --attackScale)",
                 attackers);
    AddCheckedValue(cmd, "attackScale",
                    "what an attacker uploads: g + S (x - g); -1 sign-flips its update, 100 "
                    "scales it",
                    attackScale, {-1e6, 1e6});
    std::string distributed;
    cmd.AddValue("distributed",
                 "run on MPI ranks (start with mpirun -np N) with ns-3's distributed "
                 "simulator: gtw (granted time windows) or null (null messages); empty: one "
                 "process",
                 distributed);
    std::string fogRanks;
    cmd.AddValue("fogRanks",
                 "with --distributed: the rank of each fog's cell, comma-separated (default: "
                 "fog f on rank floor(f x ranks / fogs); LTE: region r on rank "
                 "floor(r x ranks / lteRegions))",
                 fogRanks);
    cmd.AddValue("outputDir", "results folder", outputDir);
    cmd.AddValue("runTag", "sub-folder of this run", runTag);
    cmd.AddValue("scenario",
                 "device file (modalities,tasks,macs_per_second,compute_watts per line; see "
                 "doc/hffm.rst); sets --devices, replaces the drawn profiles and compute",
                 scenario);
    cmd.Parse(argc, argv);

    // ---- check the command line before any work ----
    std::vector<FederatedMethod> methodList;
    {
        std::stringstream ss(methods);
        std::string name;
        while (std::getline(ss, name, ','))
        {
            FederatedMethod m;
            const std::string error = FederatedMethod::Parse(name, m);
            if (!error.empty())
            {
                std::cerr << "--methods: " << error << "\n";
                return 2;
            }
            methodList.push_back(m);
        }
    }
    if (methodList.empty())
    {
        std::cerr << "--methods is empty\n";
        return 2;
    }
    if (radio != "wifi" && radio != "lte")
    {
        std::cerr << "--radio=" << radio << " is not wifi or lte\n";
        return 2;
    }
    if (const std::string error = CheckModelOptions(modelConfig); !error.empty())
    {
        std::cerr << error << "\n";
        return 2;
    }
    if (radio != "lte" && lteRegions != 1)
    {
        std::cerr << "--lteRegions=" << lteRegions << " needs --radio=lte\n";
        return 2;
    }
    ModuleCodec parsedCodec;
    if (!ParseModuleCodec(codec, parsedCodec))
    {
        std::cerr << "--codec=" << codec << " is not fp32, fp16 or int8\n";
        return 2;
    }
    try
    {
        CreateAggregationRule(aggregation);
    }
    catch (const std::invalid_argument& e)
    {
        std::cerr << "--aggregation: " << e.what() << "\n";
        return 2;
    }
    if (!D2dRadioHelper::IsKnown(d2dRadio))
    {
        std::cerr << "--d2dRadio=" << d2dRadio
                  << " is not adhoc-80211n, adhoc-80211ac, adhoc-80211ax or ocb-80211p\n";
        return 2;
    }
    const std::string clusterError
        = FederatedHelper::CheckD2dClusters(clusterSize, d2dRange, clusterAggregator);
    if (!clusterError.empty())
    {
        std::cerr << "bad D2D clusters: " << clusterError << "\n";
        return 2;
    }
    // --attackers=I,J,...
    std::set<uint32_t> attackerSet;
    {
        std::stringstream ss(attackers);
        std::string item;
        while (std::getline(ss, item, ','))
        {
            char* end = nullptr;
            const unsigned long d = std::strtoul(item.c_str(), &end, 10);
            if (item.empty() || end != item.c_str() + item.size() || d >= devices)
            {
                std::cerr << "--attackers=" << attackers << ": '" << item
                          << "' is not a device index below " << devices << "\n";
                return 2;
            }
            attackerSet.insert(static_cast<uint32_t>(d));
        }
    }
    // --startTask=DEVICE:TASK:ROUND
    uint32_t taskDevice = 0;
    std::string taskName;
    uint32_t taskRound = 0;
    if (!startTask.empty())
    {
        std::istringstream in(startTask);
        std::string device;
        std::string round;
        const bool parsed = std::getline(in, device, ':') && std::getline(in, taskName, ':')
                            && std::getline(in, round) && !taskName.empty();
        auto number = [](const std::string& text, uint32_t& value)
        {
            if (text.empty() || text.size() > 9
                || text.find_first_not_of("0123456789") != std::string::npos)
            {
                return false;
            }
            value = static_cast<uint32_t>(std::stoul(text));
            return true;
        };
        const bool numbers = parsed && number(device, taskDevice) && number(round, taskRound);
        if (!numbers || taskRound < 1 || taskRound >= rounds || taskDevice >= devices)
        {
            std::cerr << "--startTask=" << startTask << " is not DEVICE:TASK:ROUND with DEVICE "
                      << "below --devices and ROUND from 1 to --rounds - 1\n";
            return 2;
        }
    }
    const std::string consensusError = FederatedHelper::CheckConsensusSteps(consensusSteps);
    if (!consensusError.empty())
    {
        std::cerr << "--consensusSteps: " << consensusError << "\n";
        return 2;
    }
    const ClosedFormConfig closedForm; // the reference's parameters
    std::vector<DeviceSpec> scenarioSpecs;
    if (!scenario.empty())
    {
        const ScenarioContents read = ReadScenarioFile(scenario);
        if (!read.error.empty())
        {
            std::cerr << "--scenario: " << read.error << "\n";
            return 2;
        }
        scenarioSpecs = read.devices;
        devices = static_cast<uint32_t>(scenarioSpecs.size());
    }
    WifiTopologyHelper::Config wifiConfig;
    wifiConfig.devices = devices;
    wifiConfig.fogs = fogs;
    wifiConfig.standard = standard;
    wifiConfig.ampdu = ampdu;
    wifiConfig.groupSize = clusterSize;
    wifiConfig.groupRadius = groupRadius;
    wifiConfig.deviceSpeed = deviceSpeed;
    wifiConfig.backhaulRate = backhaulRate;
    wifiConfig.backhaulDelay = backhaulDelay;
    LteTopologyHelper::Config lteConfig;
    lteConfig.devices = devices;
    lteConfig.fogs = fogs;
    lteConfig.resourceBlocks = static_cast<uint16_t>(resourceBlocks);
    lteConfig.groupSize = clusterSize;
    lteConfig.groupRadius = groupRadius;
    lteConfig.deviceSpeed = deviceSpeed;
    lteConfig.backhaulRate = backhaulRate;
    lteConfig.backhaulDelay = backhaulDelay;
    lteConfig.regions = lteRegions;
    if (!distributed.empty())
    {
        std::string error = DistributedRun::CheckSimulator(distributed);
        if (error.empty() && !taskName.empty())
        {
            error = "--task runs in one process only";
        }
        if (!error.empty())
        {
            std::cerr << "--distributed=" << distributed << ": " << error << "\n";
            return 2;
        }
        DistributedRun::Enable(&argc, &argv, distributed);
    }
    else if (!fogRanks.empty())
    {
        std::cerr << "--fogRanks needs --distributed\n";
        return 2;
    }
    const uint32_t rank = DistributedRun::GetRank();
    const bool talks = rank == 0; // rank 0 writes the files and the progress
    // every rank checks the same values: every rank stops, with the same message
    auto fail = [&](const std::string& message)
    {
        std::cerr << message << "\n";
        DistributedRun::Disable();
        return 2;
    };
    CellPartition cells
        = radio == "lte"
              ? LteTopologyHelper::EvenByRegion(lteConfig, DistributedRun::GetSize(), rank)
              : CellPartition::Even(fogs, DistributedRun::GetSize(), rank);
    if (!fogRanks.empty())
    {
        const std::string error
            = CellPartition::Parse(fogRanks, fogs, DistributedRun::GetSize(), rank, cells);
        if (!error.empty())
        {
            return fail("--fogRanks: " + error);
        }
    }
    if (!DistributedRun::IsEnabled())
    {
        cells = CellPartition(); // one process runs everything
    }
    wifiConfig.partition = cells;
    lteConfig.partition = cells;
    const std::string topologyError = radio == "wifi" ? WifiTopologyHelper::Check(wifiConfig)
                                                      : LteTopologyHelper::Check(lteConfig);
    if (!topologyError.empty())
    {
        return fail((DistributedRun::IsEnabled()
                         ? "bad topology or partition over "
                               + std::to_string(DistributedRun::GetSize()) + " ranks: "
                         : "bad topology: ")
                    + topologyError);
    }

    const std::filesystem::path folder = std::filesystem::path(outputDir) / runTag;
    // rank 0 prepares the folder before any rank writes to it (PCAP files)
    const std::string folderError
        = DistributedRun::AllGather(talks ? PrepareOutputFolder(folder.string()) : "").at(0);
    if (!folderError.empty())
    {
        return fail("--outputDir, --runTag: " + folderError);
    }
    // a checkpoint that pretraining will write: its folder too
    const std::filesystem::path checkpointFolder = std::filesystem::path(checkpoint).parent_path();
    if (pretrainSamples > 0 && !checkpoint.empty() && !std::filesystem::exists(checkpoint)
        && !checkpointFolder.empty())
    {
        const std::string error = PrepareOutputFolder(checkpointFolder.string());
        if (!error.empty())
        {
            std::cerr << "--checkpoint=" << checkpoint << ": " << error << "\n";
            return 2;
        }
    }
    const auto wallStart = std::chrono::steady_clock::now();
    auto wall = [&]()
    {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
    };

    std::map<std::string, std::vector<MethodRun>> results; // per method, per seed
    for (uint32_t s = seed; s < seed + seeds; ++s)
    {
        M3TLearnerConfig lc;
        lc.model = modelConfig;
        lc.devices = devices;
        lc.samplesPerDevice = samplesPerDevice;
        lc.alpha = alpha;
        lc.testSamples = testSamples;
        lc.train.epochs = epochs;
        lc.train.batchSize = batchSize;
        lc.train.learningRate = learningRate;
        lc.proximalMu = proximalMu;
        lc.pretrainSamples = pretrainSamples;
        lc.freezeBackbone = freezeBackbone;
        lc.seed = s;
        lc.threads = static_cast<int>(threads);
        lc.checkpoint
            = checkpoint.empty() && pretrainSamples > 0
                  ? (std::filesystem::path(outputDir)
                     / ("foundation-" + std::to_string(s) + ModelSizeTag(modelConfig) + ".hffm"))
                        .string()
                  : checkpoint;
        std::shared_ptr<M3TFederatedLearner> learner;
        std::vector<NodeProfile> profiles;
        // every rank builds the same learner (data partition, model); rank 0 first, which
        // pretrains and writes the checkpoint that the others then read
        std::string learnerError;
        for (int turn = 0; turn < 2; ++turn)
        {
            if ((turn == 0) == talks)
            {
                try
                {
                    learner = std::make_shared<M3TFederatedLearner>(lc);
                    profiles = DrawNodeProfiles(devices, imageProbability, textProbability,
                                                taskProbability, s);
                }
                catch (const std::exception& e)
                {
                    learnerError = std::string("cannot set up learning: ") + e.what();
                }
            }
            for (const std::string& e : DistributedRun::AllGather(learnerError))
            {
                learnerError = learnerError.empty() ? e : learnerError;
            }
            if (!learnerError.empty())
            {
                return fail(learnerError);
            }
        }
        std::vector<DeviceSpec> specs(devices);
        for (uint32_t i = 0; i < devices; ++i)
        {
            specs[i].profile = profiles[i];
            specs[i].macsPerSecond = macsPerSecond;
            specs[i].computePower = computePower;
        }
        if (!scenarioSpecs.empty())
        {
            specs = scenarioSpecs;
        }
        if (talks)
        {
            std::ofstream(folder / ("scenario-seed" + std::to_string(s) + ".csv")) << [&]()
            {
                std::ostringstream os;
                os << "# modalities,tasks,macs_per_second,compute_watts (device i on fog i mod "
                   << fogs << ")\n";
                for (const auto& spec : specs)
                {
                    os << FormatScenarioLine(spec) << "\n";
                }
                return os.str();
            }();
            std::cout << "seed " << s << ": learner ready (" << wall() << " s wall)" << std::endl;
        }

        for (const auto& method : methodList)
        {
            RngSeedManager::SetSeed(s);
            RngSeedManager::SetRun(run);
            wifiConfig.seed = s;
            lteConfig.seed = s;
            const std::string pcapPrefix
                = pcap ? (folder / ("pcap-" + method.name + "-seed" + std::to_string(s))).string()
                       : "";
            wifiConfig.pcapPrefix = pcapPrefix;
            lteConfig.pcapPrefix = pcapPrefix;
            FederatedTopology topology = radio == "wifi" ? WifiTopologyHelper::Build(wifiConfig)
                                                         : LteTopologyHelper::Build(lteConfig);
            if (method.d2d)
            {
                D2dRadioHelper::Install(topology, d2dRadio);
            }
            // the same learner, timed: each rank's wall time splits into learning and the rest
            auto timed = std::make_shared<WallClockLearner>(learner);
            FederatedHelper helper(timed);
            helper.SetD2dClusters(clusterSize, d2dRange, clusterAggregator);
            helper.SetConsensusSteps(consensusSteps);
            helper.SetDeviceAttribute("Codec", StringValue(codec));
            helper.SetFogAttribute("Codec", StringValue(codec));
            helper.SetCloudAttribute("Codec", StringValue(codec));
            helper.SetFogStrategyAttribute("Aggregation", StringValue(aggregation));
            helper.SetCloudStrategyAttribute("Aggregation", StringValue(aggregation));
            helper.SetFogStrategyAttribute("Rounds", UintegerValue(rounds));
            helper.SetFogAttribute("RoundDeadline", TimeValue(Seconds(deadline)));
            helper.SetCloudAttribute("RoundDeadline", TimeValue(Seconds(deadline)));
            helper.SetFogStrategyAttribute("Participation", DoubleValue(participation));
            const FederatedApps apps = helper.Install(topology, specs, method);
            FederatedHelper::AssignStreams(apps, 100);
            for (uint32_t a : attackerSet)
            {
                apps.devices[a]->SetAttribute("UpdateScale", DoubleValue(attackScale));
            }

            ResultsCollector::Options observe;
            observe.rounds = rounds;
            observe.evalEvery = evalEvery;
            observe.closedForm = closedForm;
            observe.progress = &std::cout;
            observe.wall = wall;
            ResultsCollector collector(topology, apps, specs, method, *timed, helper.GetStartTime(),
                                       observe);
            if (!taskName.empty() && !method.consensus)
            {
                apps.fogs[apps.aggregatorOf[taskDevice]]->TraceConnectWithoutContext(
                    "RoundDone",
                    Callback<void, const RoundSummary&>(
                        [&, method](const RoundSummary& summary)
                        {
                            if (summary.round != taskRound)
                            {
                                return;
                            }
                            const std::string error
                                = FederatedHelper::StartTask(apps, taskDevice, taskName);
                            // a D2D cluster's aggregator has every module of its cluster
                            // from the fog; the other members get them over D2D
                            const std::string how
                                = !method.d2d ? "from its aggregator directly"
                                  : apps.clusterHeadOf[taskDevice] == taskDevice
                                      ? "as its cluster's aggregator, with the fog's push"
                                      : "over D2D from its cluster's aggregator";
                            std::cout
                                << "  " << method.name << ": device " << taskDevice
                                << (error.empty() ? " takes on " + taskName + " from round "
                                                        + std::to_string(taskRound + 1)
                                                        + ", its modules " + how
                                                  : " does not take on " + taskName + ": " + error)
                                << "\n";
                        }));
            }
            // a hard limit: every round hits its deadlines, twice over
            const double runStart = wall();
            collector.Run(Seconds(2.0 * rounds * deadline * (method.globalEvery ? 2 : 1) + 10));
            const double runWall = wall() - runStart;
            const double learningWall = timed->GetSeconds();

            const MethodRun& result = collector.Finish();
            Simulator::Destroy();
            DistributedRun::Reset();
            // every rank's wall time (not reproducible: a file of its own, beside the run's)
            rusage usage{};
            getrusage(RUSAGE_SELF, &usage);
            uint32_t ownCells = 0;
            for (uint32_t f = 0; f < fogs; ++f)
            {
                ownCells += cells.IsLocalFog(f) ? 1 : 0;
            }
            std::ostringstream mine;
            mine << rank << "," << ownCells << "," << runWall << "," << learningWall << ","
                 << runWall - learningWall << "," << usage.ru_maxrss / 1024.0 << "\n";
            const std::vector<std::string> perRank = DistributedRun::AllGather(mine.str());
            if (!talks)
            {
                continue; // rank 0 has the whole run
            }
            const std::string part = method.name + "-seed" + std::to_string(s) + ".csv";
            {
                std::ofstream ranksFile(folder / ("ranks-" + part));
                ranksFile << "rank,cells,run_wall_s,learning_wall_s,simulation_wall_s,"
                             "peak_memory_MB\n";
                for (const std::string& line : perRank)
                {
                    ranksFile << line;
                }
            }
            {
                std::ofstream nodes(folder / ("nodes-" + part));
                collector.WriteNodes(nodes, s);
                std::ofstream roundsFile(folder / ("rounds-" + part));
                collector.WriteRounds(roundsFile, s);
            }
            // what the summary needs beyond the rows of nodes- and rounds-, so that
            // scripts/merge-paper-tables.py can make summary.csv from runs made apart; written
            // last, it marks the method and seed done (scripts/run-full-table.sh skips it)
            {
                std::ofstream runFile(folder / ("run-" + part));
                collector.WriteRun(runFile, s, radio, devices, fogs);
            }
            results[method.name].push_back(result);
        }
    }
    DistributedRun::Disable();
    if (!talks)
    {
        return 0;
    }

    // ---- the table ----
    std::ofstream csv(folder / "summary.csv");
    std::ostringstream text;
    ResultsCollector::SummaryTable(methodList, results, radio, devices, fogs, rounds, csv, text);
    std::ofstream(folder / "summary.txt") << text.str();
    std::cout << "\n"
              << text.str() << "\n(accuracy: mean ± standard deviation over devices and seeds; "
              << "bytes per seed; formula: the reference's closed-form Shannon-rate latency and "
              << "radio energy of the same D2D sends and uploads)\nresults in " << folder.string()
              << " (" << wall() << " s wall)\n";
    return 0;
}

} // namespace

int
main(int argc, char* argv[])
{
    return RunProgram("hffm-paper-table", [&] { return Run(argc, argv); });
}
