#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The main job: installs, builds, and runs the default federated scenario: the paper-table
# example, short version (Wi-Fi 802.11ax, 8 devices, 2 fogs, 8 edge rounds; star FedAvg,
# edge-only, hierarchical every 2 and every 8 rounds) on Fashion-MNIST. About 3 minutes on 2
# cores. Results go to results/hffm-paper-table/default/. Extra arguments go to the
# example, e.g. --radio=lte, or the full table:
#   --devices=40 --fogs=10 --rounds=16 --seeds=3 --runTag=full
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh > /dev/null
"${BUILD_DIR:-build}/hffm-paper-table" --outputDir=results/hffm-paper-table "$@"
