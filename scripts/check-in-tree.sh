#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Builds hffm in-tree, as contrib/hffm of Debian's ns-3 3.37 source, and runs its transfer
# example there. Not part of CI (it builds ns-3's core, network, internet, applications and
# point-to-point modules from source: about an hour on 2 cores at -j1).
# Usage: scripts/check-in-tree.sh [work folder, default /tmp/hffm-in-tree]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/hffm-in-tree}
# Debian's ns3 source package, fetched with a private apt configuration derived from the
# machine's own sources (scripts/debian-source.sh) and checked by sha256.
# shellcheck source=scripts/debian-source.sh
source "$here/scripts/debian-source.sh"
hffm_fetch_debian_source ns3 "$work/src"
(cd "$work/src" && tar xjf ns3_3.37.orig.tar.bz2)
tree="$work/src/ns-allinone-3.37/ns-3.37"
rm -rf "$tree/contrib/hffm"
mkdir -p "$tree/contrib/hffm"
(cd "$here" && git archive HEAD) | tar x -C "$tree/contrib/hffm"
cd "$tree"
cmake -S . -B cmake-cache -DCMAKE_BUILD_TYPE=release \
  -DNS3_ENABLED_MODULES="core;network;internet;applications;point-to-point;hffm" \
  -DNS3_EXAMPLES=ON -DNS3_TESTS=ON
cmake --build cmake-cache -j "${JOBS:-1}" --target libhffm libhffm-test hffm-transfer hffm-model
LD_LIBRARY_PATH=build/lib build/contrib/hffm/ns3.37-hffm-transfer --moduleBytes=1000000 \
  --pcap=0 --outputDir="$work/out" | grep -x 'bit_identical=1'
echo "PASS: hffm builds in-tree and its transfer example runs"
