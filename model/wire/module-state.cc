/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-state.h"

#include "ns3/vectorize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <unordered_set>

namespace ns3
{

HFFM_AVX2_CLONE std::size_t
FindNonFiniteValue(const void* data, std::size_t count)
{
    // Testing the exponent bits of a whole block lets the compiler vectorise the scan; the
    // exact index is searched only in a block that holds a bad value.
    constexpr std::size_t block = 4096;
    const auto* bytes = static_cast<const uint8_t*>(data);
    for (std::size_t start = 0; start < count; start += block)
    {
        const std::size_t end = std::min(count, start + block);
        uint32_t bad = 0;
        for (std::size_t i = start; i < end; ++i)
        {
            uint32_t bits;
            std::memcpy(&bits, bytes + 4 * i, sizeof(bits));
            bad |= static_cast<uint32_t>((bits & 0x7f800000U) == 0x7f800000U);
        }
        if (bad != 0)
        {
            for (std::size_t i = start; i < end; ++i)
            {
                uint32_t bits;
                std::memcpy(&bits, bytes + 4 * i, sizeof(bits));
                if ((bits & 0x7f800000U) == 0x7f800000U)
                {
                    return i;
                }
            }
        }
    }
    return count;
}

int64_t
TensorSpec::Numel() const
{
    int64_t n = 1;
    for (int64_t d : shape)
    {
        n *= d;
    }
    return n;
}

bool
TensorSpec::operator==(const TensorSpec& other) const
{
    return name == other.name && shape == other.shape;
}

bool
TensorSpec::operator!=(const TensorSpec& other) const
{
    return !(*this == other);
}

std::string
ModuleState::CheckModuleId(const std::string& moduleId)
{
    if (moduleId.empty())
    {
        return "module id is empty";
    }
    if (moduleId.size() > MAX_MODULE_ID_LENGTH)
    {
        return "module id has " + std::to_string(moduleId.size()) + " characters (at most "
               + std::to_string(MAX_MODULE_ID_LENGTH) + ")";
    }
    for (char c : moduleId)
    {
        if (c < 0x21 || c > 0x7e)
        {
            return "module id contains a character that is not printable ASCII";
        }
    }
    return "";
}

std::string
ModuleState::CheckLayout(const std::vector<TensorSpec>& tensors)
{
    if (tensors.size() > MAX_TENSORS)
    {
        return "module has " + std::to_string(tensors.size()) + " tensors (at most "
               + std::to_string(MAX_TENSORS) + ")";
    }
    // Limit the total so that byte counts fit comfortably in 32-bit wire lengths.
    constexpr int64_t maxTotal = int64_t{1} << 30;
    int64_t total = 0;
    std::unordered_set<std::string> names;
    for (const auto& t : tensors)
    {
        if (t.name.empty() || t.name.size() > MAX_NAME_LENGTH)
        {
            return "tensor name length " + std::to_string(t.name.size()) + " is not in 1.."
                   + std::to_string(MAX_NAME_LENGTH);
        }
        if (!names.insert(t.name).second)
        {
            return "tensor name '" + t.name + "' appears twice";
        }
        if (t.shape.empty() || t.shape.size() > MAX_RANK)
        {
            return "tensor '" + t.name + "' has rank " + std::to_string(t.shape.size())
                   + " (must be 1.." + std::to_string(MAX_RANK) + ")";
        }
        int64_t n = 1;
        for (int64_t d : t.shape)
        {
            if (d < 1 || d > maxTotal || n > maxTotal / d)
            {
                return "tensor '" + t.name + "' has dimension " + std::to_string(d)
                       + " (each must be at least 1, the product at most 2^30)";
            }
            n *= d;
        }
        total += n;
        if (total > maxTotal)
        {
            return "module has more than 2^30 values";
        }
    }
    return "";
}

ModuleState::ModuleState(std::string moduleId, std::vector<TensorSpec> tensors)
    : ModuleState(std::move(moduleId), std::move(tensors), Uninitialized{})
{
    std::fill(m_values.begin(), m_values.end(), 0.0F);
}

ModuleState::ModuleState(std::string moduleId, std::vector<TensorSpec> tensors, Uninitialized)
    : m_moduleId(std::move(moduleId))
    , m_tensors(std::move(tensors))
{
    std::string error = CheckModuleId(m_moduleId);
    if (error.empty())
    {
        error = CheckLayout(m_tensors);
    }
    if (!error.empty())
    {
        throw std::invalid_argument("ModuleState: " + error);
    }
    m_offsets.reserve(m_tensors.size());
    std::size_t offset = 0;
    for (const auto& t : m_tensors)
    {
        m_offsets.push_back(offset);
        offset += static_cast<std::size_t>(t.Numel());
    }
    m_values.resize(offset);
}

const std::string&
ModuleState::GetModuleId() const
{
    return m_moduleId;
}

const std::vector<TensorSpec>&
ModuleState::GetTensors() const
{
    return m_tensors;
}

std::size_t
ModuleState::GetTensorCount() const
{
    return m_tensors.size();
}

std::size_t
ModuleState::FindTensor(const std::string& name) const
{
    for (std::size_t i = 0; i < m_tensors.size(); ++i)
    {
        if (m_tensors[i].name == name)
        {
            return i;
        }
    }
    return m_tensors.size();
}

std::size_t
ModuleState::GetNumel() const
{
    return m_values.size();
}

std::size_t
ModuleState::GetValueBytes() const
{
    return m_values.size() * sizeof(float);
}

float*
ModuleState::GetData()
{
    return m_values.data();
}

const float*
ModuleState::GetData() const
{
    return m_values.data();
}

float*
ModuleState::GetTensorData(std::size_t index)
{
    return m_values.data() + m_offsets.at(index);
}

const float*
ModuleState::GetTensorData(std::size_t index) const
{
    return m_values.data() + m_offsets.at(index);
}

std::size_t
ModuleState::GetTensorOffset(std::size_t index) const
{
    return m_offsets.at(index);
}

double
ModuleState::GetSampleWeight() const
{
    return m_sampleWeight;
}

void
ModuleState::SetSampleWeight(double weight)
{
    if (!std::isfinite(weight) || weight < 0.0)
    {
        throw std::invalid_argument("ModuleState: sample weight " + std::to_string(weight)
                                    + " is not a finite non-negative number");
    }
    m_sampleWeight = weight + 0.0; // -0 becomes +0: a zero weight has one representation
}

std::size_t
ModuleState::FindNonFinite() const
{
    return FindNonFiniteValue(m_values.data(), m_values.size());
}

bool
ModuleState::HasSameLayout(const ModuleState& other) const
{
    return m_tensors == other.m_tensors;
}

bool
ModuleState::IsBitIdentical(const ModuleState& other) const
{
    return m_moduleId == other.m_moduleId && HasSameLayout(other)
           && std::memcmp(&m_sampleWeight, &other.m_sampleWeight, sizeof(double)) == 0
           && (m_values.empty()
               || std::memcmp(m_values.data(), other.m_values.data(), GetValueBytes()) == 0);
}

} // namespace ns3
