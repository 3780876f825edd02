/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_M3T_SPEC_H
#define HFFM_M3T_SPEC_H

#include <cstdint>
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

} // namespace ns3

#endif /* HFFM_M3T_SPEC_H */
