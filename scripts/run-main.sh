#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The main job: installs, builds, and runs the default federated scenario: the paper-table
# example, short version (Wi-Fi 802.11ax, 8 devices, 2 fogs, 8 edge rounds; the reference's
# seven methods: star FedAvg, edge-only, edge-only+D2D, hierarchical every 2 and every 8
# rounds, each also with D2D) on Fashion-MNIST, and plots accuracy against cumulative
# latency and energy. Results go to results/hffm-paper-table/default/. Extra arguments go to
# the example, e.g. --radio=lte. The full table: scripts/run-full-table.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh > /dev/null
"${BUILD_DIR:-build}/hffm-paper-table" --outputDir=results/hffm-paper-table "$@"
# the plot of accuracy against cumulative latency and energy, for the run just made
tag=default
for a in "$@"; do
  case "$a" in --runTag=*) tag=${a#--runTag=} ;; esac
done
python3 scripts/plot-paper-table.py "results/hffm-paper-table/$tag" || true
