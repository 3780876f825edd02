/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_CLOUD_APP_H
#define HFFM_CLOUD_APP_H

#include "ns3/aggregator-app.h"

namespace ns3
{

/**
 * \ingroup hffm
 * \brief The cloud: aggregates each module over the fogs that hold it and sends back to each
 * fog the modules its devices need.
 *
 * A global round opens when the first fog's update of a new round arrives and closes when
 * every fog has sent every module it holds, or after RoundDeadline.
 */
class CloudApp : public AggregatorApp
{
  public:
    static TypeId GetTypeId();

    CloudApp();
    ~CloudApp() override;

    /// \return global rounds aggregated
    uint32_t GetRoundsDone() const;

  protected:
    void UpdateArriving(const MessageFields& fields) override;
    void CollectionDone(const RoundSummary& summary) override;

  private:
    uint32_t m_lastRound{0};
    uint32_t m_roundsDone{0};
};

} // namespace ns3

#endif /* HFFM_CLOUD_APP_H */
