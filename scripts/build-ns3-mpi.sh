#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds ns-3 3.37's distributed simulator (the mpi module: MpiInterface,
# DistributedSimulatorImpl, NullMessageSimulatorImpl, GrantedTimeWindowMpiInterface,
# NullMessageMpiInterface, MpiReceiver, RemoteChannelBundle...) and the MPI-only
# PointToPointRemoteChannel as one shared library, libhffm-ns3-mpi.so, against Debian's
# installed ns-3 libraries and headers.
#
# Why: Debian builds ns-3 with --disable-mpi, so libns3-dev has neither the mpi module nor
# point-to-point-remote-channel. Their sources come from Debian's own `ns3` source package, of
# the version libns3-dev was built from (scripts/debian-source.sh: fetched with a private apt
# configuration and checked by sha256); nothing of ns-3's sources is in this repository.
#
# Output, under PREFIX (default ${HFFM_NS3_MPI_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/hffm/ns3-3.37-mpi}):
#   lib/libhffm-ns3-mpi.so          the library (links Debian's libns3-{point-to-point,network,core}
#                                   and Open MPI)
#   include/ns3/*.h                 its headers, included as "ns3/mpi-interface.h" etc., plus a
#                                   generated ns3/mpi-module.h
#   hffm-ns3-mpi.cmake              include() it to get the IMPORTED target hffm::ns3-mpi
#   stamp                           what it was built from; when it matches, a second run only
#                                   prints where the library is
#   src/                            the downloaded source package (kept: rebuilds need no network)
# The last line printed is "ns3-mpi: PREFIX".
#
# Patches: scripts/ns3-mpi-patches/*.patch are applied to the extracted sources, in name order;
# each says why in its header. Both make the null-message simulator run a simulation in parts
# (Stop, Run, and again), as hffm's ResultsCollector does: its Run() resumes after a Stop()
# (null-message-resumable-run.patch), and its interface can be disabled, enabled and disabled
# again (null-message-disable-forgets-requests.patch).
#
# Defines: the sources are compiled as Debian compiled ns-3 (release profile with logging:
# NS3_BUILD_PROFILE_RELEASE, NS3_LOG_ENABLE, no NS3_ASSERT_ENABLE) plus NS3_MPI.
# Consumers compile with -DNS3_MPI (only the helpers' #ifdef NS3_MPI branches care).
# Installs libopenmpi-dev and openmpi-bin when missing (sudo when not root).
# Usage: scripts/build-ns3-mpi.sh [PREFIX]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/debian-source.sh
source "$here/debian-source.sh"

prefix=${1:-${HFFM_NS3_MPI_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/hffm/ns3-3.37-mpi}}
log() { echo "build-ns3-mpi: $*" >&2; }
die() {
  echo "build-ns3-mpi: ERROR: $*" >&2
  exit 1
}

# --- packages ---------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }
installed libns3-dev || die "libns3-dev is not installed (run scripts/install-deps.sh)"
missing=()
for p in libopenmpi-dev openmpi-bin patch; do
  installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v mpicxx >/dev/null || die "mpicxx not found after installing libopenmpi-dev"

# --- where Debian's ns-3 is --------------------------------------------------------------
ns3_version=$(dpkg-query -W -f='${source:Version}' libns3-dev)   # e.g. 3.37-2
ns3_upstream=${ns3_version#*:}
ns3_upstream=${ns3_upstream%-*}                                  # e.g. 3.37
[ "$ns3_upstream" = 3.37 ] || log "warning: libns3-dev is $ns3_version, this script was written for 3.37"
ns3_files=$(dpkg -L libns3-dev)
ns3_core_h=$(grep -m1 '/ns3/core-module\.h$' <<<"$ns3_files") ||
  die "libns3-dev ships no ns3/core-module.h"
ns3_include=$(dirname "$(dirname "$ns3_core_h")")                # /usr/include
ns3_core_so=$(grep -m1 '/libns3[^/]*-core\.so$' <<<"$ns3_files") ||
  die "libns3-dev ships no libns3-core.so"
ns3_libdir=$(dirname "$ns3_core_so")                             # /usr/lib/<multiarch>
ns3_libprefix=$(basename "$ns3_core_so" -core.so)                # libns3 (Debian drops the .37)
ns3_p2p_so="$ns3_libdir/$ns3_libprefix-point-to-point.so"
[ -e "$ns3_p2p_so" ] || die "no $ns3_p2p_so"

# Debian's point-to-point library has PointToPointRemoteChannel only if it was built with MPI;
# compiling it a second time would register its TypeId twice.
build_remote_channel=1
if [ -e "$ns3_include/ns3/point-to-point-remote-channel.h" ] ||
  nm -DC "$ns3_p2p_so" | grep -q 'PointToPointRemoteChannel::GetTypeId'; then
  build_remote_channel=0
  log "Debian's point-to-point already has PointToPointRemoteChannel; not building it"
fi

# --- sources -------------------------------------------------------------------------------
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)    # absolute: it is written into hffm-ns3-mpi.cmake
hffm_fetch_debian_source "ns3=$ns3_version" "$prefix/src"
dsc=$HFFM_DEBIAN_DSC
orig=$(awk '/^Checksums-Sha256:/ { s = 1; next } s && /^[ \t]/ && $3 ~ /\.orig\.tar\./ { print $3; exit }' "$dsc")
[ -n "$orig" ] || die "no orig tarball listed in $dsc"
orig_sha=$(awk -v f="$orig" '/^Checksums-Sha256:/ { s = 1; next } s && $3 == f { print $1; exit }' "$dsc")

defines=(-DNS3_MPI -DNS3_LOG_ENABLE -DNS3_BUILD_PROFILE_RELEASE)
cxxflags=(-std=c++17 -O2 -fPIC -g0 "${defines[@]}")
stamp_text=$(
  echo "source: ns3 $ns3_version $orig sha256 $orig_sha"
  echo "dsc: $(cut -d' ' -f1 "$dsc.sha256")"
  echo "ns3-libs: libns3-dev $ns3_version $ns3_libdir $ns3_include"
  echo "compiler: $(mpicxx --version | head -n1)"
  echo "mpi: $(mpicxx --showme)"
  echo "openmpi: $(dpkg-query -W -f='${Version}' libopenmpi-dev)"
  echo "flags: ${cxxflags[*]}"
  echo "remote-channel: $build_remote_channel"
  echo "script: $(cat "${BASH_SOURCE[0]}" "$here/debian-source.sh" | sha256sum | cut -d' ' -f1)"
  echo "patches: $(cat "$here"/ns3-mpi-patches/*.patch | sha256sum | cut -d' ' -f1)"
)
lib="$prefix/lib/libhffm-ns3-mpi.so"
if [ -f "$prefix/stamp" ] && [ -f "$lib" ] && [ -f "$prefix/hffm-ns3-mpi.cmake" ] &&
  [ "$(cat "$prefix/stamp")" = "$stamp_text" ]; then
  log "up to date: $lib"
  echo "ns3-mpi: $prefix"
  exit 0
fi

# --- extract --------------------------------------------------------------------------------
start=$(date +%s)
rm -f "$prefix/stamp"
build="$prefix/build"
rm -rf "$build"
mkdir -p "$build"
patterns=('*/src/mpi/CMakeLists.txt' '*/src/mpi/model/*')
if [ "$build_remote_channel" = 1 ]; then
  patterns+=('*/src/point-to-point/model/point-to-point-remote-channel.h'
             '*/src/point-to-point/model/point-to-point-remote-channel.cc')
fi
log "extracting ${patterns[*]} from $orig"
tar xjf "$prefix/src/$orig" -C "$build" --wildcards "${patterns[@]}"
cmakelists=$(find "$build" -path '*/src/mpi/CMakeLists.txt' -print -quit)
[ -n "$cmakelists" ] || die "no src/mpi/CMakeLists.txt in $orig"
tree=${cmakelists%/src/mpi/CMakeLists.txt}                      # .../ns-allinone-3.37/ns-3.37
mpi_dir="$tree/src/mpi"
p2p_dir="$tree/src/point-to-point/model"
for p in "$here"/ns3-mpi-patches/*.patch; do
  log "applying $(basename "$p")"
  patch -d "$tree" -p1 --quiet --forward < "$p" || die "$(basename "$p") does not apply to $orig"
done

# The sources and public headers the mpi module's own CMakeLists.txt lists, plus every header
# of its model/ folder (the simulator implementations' headers, for programs that name them).
sources=()
while read -r s; do
  sources+=("$mpi_dir/$s")
done < <(sed -n '/SOURCE_FILES/,/HEADER_FILES/p' "$mpi_dir/CMakeLists.txt" | grep -o 'model/[^ ]*\.cc')
[ ${#sources[@]} -gt 0 ] || die "no sources found in src/mpi/CMakeLists.txt"
headers=("$mpi_dir"/model/*.h)
public_headers=()
while read -r h; do
  public_headers+=("$(basename "$h")")
done < <(sed -n '/HEADER_FILES/,/LIBRARIES_TO_LINK/p' "$mpi_dir/CMakeLists.txt" | grep -o 'model/[^ ]*\.h')
if [ "$build_remote_channel" = 1 ]; then
  sources+=("$p2p_dir/point-to-point-remote-channel.cc")
  headers+=("$p2p_dir/point-to-point-remote-channel.h")
  public_headers+=(point-to-point-remote-channel.h)
fi

# --- stage headers ----------------------------------------------------------------------------
rm -rf "${prefix:?}/include" "${prefix:?}/lib" "${prefix:?}/hffm-ns3-mpi.cmake"
mkdir -p "$prefix/include/ns3" "$prefix/lib"
# In an ns-3 tree all headers land in one ns3/ folder, so a header may include a sibling of
# another module by its bare name (point-to-point-remote-channel.h: "point-to-point-channel.h").
# Here the siblings are Debian's, in another folder: such includes of a header Debian ships
# become "ns3/<name>" (not <mpi.h>'s: "mpi.h" stays).
staged_names=" "
for h in "${headers[@]}"; do
  staged_names+="$(basename "$h") "
done
for h in "${headers[@]}"; do
  name=$(basename "$h")
  [ ! -e "$ns3_include/ns3/$name" ] || die "Debian already ships ns3/$name; refusing to shadow it"
  find "$ns3_include/ns3/" -maxdepth 1 -name '*.h' -printf '%f\n' | awk -v staged="$staged_names" '
    FILENAME == "-" { debian[$0] = 1; next }
    match($0, /^[ \t]*#[ \t]*include[ \t]*"[^"\/]+"/) {
      inc = $0
      sub(/^[^"]*"/, "", inc)
      sub(/".*/, "", inc)
      if (index(staged, " " inc " ") == 0 && (inc in debian))
        sub("\"" inc "\"", "\"ns3/" inc "\"")
    }
    { print }
  ' - "$h" > "$prefix/include/ns3/$name"
  if ! cmp -s "$h" "$prefix/include/ns3/$name"; then
    log "staged $name with its includes of Debian's headers as \"ns3/...\""
  fi
done
{
  echo "// Generated by hffm's scripts/build-ns3-mpi.sh, as ns-3 generates its <module>-module.h."
  echo "#ifndef NS3_MPI_MODULE_H"
  echo "#define NS3_MPI_MODULE_H"
  for h in "${public_headers[@]}"; do
    echo "#include \"ns3/$h\""
  done
  echo "#endif"
} > "$prefix/include/ns3/mpi-module.h"

# --- compile and link ----------------------------------------------------------------------------
# mpicxx is g++ with Open MPI's include and link flags (mpicxx --showme). "ns3/x.h" resolves to
# the staged headers (none of which Debian ships, checked above) or to Debian's; Debian's ns3/
# folder, searched last, resolves the remote channel's bare #include "point-to-point-net-device.h".
includes=(-I"$prefix/include" -I"$ns3_include" -idirafter "$ns3_include/ns3")
objects=()
for s in "${sources[@]}"; do
  o="$build/obj/$(basename "$s" .cc).o"
  mkdir -p "$build/obj"
  log "compiling $(basename "$s")"
  mpicxx "${cxxflags[@]}" "${includes[@]}" -c "$s" -o "$o"
  objects+=("$o")
done
log "linking $lib"
mpicxx -shared -o "$lib" -Wl,-soname,libhffm-ns3-mpi.so -Wl,--no-undefined -Wl,--as-needed \
  "${objects[@]}" -L"$ns3_libdir" \
  "-l${ns3_libprefix#lib}-point-to-point" "-l${ns3_libprefix#lib}-network" \
  "-l${ns3_libprefix#lib}-core"

# --- CMake file ------------------------------------------------------------------------------------
cat > "$prefix/hffm-ns3-mpi.cmake" <<CMAKE
# Generated by hffm's scripts/build-ns3-mpi.sh: ns-3 $ns3_version's mpi module (and the
# MPI-only PointToPointRemoteChannel) built against Debian's ns-3 libraries.
# include() this file to get the IMPORTED target hffm::ns3-mpi; find_package(ns3) first to have
# it link ns-3 through its ns3:: targets.
if(NOT TARGET hffm::ns3-mpi)
  find_package(MPI REQUIRED COMPONENTS CXX)
  if(TARGET ns3::libpoint-to-point)
    set(_hffm_ns3_mpi_ns3 ns3::libpoint-to-point ns3::libnetwork ns3::libcore)
  else()
    set(_hffm_ns3_mpi_ns3 "$ns3_p2p_so" "$ns3_libdir/$ns3_libprefix-network.so"
        "$ns3_core_so")
  endif()
  add_library(hffm::ns3-mpi SHARED IMPORTED)
  set_target_properties(hffm::ns3-mpi PROPERTIES
    IMPORTED_LOCATION "$lib"
    IMPORTED_SONAME "libhffm-ns3-mpi.so"
    INTERFACE_INCLUDE_DIRECTORIES "$prefix/include"
    INTERFACE_COMPILE_DEFINITIONS "NS3_MPI"
    INTERFACE_LINK_LIBRARIES "MPI::MPI_CXX;\${_hffm_ns3_mpi_ns3}")
  unset(_hffm_ns3_mpi_ns3)
endif()
CMAKE

rm -rf "$build"
printf '%s\n' "$stamp_text" > "$prefix/stamp"
log "built in $(( $(date +%s) - start )) s: $lib"
echo "ns3-mpi: $prefix"
