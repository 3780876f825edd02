/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/m3t-dataset.h"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <zlib.h>

namespace ns3
{

namespace
{

/// Reads a gzipped file whole; every failure names the file.
std::vector<uint8_t>
ReadGzip(const std::string& path)
{
    gzFile f = gzopen(path.c_str(), "rb");
    if (f == nullptr)
    {
        throw std::runtime_error("cannot open " + path
                                 + " (install dataset-fashion-mnist or set "
                                   "HFFM_FASHION_MNIST_DIR)");
    }
    std::vector<uint8_t> data;
    std::vector<uint8_t> chunk(1 << 20);
    int n;
    while ((n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()))) > 0)
    {
        data.insert(data.end(), chunk.begin(), chunk.begin() + n);
    }
    int err = Z_OK;
    const char* msg = gzerror(f, &err);
    const std::string message = msg ? msg : "";
    gzclose(f);
    if (n < 0 || (err != Z_OK && err != Z_STREAM_END))
    {
        throw std::runtime_error(path + ": not a valid gzip stream: " + message);
    }
    return data;
}

uint32_t
BigEndian32(const std::vector<uint8_t>& d, std::size_t at)
{
    return (uint32_t{d[at]} << 24) | (uint32_t{d[at + 1]} << 16) | (uint32_t{d[at + 2]} << 8)
           | d[at + 3];
}

} // namespace

std::string
DefaultFashionMnistDir()
{
    const char* env = std::getenv("HFFM_FASHION_MNIST_DIR");
    return env ? env : "/usr/share/datasets/fashion-mnist";
}

ImageSet
ReadFashionMnist(const std::string& dir, bool train)
{
    const std::string prefix = dir + "/" + (train ? "train" : "t10k");
    const std::string imagePath = prefix + "-images-idx3-ubyte.gz";
    const std::string labelPath = prefix + "-labels-idx1-ubyte.gz";
    const auto images = ReadGzip(imagePath);
    const auto labels = ReadGzip(labelPath);
    if (images.size() < 16 || BigEndian32(images, 0) != 2051)
    {
        throw std::runtime_error(imagePath + ": not an idx3 image file (magic 2051)");
    }
    if (labels.size() < 8 || BigEndian32(labels, 0) != 2049)
    {
        throw std::runtime_error(labelPath + ": not an idx1 label file (magic 2049)");
    }
    ImageSet set;
    set.count = BigEndian32(images, 4);
    set.rows = BigEndian32(images, 8);
    set.cols = BigEndian32(images, 12);
    const int64_t labelCount = BigEndian32(labels, 4);
    if (labelCount != set.count)
    {
        throw std::runtime_error(labelPath + ": " + std::to_string(labelCount) + " labels for "
                                 + std::to_string(set.count) + " images");
    }
    const auto pixelCount = static_cast<std::size_t>(set.count * set.rows * set.cols);
    if (set.rows != 28 || set.cols != 28 || images.size() != 16 + pixelCount)
    {
        throw std::runtime_error(imagePath + ": expected " + std::to_string(set.count)
                                 + " images of 28x28 pixels, file size does not match");
    }
    if (labels.size() != 8 + static_cast<std::size_t>(set.count))
    {
        throw std::runtime_error(labelPath + ": file size does not match its label count");
    }
    set.pixels.assign(images.begin() + 16, images.end());
    set.labels.resize(set.count);
    for (int64_t i = 0; i < set.count; ++i)
    {
        set.labels[i] = labels[8 + i];
        if (set.labels[i] > 9)
        {
            throw std::runtime_error(labelPath + ": label " + std::to_string(set.labels[i]) + " at "
                                     + std::to_string(i) + " is not a class 0..9");
        }
    }
    return set;
}

std::string
TextVocabulary::Word(int64_t token)
{
    static const char* words[SIZE]
        = {"<pad>",  "<sep>", "is",      "it",      "a",          "top",   "bottom",
           "shoe",   "bag",   "t-shirt", "trouser", "pullover",   "dress", "coat",
           "sandal", "shirt", "sneaker", "handbag", "ankle-boot", "red",   "blue",
           "black",  "white", "cotton",  "leather", "wool",       "denim"};
    if (token < 0 || token >= SIZE)
    {
        return "<unknown>";
    }
    return words[token];
}

int64_t
M3TDataset::Size() const
{
    return labels.defined() ? labels.size(0) : 0;
}

M3TDataset
M3TDataset::Select(const std::vector<int64_t>& indices) const
{
    const auto index = torch::tensor(indices, torch::kInt64);
    return {images.index_select(0, index), text.index_select(0, index),
            labels.index_select(0, index)};
}

M3TDataset
M3TDataset::Slice(int64_t begin, int64_t end) const
{
    return {images.slice(0, begin, end), text.slice(0, begin, end), labels.slice(0, begin, end)};
}

M3TDataset
BuildM3TDataset(const ImageSet& set, uint64_t seed, const TextOptions& options)
{
    const int64_t n = set.count;
    M3TDataset data;
    data.images = torch::from_blob(const_cast<uint8_t*>(set.pixels.data()),
                                   {n, 1, set.rows, set.cols}, torch::kUInt8)
                      .to(torch::kFloat32)
                      .div_(255.0F)
                      .sub_(0.2860F)
                      .div_(0.3530F);
    data.text = torch::empty({n, TextVocabulary::LENGTH}, torch::kInt64);
    data.labels = torch::empty({n, static_cast<int64_t>(DefaultTasks().size())}, torch::kInt64);
    auto text = data.text.accessor<int64_t, 2>();
    auto labels = data.labels.accessor<int64_t, 2>();

    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::uniform_int_distribution<int64_t> other3(1, 3);
    std::uniform_int_distribution<int64_t> other9(1, 9);
    std::uniform_int_distribution<int64_t> attribute(0, 7);
    for (int64_t i = 0; i < n; ++i)
    {
        const int64_t fine = set.labels[i];
        const int64_t coarse = CoarseGroup(fine);
        const int64_t described
            = u(rng) < options.descriptionNoise ? (coarse + other3(rng)) % 4 : coarse;
        const int64_t asked = u(rng) < options.questionTrue ? fine : (fine + other9(rng)) % 10;
        const int64_t tokens[TextVocabulary::LENGTH]
            = {TextVocabulary::FIRST_GROUP + described,
               TextVocabulary::FIRST_ATTRIBUTE + attribute(rng),
               TextVocabulary::FIRST_ATTRIBUTE + attribute(rng),
               TextVocabulary::SEP,
               TextVocabulary::IS,
               TextVocabulary::IT,
               TextVocabulary::A,
               TextVocabulary::FIRST_CLASS + asked};
        for (int64_t k = 0; k < TextVocabulary::LENGTH; ++k)
        {
            text[i][k] = tokens[k];
        }
        labels[i][0] = fine;
        labels[i][1] = coarse;
        labels[i][2] = asked == fine ? 1 : 0;
    }
    return data;
}

namespace
{

/// Parse space-separated integers in [0, limit) into \p out; returns an error or "".
std::string
ParseIntegers(const std::string& field, int64_t limit, std::size_t count, int64_t* out)
{
    std::istringstream in(field);
    std::size_t n = 0;
    std::string token;
    while (in >> token)
    {
        char* end = nullptr;
        const long long v = std::strtoll(token.c_str(), &end, 10);
        if (end != token.c_str() + token.size())
        {
            return "'" + token + "' is not an integer";
        }
        if (v < 0 || v >= limit)
        {
            return "value " + token + " is not in 0.." + std::to_string(limit - 1);
        }
        if (n == count)
        {
            return "more than " + std::to_string(count) + " values";
        }
        out[n++] = v;
    }
    if (n != count)
    {
        return std::to_string(n) + " values, expected " + std::to_string(count);
    }
    return "";
}

} // namespace

M3TDataset
ReadM3TCsv(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
    {
        throw std::runtime_error("cannot open " + path);
    }
    const auto& tasks = DefaultTasks();
    std::string expectedHeader = "image,text";
    for (const auto& t : tasks)
    {
        expectedHeader += "," + t.name;
    }
    std::vector<uint8_t> pixels;
    std::vector<int64_t> text;
    std::vector<int64_t> labels;
    std::string line;
    int64_t lineNumber = 0;
    bool header = false;
    int64_t n = 0;
    while (std::getline(in, line))
    {
        ++lineNumber;
        if (!line.empty() && line.back() == '\r')
        {
            line.pop_back();
        }
        if (line.empty() || line[0] == '#')
        {
            continue;
        }
        auto fail = [&](const std::string& what)
        {
            return std::runtime_error(path + ":" + std::to_string(lineNumber) + ": " + what);
        };
        if (!header)
        {
            if (line != expectedHeader)
            {
                throw fail("header '" + line + "', expected '" + expectedHeader + "'");
            }
            header = true;
            continue;
        }
        std::vector<std::string> fields;
        std::istringstream row(line);
        std::string field;
        while (std::getline(row, field, ','))
        {
            fields.push_back(field);
        }
        if (fields.size() != 2 + tasks.size())
        {
            throw fail(std::to_string(fields.size()) + " columns, expected "
                       + std::to_string(2 + tasks.size()));
        }
        int64_t image[784];
        std::string error = ParseIntegers(fields[0], 256, 784, image);
        if (!error.empty())
        {
            throw fail("image: " + error);
        }
        int64_t tokens[TextVocabulary::LENGTH];
        error = ParseIntegers(fields[1], TextVocabulary::SIZE, TextVocabulary::LENGTH, tokens);
        if (!error.empty())
        {
            throw fail("text: " + error);
        }
        for (std::size_t k = 0; k < tasks.size(); ++k)
        {
            int64_t label;
            error = ParseIntegers(fields[2 + k], tasks[k].classes, 1, &label);
            if (!error.empty())
            {
                throw fail(tasks[k].name + ": " + error);
            }
            labels.push_back(label);
        }
        pixels.insert(pixels.end(), image, image + 784);
        text.insert(text.end(), tokens, tokens + TextVocabulary::LENGTH);
        ++n;
    }
    if (!header)
    {
        throw std::runtime_error(path + ": no header line '" + expectedHeader + "'");
    }
    M3TDataset data;
    data.images = torch::tensor(std::vector<int64_t>(pixels.begin(), pixels.end()))
                      .reshape({n, 1, 28, 28})
                      .to(torch::kFloat32)
                      .div_(255.0F)
                      .sub_(0.2860F)
                      .div_(0.3530F);
    data.text = torch::tensor(text, torch::kInt64).reshape({n, TextVocabulary::LENGTH});
    data.labels
        = torch::tensor(labels, torch::kInt64).reshape({n, static_cast<int64_t>(tasks.size())});
    return data;
}

} // namespace ns3
