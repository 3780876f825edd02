/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/m3t-spec.h"

#include <algorithm>
#include <random>
#include <stdexcept>

namespace ns3
{

std::string
ToString(Modality m)
{
    switch (m)
    {
        case Modality::IMAGE:
            return "image";
        case Modality::TEXT:
            return "text";
    }
    return "unknown";
}

bool
ParseModality(const std::string& name, Modality& m)
{
    for (auto c : {Modality::IMAGE, Modality::TEXT})
    {
        if (name == ToString(c))
        {
            m = c;
            return true;
        }
    }
    return false;
}

const std::vector<TaskSpec>&
DefaultTasks()
{
    static const std::vector<TaskSpec> tasks = {
        {"fine", 10, {}},
        {"coarse", 4, {}},
        {"question", 2, {Modality::TEXT}},
    };
    return tasks;
}

std::size_t
FindTask(const std::string& name)
{
    const auto& tasks = DefaultTasks();
    for (std::size_t i = 0; i < tasks.size(); ++i)
    {
        if (tasks[i].name == name)
        {
            return i;
        }
    }
    return tasks.size();
}

int64_t
CoarseGroup(int64_t fineClass)
{
    //                               T-shirt trouser pullover dress coat sandal shirt sneaker bag
    //                               boot
    static const int64_t group[10] = {0, 1, 0, 1, 0, 2, 0, 2, 3, 2};
    if (fineClass < 0 || fineClass > 9)
    {
        throw std::out_of_range("Fashion-MNIST class " + std::to_string(fineClass));
    }
    return group[fineClass];
}

std::string
M3TConfig::Check() const
{
    auto positive = [](const char* name, int64_t v) -> std::string
    {
        return v >= 1 ? "" : std::string(name) + " " + std::to_string(v) + " is not positive";
    };
    for (const auto& e :
         {positive("width", width), positive("heads", heads), positive("blocks", blocks),
          positive("mlpRatio", mlpRatio), positive("adapterWidth", adapterWidth),
          positive("promptTokens", promptTokens), positive("experts", experts),
          positive("topK", topK), positive("expertHidden", expertHidden)})
    {
        if (!e.empty())
        {
            return e;
        }
    }
    if (width % heads != 0)
    {
        return "width " + std::to_string(width) + " is not a multiple of heads "
               + std::to_string(heads);
    }
    if (topK > experts)
    {
        return "topK " + std::to_string(topK) + " exceeds experts " + std::to_string(experts);
    }
    if (tasks.empty())
    {
        return "no tasks";
    }
    return "";
}

std::string
NodeProfile::Check(const M3TConfig& config) const
{
    if (modalities.empty())
    {
        return "the node has no modality";
    }
    for (const auto& t : tasks)
    {
        auto it = std::find_if(config.tasks.begin(), config.tasks.end(),
                               [&](const TaskSpec& s) { return s.name == t; });
        if (it == config.tasks.end())
        {
            return "unknown task '" + t + "'";
        }
        for (Modality m : it->needs)
        {
            if (modalities.count(m) == 0)
            {
                return "task '" + t + "' needs the " + ToString(m) + " modality";
            }
        }
    }
    return "";
}

std::vector<NodeProfile>
DrawNodeProfiles(std::size_t devices, double imageProbability, double textProbability,
                 double taskProbability, uint64_t seed, const std::vector<TaskSpec>& tasks)
{
    for (double p : {imageProbability, textProbability, taskProbability})
    {
        if (!(p >= 0.0 && p <= 1.0))
        {
            throw std::invalid_argument("DrawNodeProfiles: probability " + std::to_string(p)
                                        + " is not in [0, 1]");
        }
    }
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<NodeProfile> profiles(devices);
    for (auto& profile : profiles)
    {
        if (u(rng) < imageProbability)
        {
            profile.modalities.insert(Modality::IMAGE);
        }
        if (u(rng) < textProbability)
        {
            profile.modalities.insert(Modality::TEXT);
        }
        if (profile.modalities.empty())
        {
            profile.modalities.insert(Modality::IMAGE);
        }
        std::vector<std::string> possible;
        for (const auto& t : tasks)
        {
            const bool runnable
                = std::all_of(t.needs.begin(), t.needs.end(),
                              [&](Modality m) { return profile.modalities.count(m) > 0; });
            if (runnable)
            {
                possible.push_back(t.name);
                if (u(rng) < taskProbability)
                {
                    profile.tasks.insert(t.name);
                }
            }
        }
        if (profile.tasks.empty() && !possible.empty())
        {
            profile.tasks.insert(possible[rng() % possible.size()]);
        }
    }
    return profiles;
}

} // namespace ns3
