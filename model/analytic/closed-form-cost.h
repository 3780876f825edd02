/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_CLOSED_FORM_COST_H
#define HFFM_CLOSED_FORM_COST_H

#include <cstdint>
#include <string>
#include <vector>

/**
 * \file
 * \ingroup hffm
 * The closed-form latency and energy of the HF-FM reference's analytic network model, for
 * comparison with what packets take in a simulation. No ns-3, no LibTorch.
 *
 * A device at distance d from its receiver sends at the Shannon rate
 *
 *     r = B log2(1 + P g |h|^2 / (N0 B)),   g = beta0 (d / d0)^-alpha,
 *
 * with bandwidth B, transmit power P, path loss exponent alpha, gain beta0 at the reference
 * distance d0, noise density N0 and a fading power gain |h|^2 (1 for the mean channel; the
 * reference draws Rayleigh fading). A transfer of b bits takes b / r seconds and P b / r
 * joules. A backhaul transfer takes b / R + D (fixed rate R and delay D) and costs the
 * devices nothing. There is no compute, no downlink, no protocol overhead and no contention:
 * every device has the bandwidth B to itself.
 */

namespace ns3
{

/// Parameters of the closed form; the defaults are the reference's.
struct ClosedFormConfig
{
    double bandwidthHz{300e3};
    double txPowerW{0.2};
    double pathLossExponent{3.0};
    double beta0Db{-30.0};
    double referenceDistanceM{1.0};
    double noiseDbmPerHz{-174.0};
    double backhaulRateBps{4e6};
    double backhaulDelayS{0.1};

    /// \return an empty string, or what is wrong (naming the value)
    std::string Check() const;
};

/// Time and device energy of a transfer.
struct TransferCost
{
    double seconds{0.0};
    double joules{0.0};
};

/// \return the linear channel power gain beta0 (d / d0)^-alpha at \p distanceM (> 0)
double ChannelPowerGain(const ClosedFormConfig& config, double distanceM);

/// \return the Shannon rate in bit/s at \p distanceM with fading power gain \p fading
double ShannonRate(const ClosedFormConfig& config, double distanceM, double fading = 1.0);

/// \return the cost of sending \p bits over the radio at \p distanceM
TransferCost RadioTransferCost(const ClosedFormConfig& config, double bits, double distanceM,
                               double fading = 1.0);

/// \return the cost of sending \p bits over the backhaul (no device energy)
TransferCost BackhaulTransferCost(const ClosedFormConfig& config, double bits);

/// One device's upload in a round.
struct ClosedFormUpload
{
    double bits{0.0};
    double distanceM{1.0};
    double fading{1.0};
};

/// One D2D transfer of a round (a cluster member's update or consensus share).
struct ClosedFormD2dSend
{
    uint32_t sender{0}; //!< who sends it: one member's sends follow each other
    double bits{0.0};
    double distanceM{1.0};
    double fading{1.0};
};

/**
 * \ingroup hffm
 * \brief The closed-form cost of one round: first the D2D phase, if \p d2d is not empty
 * (members send in parallel, each member's sends one after another: it lasts as long as the
 * busiest member); then devices upload in parallel (the round lasts as long as the slowest
 * upload); energies add up; then, if \p backhaulBits is not empty, the fogs' backhaul
 * transfers in parallel.
 */
TransferCost ClosedFormRound(const ClosedFormConfig& config,
                             const std::vector<ClosedFormUpload>& uploads,
                             const std::vector<double>& backhaulBits = {},
                             const std::vector<ClosedFormD2dSend>& d2d = {});

} // namespace ns3

#endif /* HFFM_CLOSED_FORM_COST_H */
