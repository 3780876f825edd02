/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_RESULTS_COLLECTOR_H
#define HFFM_RESULTS_COLLECTOR_H

#include "ns3/closed-form-cost.h"
#include "ns3/federated-helper.h"
#include "ns3/federated-learner.h"
#include "ns3/federated-topology.h"
#include "ns3/ipv4-address.h"

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief One round of a federated run, as the results files show it.
 */
struct RoundRow
{
    uint32_t round{0};
    double time{0};          //!< simulated time the round completed (s)
    double latency{0};       //!< since the previous round completed (s)
    double radioEnergy{0};   //!< devices' radio energy in the round (J)
    double computeEnergy{0}; //!< devices' compute energy in the round (J)
    uint64_t deviceUp{0};    //!< module bytes devices (or cluster heads) sent to their fogs
    uint64_t deviceDown{0};  //!< module bytes fogs pushed to their devices
    uint64_t backhaul{0};    //!< module bytes between the fogs and the cloud
    uint64_t d2d{0};         //!< module bytes sent over D2D links
    uint32_t stragglers{0};
    /// the reference's closed form for this round's D2D sends and uploads
    double closedFormLatency{0};
    double closedFormEnergy{0};
    std::map<std::string, double> accuracy; //!< per task, mean over devices, when evaluated
};

/**
 * \ingroup hffm
 * \brief What one method gave on one seed.
 */
struct MethodRun
{
    std::vector<RoundRow> rounds;
    std::map<std::string, std::vector<double>> accuracy;       //!< per task, per device
    std::vector<std::map<std::string, double>> deviceAccuracy; //!< per device, per task
    uint64_t rejected{0};
    uint32_t treeRebuilds{0}; //!< D2D trees rebuilt after members moved or were missed
};

/**
 * \ingroup hffm
 * \brief Collects what a federated run reports — per round, per device and in total — and
 * writes the results files of hffm-paper-table, for any script.
 *
 * Construct it after FederatedHelper::Install and before Simulator::Run: it connects to the
 * applications' traces (bytes per tier and round by the messages' round tags, compute energy
 * by the round trained, radio energy between two round completions, stragglers), evaluates
 * the devices' accuracy after every EvalEvery-th round and the last, and stops the
 * simulation when every fog has finished. After the run, Finish() adds the reference's
 * closed-form latency and energy of each round's uploads, backhaul and D2D sends, the final
 * accuracy per device, rejections and tree rebuilds. WriteRounds, WriteNodes and WriteRun
 * write the per-run files, SummaryTable the table over methods and seeds; the columns are
 * described in doc/hffm.rst, "The paper table".
 */
class ResultsCollector
{
  public:
    /// How the run is observed.
    struct Options
    {
        uint32_t rounds{8};          //!< edge rounds of the run
        uint32_t evalEvery{1};       //!< evaluate after every this many rounds (0: the last only)
        ClosedFormConfig closedForm; //!< the closed form's parameters
        /// progress lines (one per round) go here; null: none
        std::ostream* progress{nullptr};
        /// seconds of wall time so far, for the progress lines
        std::function<double()> wall;
    };

    ResultsCollector(const FederatedTopology& topology, const FederatedApps& apps,
                     const std::vector<DeviceSpec>& specs, const FederatedMethod& method,
                     FederatedLearner& learner, Time start, const Options& options);

    ResultsCollector(const ResultsCollector&) = delete;
    ResultsCollector& operator=(const ResultsCollector&) = delete;

    /// After Simulator::Run: complete the rows and the final accuracy. \return the run
    const MethodRun& Finish();

    /// Write rounds-<method>-seed<S>.csv's contents.
    void WriteRounds(std::ostream& os, uint32_t seed) const;
    /// Write nodes-<method>-seed<S>.csv's contents.
    void WriteNodes(std::ostream& os, uint32_t seed) const;
    /// Write run-<method>-seed<S>.csv's contents.
    void WriteRun(std::ostream& os, uint32_t seed, const std::string& radio, uint32_t devices,
                  uint32_t fogs) const;

    /**
     * Per device, the accuracy on each of its tasks with the modules its fog (or the star's
     * server) has now (an empty map for a device that takes no part).
     */
    static std::vector<std::map<std::string, double>> EvaluateDevices(
        FederatedLearner& learner, const FederatedApps& apps, const std::vector<DeviceSpec>& specs);

    /**
     * Write summary.csv's contents to \p csv and summary.txt's to \p text: a row per method
     * of \p methods, over the runs of every seed in \p runs.
     */
    static void SummaryTable(const std::vector<FederatedMethod>& methods,
                             const std::map<std::string, std::vector<MethodRun>>& runs,
                             const std::string& radio, uint32_t devices, uint32_t fogs,
                             uint32_t rounds, std::ostream& csv, std::ostream& text);

  private:
    void Connect();
    void RoundComplete(uint32_t round);
    double RadioTotal() const;
    double Distance(uint32_t a, uint32_t b) const;

    const FederatedTopology& m_topology;
    const FederatedApps& m_apps;
    const std::vector<DeviceSpec>& m_specs;
    FederatedMethod m_method;
    FederatedLearner& m_learner;
    Time m_start;
    Options m_options;

    MethodRun m_result;
    std::map<uint32_t, uint32_t> m_completedBy; //!< round -> fogs done
    std::map<uint32_t, uint32_t> m_stragglers;
    uint32_t m_finished{0};
    double m_lastRadio{0.0};
    /// compute and bytes are attributed to the round they belong to (their round tags);
    /// radio energy to the time between two round completions
    std::map<uint32_t, RoundRow> m_tagged;
    std::map<uint32_t, std::map<std::size_t, double>> m_upBits;    //!< round, device
    std::map<uint32_t, std::map<uint32_t, double>> m_backhaulBits; //!< round, fog
    /// per round, the D2D updates and shares of cooperative training, for the closed form
    std::map<uint32_t, std::vector<ClosedFormD2dSend>> m_d2dSends;
    std::map<Ipv4Address, uint32_t> m_d2dPeer; //!< D2D address -> device
};

} // namespace ns3

#endif /* HFFM_RESULTS_COLLECTOR_H */
