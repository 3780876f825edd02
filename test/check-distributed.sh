#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A federated scenario on ns-3's distributed simulator gives, bit for bit, what one process
# gives: the same small Wi-Fi scenario (4 fogs, star, hierarchical and D2D-tree methods) in one
# process, on 2 ranks and on 4 ranks (more ranks than cores) of ns-3's granted-time-window
# simulator and on 2 ranks of its null-message simulator, and the same methods over LTE with
# two regional cores (2 fogs each) in one process and on 2 ranks, compared file by file:
# per-round and per-device results and the summary byte for byte, every PCAP capture (the
# cells' and the backhaul's) record by record. Then bad input: an unknown simulator, more
# ranks than fogs or than LTE regions, a --fogRanks list of the wrong length, one that leaves a
# rank without a cell and one that splits a region, each refused on every rank with a message
# naming the value, non-zero, within a time limit.
# Usage: check-distributed.sh <path to hffm-paper-table> <output folder>
set -euo pipefail
example=$1
out=$2
here=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$out"
mkdir -p "$out"
# CI runs as root; OpenMPI refuses root unless told. More ranks than cores: oversubscribe.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi=(mpirun --oversubscribe --mca btl self,vader -np)

small=(--devices=8 --fogs=4 --rounds=2 --samplesPerDevice=40 --testSamples=100
  --pretrainSamples=0 --evalEvery=1 --threads=1 --pcap=1 --clusterSize=2
  --methods=star,hier-1,edge-only+d2d)

lte=(--radio=lte --lteRegions=2)

timeout 600 "$example" "${small[@]}" --outputDir="$out" --runTag=one > "$out/one.txt"
timeout 600 "${mpi[@]}" 2 "$example" "${small[@]}" --distributed=gtw --outputDir="$out" \
  --runTag=gtw2 > "$out/gtw2.txt"
timeout 600 "${mpi[@]}" 4 "$example" "${small[@]}" --distributed=gtw --outputDir="$out" \
  --runTag=gtw4 > "$out/gtw4.txt"
timeout 600 "${mpi[@]}" 2 "$example" "${small[@]}" --distributed=null --outputDir="$out" \
  --runTag=null2 > "$out/null2.txt"
timeout 600 "$example" "${small[@]}" "${lte[@]}" --outputDir="$out" --runTag=lte-one \
  > "$out/lte-one.txt"
timeout 600 "${mpi[@]}" 2 "$example" "${small[@]}" "${lte[@]}" --distributed=gtw \
  --outputDir="$out" --runTag=lte-gtw2 > "$out/lte-gtw2.txt"

status=0
# compare <one-process run> <distributed run> <its ranks>
compare() {
  local one=$1 run=$2 ranks=$3
  # ranks-*.csv: each rank's wall time, which no two runs share
  local files
  files=$(cd "$out/$one" && ls | grep -v '^ranks-')
  for f in $files; do
    if cmp -s "$out/$one/$f" "$out/$run/$f"; then
      continue
    fi
    # a capture where a device sends and receives across ranks in the same instant may list
    # those records in another order (test/compare-pcap.py says why); nothing else may differ
    if [[ $f == *.pcap ]]; then
      if python3 "$here/test/compare-pcap.py" "$out/$one/$f" "$out/$run/$f"; then
        continue
      fi
      status=1
    else
      echo "FAIL: $run/$f differs from $one/$f"
      diff "$out/$one/$f" "$out/$run/$f" | head -8 || true
      status=1
    fi
  done
  local extra
  extra=$(cd "$out/$run" && ls | grep -v '^ranks-' | grep -vxF -f <(cd "$out/$one" && ls) || true)
  if [ -n "$extra" ]; then
    echo "FAIL: $run has files $one lacks: $extra"
    status=1
  fi
  local rows=$(($(wc -l < "$out/$run/ranks-star-seed1.csv") - 1))
  if [ "$rows" -ne "$ranks" ]; then
    echo "FAIL: $run/ranks-star-seed1.csv has $rows ranks, not $ranks"
    status=1
  fi
  local count pcaps
  count=$(cd "$out/$one" && ls | grep -vc '^ranks-')
  pcaps=$(cd "$out/$one" && ls | grep -c '\.pcap$' || true)
  if [ "$pcaps" -lt 10 ]; then
    echo "FAIL: only $pcaps PCAP files of $one to compare"
    status=1
  fi
  echo "$run: compared $count files ($pcaps PCAP) with $one"
}
compare one gtw2 2
compare one gtw4 4
compare one null2 2
compare lte-one lte-gtw2 2
# the regional cores carry the star baseline: nodes are the cores (0-5), eNBs (6-9), devices
# (10-17), fogs (18-21), the cloud (22) and the gateways; the cloud's devices are its loopback,
# the 4 fogs' links and the 2 gateways' (5, 6), each of which carried uploads
for d in 5 6; do
  f="$out/lte-one/pcap-star-seed1-22-$d.pcap"
  if [ ! -f "$f" ] || [ "$(stat -c %s "$f")" -lt 100000 ]; then
    echo "FAIL: $f is missing or carried no uploads"
    status=1
  fi
done

# bad partitions: refused on every rank, naming the value, non-zero, nothing hangs
refuse() {
  local expect=$1
  shift
  local log="$out/refused.txt"
  if timeout 120 "${mpi[@]}" "$@" > "$log" 2>&1; then
    echo "FAIL: accepted: $*"
    status=1
  elif [ $? -eq 124 ]; then
    echo "FAIL: hung: $*"
    status=1
  elif ! grep -q -- "$expect" "$log"; then
    echo "FAIL: '$*' did not say '$expect':"
    head -5 "$log"
    status=1
  fi
}
tiny=(--devices=4 --fogs=2 --rounds=1 --samplesPerDevice=20 --pretrainSamples=0
  --outputDir="$out" --runTag=refused)
refuse "ranks 3 are more than fogs 2" 3 "$example" "${tiny[@]}" --distributed=gtw
refuse "names 3 ranks for 2 fogs" 2 "$example" "${tiny[@]}" --distributed=gtw --fogRanks=0,1,1
refuse "rank 1 runs no cell" 2 "$example" "${tiny[@]}" --distributed=gtw --fogRanks=0,0
refuse "'2' is not a rank in 0..1" 2 "$example" "${tiny[@]}" --distributed=gtw --fogRanks=0,2
refuse "'yes' is not gtw (granted time windows) or null" 2 "$example" "${tiny[@]}" \
  --distributed=yes
lteTiny=("${tiny[@]}" --devices=8 --fogs=4 --radio=lte)
refuse "ranks 4 are more than LTE regions 2" 4 "$example" "${lteTiny[@]}" --lteRegions=2 \
  --distributed=gtw
refuse "fogs 0 and 1 of LTE region 0 are on ranks 0 and 1" 2 "$example" "${lteTiny[@]}" \
  --lteRegions=2 --distributed=gtw --fogRanks=0,1,1,1
exit $status
