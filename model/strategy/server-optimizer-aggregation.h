/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_SERVER_OPTIMIZER_AGGREGATION_H
#define HFFM_SERVER_OPTIMIZER_AGGREGATION_H

#include "ns3/aggregation.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Federated averaging with server momentum (FedAvgM, Hsu et al. 2019), as Flower's
 * FedAvgM.
 *
 * With x the current module (Aggregate()'s \p expected) and a the FedAvg of the
 * contributions (WeightedMean()), the pseudo-gradient is g = x - a. With Momentum > 0 the
 * rule keeps a momentum vector per module id: v = g the first time it aggregates that
 * module, v = Momentum v + g afterwards, and g is replaced by v. The aggregate is
 * x - ServerLearningRate g, computed in double and rounded to float once.
 *
 * As in Flower, the server step is taken only when ServerLearningRate != 1 or Momentum != 0:
 * with the defaults the aggregate is FedAvg's, bit for bit. Without a current module
 * (\p expected null) there is no pseudo-gradient: the aggregate is FedAvg's and the state is
 * left alone. A module whose size changed starts a new momentum vector.
 *
 * Short name "fedavgm". Attributes ServerLearningRate (default 1.0) and Momentum (default
 * 0.0), Flower's defaults.
 */
class FedAvgMRule : public AggregationRule
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
    void DoDispose() override;

  private:
    double m_learningRate{1.0};                            //!< server learning rate
    double m_momentum{0.0};                                //!< server momentum factor
    std::map<std::string, std::vector<double>> m_velocity; //!< momentum vector per module id
};

/**
 * \ingroup hffm
 * \brief Adaptive federated optimization (FedOpt, Reddi et al., "Adaptive Federated
 * Optimization", ICLR 2021) as Flower's FedOpt family: the base of FedAdamRule, FedYogiRule
 * and FedAdagradRule.
 *
 * With x the current module (Aggregate()'s \p expected) and a the FedAvg of the
 * contributions (WeightedMean()), per coordinate and in double:
 *
 *     delta = a - x
 *     m     = Beta1 m + (1 - Beta1) delta
 *     v     = the subclass's second-moment update of v with delta^2
 *     out   = x + eta_t m / (sqrt(v) + Tau)
 *
 * rounded to float once. m and v start at zero and are kept per module id inside the rule,
 * with the number t of times the module was aggregated (t = 1 the first time, as Flower's
 * server round). eta_t is Eta, except for FedAdam's bias correction. Without a current
 * module (\p expected null) there is no pseudo-gradient: the aggregate is FedAvg's and the
 * state is left alone. A module whose size changed starts again from zero state.
 */
class FedOptRule : public AggregationRule
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();

  protected:
    std::vector<LeftOut> Combine(const std::vector<Contribution>& valid, const ModuleState* current,
                                 ModuleState& out) override;
    void DoDispose() override;

    /**
     * \param v the second moment of one coordinate before this round
     * \param deltaSquared the square of this round's pseudo-gradient at that coordinate
     * \return the second moment after this round
     */
    virtual double UpdateSecondMoment(double v, double deltaSquared) const = 0;

    /**
     * \param step t: 1 the first time the module is aggregated
     * \return the server learning rate of that step (Eta by default)
     */
    virtual double GetStepSize(uint64_t step) const;

    double m_eta{0.1};   //!< server learning rate
    double m_beta1{0.0}; //!< first-moment (momentum) decay
    double m_beta2{0.0}; //!< second-moment decay
    double m_tau{1e-3};  //!< adaptivity: added to sqrt(v)

  private:
    /// The optimizer's state for one module.
    struct Moments
    {
        std::vector<double> m; //!< first moment
        std::vector<double> v; //!< second moment
        uint64_t step{0};      //!< times the module was aggregated
    };

    std::map<std::string, Moments> m_moments; //!< per module id
};

/**
 * \ingroup hffm
 * \brief FedAdam (Reddi et al. 2021) as Flower's FedAdam: FedOptRule with
 * v = Beta2 v + (1 - Beta2) delta^2 and Flower's bias-corrected step
 * eta_t = Eta sqrt(1 - Beta2^(t+1)) / (1 - Beta1^(t+1)).
 *
 * Short name "fedadam". Attributes (Flower's defaults): Eta 0.1, Beta1 0.9, Beta2 0.99,
 * Tau 1e-3.
 */
class FedAdamRule : public FedOptRule
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    FedAdamRule();
    std::string GetName() const override;

  protected:
    double UpdateSecondMoment(double v, double deltaSquared) const override;
    double GetStepSize(uint64_t step) const override;
};

/**
 * \ingroup hffm
 * \brief FedYogi (Reddi et al. 2021) as Flower's FedYogi: FedOptRule with
 * v = v - (1 - Beta2) delta^2 sign(v - delta^2).
 *
 * Short name "fedyogi". Attributes (Flower's defaults): Eta 0.01, Beta1 0.9, Beta2 0.99,
 * Tau 1e-3.
 */
class FedYogiRule : public FedOptRule
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    FedYogiRule();
    std::string GetName() const override;

  protected:
    double UpdateSecondMoment(double v, double deltaSquared) const override;
};

/**
 * \ingroup hffm
 * \brief FedAdagrad (Reddi et al. 2021) as Flower's FedAdagrad: FedOptRule with
 * v = v + delta^2 and, as in Flower, no momentum (Beta1 = 0: m = delta).
 *
 * Short name "fedadagrad". Attributes (Flower's defaults): Eta 0.1, Tau 1e-3.
 */
class FedAdagradRule : public FedOptRule
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    FedAdagradRule();
    std::string GetName() const override;

  protected:
    double UpdateSecondMoment(double v, double deltaSquared) const override;
};

} // namespace ns3

#endif /* HFFM_SERVER_OPTIMIZER_AGGREGATION_H */
