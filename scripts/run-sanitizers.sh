#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The sanitizer run: builds the hffm library, the GoogleTest units and the ns-3 test suites
# with clang and -fsanitize=address,undefined (CMake option HFFM_SANITIZE) in build-asan/,
# and runs the units and the QUICK ns-3 suites under them. The first finding fails the run.
# Suppressions (test/sanitizers/) name findings inside third-party libraries only, each with
# its reason. Usage: scripts/run-sanitizers.sh   (ASAN_BUILD_DIR, JOBS to choose)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${ASAN_BUILD_DIR:-build-asan}
if ! command -v clang++ > /dev/null; then
  echo "run-sanitizers: clang++ not found (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  # -O1: what the sanitizers' authors advise. A precompiled <torch/torch.h> (HFFM_PCH)
  # makes each source compile in about a third of the time.
  CC=clang CXX=clang++ cmake -S . -B "$build" -DHFFM_SANITIZE=ON -DHFFM_BUILD_BENCHMARKS=OFF \
    -DHFFM_PCH=ON -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
    -DHFFM_WERROR=ON -DHFFM_MPI=OFF
fi
cmake --build "$build" -j "${JOBS:-2}" --target hffm-gtest hffm-test-runner

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$root/test/sanitizers/ubsan.supp"
export LSAN_OPTIONS="suppressions=$root/test/sanitizers/lsan.supp:print_suppressions=0"
cd "$build"
ctest --output-on-failure -L "gtest|ns3" -LE extensive
