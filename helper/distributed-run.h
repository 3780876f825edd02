/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_DISTRIBUTED_RUN_H
#define HFFM_DISTRIBUTED_RUN_H

#include <cstdint>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief The processes of a run on ns-3's distributed simulator (its mpi module, MPI ranks),
 * and what they tell each other between chunks of simulated time.
 *
 * Without Enable() — or in an hffm built without MPI — a run is one process of rank 0, and
 * AllGather() hands back what it is given: the same code serves one process and many.
 */
class DistributedRun
{
  public:
    /// \return whether hffm was built with ns-3's mpi module (HFFM_HAVE_MPI)
    static bool IsAvailable();

    /**
     * \return an empty string if \p name is "gtw" (ns-3's DistributedSimulatorImpl: granted
     * time windows) or "null" (NullMessageSimulatorImpl: null messages; scripts/build-ns3-mpi.sh
     * patches its Run() to resume after a Stop(), as running in chunks needs) and hffm has
     * MPI, or what is wrong.
     */
    static std::string CheckSimulator(const std::string& name);

    /**
     * Start MPI and select ns-3's distributed simulator \p name ("gtw" or "null"): call it
     * before creating any node or scheduling any event. Aborts if hffm was built without MPI.
     */
    static void Enable(int* argc, char*** argv, const std::string& name);

    /**
     * Make ns-3's distributed simulator ready for another simulation, after
     * Simulator::Destroy() (which frees its MPI interface's buffers). Nothing in one process.
     */
    static void Reset();

    /// Stop MPI, after Simulator::Destroy(). Nothing if Enable() was not called.
    static void Disable();

    /// \return whether Enable() was called (and Disable() not yet)
    static bool IsEnabled();
    /// \return this process's rank (0 in one process)
    static uint32_t GetRank();
    /// \return the processes of the run (1 in one process)
    static uint32_t GetSize();

    /// \return every rank's \p mine, by rank; every rank must call it (MPI_Allgatherv)
    static std::vector<std::string> AllGather(const std::string& mine);
};

} // namespace ns3

#endif /* HFFM_DISTRIBUTED_RUN_H */
