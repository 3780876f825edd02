/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_LOCAL_TRAINER_H
#define HFFM_LOCAL_TRAINER_H

// Learning side only: includes LibTorch.

#include "ns3/m3t-dataset.h"
#include "ns3/m3t-model.h"

#include <map>
#include <string>
#include <vector>

namespace ns3
{

/// What local training did.
struct TrainReport
{
    int64_t samples{0};                        //!< training samples in the shard
    int64_t steps{0};                          //!< optimizer steps
    std::map<std::string, double> lossPerTask; //!< mean loss over the last epoch
    double firstLoss{0.0};                     //!< total loss of the first batch
    double lastEpochLoss{0.0};                 //!< mean total loss over the last epoch
    double multiplyAdds{0.0};                  //!< work done: 3 x forward x samples x epochs
    std::vector<std::string> trainedModules;   //!< ids whose parameters were updated
};

/**
 * \ingroup hffm
 * \return an empty string, or why \p mu cannot be FedProx's proximal coefficient (it must be
 *         finite and >= 0), naming proximalMu
 */
std::string CheckProximalMu(double mu);

/**
 * \ingroup hffm
 * \brief Train the modules a node uses, on the node's samples, for the node's tasks.
 *
 * Trains the trainable modules among model->GetModuleIdsFor(profile) (a frozen backbone is
 * used but not trained) with the summed cross-entropy of the node's tasks plus the
 * load-balancing term. Inputs of modalities the node lacks are not given to the model.
 * Deterministic for a given seed (CPU, fixed thread count).
 *
 * With \p proximalMu > 0 (FedProx), every batch's loss also has the proximal term
 * (proximalMu / 2) * ||w - w0||^2, summed over the trained parameters w, w0 being their values
 * when this call began (for a federated device, the modules it received for the round): its
 * gradient proximalMu * (w - w0) pulls the parameters back toward w0. The reported losses
 * (firstLoss, lastEpochLoss) include it; lossPerTask does not. With 0 the term is left out
 * altogether, and training is what it is without it, bit for bit.
 * \throws std::invalid_argument for a bad profile, options, proximalMu or an empty shard
 */
TrainReport TrainLocal(M3TModel& model, const M3TDataset& data, const std::vector<int64_t>& indices,
                       const NodeProfile& profile, const TrainOptions& options,
                       double proximalMu = 0.0);

/**
 * \ingroup hffm
 * \brief Accuracy per task of the node's tasks on \p indices of \p data (all if empty),
 * using only the node's modalities.
 */
std::map<std::string, double> Evaluate(M3TModel& model, const M3TDataset& data,
                                       const std::vector<int64_t>& indices,
                                       const NodeProfile& profile, int64_t batchSize = 500);

} // namespace ns3

#endif /* HFFM_LOCAL_TRAINER_H */
