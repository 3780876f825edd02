/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/m3t-dataset.h"
#include "ns3/partition.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <numeric>
#include <set>

using namespace ns3;

namespace
{

/// The real training set, read once for all tests.
const ImageSet&
Train()
{
    static const ImageSet set = ReadFashionMnist(DefaultFashionMnistDir(), true);
    return set;
}

const M3TDataset&
TrainM3T()
{
    static const M3TDataset data = BuildM3TDataset(Train(), 42);
    return data;
}

} // namespace

// Fashion-MNIST has 60000 training and 10000 test images of 28x28, 6000 and 1000 per class.
TEST(FashionMnist, ReadsDebiansFiles)
{
    const ImageSet& train = Train();
    EXPECT_EQ(train.count, 60000);
    EXPECT_EQ(train.rows, 28);
    EXPECT_EQ(train.pixels.size(), 60000U * 784U);
    std::map<int64_t, int> perClass;
    for (auto l : train.labels)
    {
        ++perClass[l];
    }
    ASSERT_EQ(perClass.size(), 10U);
    for (const auto& [label, count] : perClass)
    {
        EXPECT_EQ(count, 6000) << "class " << label;
    }
    const ImageSet test = ReadFashionMnist(DefaultFashionMnistDir(), false);
    EXPECT_EQ(test.count, 10000);
}

TEST(FashionMnist, BadFilesAreRejectedWithTheirName)
{
    const auto dir = std::filesystem::temp_directory_path() / "hffm-bad-mnist";
    std::filesystem::create_directories(dir);
    try
    {
        ReadFashionMnist(dir.string(), true);
        FAIL() << "a missing file was accepted";
    }
    catch (const std::runtime_error& e)
    {
        EXPECT_NE(std::string(e.what()).find("train-images-idx3-ubyte.gz"), std::string::npos);
    }
    // A plain (not gzipped) file with the wrong magic: zlib reads it through, the magic fails.
    for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"})
    {
        std::ofstream(dir / name) << "not an idx file at all";
    }
    try
    {
        ReadFashionMnist(dir.string(), true);
        FAIL() << "a corrupt file was accepted";
    }
    catch (const std::runtime_error& e)
    {
        EXPECT_NE(std::string(e.what()).find("magic"), std::string::npos) << e.what();
    }
    std::filesystem::remove_all(dir);
}

TEST(M3TDataset, ShapesAndLabels)
{
    const auto& d = TrainM3T();
    EXPECT_EQ(d.images.sizes().vec(), (std::vector<int64_t>{60000, 1, 28, 28}));
    EXPECT_EQ(d.text.sizes().vec(), (std::vector<int64_t>{60000, 8}));
    EXPECT_EQ(d.labels.sizes().vec(), (std::vector<int64_t>{60000, 3}));
    // normalised: mean about 0, std about 1 over the whole set
    EXPECT_NEAR(d.images.mean().item<double>(), 0.0, 0.01);
    EXPECT_NEAR(d.images.std().item<double>(), 1.0, 0.01);
    auto labels = d.labels.accessor<int64_t, 2>();
    auto text = d.text.accessor<int64_t, 2>();
    for (int64_t i = 0; i < d.Size(); ++i)
    {
        ASSERT_EQ(labels[i][0], Train().labels[i]);
        ASSERT_EQ(labels[i][1], CoarseGroup(labels[i][0]));
        const int64_t asked = text[i][7] - TextVocabulary::FIRST_CLASS;
        ASSERT_EQ(labels[i][2], asked == labels[i][0] ? 1 : 0) << "answer of sample " << i;
        ASSERT_EQ(text[i][3], TextVocabulary::SEP);
    }
}

TEST(M3TDataset, TextIsNoisyAsDocumentedAndDeterministic)
{
    const auto& d = TrainM3T();
    auto labels = d.labels.accessor<int64_t, 2>();
    auto text = d.text.accessor<int64_t, 2>();
    int64_t groupRight = 0;
    int64_t yes = 0;
    std::map<int64_t, std::pair<int64_t, int64_t>> yesPerClass;
    for (int64_t i = 0; i < d.Size(); ++i)
    {
        groupRight += (text[i][0] - TextVocabulary::FIRST_GROUP) == labels[i][1];
        yes += labels[i][2];
        yesPerClass[labels[i][0]].first += labels[i][2];
        yesPerClass[labels[i][0]].second += 1;
    }
    // 1 - descriptionNoise and questionTrue, within a few standard errors
    EXPECT_NEAR(groupRight / 60000.0, 0.75, 0.01);
    EXPECT_NEAR(yes / 60000.0, 0.5, 0.01);
    // The answer does not depend on the class: the image alone cannot answer the question.
    for (const auto& [cls, counts] : yesPerClass)
    {
        EXPECT_NEAR(double(counts.first) / counts.second, 0.5, 0.03) << "class " << cls;
    }
    const M3TDataset again = BuildM3TDataset(Train(), 42);
    EXPECT_TRUE(torch::equal(again.text, d.text));
    const M3TDataset other = BuildM3TDataset(Train(), 43);
    EXPECT_FALSE(torch::equal(other.text, d.text));
}

// The text alone does not give the fine class: the best possible text-only classifier (the
// majority class of each distinct text, fitted on the data it is scored on) stays far from
// what the image gives.
TEST(M3TDataset, TextAloneDoesNotSolveTheFineTask)
{
    const auto& d = TrainM3T();
    auto labels = d.labels.accessor<int64_t, 2>();
    auto text = d.text.accessor<int64_t, 2>();
    std::map<std::vector<int64_t>, std::map<int64_t, int64_t>> counts;
    for (int64_t i = 0; i < d.Size(); ++i)
    {
        std::vector<int64_t> key(text[i].data(), text[i].data() + 8);
        ++counts[key][labels[i][0]];
    }
    int64_t best = 0;
    for (const auto& [key, perClass] : counts)
    {
        int64_t m = 0;
        for (const auto& [c, n] : perClass)
        {
            m = std::max(m, n);
        }
        best += m;
    }
    EXPECT_LT(best / 60000.0, 0.65);
}

TEST(Partition, DirichletDealsEverySampleOnce)
{
    const auto& labels = Train().labels;
    const auto parts = DirichletPartition(labels, 40, 0.5, 7);
    ASSERT_EQ(parts.size(), 40U);
    std::vector<int> seen(labels.size(), 0);
    for (const auto& p : parts)
    {
        for (auto i : p)
        {
            ++seen[i];
        }
    }
    EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
    EXPECT_EQ(DirichletPartition(labels, 40, 0.5, 7), parts);
    EXPECT_NE(DirichletPartition(labels, 40, 0.5, 8), parts);
}

TEST(Partition, SmallAlphaIsLessIid)
{
    const auto& labels = Train().labels;
    // mean number of classes that make up at least 5% of a device's samples
    auto classesPerDevice = [&](double alpha)
    {
        double total = 0;
        const auto parts = DirichletPartition(labels, 20, alpha, 3);
        for (const auto& p : parts)
        {
            std::map<int64_t, int> c;
            for (auto i : p)
            {
                ++c[labels[i]];
            }
            for (const auto& [cls, n] : c)
            {
                total += n >= 0.05 * p.size();
            }
        }
        return total / parts.size();
    };
    const double nonIid = classesPerDevice(0.1);
    const double iid = classesPerDevice(100.0);
    EXPECT_LT(nonIid, 5.0);
    EXPECT_GT(iid, 9.5);
}

TEST(Partition, RejectsBadArguments)
{
    EXPECT_THROW(DirichletPartition({0, 1}, 0, 1.0, 1), std::invalid_argument);
    EXPECT_THROW(DirichletPartition({0, 1}, 2, 0.0, 1), std::invalid_argument);
    EXPECT_THROW(DirichletPartition({0, 1}, 2, -1.0, 1), std::invalid_argument);
    EXPECT_THROW(SplitShard({1, 2}, 1.5, 1), std::invalid_argument);
}

TEST(Partition, SplitShardIsDisjointAndComplete)
{
    std::vector<int64_t> idx(101);
    std::iota(idx.begin(), idx.end(), 1000);
    const Shard s = SplitShard(idx, 0.2, 5);
    EXPECT_EQ(s.test.size(), 20U);
    EXPECT_EQ(s.train.size(), 81U);
    std::set<int64_t> all(s.train.begin(), s.train.end());
    for (auto i : s.test)
    {
        EXPECT_TRUE(all.insert(i).second) << i << " in both";
    }
    EXPECT_EQ(all.size(), 101U);
}

namespace
{

std::string
CsvRow(int64_t pixel, const std::string& text, const std::string& labels)
{
    std::string image;
    for (int i = 0; i < 784; ++i)
    {
        image += (i ? " " : "") + std::to_string((pixel + i) % 256);
    }
    return image + "," + text + "," + labels + "\n";
}

std::string
WriteCsv(const std::string& body)
{
    const auto path = (std::filesystem::temp_directory_path() / "hffm-user-data.csv").string();
    std::ofstream(path) << body;
    return path;
}

} // namespace

TEST(UserData, CsvIsReadAsDocumented)
{
    const std::string path = WriteCsv("# two samples\nimage,text,fine,coarse,question\n"
                                      + CsvRow(0, "5 19 20 1 2 3 4 9", "0,0,1")
                                      + CsvRow(10, "8 25 26 1 2 3 4 12", "8,3,0"));
    const M3TDataset d = ReadM3TCsv(path);
    ASSERT_EQ(d.Size(), 2);
    EXPECT_EQ(d.labels[1][0].item<int64_t>(), 8);
    EXPECT_EQ(d.labels[0][2].item<int64_t>(), 1);
    EXPECT_EQ(d.text[1][7].item<int64_t>(), 12);
    // pixel 37 of sample 1 is (10 + 37) % 256 = 47, normalised like Fashion-MNIST
    EXPECT_NEAR(d.images[1][0][1][9].item<double>(), (47 / 255.0 - 0.2860) / 0.3530, 1e-5);
    std::filesystem::remove(path);
}

TEST(UserData, MistakesAreReportedWithTheirLine)
{
    const std::string header = "image,text,fine,coarse,question\n";
    const std::string good = CsvRow(0, "5 19 20 1 2 3 4 9", "0,0,1");
    struct Case
    {
        std::string body;
        std::string expected;
    };
    for (const Case& c : std::vector<Case>{
             {"image,text,fine\n" + good, ":1: header"},
             {header + good + CsvRow(0, "5 19 20 1 2 3 4", "0,0,1"), ":3: text: 7 values"},
             {header + CsvRow(0, "5 19 20 1 2 3 4 27", "0,0,1"), ":2: text: value 27"},
             {header + CsvRow(0, "5 19 20 1 2 3 4 9", "10,0,1"), ":2: fine: value 10"},
             {header + CsvRow(0, "5 19 20 1 2 3 4 9", "0,x,1"), ":2: coarse: 'x'"},
             {header + CsvRow(0, "5 19 20 1 2 3 4 9", "0,0"), ":2: 4 columns"},
             {header + "1 2 3," + "5 19 20 1 2 3 4 9,0,0,1\n", ":2: image: 3 values"},
             {"", "no header"}})
    {
        const std::string path = WriteCsv(c.body);
        try
        {
            ReadM3TCsv(path);
            ADD_FAILURE() << "accepted: " << c.expected;
        }
        catch (const std::runtime_error& e)
        {
            EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos)
                << e.what() << " (expected '" << c.expected << "')";
        }
        std::filesystem::remove(path);
    }
}
