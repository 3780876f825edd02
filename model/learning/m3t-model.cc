/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/m3t-model.h"

#include "ns3/module-state-torch.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace ns3
{

// ---- building blocks ----------------------------------------------------------------------

/// Image to tokens: conv 3x3 (32) + ReLU + pool, conv 3x3 (width) + ReLU + pool: 7x7 tokens.
class M3TImageEncoderImpl : public torch::nn::Module
{
  public:
    explicit M3TImageEncoderImpl(int64_t width)
        : conv1(register_module("conv1",
                                torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 32, 3).padding(1))))
        , conv2(register_module(
              "conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(32, width, 3).padding(1))))
        , position(register_parameter("position", torch::randn({49, width}) * 0.02))
    {
    }

    torch::Tensor forward(const torch::Tensor& images)
    {
        auto x = torch::max_pool2d(torch::relu(conv1(images)), 2);
        x = torch::max_pool2d(torch::relu(conv2(x)), 2); // [B, width, 7, 7]
        return x.flatten(2).transpose(1, 2) + position;  // [B, 49, width]
    }

    static double MultiplyAdds(int64_t width)
    {
        return 28.0 * 28 * 32 * 9 + 14.0 * 14 * width * 32 * 9;
    }

    torch::nn::Conv2d conv1;
    torch::nn::Conv2d conv2;
    torch::Tensor position;
};

/// Token ids to tokens: embedding plus learned positions.
class M3TTextEncoderImpl : public torch::nn::Module
{
  public:
    M3TTextEncoderImpl(int64_t vocabulary, int64_t length, int64_t width)
        : tokens(register_module("tokens", torch::nn::Embedding(vocabulary, width)))
        , position(register_parameter("position", torch::randn({length, width}) * 0.02))
    {
    }

    torch::Tensor forward(const torch::Tensor& text) { return tokens(text) + position; }

    torch::nn::Embedding tokens;
    torch::Tensor position;
};

/// Learnable prompt tokens.
class M3TPromptImpl : public torch::nn::Module
{
  public:
    M3TPromptImpl(int64_t count, int64_t width)
        : tokens(register_parameter("tokens", torch::randn({count, width}) * 0.02))
    {
    }

    torch::Tensor tokens;
};

/// Pre-norm transformer block: x + attention(norm(x)), then x + mlp(norm(x)).
class M3TBlockImpl : public torch::nn::Module
{
  public:
    M3TBlockImpl(int64_t width, int64_t headCount, int64_t hidden)
        : heads(headCount)
        , norm1(
              register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width}))))
        , qkv(register_module("qkv", torch::nn::Linear(width, 3 * width)))
        , proj(register_module("proj", torch::nn::Linear(width, width)))
        , norm2(
              register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width}))))
        , fc1(register_module("fc1", torch::nn::Linear(width, hidden)))
        , fc2(register_module("fc2", torch::nn::Linear(hidden, width)))
    {
    }

    torch::Tensor forward(const torch::Tensor& x)
    {
        const int64_t b = x.size(0);
        const int64_t t = x.size(1);
        const int64_t d = x.size(2);
        auto q = qkv(norm1(x)).reshape({b, t, 3, heads, d / heads}).permute({2, 0, 3, 1, 4});
        auto scores = torch::matmul(q[0], q[1].transpose(-2, -1)) / std::sqrt(double(d / heads));
        auto attended = torch::matmul(torch::softmax(scores, -1), q[2]); // [b, h, t, dh]
        auto y = x + proj(attended.transpose(1, 2).reshape({b, t, d}));
        return y + fc2(torch::gelu(fc1(norm2(y))));
    }

    static double MultiplyAdds(double tokens, int64_t width, int64_t hidden)
    {
        return tokens * (4.0 * width * width + 2.0 * width * hidden)
               + 2.0 * tokens * tokens * width;
    }

    int64_t heads;
    torch::nn::LayerNorm norm1;
    torch::nn::Linear qkv;
    torch::nn::Linear proj;
    torch::nn::LayerNorm norm2;
    torch::nn::Linear fc1;
    torch::nn::Linear fc2;
};

/// Bottleneck adapter: x + up(gelu(down(x))); up starts at zero, so a new adapter is the
/// identity.
class M3TAdapterImpl : public torch::nn::Module
{
  public:
    M3TAdapterImpl(int64_t width, int64_t bottleneck)
        : down(register_module("down", torch::nn::Linear(width, bottleneck)))
        , up(register_module("up", torch::nn::Linear(bottleneck, width)))
    {
        torch::NoGradGuard noGrad;
        up->weight.zero_();
        up->bias.zero_();
    }

    torch::Tensor forward(const torch::Tensor& x) { return x + up(torch::gelu(down(x))); }

    torch::nn::Linear down;
    torch::nn::Linear up;
};

/// One expert: a two-layer MLP.
class M3TExpertImpl : public torch::nn::Module
{
  public:
    M3TExpertImpl(int64_t width, int64_t hidden)
        : fc1(register_module("fc1", torch::nn::Linear(width, hidden)))
        , fc2(register_module("fc2", torch::nn::Linear(hidden, width)))
    {
    }

    torch::Tensor forward(const torch::Tensor& x) { return fc2(torch::gelu(fc1(x))); }

    torch::nn::Linear fc1;
    torch::nn::Linear fc2;
};

/// Task head: layer norm and a linear classifier.
class M3THeadImpl : public torch::nn::Module
{
  public:
    M3THeadImpl(int64_t width, int64_t classes)
        : norm(register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width}))))
        , fc(register_module("fc", torch::nn::Linear(width, classes)))
    {
    }

    torch::Tensor forward(const torch::Tensor& x) { return fc(norm(x)); }

    torch::nn::LayerNorm norm;
    torch::nn::Linear fc;
};

std::string
ToString(ModuleKind kind)
{
    switch (kind)
    {
        case ModuleKind::ENCODER:
            return "encoder";
        case ModuleKind::PROMPT:
            return "prompt";
        case ModuleKind::BACKBONE:
            return "backbone";
        case ModuleKind::ADAPTER:
            return "adapter";
        case ModuleKind::MOE_GATE:
            return "moe-gate";
        case ModuleKind::MOE_EXPERT:
            return "moe-expert";
        case ModuleKind::HEAD:
            return "head";
    }
    return "unknown";
}

// ---- the model ----------------------------------------------------------------------------

template <typename T>
std::shared_ptr<T>
M3TModelImpl::Add(const std::string& id, ModuleKind kind, std::shared_ptr<T> m)
{
    std::string name = id;
    std::replace(name.begin(), name.end(), '/', '_');
    register_module(name, m);
    m_ids.push_back(id);
    m_kinds[id] = kind;
    m_modules[id] = m;
    return m;
}

M3TModelImpl::M3TModelImpl(M3TConfig config)
    : m_config(std::move(config))
{
    const std::string error = m_config.Check();
    if (!error.empty())
    {
        throw std::invalid_argument("M3TConfig: " + error);
    }
    const int64_t d = m_config.width;
    m_imageEncoder
        = Add("encoder/image", ModuleKind::ENCODER, std::make_shared<M3TImageEncoderImpl>(d));
    m_textEncoder
        = Add("encoder/text", ModuleKind::ENCODER, std::make_shared<M3TTextEncoderImpl>(27, 8, d));
    for (const auto& t : m_config.tasks)
    {
        m_prompts[t.name] = Add("prompt/" + t.name, ModuleKind::PROMPT,
                                std::make_shared<M3TPromptImpl>(m_config.promptTokens, d));
    }
    for (int64_t i = 0; i < m_config.blocks; ++i)
    {
        m_blocks.push_back(
            Add("backbone/" + std::to_string(i), ModuleKind::BACKBONE,
                std::make_shared<M3TBlockImpl>(d, m_config.heads, m_config.mlpRatio * d)));
        m_adapters.push_back(Add("adapter/" + std::to_string(i), ModuleKind::ADAPTER,
                                 std::make_shared<M3TAdapterImpl>(d, m_config.adapterWidth)));
    }
    m_gate = Add("moe/0/gate", ModuleKind::MOE_GATE,
                 std::make_shared<torch::nn::LinearImpl>(d, m_config.experts));
    for (int64_t e = 0; e < m_config.experts; ++e)
    {
        m_experts.push_back(Add("moe/0/expert/" + std::to_string(e), ModuleKind::MOE_EXPERT,
                                std::make_shared<M3TExpertImpl>(d, m_config.expertHidden)));
    }
    for (const auto& t : m_config.tasks)
    {
        m_heads[t.name]
            = Add("head/" + t.name, ModuleKind::HEAD, std::make_shared<M3THeadImpl>(d, t.classes));
    }
}

const M3TConfig&
M3TModelImpl::GetConfig() const
{
    return m_config;
}

std::vector<std::string>
M3TModelImpl::GetModuleIds() const
{
    return m_ids;
}

ModuleKind
M3TModelImpl::GetModuleKind(const std::string& id) const
{
    auto it = m_kinds.find(id);
    if (it == m_kinds.end())
    {
        throw std::out_of_range("M3T model has no module '" + id + "'");
    }
    return it->second;
}

torch::nn::Module&
M3TModelImpl::GetModule(const std::string& id)
{
    auto it = m_modules.find(id);
    if (it == m_modules.end())
    {
        throw std::out_of_range("M3T model has no module '" + id + "'");
    }
    return *it->second;
}

const torch::nn::Module&
M3TModelImpl::GetModule(const std::string& id) const
{
    return const_cast<M3TModelImpl*>(this)->GetModule(id);
}

std::vector<std::string>
M3TModelImpl::GetModuleIdsFor(const NodeProfile& profile) const
{
    std::vector<std::string> ids;
    for (const auto& id : m_ids)
    {
        switch (m_kinds.at(id))
        {
            case ModuleKind::ENCODER:
            {
                Modality m;
                if (ParseModality(id.substr(id.find('/') + 1), m) && profile.modalities.count(m))
                {
                    ids.push_back(id);
                }
                break;
            }
            case ModuleKind::PROMPT:
            case ModuleKind::HEAD:
                if (profile.tasks.count(id.substr(id.find('/') + 1)))
                {
                    ids.push_back(id);
                }
                break;
            default:
                ids.push_back(id);
        }
    }
    return ids;
}

void
M3TModelImpl::SetBackboneFrozen(bool frozen)
{
    m_backboneFrozen = frozen;
    for (auto& b : m_blocks)
    {
        for (auto& p : b->parameters())
        {
            p.requires_grad_(!frozen);
        }
    }
}

bool
M3TModelImpl::IsBackboneFrozen() const
{
    return m_backboneFrozen;
}

bool
M3TModelImpl::IsTrainable(const std::string& id) const
{
    return !(m_backboneFrozen && GetModuleKind(id) == ModuleKind::BACKBONE);
}

bool
M3TModelImpl::IsFoundation(const std::string& id) const
{
    const ModuleKind kind = GetModuleKind(id);
    return kind == ModuleKind::ENCODER || kind == ModuleKind::BACKBONE;
}

std::vector<std::shared_ptr<const ModuleState>>
M3TModelImpl::ExportFoundation() const
{
    std::vector<std::shared_ptr<const ModuleState>> foundation;
    for (const auto& id : m_ids)
    {
        if (IsFoundation(id))
        {
            foundation.push_back(std::make_shared<ModuleState>(Export(id)));
        }
    }
    return foundation;
}

std::string
M3TModelImpl::FindMissingFoundation(const std::vector<std::shared_ptr<ModuleState>>& modules) const
{
    std::set<std::string> held;
    for (const auto& m : modules)
    {
        held.insert(m->GetModuleId());
    }
    for (const auto& id : m_ids)
    {
        if (IsFoundation(id) && !held.count(id))
        {
            return id;
        }
    }
    return "";
}

torch::Tensor
M3TModelImpl::MixtureOfExperts(const torch::Tensor& x, torch::Tensor& balance)
{
    const auto shape = x.sizes().vec();
    auto flat = x.reshape({-1, shape.back()});
    auto probs = torch::softmax(m_gate->forward(flat), -1); // [N, E]
    auto [topValues, topIndex] = probs.topk(m_config.topK, -1);
    auto weights = topValues / topValues.sum(-1, true);
    auto out = torch::zeros_like(flat);
    for (int64_t e = 0; e < m_config.experts; ++e)
    {
        auto chosen = (topIndex == e);                    // [N, k]
        auto rows = chosen.any(-1).nonzero().squeeze(-1); // tokens routed to e
        if (rows.numel() == 0)
        {
            continue;
        }
        auto w = (weights * chosen).sum(-1).index_select(0, rows).unsqueeze(-1);
        out.index_add_(0, rows, m_experts[e]->forward(flat.index_select(0, rows)) * w);
    }
    // Load balancing (Switch Transformer): E * sum_e (share of routings to e) * (mean gate
    // probability of e); 1 when the load is uniform.
    auto share = torch::one_hot(topIndex, m_config.experts)
                     .to(torch::kFloat32)
                     .sum(std::vector<int64_t>{0, 1})
                 / static_cast<double>(topIndex.numel());
    balance = m_config.experts * (share * probs.mean(0)).sum();
    return x + out.reshape(shape);
}

M3TOutput
M3TModelImpl::Forward(const torch::Tensor& images, const torch::Tensor& text,
                      const std::vector<std::string>& tasks)
{
    std::vector<torch::Tensor> parts;
    int64_t batch = -1;
    std::map<std::string, int64_t> promptAt;
    std::vector<torch::Tensor> modalityTokens;
    if (images.defined())
    {
        modalityTokens.push_back(m_imageEncoder->forward(images));
        batch = images.size(0);
    }
    if (text.defined())
    {
        modalityTokens.push_back(m_textEncoder->forward(text));
        batch = text.size(0);
    }
    if (modalityTokens.empty())
    {
        throw std::invalid_argument("M3T model: a forward pass needs at least one modality");
    }
    int64_t position = 0;
    for (const auto& t : tasks)
    {
        auto it = m_prompts.find(t);
        if (it == m_prompts.end())
        {
            throw std::invalid_argument("M3T model: unknown task '" + t + "'");
        }
        promptAt[t] = position;
        parts.push_back(it->second->tokens.unsqueeze(0).expand({batch, -1, -1}));
        position += m_config.promptTokens;
    }
    parts.insert(parts.end(), modalityTokens.begin(), modalityTokens.end());
    auto x = torch::cat(parts, 1);
    for (std::size_t i = 0; i < m_blocks.size(); ++i)
    {
        x = m_adapters[i]->forward(m_blocks[i]->forward(x));
    }
    M3TOutput out;
    x = MixtureOfExperts(x, out.balanceLoss);
    for (const auto& t : tasks)
    {
        out.logits[t] = m_heads.at(t)->forward(x.select(1, promptAt[t]));
    }
    return out;
}

double
M3TModelImpl::ForwardMultiplyAdds(const NodeProfile& profile) const
{
    const auto& c = m_config;
    const double d = static_cast<double>(c.width);
    double macs = 0.0;
    double tokens = static_cast<double>(profile.tasks.size() * c.promptTokens);
    if (profile.modalities.count(Modality::IMAGE))
    {
        macs += M3TImageEncoderImpl::MultiplyAdds(c.width);
        tokens += 49;
    }
    if (profile.modalities.count(Modality::TEXT))
    {
        tokens += 8;
    }
    macs += c.blocks
            * (M3TBlockImpl::MultiplyAdds(tokens, c.width, c.mlpRatio * c.width)
               + tokens * 2.0 * d * c.adapterWidth);
    macs += tokens * (d * c.experts + c.topK * 2.0 * d * c.expertHidden);
    for (const auto& t : c.tasks)
    {
        if (profile.tasks.count(t.name))
        {
            macs += d * t.classes;
        }
    }
    return macs;
}

ModuleState
M3TModelImpl::Export(const std::string& id, double sampleWeight) const
{
    return ExportModuleState(id, GetModule(id), sampleWeight);
}

void
M3TModelImpl::Import(const ModuleState& state)
{
    ImportModuleState(state, GetModule(state.GetModuleId()));
}

} // namespace ns3
