#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Builds hffm in-tree, as contrib/hffm of Debian's ns-3 3.37 source, and runs its transfer
# example there. Not part of CI (it builds ns-3's core, network, internet, applications and
# point-to-point modules from source: about an hour on 2 cores at -j1).
# Usage: scripts/check-in-tree.sh [work folder, default /tmp/hffm-in-tree]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/hffm-in-tree}
mkdir -p "$work/lists" "$work/src"
cat > "$work/src.sources" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-o "Dir::Etc::SourceList=$work/src.sources" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$work/lists")
apt-get "${apt_opts[@]}" update -qq
(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only ns3 && tar xjf ns3_3.37.orig.tar.bz2)
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
