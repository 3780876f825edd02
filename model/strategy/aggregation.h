/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_AGGREGATION_H
#define HFFM_AGGREGATION_H

#include "ns3/module-state.h"
#include "ns3/object.h"
#include "ns3/ptr.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
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

/// Outcome of AggregationRule::Aggregate().
struct AggregationResult
{
    /// The aggregate, with sample weight = the sum of the used contributions' weights; null
    /// when no contribution was usable.
    std::shared_ptr<ModuleState> state;
    /// Contributions left out, in this order: those that failed validation (in the order
    /// given), then valid ones the rule chose not to combine (e.g. Krum's unselected ones).
    std::vector<RejectedContribution> rejected;
    std::size_t used{0}; //!< contributions that went into the aggregate
};

/**
 * \ingroup hffm
 * \brief How the versions of one module are combined into one: the single place where
 * federated aggregation policy lives, used at every tier (fog over devices, cloud over fogs).
 *
 * A rule is an ns-3 Object chosen by TypeId (or by a short name, CreateAggregationRule()),
 * configured through its attributes, and owned by the node that aggregates: rules with
 * state (the server optimizers) keep it per module id inside the object, across rounds.
 *
 * Aggregate() first validates every contribution — module id, layout (names and shapes),
 * finite values, a positive sample weight — and leaves out, with a reason, any that fails;
 * invalid updates are never combined. Only the remaining ones reach the rule's Combine(),
 * which may leave out valid ones too, with a reason. Callers pass only the nodes that hold
 * the module, so a module is aggregated over its holders alone.
 */
class AggregationRule : public Object
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();

    AggregationRule() = default;
    ~AggregationRule() override = default;

    /// \return the short name the rule is created by, with its parameters
    /// (e.g. "trimmed-mean:0.250000"; CreateAggregationRule())
    virtual std::string GetName() const = 0;

    /**
     * Aggregate the contributions to one module. Rules with state (the server optimizers)
     * advance it: call this once per module and round.
     * \param contributions the versions of the module from the nodes that hold it
     * \param expected if not null, the current version of the module: the layout every
     *        contribution must have, and what server optimizers and DP clipping form updates
     *        against; otherwise the first valid contribution sets the layout
     * \return the aggregate (sample weight = the sum of the used contributions' weights),
     *         the contributions left out with their reasons, and how many were used
     */
    AggregationResult Aggregate(const std::vector<Contribution>& contributions,
                                const ModuleState* expected = nullptr);

    /**
     * Fix the random streams the rule draws from (DP noise), as ns-3 models do.
     * \param stream the first stream index to use
     * \return the number of stream indices used (0 by default: no randomness)
     */
    virtual int64_t AssignStreams(int64_t stream);

  protected:
    /// A valid contribution that Combine() did not combine, and why.
    struct LeftOut
    {
        std::size_t index;  //!< its position in Combine()'s \p valid
        std::string reason; //!< e.g. "not selected by krum (score 3.2)"
    };

    /**
     * Combine the valid contributions into \p out.
     * \param valid the contributions that passed validation, in the order given: at least
     *        one; each has a state with the module's id and layout, finite values and a
     *        positive sample weight
     * \param current the current version of the module (Aggregate()'s \p expected), or null
     *        when the caller has none. Rules that keep state between rounds key it by
     *        out.GetModuleId().
     * \param out the aggregate to write: it has the module's id and layout, all values zero
     * \return the valid contributions left out, each at most once, with a reason (empty:
     *         all were combined). They do not count in the result's \c used or its sample
     *         weight; when all are left out the result has no state.
     */
    virtual std::vector<LeftOut> Combine(const std::vector<Contribution>& valid,
                                         const ModuleState* current, ModuleState& out)
        = 0;
};

/**
 * \ingroup hffm
 * \brief The sample-weighted mean of \p states into \p out, in FedAvgRule's float
 * arithmetic: out = sum_i a_i x_i, with a_i = float(w_i / sum_k w_k) and the sum accumulated
 * in float, in the order given. Rules that average a selection (Multi-Krum) or start from
 * the FedAvg aggregate (the server optimizers) use it, so that they agree with FedAvg.
 * \param states at least one module, all of \p out's layout, with positive sample weights
 * \param out written in full (its sample weight is left alone)
 */
void WeightedMean(const std::vector<const ModuleState*>& states, ModuleState& out);

/**
 * \ingroup hffm
 * \brief Sample-weighted federated averaging (FedAvg, McMahan et al. 2017):
 * out = sum_i w_i x_i / sum_i w_i, with w_i the contribution's sample weight, each counted
 * once (WeightedMean()). Short name "fedavg"; no attributes.
 */
class FedAvgRule : public AggregationRule
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
};

/**
 * \ingroup hffm
 * \brief Coordinate-wise median (unweighted; the mean of the two middle values for an even
 * count). Robust to fewer than half of the contributions being arbitrary. Short name
 * "median"; no attributes.
 */
class MedianRule : public AggregationRule
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
};

/**
 * \ingroup hffm
 * \brief Coordinate-wise trimmed mean: per coordinate, drop the floor(Beta n) smallest and
 * largest values and average the rest (unweighted). Short name "trimmed-mean:BETA".
 *
 * Attribute Beta (default 0.2, as Flower's FedTrimmedAvg): the fraction trimmed from each end,
 * in [0, 0.5).
 */
class TrimmedMeanRule : public AggregationRule
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
    double m_beta{0.2}; //!< fraction trimmed from each end
};

/**
 * \ingroup hffm
 * \brief Aggregate every module over the nodes that hold it.
 *
 * Each node offers the modules it holds; contributions are grouped by module id and each
 * group is aggregated with \p rule, so a module is averaged only over its holders (a
 * node without the text modality never changes encoder/text).
 * \param rule the rule (rules with state advance it once per module)
 * \param offers per node: its name and the modules it sends
 * \param expected if not null, the current version of each module by id (its layout rules;
 *        a module without an entry is refused as unknown)
 * \return the result per module id
 */
std::map<std::string, AggregationResult> AggregateModules(
    AggregationRule& rule,
    const std::vector<std::pair<std::string, std::vector<std::shared_ptr<const ModuleState>>>>&
        offers,
    const std::map<std::string, std::shared_ptr<const ModuleState>>* expected = nullptr);

/**
 * \ingroup hffm
 * \brief Create a rule by its short name: "fedavg", "median", "trimmed-mean:BETA",
 * "krum:F", "multi-krum:F:M", "fedavgm", "fedadam", "fedyogi", "fedadagrad" or
 * "dp-fedavg:CLIP:NOISE" (e.g. "trimmed-mean:0.2", "multi-krum:1:3", "dp-fedavg:1:0.5").
 *
 * The parameters in the name set the attributes of the same meaning; every other attribute
 * keeps its default, which Config::SetDefault (or --ns3::hffm::FedAdamRule::Eta=... on an
 * ns-3 command line) can change.
 * \param name the short name
 * \return the rule
 * \throws std::invalid_argument naming the value and the known names, or the parameter that
 *         is malformed or out of its attribute's range
 */
Ptr<AggregationRule> CreateAggregationRule(const std::string& name);

/// \return the names CreateAggregationRule() knows, parameters shown as placeholders
/// ("trimmed-mean:BETA")
std::vector<std::string> GetAggregationRuleNames();

} // namespace ns3

#endif /* HFFM_AGGREGATION_H */
