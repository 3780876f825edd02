/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_TEST_MEMORY_LIMIT_H
#define HFFM_TEST_MEMORY_LIMIT_H

// Runs a piece of a test in a child process whose address space may grow only a little
// beyond what it holds when it starts (setrlimit RLIMIT_AS): an allocation that asks for
// more fails there, as it would on a machine short of memory, without harming the test
// process. Sanitizer builds reserve terabytes of shadow memory, which no such limit allows:
// there the check is skipped.

#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define HFFM_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HFFM_TEST_UNDER_ASAN 1
#endif
#endif

namespace ns3
{
namespace hffmtest
{

/// \return true in a build with AddressSanitizer (HFFM_SANITIZE)
inline bool
UnderAddressSanitizer()
{
#ifdef HFFM_TEST_UNDER_ASAN
    return true;
#else
    return false;
#endif
}

/// \return true if RunWithMemoryHeadroom() can limit memory in this build
inline bool
CanLimitMemory()
{
    return !UnderAddressSanitizer();
}

/**
 * Run \p body in a forked child whose address space may grow by \p headroom bytes.
 * \return "exit N" or "signal N": how the child ended ("exit 0" when \p body returned 0,
 *         "exit 124" when an exception escaped it, "exit 125" when no limit could be set)
 */
inline std::string
RunWithMemoryHeadroom(std::size_t headroom, const std::function<int()>& body)
{
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0)
    {
        long pages = 0;
        if (FILE* f = std::fopen("/proc/self/statm", "r"))
        {
            if (std::fscanf(f, "%ld", &pages) != 1)
            {
                pages = 0;
            }
            std::fclose(f);
        }
        const auto now = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE));
        rlimit limit{};
        limit.rlim_cur = now + headroom;
        limit.rlim_max = now + headroom;
        if (pages == 0 || setrlimit(RLIMIT_AS, &limit) != 0)
        {
            _exit(125);
        }
        int code = 0;
        try
        {
            code = body();
        }
        catch (...)
        {
            code = 124; // an exception escaped: the process would have ended here
        }
        _exit(code);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
    {
        return "signal " + std::to_string(WTERMSIG(status));
    }
    return "exit " + std::to_string(WEXITSTATUS(status));
}

} // namespace hffmtest
} // namespace ns3

#endif /* HFFM_TEST_MEMORY_LIMIT_H */
