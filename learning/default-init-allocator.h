/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_DEFAULT_INIT_ALLOCATOR_H
#define HFFM_DEFAULT_INIT_ALLOCATOR_H

#include <memory>
#include <utility>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief An allocator whose value-less construct() leaves the element uninitialised.
 *
 * A std::vector with it does not zero-fill on resize(): large buffers that are about to be
 * overwritten (module values, encoded payloads, receive buffers) are then written once,
 * not twice.
 */
template <typename T>
struct DefaultInitAllocator : std::allocator<T>
{
    template <typename U>
    struct rebind
    {
        using other = DefaultInitAllocator<U>;
    };

    using std::allocator<T>::allocator;

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
};

} // namespace ns3

#endif /* HFFM_DEFAULT_INIT_ALLOCATOR_H */
