/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_WALL_CLOCK_LEARNER_H
#define HFFM_WALL_CLOCK_LEARNER_H

#include "ns3/federated-learner.h"

#include <chrono>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief A FederatedLearner that adds up the wall-clock seconds its inner learner spends
 * training and evaluating, so that a run's wall time can be split into learning and
 * simulation (benchmarks, the per-rank figures of hffm-paper-table). It changes nothing the
 * learner does, and the simulation never reads it.
 */
class WallClockLearner : public ForwardingLearner
{
  public:
    using ForwardingLearner::ForwardingLearner;

    LocalUpdate Train(std::size_t device, const NodeProfile& profile, const ModuleMap& modules,
                      uint32_t round) override
    {
        const auto start = Clock::now();
        LocalUpdate u = ForwardingLearner::Train(device, profile, modules, round);
        m_seconds += std::chrono::duration<double>(Clock::now() - start).count();
        return u;
    }

    std::map<std::string, double> Evaluate(const ModuleMap& modules,
                                           const NodeProfile& profile) override
    {
        const auto start = Clock::now();
        auto accuracy = ForwardingLearner::Evaluate(modules, profile);
        m_seconds += std::chrono::duration<double>(Clock::now() - start).count();
        return accuracy;
    }

    /// \return the wall-clock seconds spent in Train() and Evaluate() so far
    double GetSeconds() const { return m_seconds; }

  private:
    using Clock = std::chrono::steady_clock;
    double m_seconds{0.0};
};

} // namespace ns3

#endif /* HFFM_WALL_CLOCK_LEARNER_H */
