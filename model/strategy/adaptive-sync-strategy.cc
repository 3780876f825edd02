/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// A strategy written the way a user writes one: in one file, selected by its TypeId
// ("ns3::hffm::AdaptiveSyncStrategy"), with no change to the applications.

#include "ns3/double.h"
#include "ns3/edge-round-strategy.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/uinteger.h"

#include <cmath>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("AdaptiveSyncStrategy");

/**
 * \ingroup hffm
 * \brief Adaptive global synchronisation: a fog synchronises with the cloud when its
 * aggregate has drifted from the last global model by more than Threshold, instead of
 * every K edge rounds.
 *
 * The drift after an edge round is the relative L2 distance between the fog's modules
 * (those its devices hold, all tensors as one vector) and the same modules when the fog last
 * took the cloud's (the initial model before the first synchronisation):
 *
 *     drift = || x - g || / || g ||
 *
 * It is checked after every GlobalEvery-th edge round (1: after every round); MaxInterval
 * edge rounds without a synchronisation force one (0: no limit). Everything else is
 * EdgeRoundStrategy: participants, the wait for the cloud (ParentDeadline), rejoining.
 *
 * The cloud (GlobalRoundStrategy) opens a global round with the first fog's update and waits
 * its RoundDeadline for the others, so fogs that drift at different speeds make the first to
 * sync wait for the cloud's deadline; and the cloud pushes the global modules to every fog,
 * a fog that did not sync rejecting them (stale-round). Drift traces every check.
 */
class AdaptiveSyncStrategy : public EdgeRoundStrategy
{
  public:
    static TypeId GetTypeId();

    /**
     * TracedCallback signature for a drift check.
     * \param round the edge round \param drift the relative drift \param sync whether the
     * fog synchronises
     */
    typedef void (*DriftTracedCallback)(uint32_t round, double drift, bool sync);

    void Start() override
    {
        m_reference = GetCollector().GetModules();
        m_sinceSync = 0;
        EdgeRoundStrategy::Start();
    }

  protected:
    bool IsSyncDue(const RoundSummary& summary) override
    {
        ++m_sinceSync;
        if (!EdgeRoundStrategy::IsSyncDue(summary))
        {
            return false; // not a round to check
        }
        const double drift = ComputeDrift();
        const bool sync
            = drift > m_threshold || (m_maxInterval > 0 && m_sinceSync >= m_maxInterval);
        NS_LOG_INFO(Simulator::Now().As(Time::S)
                    << " fog " << GetCollector().GetSenderId() << " round " << summary.round
                    << ": drift " << drift << (sync ? ", synchronises" : ", stays"));
        m_driftTrace(summary.round, drift, sync);
        return sync;
    }

    void GlobalModulesTaken() override
    {
        m_reference = GetCollector().GetModules();
        m_sinceSync = 0;
    }

  private:
    double ComputeDrift() const
    {
        const CollectorApp& app = GetCollector();
        double diff = 0.0;
        double norm = 0.0;
        for (const auto& id : app.GetChildModuleIds())
        {
            const ModuleState& x = *app.GetModules().at(id);
            const ModuleState& g = *m_reference.at(id);
            for (std::size_t k = 0; k < x.GetNumel(); ++k)
            {
                const double d = double(x.GetData()[k]) - double(g.GetData()[k]);
                diff += d * d;
                norm += double(g.GetData()[k]) * double(g.GetData()[k]);
            }
        }
        return norm > 0.0 ? std::sqrt(diff / norm) : std::sqrt(diff);
    }

    double m_threshold{0.05};
    uint32_t m_maxInterval{0};
    ModuleMap m_reference; //!< the modules at the last synchronisation
    uint32_t m_sinceSync{0};
    TracedCallback<uint32_t, double, bool> m_driftTrace;
};

NS_OBJECT_ENSURE_REGISTERED(AdaptiveSyncStrategy);

TypeId
AdaptiveSyncStrategy::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::AdaptiveSyncStrategy")
              .SetParent<EdgeRoundStrategy>()
              .SetGroupName("Hffm")
              .AddConstructor<AdaptiveSyncStrategy>()
              .AddAttribute("Threshold",
                            "Relative drift of the fog's modules from the last global model "
                            "above which the fog synchronises.",
                            DoubleValue(0.05),
                            MakeDoubleAccessor(&AdaptiveSyncStrategy::m_threshold),
                            MakeDoubleChecker<double>(0.0))
              .AddAttribute("MaxInterval",
                            "Edge rounds without a synchronisation after which one is forced "
                            "(0: no limit).",
                            UintegerValue(0),
                            MakeUintegerAccessor(&AdaptiveSyncStrategy::m_maxInterval),
                            MakeUintegerChecker<uint32_t>())
              .AddTraceSource("Drift", "The drift was checked after an edge round.",
                              MakeTraceSourceAccessor(&AdaptiveSyncStrategy::m_driftTrace),
                              "ns3::AdaptiveSyncStrategy::DriftTracedCallback");
    return tid;
}

} // namespace ns3
