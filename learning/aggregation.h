/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_AGGREGATION_H
#define HFFM_AGGREGATION_H

#include "ns3/module-state.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief One node's version of a module, offered for aggregation.
 */
struct Contribution
{
    std::string from;                         //!< who sent it (for rejection reports)
    std::shared_ptr<const ModuleState> state; //!< the module; its sample weight is its weight
};

/// A contribution left out of an aggregate, and why.
struct RejectedContribution
{
    std::string from;
    std::string reason;
};

/// Outcome of AggregationStrategy::Aggregate().
struct AggregationResult
{
    /// The aggregate, with sample weight = the sum of the used contributions' weights; null
    /// when no contribution was usable.
    std::shared_ptr<ModuleState> state;
    std::vector<RejectedContribution> rejected;
    std::size_t used{0}; //!< contributions that went into the aggregate
};

/**
 * \ingroup hffm
 * \brief How the versions of one module are combined into one: the single place where
 * federated aggregation policy lives, used at every tier (fog over devices, cloud over fogs).
 *
 * Aggregate() first validates every contribution — module id, layout (names and shapes),
 * finite values, a positive sample weight — and leaves out, with a reason, any that fails;
 * invalid updates are never averaged in. Only the remaining ones reach the strategy's
 * Combine(). Callers pass only the nodes that hold the module, so a module is aggregated
 * over its holders alone.
 */
class AggregationStrategy
{
  public:
    virtual ~AggregationStrategy() = default;

    /// \return the name the strategy is created by, with its parameters
    virtual std::string GetName() const = 0;

    /**
     * Aggregate the contributions to one module.
     * \param contributions the versions of the module from the nodes that hold it
     * \param expected if not null, the layout every contribution must have (e.g. the current
     *        global module); otherwise the first valid contribution sets it
     */
    AggregationResult Aggregate(const std::vector<Contribution>& contributions,
                                const ModuleState* expected = nullptr) const;

  protected:
    /**
     * Combine valid contributions (at least one, all of the same layout) into \p out, which
     * has that layout.
     */
    virtual void Combine(const std::vector<const ModuleState*>& valid, ModuleState& out) const = 0;
};

/**
 * \ingroup hffm
 * \brief Sample-weighted federated averaging: out = sum_i w_i x_i / sum_i w_i, with w_i the
 * contribution's sample weight, each counted once.
 */
class FedAvgStrategy : public AggregationStrategy
{
  public:
    std::string GetName() const override;

  protected:
    void Combine(const std::vector<const ModuleState*>& valid, ModuleState& out) const override;
};

/**
 * \ingroup hffm
 * \brief Coordinate-wise median (unweighted; the mean of the two middle values for an even
 * count). Robust to fewer than half of the contributions being arbitrary.
 */
class CoordinateMedianStrategy : public AggregationStrategy
{
  public:
    std::string GetName() const override;

  protected:
    void Combine(const std::vector<const ModuleState*>& valid, ModuleState& out) const override;
};

/**
 * \ingroup hffm
 * \brief Coordinate-wise trimmed mean: per coordinate, drop the floor(beta n) smallest and
 * largest values and average the rest (unweighted).
 */
class TrimmedMeanStrategy : public AggregationStrategy
{
  public:
    /// \param beta the fraction trimmed from each end, in [0, 0.5)
    explicit TrimmedMeanStrategy(double beta);
    std::string GetName() const override;

  protected:
    void Combine(const std::vector<const ModuleState*>& valid, ModuleState& out) const override;

  private:
    double m_beta;
};

/**
 * \ingroup hffm
 * \brief Aggregate every module over the nodes that hold it.
 *
 * Each node offers the modules it holds; contributions are grouped by module id and each
 * group is aggregated with \p strategy, so a module is averaged only over its holders (a
 * node without the text modality never changes encoder/text).
 * \param offers per node: its name and the modules it sends
 * \param expected if not null, the current version of each module by id (its layout rules)
 * \return the result per module id
 */
std::map<std::string, AggregationResult> AggregateModules(
    const AggregationStrategy& strategy,
    const std::vector<std::pair<std::string, std::vector<std::shared_ptr<const ModuleState>>>>&
        offers,
    const std::map<std::string, std::shared_ptr<const ModuleState>>* expected = nullptr);

/**
 * \ingroup hffm
 * \brief Create a strategy by name: "fedavg", "median", or "trimmed-mean:BETA" (e.g.
 * "trimmed-mean:0.2").
 * \throws std::invalid_argument naming the value and the known names
 */
std::unique_ptr<AggregationStrategy> CreateAggregationStrategy(const std::string& name);

/// \return the names CreateAggregationStrategy() knows (BETA shown as a placeholder)
std::vector<std::string> GetAggregationStrategyNames();

} // namespace ns3

#endif /* HFFM_AGGREGATION_H */
