/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/m3t-spec.h"

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

} // namespace ns3
