/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_VECTORIZE_H
#define HFFM_VECTORIZE_H

/**
 * \file
 * \ingroup hffm
 * HFFM_AVX2_CLONE before a function with a hot loop makes GCC build it twice, for the
 * baseline x86-64 instruction set and for AVX2, and pick one when the library loads
 * (function multi-versioning). Loops over int8 and float data vectorise poorly with SSE2
 * alone; on the 2-core machine of bench/ the AVX2 clone made int8 decoding 3x faster.
 * Elsewhere (other compilers or processors) it expands to nothing.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define HFFM_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#else
#define HFFM_AVX2_CLONE
#endif

#endif /* HFFM_VECTORIZE_H */
