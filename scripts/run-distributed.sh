#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs hffm-paper-table on RANKS local MPI ranks (default: the cores) of ns-3's distributed
# simulator: each rank runs a share of the fog cells (fog f on rank floor(f x ranks / fogs),
# or --fogRanks=...), rank 0 the cloud too and writes the results, as one process would.
# Extra arguments go to the example, e.g. scripts/run-distributed.sh --devices=400 --fogs=40.
# More ranks than cores work (--oversubscribe) but gain nothing. Runs as root as well (CI).
# Over several machines: doc/hffm.rst, "Distributed runs" (a hostfile, the same build path).
# Environment: RANKS, EXAMPLE (the binary; by default scripts/build.sh builds
# build/hffm-paper-table first), MPIRUN_ARGS (more mpirun options, e.g. --hostfile hosts),
# SIMULATOR (gtw, the default: granted time windows; null: null messages).
set -euo pipefail
cd "$(dirname "$0")/.."
RANKS=${RANKS:-$(nproc)}
if [ -z "${EXAMPLE:-}" ]; then
  bash scripts/build.sh > /dev/null
  EXAMPLE=${BUILD_DIR:-build}/hffm-paper-table
fi
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# shellcheck disable=SC2086
exec mpirun --oversubscribe ${MPIRUN_ARGS:-} -np "$RANKS" "$EXAMPLE" \
  --distributed="${SIMULATOR:-gtw}" \
  --outputDir=results/hffm-paper-table "$@"
