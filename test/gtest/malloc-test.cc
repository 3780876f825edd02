/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// The allocator the build chose (HFFM_MALLOC) is the one the process uses: its malloc and
// operator new are the first definitions in the global scope, ahead of glibc's and
// libstdc++'s, so ns-3 and LibTorch allocate with it too.

#include "memory-limit.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <string>

namespace
{

/// The file of the object that defines \p symbol for the whole process.
std::string
DefiningObject(const char* symbol)
{
    void* address = dlsym(RTLD_DEFAULT, symbol);
    if (address == nullptr)
    {
        return "";
    }
    Dl_info info{};
    if (dladdr(address, &info) == 0 || info.dli_fname == nullptr)
    {
        return "";
    }
    return info.dli_fname;
}

/// The name of the shared object at \p path without folder and version: "libc" for
/// "/lib/x86_64-linux-gnu/libc.so.6".
std::string
Stem(const std::string& path)
{
    const std::string file = path.substr(path.find_last_of('/') + 1);
    return file.substr(0, file.find(".so"));
}

} // namespace

TEST(Malloc, TheConfiguredAllocatorServesTheProcess)
{
    if (ns3::hffmtest::UnderAddressSanitizer())
    {
        GTEST_SKIP() << "under AddressSanitizer its own allocator serves the process";
    }
    const std::string mallocFrom = DefiningObject("malloc");
    const std::string newFrom = DefiningObject("_Znwm"); // operator new(std::size_t)
    ASSERT_FALSE(mallocFrom.empty());
    ASSERT_FALSE(newFrom.empty());
    const std::string configured = HFFM_MALLOC_LIBRARY;
    if (configured.empty())
    {
        EXPECT_EQ(Stem(mallocFrom), "libc") << mallocFrom;
        EXPECT_EQ(Stem(newFrom), "libstdc++") << newFrom;
    }
    else
    {
        EXPECT_EQ(Stem(mallocFrom), Stem(configured)) << mallocFrom;
        EXPECT_EQ(Stem(newFrom), Stem(configured)) << newFrom;
    }
}
