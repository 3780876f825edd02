/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_M3T_SPEC_H
#define HFFM_M3T_SPEC_H

#include <cstdint>
#include <set>
#include <string>
#include <vector>

/**
 * \file
 * \ingroup hffm
 * Modalities and tasks of hffm's default multi-modal multi-task (M3T) data, built from
 * Fashion-MNIST. No LibTorch, no ns-3: both sides use these names.
 */

namespace ns3
{

/// Input modalities.
enum class Modality : uint8_t
{
    IMAGE = 0, //!< the 28x28 grey-scale product image
    TEXT = 1,  //!< a synthesized short description and question, as token ids
};

/// Number of Modality values.
constexpr std::size_t MODALITY_COUNT = 2;

/// \return "image" or "text"
std::string ToString(Modality m);
/// \return true and the modality for "image" or "text"
bool ParseModality(const std::string& name, Modality& m);

/// A task: a classification head's name, class count, and the modalities it cannot do without.
struct TaskSpec
{
    std::string name;
    int64_t classes;
    std::vector<Modality> needs;
};

/**
 * The default tasks, in label-column order:
 *  - "fine": the Fashion-MNIST class (10 classes);
 *  - "coarse": the group, 4 classes: 0 tops (T-shirt, pullover, coat, shirt), 1 bottoms and
 *    dresses (trouser, dress), 2 footwear (sandal, sneaker, ankle boot), 3 bags;
 *  - "question": the yes/no answer to the question in the text ("is it a <class>?"); it
 *    needs the text modality, since the question is there.
 */
const std::vector<TaskSpec>& DefaultTasks();

/// \return the index of the named task in DefaultTasks(), or DefaultTasks().size()
std::size_t FindTask(const std::string& name);

/// \return the coarse group (0..3) of a Fashion-MNIST class (0..9)
int64_t CoarseGroup(int64_t fineClass);

/**
 * \ingroup hffm
 * \brief Sizes of the M3T model. The defaults train in minutes on 2 cores.
 */
struct M3TConfig
{
    int64_t width{64};         //!< token width shared by all modules
    int64_t heads{4};          //!< attention heads per backbone block
    int64_t blocks{2};         //!< backbone transformer blocks (each with an adapter)
    int64_t mlpRatio{2};       //!< backbone MLP hidden = mlpRatio * width
    int64_t adapterWidth{16};  //!< adapter bottleneck
    int64_t promptTokens{2};   //!< learnable prompt tokens per task
    int64_t experts{4};        //!< experts of the mixture-of-experts layer
    int64_t topK{2};           //!< experts each token is routed to
    int64_t expertHidden{128}; //!< hidden width of each expert
    std::vector<TaskSpec> tasks{DefaultTasks()};

    /// \return an empty string, or what is wrong (naming the value)
    std::string Check() const;
};

/// What one node has: the modalities it collects and the tasks it executes.
struct NodeProfile
{
    std::set<Modality> modalities;
    std::set<std::string> tasks;

    /// \return an empty string, or why the profile cannot run (no modality, unknown task, a
    ///         task without a modality it needs)
    std::string Check(const M3TConfig& config) const;
};

/**
 * \ingroup hffm
 * \brief Draw what each device has: each modality with its probability (at least one per
 * device: a device drawn with none gets the image), and each task with \p taskProbability
 * among those its modalities allow (at least one). Deterministic from \p seed.
 * \throws std::invalid_argument for a probability outside [0, 1]
 */
std::vector<NodeProfile> DrawNodeProfiles(std::size_t devices, double imageProbability,
                                          double textProbability, double taskProbability,
                                          uint64_t seed,
                                          const std::vector<TaskSpec>& tasks = DefaultTasks());

/// Hyper-parameters of local training (checked in local-trainer.cc).
struct TrainOptions
{
    int64_t epochs{1};
    int64_t batchSize{64};
    std::string optimizer{"adam"}; //!< "adam" or "sgd" (momentum 0.9)
    double learningRate{1e-3};
    double balanceWeight{0.01}; //!< weight of the mixture-of-experts load-balancing term
    uint64_t seed{1};           //!< shuffling order

    /// \return an empty string, or what is wrong (naming the value)
    std::string Check() const;
};

} // namespace ns3

#endif /* HFFM_M3T_SPEC_H */
