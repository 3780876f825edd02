#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The test command: installs, builds, and runs every test through ctest (ns-3 TestSuites,
# GoogleTest, the source-list and format checks, the examples' PCAP, command-line and
# output-folder checks, the merged-table check), then the fuzz targets for a bounded time
# (scripts/run-fuzz.sh, FUZZ_SECONDS per target, 20 by default) and the sanitizer run
# (scripts/run-sanitizers.sh: units and QUICK suites built with clang and ASan + UBSan).
#   --extensive   also the tests labelled "extensive"
#   --quick       only the ctest run of the Release build (no fuzzing, no sanitizer build)
set -euo pipefail
cd "$(dirname "$0")/.."
select=(-LE extensive)
quick=0
for arg in "$@"; do
  case "$arg" in
    --extensive) select=() ;;
    --quick) quick=1 ;;
    *) echo "run-tests: unknown option '$arg' (--extensive, --quick)" >&2; exit 2 ;;
  esac
done
bash scripts/build.sh
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure "${select[@]}")
if [ "$quick" -eq 1 ]; then
  exit 0
fi
bash scripts/run-fuzz.sh "${FUZZ_SECONDS:-20}"
bash scripts/run-sanitizers.sh
