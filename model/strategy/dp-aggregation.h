/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_DP_AGGREGATION_H
#define HFFM_DP_AGGREGATION_H

#include "ns3/aggregation.h"
#include "ns3/random-variable-stream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief DP-FedAvg with fixed clipping and Gaussian noise (McMahan et al., "Learning
 * Differentially Private Recurrent Language Models", ICLR 2018; Andrew et al. 2021), as
 * Flower's server-side fixed clipping (DifferentialPrivacyServerSideFixedClipping).
 *
 * With x the current module (Aggregate()'s \p expected) and n valid contributions y_i, in
 * double:
 *
 *     u_i   = (y_i - x) min(1, ClipNorm / ||y_i - x||_2)      each update clipped
 *     out   = x + (1/n) sum_i u_i + N(0, sigma^2) per value,  sigma = NoiseMultiplier ClipNorm / n
 *
 * rounded to float once. The noise is drawn from an ns-3 NormalRandomVariable (standard
 * normal, scaled by sigma), one draw per value in order, none when sigma is 0; AssignStreams()
 * fixes its stream, so a run is reproducible.
 *
 * The norm is per module: each module of a node is clipped on its own, so a node that sends
 * K modules moves the model by up to ClipNorm sqrt(K) in all, and the privacy guarantee is
 * per module and round; account for it accordingly.
 *
 * The clipped updates are averaged with equal weights, not by sample weight: sigma assumes
 * that one contribution moves the mean by at most ClipNorm / n, which sample weighting would
 * break. (Flower averages with the strategy it wraps — sample-weighted with FedAvg — and uses
 * the same sigma; with equal sample weights both agree.) The aggregate's sample weight is
 * still the sum of the contributions' weights.
 *
 * Without a current module (\p expected null) there is no update to clip: every
 * contribution is left out with a reason and there is no aggregate (falling back to an
 * unclipped, noiseless mean would silently drop the privacy protection).
 *
 * Short name "dp-fedavg:CLIP:NOISE". Attributes ClipNorm (default 1.0, positive) and
 * NoiseMultiplier (default 1.0, non-negative; Flower recommends 1.0 or higher).
 */
class DpFedAvgRule : public AggregationRule
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    DpFedAvgRule();
    std::string GetName() const override;
    int64_t AssignStreams(int64_t stream) override;

  protected:
    std::vector<LeftOut> Combine(const std::vector<Contribution>& valid, const ModuleState* current,
                                 ModuleState& out) override;
    void DoDispose() override;

  private:
    double m_clipNorm{1.0};            //!< L2 bound of each contribution's update
    double m_noiseMultiplier{1.0};     //!< noise std relative to ClipNorm / n
    Ptr<NormalRandomVariable> m_noise; //!< standard normal draws
};

} // namespace ns3

#endif /* HFFM_DP_AGGREGATION_H */
