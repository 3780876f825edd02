/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_FEDERATED_HELPER_H
#define HFFM_FEDERATED_HELPER_H

#include "ns3/cluster-tree-strategy.h"
#include "ns3/collector-app.h"
#include "ns3/consensus-strategy.h"
#include "ns3/d2d-cluster-tree.h"
#include "ns3/device-app.h"
#include "ns3/device-scenario.h"
#include "ns3/edge-round-strategy.h"
#include "ns3/federated-learner.h"
#include "ns3/federated-topology.h"
#include "ns3/global-round-strategy.h"
#include "ns3/object-factory.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief A federated method: who aggregates, and how often the cloud does.
 *
 * Names: "star" (devices send to the cloud, plain FedAvg), "edge-only" (fogs aggregate, no
 * cloud), "hier-K" (fogs aggregate, the cloud every K edge rounds), "adaptive-T" (fogs
 * aggregate and synchronise with the cloud when their modules have drifted by more than T
 * from the last global ones: AdaptiveSyncStrategy), and "edge-only+d2d", "hier-K+d2d": the
 * same with localized cooperative training in D2D cluster trees (ClusterTreeStrategy), or
 * "+consensus" by average consensus (ConsensusStrategy).
 */
struct FederatedMethod
{
    std::string name{"hier-2"};
    bool star{false};
    uint32_t globalEvery{2}; //!< 0: never (edge-only)
    bool d2d{false};         //!< devices aggregate in D2D clusters before the fog
    bool consensus{false};   //!< ... by average consensus (else up a tree to the head)
    /// the fogs' strategy, and the attributes the method gives it (adaptive-T: Threshold)
    std::string fogStrategy{"ns3::hffm::EdgeRoundStrategy"};
    std::vector<std::pair<std::string, std::string>> fogStrategyAttributes;

    /**
     * \param name a method name as above
     * \param[out] method the method
     * \return an empty string, or why the name is not a method
     */
    static std::string Parse(const std::string& name, FederatedMethod& method);
};

/// The applications of a federated run.
struct FederatedApps
{
    std::vector<Ptr<DeviceApp>> devices; //!< by device index
    /// the edge collectors (an EdgeRoundStrategy each): one per fog, or one on the cloud node
    /// for the star baseline
    std::vector<Ptr<CollectorApp>> fogs;
    Ptr<CollectorApp> cloud; //!< null unless the method has a cloud tier
    /// per device, the index in fogs of its aggregator
    std::vector<uint32_t> aggregatorOf;
    /// D2D methods: per device, its collector in the cluster (a ClusterTreeStrategy, or a
    /// ConsensusStrategy for consensus methods; null for devices that take no part), and the
    /// device index of its cluster's head or reporter (itself when it is one)
    std::vector<Ptr<CollectorApp>> clusterApps;
    std::vector<uint32_t> clusterHeadOf;
    /// D2D methods: per cluster, its tree (rebuilt before each round for cluster-head
    /// aggregation, when members have moved)
    std::vector<Ptr<D2dClusterTree>> clusterTrees;

    /// \return fog \p f's strategy
    Ptr<EdgeRoundStrategy> GetFogStrategy(std::size_t f) const;
    /// \return the cloud's strategy (null without a cloud)
    Ptr<GlobalRoundStrategy> GetCloudStrategy() const;
};

/**
 * \ingroup hffm
 * \brief Installs device, fog and cloud applications on a FederatedTopology for a method.
 *
 * Every application and strategy is made by an ObjectFactory: any attribute of any of them
 * can be set (Set...Attribute), and each tier's strategy replaced by TypeId
 * (SetFogStrategy, SetCloudStrategy). The helper sets no global default.
 *
 * Device i trains shard i of the learner with specs[i]; it is a child of its fog (or of the
 * cloud's aggregator in the star baseline) and holds learner.GetModuleIdsFor(profile).
 * Devices without training samples or tasks get an application but take no part. Every
 * aggregator starts from the learner's initial modules.
 */
class FederatedHelper
{
  public:
    explicit FederatedHelper(std::shared_ptr<FederatedLearner> learner);

    /**
     * Attributes for every DeviceApp, or the CollectorApp of every fog, of the cloud, or of
     * every D2D cluster member, installed later; and for their strategies.
     *
     * What Install() sets itself, unless set here: each device's RetryDeadline to its
     * aggregator's RoundDeadline (a failed upload is not tried after the round has closed);
     * each fog strategy's ParentDeadline to the cloud's RoundDeadline plus the fog's (the
     * cloud may wait its whole deadline for a missing fog before it pushes the global
     * modules); the fog strategy's GlobalEvery from the method; for a cluster member of depth
     * d in its tree, RoundDeadline 0.8^(d+1) x the fog's (deeper members give up sooner, so
     * that their parents still hear from them); for consensus, RoundDeadline 0.3 x, the
     * strategy's StepTimeout 0.5 x and ConsensusDeadline 0.85 x the fog's RoundDeadline, and
     * Steps from SetConsensusSteps. Port, SenderId and Parent are the topology's.
     */
    void SetDeviceAttribute(const std::string& name, const AttributeValue& value);
    void SetFogAttribute(const std::string& name, const AttributeValue& value);
    void SetCloudAttribute(const std::string& name, const AttributeValue& value);
    void SetClusterAttribute(const std::string& name, const AttributeValue& value);
    void SetFogStrategyAttribute(const std::string& name, const AttributeValue& value);
    void SetCloudStrategyAttribute(const std::string& name, const AttributeValue& value);
    void SetClusterStrategyAttribute(const std::string& name, const AttributeValue& value);
    void SetConsensusStrategyAttribute(const std::string& name, const AttributeValue& value);

    /**
     * The fogs' strategy: an EdgeRoundStrategy or one derived from it (default
     * ns3::hffm::EdgeRoundStrategy), for every method but one that names its own
     * (FederatedMethod::fogStrategy other than the default).
     */
    void SetFogStrategy(const std::string& typeId);
    /// The cloud's strategy (default ns3::hffm::GlobalRoundStrategy).
    void SetCloudStrategy(const std::string& typeId);

    /**
     * Time at which the first round begins (default 1 s): devices and servers listen from
     * time 0, and the radios have this long to associate (Wi-Fi) or attach (LTE) before the
     * first push. Frames sent to a station that has not associated yet are lost, and an
     * address resolution that fails marks the neighbour dead for ArpCache::DeadTimeout.
     */
    void SetStartTime(Time start);
    Time GetStartTime() const;

    /**
     * D2D clusters: a fog's devices, \p size at a time in index order (the groups that
     * TopologyConfig::groupSize places together), that take part; members
     * within \p rangeM are neighbours (a spanning tree patches a disconnected cluster, see
     * D2dGraph); \p aggregator is "min-max" (the member whose slowest route plus its own
     * upload to the fog is fastest, default), "min-total" (routes in total plus the
     * upload) or "random" (the reference's choice); routes and uploads are costed by the
     * closed form's time for 1 MB.
     * \return an empty string, or what is wrong (naming the value)
     */
    std::string SetD2dClusters(uint32_t size, double rangeM, const std::string& aggregator);
    /// \return what SetD2dClusters() would say of these values, changing nothing
    static std::string CheckD2dClusters(uint32_t size, double rangeM,
                                        const std::string& aggregator);

    /**
     * Consensus methods: \p steps consensus steps per round (1..255, default 5), each moving
     * a member toward its neighbours by 1 / (1.2 x the cluster's maximum degree).
     * \return an empty string, or what is wrong (naming the value)
     */
    std::string SetConsensusSteps(uint32_t steps);
    /// \return what SetConsensusSteps() would say of this value, changing nothing
    static std::string CheckConsensusSteps(uint32_t steps);

    /**
     * Install the applications. Aborts when specs and topology disagree on the number of
     * devices, or a D2D method meets a topology without a D2D radio.
     */
    FederatedApps Install(const FederatedTopology& topology, const std::vector<DeviceSpec>& specs,
                          const FederatedMethod& method) const;

    /// Fix the random streams of the applications' draws. \return streams used
    static int64_t AssignStreams(const FederatedApps& apps, int64_t stream);

    /**
     * Device \p device takes on \p task from the next round on. In a D2D cluster
     * (cluster-head aggregation) its modules come over D2D from the members that hold them
     * (D2dClusterTree::StartTask); otherwise its aggregator (fog, or the cloud's for star)
     * pushes them to it directly — call it between that aggregator's rounds then (from its
     * RoundDone trace, say). Only modules another device of the same aggregator holds.
     * \return an empty string, or why not
     */
    static std::string StartTask(const FederatedApps& apps, uint32_t device,
                                 const std::string& task);

    static constexpr uint16_t DEVICE_PORT = 7070;  //!< devices listen here
    static constexpr uint16_t FOG_PORT = 7071;     //!< fogs (and the star aggregator) here
    static constexpr uint16_t CLOUD_PORT = 7072;   //!< the cloud here
    static constexpr uint16_t CLUSTER_PORT = 7073; //!< D2D cluster nodes here

  private:
    std::shared_ptr<FederatedLearner> m_learner;
    Time m_start{Seconds(1)};
    uint32_t m_clusterSize{4};
    double m_d2dRange{30.0};
    std::string m_clusterAggregator{"min-max"};
    uint64_t m_clusterSeed{1};
    uint32_t m_consensusSteps{5};
    bool m_deviceRetryDeadlineSet{false}; //!< SetDeviceAttribute("RetryDeadline") was called
    /// the attributes set through Set...Attribute, per factory: Install leaves them alone
    std::set<std::string> m_userSet;

    /// Install the D2D cluster trees of a D2D method; children of \p apps.fogs.
    void InstallClusters(const FederatedTopology& topology, const std::vector<DeviceSpec>& specs,
                         bool consensus, FederatedApps& apps) const;
    /// \return true if the user set \p name on factory \p factory (e.g. "fog-strategy")
    bool IsUserSet(const std::string& factory, const std::string& name) const;

    ObjectFactory m_device;
    ObjectFactory m_fog;
    ObjectFactory m_cloud;
    ObjectFactory m_cluster;
    ObjectFactory m_fogStrategy;
    ObjectFactory m_cloudStrategy;
    ObjectFactory m_clusterStrategy;
    ObjectFactory m_consensusStrategy;
};

} // namespace ns3

#endif /* HFFM_FEDERATED_HELPER_H */
