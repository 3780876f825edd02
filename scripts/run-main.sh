#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The main job: installs, builds, and runs the default scenario. For now that is the module
# transfer example (a 6 MB module over a 100 Mb/s point-to-point link, PCAP on); results go
# to results/hffm-transfer/. Extra arguments go to the example, e.g. --codec=fp16.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh > /dev/null
"${BUILD_DIR:-build}/hffm-transfer" --outputDir=results/hffm-transfer "$@"
echo "results: $(pwd)/results/hffm-transfer/"
