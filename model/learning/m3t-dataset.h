/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_M3T_DATASET_H
#define HFFM_M3T_DATASET_H

// Learning side only: includes LibTorch.

#include "ns3/m3t-spec.h"

#include <cstdint>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Grey-scale images with one label each, as stored in (Fashion-)MNIST idx files.
 */
struct ImageSet
{
    int64_t count{0};
    int64_t rows{0};
    int64_t cols{0};
    std::vector<uint8_t> pixels; //!< count x rows x cols, row-major
    std::vector<int64_t> labels; //!< count
};

/**
 * \ingroup hffm
 * \return the folder of Debian's dataset-fashion-mnist package, or the value of the
 *         environment variable HFFM_FASHION_MNIST_DIR when set
 */
std::string DefaultFashionMnistDir();

/**
 * \ingroup hffm
 * \brief Read Fashion-MNIST's gzipped idx files (train-*-ubyte.gz or t10k-*-ubyte.gz).
 * \param dir the folder holding the four files
 * \param train true for the 60000 training images, false for the 10000 test images
 * \throws std::runtime_error naming the file and what is wrong with it
 */
ImageSet ReadFashionMnist(const std::string& dir, bool train);

/**
 * \ingroup hffm
 * \brief The token vocabulary of the synthesized text modality (documented in
 *        doc/hffm.rst): PAD, SEP, the question words, four group words, ten class words and
 *        eight attribute words.
 */
struct TextVocabulary
{
    static constexpr int64_t PAD = 0;
    static constexpr int64_t SEP = 1;
    static constexpr int64_t IS = 2;
    static constexpr int64_t IT = 3;
    static constexpr int64_t A = 4;
    static constexpr int64_t FIRST_GROUP = 5;      //!< 4 group words: top, bottom, shoe, bag
    static constexpr int64_t FIRST_CLASS = 9;      //!< 10 class words, in label order
    static constexpr int64_t FIRST_ATTRIBUTE = 19; //!< 8 words: red, blue, ... denim
    static constexpr int64_t SIZE = 27;
    static constexpr int64_t LENGTH = 8; //!< tokens per sample

    /// \return the word a token stands for
    static std::string Word(int64_t token);
};

/// How the text modality is synthesized.
struct TextOptions
{
    /// probability that the description names a wrong group (uniform among the other three)
    double descriptionNoise{0.25};
    /// probability that the question asks about the true class ("yes")
    double questionTrue{0.5};
};

/**
 * \ingroup hffm
 * \brief The multi-modal multi-task data: images, text and one label column per task.
 *
 * The text of sample i is synthesized, deterministically from the seed:
 * [group word, attribute, attribute, SEP, "is", "it", "a", class word]. The group word names
 * the sample's coarse group with probability 1 - descriptionNoise; the attributes are
 * random; the question's class is the true class with probability questionTrue, else a
 * uniformly drawn other class. Labels: fine class, coarse group, and the answer (1 = yes).
 * Text alone does not give the fine class, and the image alone cannot answer the question.
 */
struct M3TDataset
{
    torch::Tensor images; //!< [N, 1, 28, 28] float32, normalised with Fashion-MNIST's mean/std
    torch::Tensor text;   //!< [N, TextVocabulary::LENGTH] int64
    torch::Tensor labels; //!< [N, DefaultTasks().size()] int64

    int64_t Size() const;
    /// \return the samples at \p indices (copies)
    M3TDataset Select(const std::vector<int64_t>& indices) const;
    /// \return the samples [begin, end)
    M3TDataset Slice(int64_t begin, int64_t end) const;
};

/// Build the M3T data from images and their Fashion-MNIST labels.
M3TDataset BuildM3TDataset(const ImageSet& images, uint64_t seed, const TextOptions& options = {});

/**
 * \ingroup hffm
 * \brief Read a user's own M3T data from a CSV file.
 *
 * Format (documented in doc/hffm.rst): lines starting with '#' are comments; the first other
 * line is the header "image,text,fine,coarse,question" (the task columns in DefaultTasks()
 * order); then one sample per line: 784 space-separated grey values 0..255 (a 28x28 image,
 * row by row), 8 space-separated token ids of TextVocabulary, and one label per task within
 * its class count. Images are normalised like Fashion-MNIST's.
 * \throws std::runtime_error naming the file, the line and what is wrong
 */
M3TDataset ReadM3TCsv(const std::string& path);

} // namespace ns3

#endif /* HFFM_M3T_DATASET_H */
