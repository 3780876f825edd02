#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Installs every dependency of hffm from Debian 12's archive. Idempotent: packages that are
# already installed are skipped, so a second run costs a dpkg query and nothing else.
# Uses sudo when not run as root.
set -euo pipefail

PACKAGES=(
  # build tools
  build-essential cmake ccache pkg-config git clang-format
  # ns-3 3.37 and what its CMake config references without depending on it
  libns3-dev ns3 libgsl-dev libxml2-dev libsqlite3-dev libpython3.11-dev
  # MPI, for ns-3's distributed simulator built (and patched) by scripts/build-ns3-mpi.sh
  libopenmpi-dev openmpi-bin patch
  # learning side
  libtorch-dev libopenblas0-openmp python3-torch
  # support libraries
  libboost-dev libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev
  # malloc for the executables (HFFM_MALLOC): ns-3's packet and spectrum churn
  libtcmalloc-minimal4
  # data
  dataset-fashion-mnist
  # analysis of captures
  tshark
  # fuzzing and the sanitizer run (scripts/run-fuzz.sh, scripts/run-sanitizers.sh): clang 14,
  # its libFuzzer and sanitizer runtimes, llvm-symbolizer for readable reports
  clang libclang-rt-14-dev llvm
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer "no" without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
