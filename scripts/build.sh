#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs the dependencies (scripts/install-deps.sh) and builds ns-3's distributed simulator
# once (scripts/build-ns3-mpi.sh: its mpi module from Debian's ns3 source package), then
# configures and builds hffm in build/ (Release, ccache, warnings as errors). Extra arguments go to the CMake configure
# step, e.g. scripts/build.sh -DHFFM_BUILD_BENCHMARKS=OFF
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build-ns3-mpi.sh > /dev/null
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DHFFM_WERROR=ON "$@"
cmake --build "$BUILD_DIR" -j "${JOBS:-2}"
