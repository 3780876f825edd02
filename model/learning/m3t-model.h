/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_M3T_MODEL_H
#define HFFM_M3T_MODEL_H

// Learning side only: includes LibTorch.

#include "ns3/m3t-spec.h"
#include "ns3/module-state.h"

#include <map>
#include <set>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace ns3
{

/// Kinds of module, as the HF-FM paper names them.
enum class ModuleKind
{
    ENCODER,
    PROMPT,
    BACKBONE,
    ADAPTER,
    MOE_GATE,
    MOE_EXPERT,
    HEAD,
};

/// \return "encoder", "prompt", "backbone", "adapter", "moe-gate", "moe-expert" or "head"
std::string ToString(ModuleKind kind);

/// Output of one forward pass.
struct M3TOutput
{
    std::map<std::string, torch::Tensor> logits; //!< per task, [B, classes]
    torch::Tensor balanceLoss; //!< mixture-of-experts load-balancing term (scalar)
};

// The building blocks, defined in m3t-model.cc.
class M3TImageEncoderImpl;
class M3TTextEncoderImpl;
class M3TPromptImpl;
class M3TBlockImpl;
class M3TAdapterImpl;
class M3TExpertImpl;
class M3THeadImpl;

/**
 * \ingroup hffm
 * \brief The modular multi-modal multi-task model.
 *
 * Modules and their ids (with the default config):
 *  - encoder/image: a two-layer convolutional stem, 28x28 image to 49 tokens;
 *  - encoder/text: token and position embeddings, 8 tokens;
 *  - prompt/<task>: promptTokens learnable tokens per task, prepended to the sequence; the
 *    first output token of a task's prompt feeds that task's head. Per task rather than
 *    shared, so that a node trains only the prompts of its tasks and each task reads its
 *    own summary of the shared sequence in one pass;
 *  - backbone/<i>: pre-norm transformer blocks (attention and MLP), frozen when pretrained;
 *  - adapter/<i>: a bottleneck adapter (down, GELU, up, residual) after block i;
 *  - moe/0/gate and moe/0/expert/<e>: a mixture-of-experts layer after the last block, top-k
 *    routing per token, with a load-balancing term (Switch Transformer style);
 *  - head/<task>: layer norm and a linear classifier.
 *
 * Forward() runs on any non-empty subset of modalities and any subset of tasks.
 */
class M3TModelImpl : public torch::nn::Module
{
  public:
    explicit M3TModelImpl(M3TConfig config = {});

    const M3TConfig& GetConfig() const;

    /// \return every module id, in a stable order
    std::vector<std::string> GetModuleIds() const;
    /// \return the kind of a module id
    ModuleKind GetModuleKind(const std::string& id) const;
    /// \return the torch module behind an id; throws std::out_of_range naming it
    torch::nn::Module& GetModule(const std::string& id);
    const torch::nn::Module& GetModule(const std::string& id) const;

    /**
     * \return the ids of the modules a node with \p profile uses: the encoders of its
     * modalities, the prompts and heads of its tasks, and every backbone block, adapter, gate
     * and expert (frozen modules are included: they are used, but not trained)
     */
    std::vector<std::string> GetModuleIdsFor(const NodeProfile& profile) const;

    /// Mark the backbone blocks as frozen (no gradients) or trainable.
    void SetBackboneFrozen(bool frozen);
    bool IsBackboneFrozen() const;
    /// \return true if the module's parameters are trained
    bool IsTrainable(const std::string& id) const;

    /**
     * Run the model.
     * \param images [B,1,28,28] or undefined when the node has no image modality
     * \param text [B,8] token ids or undefined when the node has no text modality
     * \param tasks the tasks to compute logits for
     */
    M3TOutput Forward(const torch::Tensor& images, const torch::Tensor& text,
                      const std::vector<std::string>& tasks);

    /// Multiply-adds of one forward pass for one sample with these modalities and tasks.
    double ForwardMultiplyAdds(const NodeProfile& profile) const;

    /// Copy a module out (its parameters, in named_parameters order).
    ModuleState Export(const std::string& id, double sampleWeight = 0.0) const;
    /// Copy a module in; throws std::invalid_argument if its layout does not match.
    void Import(const ModuleState& state);

    /// \return true for a module of the foundation: an encoder or a backbone block, what a
    /// pretrained checkpoint holds
    bool IsFoundation(const std::string& id) const;
    /// Copy the foundation's modules out, in GetModuleIds() order.
    std::vector<std::shared_ptr<const ModuleState>> ExportFoundation() const;
    /// \return the first foundation module missing from \p modules, or "" when none is (a
    /// checkpoint cut at a module boundary reads cleanly: only what it lacks tells)
    std::string FindMissingFoundation(
        const std::vector<std::shared_ptr<ModuleState>>& modules) const;

  private:
    /// Register \p m as a child under \p id (slashes become underscores in torch's name).
    template <typename T>
    std::shared_ptr<T> Add(const std::string& id, ModuleKind kind, std::shared_ptr<T> m);

    /// The mixture-of-experts layer: returns its output and sets \p balance.
    torch::Tensor MixtureOfExperts(const torch::Tensor& x, torch::Tensor& balance);

    M3TConfig m_config;
    bool m_backboneFrozen{false};
    std::vector<std::string> m_ids;
    std::map<std::string, ModuleKind> m_kinds;
    std::map<std::string, std::shared_ptr<torch::nn::Module>> m_modules;

    // typed handles on the registered modules
    std::shared_ptr<M3TImageEncoderImpl> m_imageEncoder;
    std::shared_ptr<M3TTextEncoderImpl> m_textEncoder;
    std::map<std::string, std::shared_ptr<M3TPromptImpl>> m_prompts;
    std::vector<std::shared_ptr<M3TBlockImpl>> m_blocks;
    std::vector<std::shared_ptr<M3TAdapterImpl>> m_adapters;
    std::shared_ptr<torch::nn::LinearImpl> m_gate;
    std::vector<std::shared_ptr<M3TExpertImpl>> m_experts;
    std::map<std::string, std::shared_ptr<M3THeadImpl>> m_heads;
};

TORCH_MODULE(M3TModel);

} // namespace ns3

#endif /* HFFM_M3T_MODEL_H */
