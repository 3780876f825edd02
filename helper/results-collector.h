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
#include <tuple>
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
 * Construct it after FederatedHelper::Install, then call Run() instead of Simulator::Run():
 * it connects to the applications' traces (bytes per tier and round by the messages' round
 * tags, compute energy by the round trained, radio energy between two round completions,
 * stragglers) and runs the simulation in chunks of Options::chunk simulated time until every
 * fog has finished; the run ends at the end of that chunk. After each chunk it learns which
 * rounds every fog completed in it, and then reads each device's radio energy at the round's
 * completion and evaluates the devices' accuracy after every EvalEvery-th round and the last
 * (with the modules their fog had then). After the run, Finish() adds the reference's
 * closed-form latency and energy of each round's uploads, backhaul and D2D sends, the final
 * accuracy per device, rejections and tree rebuilds. WriteRounds, WriteNodes and WriteRun
 * write the per-run files, SummaryTable the table over methods and seeds; the columns are
 * described in doc/hffm.rst, "The paper table".
 *
 * On several ranks (DistributedRun, FederatedTopology::partition) each rank observes its own
 * cells and, after each chunk and at the end, the ranks exchange what they observed: rank 0
 * has the complete run, which it writes. The same steps serve one process, so the results do
 * not depend on the partition: sums over devices or sends run in device order, whatever the
 * order their events had.
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
        /// simulated time between two exchanges of what every rank observed; the run ends
        /// at the end of the chunk in which the last fog finished
        Time chunk{MilliSeconds(10)};
    };

    ResultsCollector(const FederatedTopology& topology, const FederatedApps& apps,
                     const std::vector<DeviceSpec>& specs, const FederatedMethod& method,
                     FederatedLearner& learner, Time start, const Options& options);

    ResultsCollector(const ResultsCollector&) = delete;
    ResultsCollector& operator=(const ResultsCollector&) = delete;

    /**
     * Run the simulation until every fog has finished its rounds, or until \p limit of
     * simulated time. Every rank must call it. \return whether every fog finished
     */
    bool Run(Time limit);

    /**
     * After Run(): complete the rows and the final accuracy. Every rank must call it; the
     * run is complete on rank 0 only. \return the run
     */
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
    /// What one device reports at the end of the run (nodes-<method>-seed<S>.csv).
    struct DeviceTotals
    {
        uint32_t roundsTrained{0};
        double airtime{0.0};
        double radioEnergy{0.0};
        double computeTime{0.0};
        double computeEnergy{0.0};
        uint64_t bytesSent{0};
        uint64_t bytesReceived{0};
        double uploadDistance{1.0}; //!< to its fog's radio point, for the closed form
    };

    void Connect();
    /// \return whether this process runs device \p i / aggregator \p a (fogs[a])
    bool IsLocalDevice(std::size_t i) const;
    bool IsLocalAggregator(std::size_t a) const;
    /// After a chunk: learn which rounds ended everywhere, and observe them.
    void EndChunk();
    /// Observe round \p r, which ended at \p time: radio energy and accuracy.
    void ObserveRound(uint32_t r, Time time);
    /// \return the accuracy of this rank's aggregators' devices with the modules each
    /// aggregator had at \p time (every other device: an empty map)
    std::vector<std::map<std::string, double>> EvaluateLocal(Time time);
    /// \return what this rank observed, for rank 0 (see Merge)
    std::string Pack() const;
    /// Add one rank's Pack() to the run (rank 0).
    void Merge(const std::string& packed);
    double Distance(uint32_t a, uint32_t b) const;

    const FederatedTopology& m_topology;
    const FederatedApps& m_apps;
    const std::vector<DeviceSpec>& m_specs;
    FederatedMethod m_method;
    FederatedLearner& m_learner;
    Time m_start;
    Options m_options;
    MethodRun m_result;

    // ---- observed by this rank, between two exchanges ----
    /// (aggregator, round, time step) of each round this rank's aggregators completed
    std::vector<std::tuple<uint32_t, uint32_t, int64_t>> m_completed;
    uint32_t m_localFinished{0};
    /// per aggregator of this rank, its modules from each time on (the first: from the
    /// start); older versions are dropped once no round can end before them
    std::map<uint32_t, std::vector<std::pair<int64_t, ModuleMap>>> m_versions;

    // ---- known to every rank from the exchanges ----
    std::map<uint32_t, uint32_t> m_completedBy; //!< round -> aggregators done
    std::map<uint32_t, int64_t> m_endOf;        //!< round -> when its last aggregator did
    uint32_t m_finished{0};
    uint32_t m_nextRound{1}; //!< the first round not yet observed
    bool m_startObserved{false};

    // ---- observed by this rank, kept to the end ----
    std::vector<double> m_energyAtStart;                //!< per device (local ones)
    std::map<uint32_t, std::vector<double>> m_energyAt; //!< round -> per device
    std::map<uint32_t, std::vector<std::map<std::string, double>>> m_roundAccuracy;
    std::map<uint32_t, RoundRow> m_tagged; //!< bytes and stragglers by round tag
    std::map<uint32_t, std::map<std::size_t, double>> m_computeJoules; //!< round, device
    std::map<uint32_t, std::map<std::size_t, double>> m_upBits;        //!< round, device
    std::map<uint32_t, std::map<uint32_t, double>> m_backhaulBits;     //!< round, fog
    /// per round, the D2D updates and shares of cooperative training, for the closed form,
    /// each with the time it was sent
    std::map<uint32_t, std::vector<std::pair<int64_t, ClosedFormD2dSend>>> m_d2dSends;
    std::map<Ipv4Address, uint32_t> m_d2dPeer; //!< D2D address -> device

    // ---- the whole run (rank 0, after Finish) ----
    std::vector<DeviceTotals> m_totals; //!< per device
};

} // namespace ns3

#endif /* HFFM_RESULTS_COLLECTOR_H */
