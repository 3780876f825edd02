/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_ROBUST_AGGREGATION_H
#define HFFM_ROBUST_AGGREGATION_H

#include "ns3/aggregation.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Krum (Blanchard et al., "Machine Learning with Adversaries: Byzantine Tolerant
 * Gradient Descent", NeurIPS 2017): the one contribution closest to its neighbours.
 *
 * With n valid contributions and F = ByzantineCount, the score of each is the sum of the
 * squared L2 distances (over the whole module, in double) to its n-F-2 nearest others;
 * the contribution with the lowest score is the aggregate, its values copied unchanged.
 * Ties go to the one given first. The others are left out with the reason "not selected by
 * krum (score S)". The aggregate's sample weight is the selected contribution's.
 *
 * Too few contributions: Blanchard et al.'s guarantee needs n > 2F+2. With n <= 2F+2 the
 * rule still selects, as Flower's Krum does: the score then sums the distances to the
 * max(1, n-F-2) nearest others (to none when n = 1: the single contribution is chosen;
 * with n = 2 both scores are equal and the first is chosen). A warning is logged.
 *
 * Short name "krum:F". Attribute ByzantineCount (default 0, as Flower's).
 */
class KrumRule : public AggregationRule
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    std::string GetName() const override;

  protected:
    std::vector<LeftOut> Combine(const std::vector<Contribution>& valid, const ModuleState* current,
                                 ModuleState& out) override;

  private:
    uint32_t m_byzantine{0}; //!< F, the number of Byzantine contributions tolerated
};

/**
 * \ingroup hffm
 * \brief Multi-Krum (Blanchard et al. 2017; El Mhamdi et al. 2018): the M contributions
 * with the lowest Krum scores (KrumRule), averaged sample-weighted as FedAvgRule averages
 * (WeightedMean(), in the order given).
 *
 * Scores and too few contributions (n <= 2F+2) as KrumRule; ties go to the one given first.
 * When fewer than M contributions are valid, all are averaged. Those not kept are left out
 * with the reason "not selected by multi-krum (score S)". The aggregate's sample weight is
 * the sum of the kept ones'.
 *
 * Short name "multi-krum:F:M". Attributes ByzantineCount (default 0) and Keep (default 1,
 * which is Krum), as Flower's MultiKrum.
 */
class MultiKrumRule : public AggregationRule
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    std::string GetName() const override;

  protected:
    std::vector<LeftOut> Combine(const std::vector<Contribution>& valid, const ModuleState* current,
                                 ModuleState& out) override;

  private:
    uint32_t m_byzantine{0}; //!< F, the number of Byzantine contributions tolerated
    uint32_t m_keep{1};      //!< M, how many contributions are averaged
};

} // namespace ns3

#endif /* HFFM_ROBUST_AGGREGATION_H */
