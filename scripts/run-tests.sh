#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The test command: installs, builds, and runs every test (ns-3 TestSuites, GoogleTest, the
# source-list and format checks, the examples' PCAP checks and the merged-table check)
# through ctest. Tests labelled "extensive" are skipped unless --extensive is given.
set -euo pipefail
cd "$(dirname "$0")/.."
select=(-LE extensive)
if [ "${1:-}" = "--extensive" ]; then
  select=()
fi
bash scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure "${select[@]}"
