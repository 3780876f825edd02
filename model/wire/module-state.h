/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_MODULE_STATE_H
#define HFFM_MODULE_STATE_H

#include "ns3/buffer-allocator.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Name and shape of one tensor of a model module.
 */
struct TensorSpec
{
    std::string name;           //!< parameter name inside the module, e.g. "fc1.weight"
    std::vector<int64_t> shape; //!< dimensions, each at least 1

    /// \return the number of elements (product of the dimensions)
    int64_t Numel() const;

    bool operator==(const TensorSpec& other) const;
    bool operator!=(const TensorSpec& other) const;
};

/**
 * \ingroup hffm
 * \return the index of the first NaN or infinite value among \p count binary32 values at
 *         \p data (which need not be aligned), or \p count if all are finite
 */
std::size_t FindNonFiniteValue(const void* data, std::size_t count);

/**
 * \ingroup hffm
 * \brief The parameters of one model module (an encoder, adapter, expert, head, ...).
 *
 * A module is identified by a stable string id (e.g. "adapter/3") and holds named float
 * tensors. All values live in one contiguous array, tensor after tensor in the order of
 * GetTensors(), so that a module can be encoded, averaged or copied in one pass.
 * The sample weight is the number of training samples this state stands for; aggregation
 * weighs contributions by it.
 *
 * This class has no ns-3 and no LibTorch dependency: both sides of hffm share it.
 */
class ModuleState
{
  public:
    /// Limits on a module's layout; the wire decoder enforces the same ones.
    static constexpr std::size_t MAX_TENSORS = 4096;
    static constexpr std::size_t MAX_RANK = 8;
    static constexpr std::size_t MAX_NAME_LENGTH = 255;
    static constexpr std::size_t MAX_MODULE_ID_LENGTH = 255;

    ModuleState() = default;

    /// Tag for the constructor that leaves values uninitialised.
    struct Uninitialized
    {
    };

    /**
     * Create a zero-filled module with the given layout.
     * \param moduleId the module id; must pass CheckModuleId()
     * \param tensors the layout; must pass CheckLayout()
     * \throws std::invalid_argument naming what is wrong when either check fails
     */
    ModuleState(std::string moduleId, std::vector<TensorSpec> tensors);

    /**
     * As above, but the values are left uninitialised: for code (the wire decoder) that
     * writes every value before anything reads one, so that a large module is not swept
     * twice.
     */
    ModuleState(std::string moduleId, std::vector<TensorSpec> tensors, Uninitialized);

    /**
     * \param moduleId a candidate module id
     * \return an empty string if valid (1..MAX_MODULE_ID_LENGTH printable ASCII characters),
     *         else the reason it is not
     */
    static std::string CheckModuleId(const std::string& moduleId);

    /**
     * \param tensors a candidate layout
     * \return an empty string if valid, else the reason it is not: at most MAX_TENSORS tensors,
     *         names of 1..MAX_NAME_LENGTH characters and unique, rank 1..MAX_RANK, every
     *         dimension at least 1, total element count representable
     */
    static std::string CheckLayout(const std::vector<TensorSpec>& tensors);

    const std::string& GetModuleId() const;
    const std::vector<TensorSpec>& GetTensors() const;
    std::size_t GetTensorCount() const;
    /// \return the index of the tensor with that name, or GetTensorCount() if absent
    std::size_t FindTensor(const std::string& name) const;

    /// \return the number of float values over all tensors
    std::size_t GetNumel() const;
    /// \return the size of the values in bytes (4 per value)
    std::size_t GetValueBytes() const;

    float* GetData();
    const float* GetData() const;
    /// \return the first value of tensor \p index inside GetData()
    float* GetTensorData(std::size_t index);
    const float* GetTensorData(std::size_t index) const;
    std::size_t GetTensorOffset(std::size_t index) const;

    double GetSampleWeight() const;
    /// \param weight a finite, non-negative number of samples
    /// \throws std::invalid_argument otherwise
    void SetSampleWeight(double weight);

    /// \return the index of the first NaN or infinite value, or GetNumel() if all are finite
    std::size_t FindNonFinite() const;

    /// \return true if \p other has the same tensor names and shapes in the same order
    bool HasSameLayout(const ModuleState& other) const;

    /// \return true if id, layout, sample weight and every value's bits are equal
    bool IsBitIdentical(const ModuleState& other) const;

  private:
    std::string m_moduleId;
    std::vector<TensorSpec> m_tensors;
    std::vector<std::size_t> m_offsets; //!< start of each tensor in m_values
    std::vector<float, BufferAllocator<float>> m_values;
    double m_sampleWeight{0.0};
};

} // namespace ns3

#endif /* HFFM_MODULE_STATE_H */
