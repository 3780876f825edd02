/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/distributed-run.h"

#include "ns3/abort.h"
#include "ns3/global-value.h"
#include "ns3/string.h"

#ifdef HFFM_HAVE_MPI
#include "ns3/mpi-interface.h"

#include <mpi.h>
#endif

namespace ns3
{

namespace
{
bool g_enabled = false;
} // namespace

bool
DistributedRun::IsAvailable()
{
#ifdef HFFM_HAVE_MPI
    return true;
#else
    return false;
#endif
}

std::string
DistributedRun::CheckSimulator(const std::string& name)
{
    if (name != "gtw" && name != "null")
    {
        return "distributed simulator '" + name
               + "' is not gtw (granted time windows) or null (null messages)";
    }
    if (!IsAvailable())
    {
        return "hffm was built without ns-3's mpi module (scripts/build-ns3-mpi.sh, then build "
               "again)";
    }
    return "";
}

void
DistributedRun::Enable(int* argc, char*** argv, const std::string& name)
{
    const std::string error = CheckSimulator(name);
    NS_ABORT_MSG_IF(!error.empty(), "DistributedRun: " << error);
#ifdef HFFM_HAVE_MPI
    GlobalValue::Bind("SimulatorImplementationType",
                      StringValue(name == "null" ? "ns3::NullMessageSimulatorImpl"
                                                 : "ns3::DistributedSimulatorImpl"));
    // MPI is started here, not by ns-3, so that ns-3's interface can be disabled and enabled
    // again between two simulations (Reset()) without ending MPI
    MPI_Init(argc, argv);
    MpiInterface::Enable(MPI_COMM_WORLD);
    g_enabled = true;
#else
    (void)argc;
    (void)argv;
#endif
}

void
DistributedRun::Reset()
{
#ifdef HFFM_HAVE_MPI
    if (g_enabled)
    {
        // Simulator::Destroy() freed the interface's buffers but left it enabled
        MpiInterface::Disable();
        MpiInterface::Enable(MPI_COMM_WORLD);
    }
#endif
}

void
DistributedRun::Disable()
{
#ifdef HFFM_HAVE_MPI
    if (g_enabled)
    {
        MpiInterface::Disable();
        MPI_Finalize();
        g_enabled = false;
    }
#endif
}

bool
DistributedRun::IsEnabled()
{
    return g_enabled;
}

uint32_t
DistributedRun::GetRank()
{
#ifdef HFFM_HAVE_MPI
    if (g_enabled)
    {
        return MpiInterface::GetSystemId();
    }
#endif
    return 0;
}

uint32_t
DistributedRun::GetSize()
{
#ifdef HFFM_HAVE_MPI
    if (g_enabled)
    {
        return MpiInterface::GetSize();
    }
#endif
    return 1;
}

std::vector<std::string>
DistributedRun::AllGather(const std::string& mine)
{
#ifdef HFFM_HAVE_MPI
    if (g_enabled)
    {
        const MPI_Comm comm = MpiInterface::GetCommunicator();
        const int size = static_cast<int>(GetSize());
        std::vector<int> lengths(size);
        int length = static_cast<int>(mine.size());
        MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, comm);
        std::vector<int> offsets(size, 0);
        for (int r = 1; r < size; ++r)
        {
            offsets[r] = offsets[r - 1] + lengths[r - 1];
        }
        std::string all(static_cast<std::size_t>(offsets.back() + lengths.back()), '\0');
        MPI_Allgatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(),
                       MPI_CHAR, comm);
        std::vector<std::string> parts;
        for (int r = 0; r < size; ++r)
        {
            parts.push_back(all.substr(static_cast<std::size_t>(offsets[r]),
                                       static_cast<std::size_t>(lengths[r])));
        }
        return parts;
    }
#endif
    return {mine};
}

} // namespace ns3
