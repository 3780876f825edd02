/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_BUFFER_ALLOCATOR_H
#define HFFM_BUFFER_ALLOCATOR_H

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace ns3
{

/**
 * \ingroup hffm
 * \brief The allocator of hffm's large numeric buffers (module values, encoded payloads,
 * receive buffers).
 *
 * Two differences from std::allocator, both so that a large buffer costs one sweep over
 * memory, not three:
 *  - construct() without a value leaves the element uninitialised: a vector does not
 *    zero-fill on resize() a buffer that is about to be overwritten;
 *  - buffers of HUGE_PAGE_THRESHOLD bytes or more are aligned to 2 MiB and, on Linux, marked
 *    for transparent huge pages, so that first touching a fresh 64 MiB buffer takes 32 page
 *    faults instead of 16384 (on the 2-core VM of bench/ that cut an fp32 encode of
 *    64 MiB from 55 ms to 15 ms; see doc/hffm.rst).
 */
template <typename T>
struct BufferAllocator
{
    using value_type = T;

    static constexpr std::size_t HUGE_PAGE_SIZE = std::size_t{2} << 20;
    static constexpr std::size_t HUGE_PAGE_THRESHOLD = std::size_t{4} << 20;

    BufferAllocator() noexcept = default;

    template <typename U>
    BufferAllocator(const BufferAllocator<U>&) noexcept
    {
    }

    static std::size_t Rounded(std::size_t bytes)
    {
        return (bytes + HUGE_PAGE_SIZE - 1) / HUGE_PAGE_SIZE * HUGE_PAGE_SIZE;
    }

    T* allocate(std::size_t n)
    {
        const std::size_t bytes = n * sizeof(T);
        if (bytes < HUGE_PAGE_THRESHOLD)
        {
            return static_cast<T*>(::operator new(bytes));
        }
        const std::size_t rounded = Rounded(bytes);
        void* p = ::operator new (rounded, std::align_val_t{HUGE_PAGE_SIZE});
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        madvise(p, rounded, MADV_HUGEPAGE); // advice only: failure leaves normal pages
#endif
        return static_cast<T*>(p);
    }

    void deallocate(T* p, std::size_t n) noexcept
    {
        const std::size_t bytes = n * sizeof(T);
        if (bytes < HUGE_PAGE_THRESHOLD)
        {
            // The unsized forms: sized deallocation is off by default in clang 14.
            ::operator delete(p);
            return;
        }
        ::operator delete (p, std::align_val_t{HUGE_PAGE_SIZE});
    }

    template <typename U>
    void construct(U* p) noexcept
    {
        ::new (static_cast<void*>(p)) U;
    }

    template <typename U, typename... Args>
    void construct(U* p, Args&&... args)
    {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }

    template <typename U>
    bool operator==(const BufferAllocator<U>&) const noexcept
    {
        return true;
    }

    template <typename U>
    bool operator!=(const BufferAllocator<U>&) const noexcept
    {
        return false;
    }
};

} // namespace ns3

#endif /* HFFM_BUFFER_ALLOCATOR_H */
