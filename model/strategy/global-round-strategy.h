/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_GLOBAL_ROUND_STRATEGY_H
#define HFFM_GLOBAL_ROUND_STRATEGY_H

#include "ns3/round-strategy.h"

namespace ns3
{

/**
 * \ingroup hffm
 * \brief The strategy of the cloud: aggregates each module over the fogs that hold it and
 * sends back to each fog the modules its devices need.
 *
 * A global round opens when the first fog's update of a new round arrives (its number is
 * the fogs' edge round: 2, 4, 6 ... for hier-2) and closes when every fog has sent every
 * module it holds, or after the collector's RoundDeadline; then every fog gets the global
 * modules.
 */
class GlobalRoundStrategy : public RoundStrategy
{
  public:
    static TypeId GetTypeId();

    GlobalRoundStrategy();
    ~GlobalRoundStrategy() override;

    /// \return global rounds aggregated
    uint32_t GetRoundsDone() const;

    void UpdateArriving(const MessageFields& fields) override;
    void CollectionDone(const RoundSummary& summary) override;

  private:
    uint32_t m_lastRound{0};
    uint32_t m_roundsDone{0};
};

} // namespace ns3

#endif /* HFFM_GLOBAL_ROUND_STRATEGY_H */
