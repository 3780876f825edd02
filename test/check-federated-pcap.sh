#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs the paper-table example (hierarchical, Wi-Fi, a tiny scenario) with PCAP on and
# checks with tshark that the captures hold the module bytes the applications report:
#  - backhaul links (point-to-point, captured once each at the cloud): the TCP payload
#    (retransmissions not counted) equals the run's backhaul_bytes, and module messages
#    start with the "HFFM" magic;
#  - the access points' radiotap captures: the TCP payload devices sent to the fog's port
#    (7071), each segment counted once, equals device_up_bytes.
# Usage: check-federated-pcap.sh <path to hffm-paper-table> <output folder>
set -euo pipefail
example=$1
out=$2
rm -rf "$out"
mkdir -p "$out"

"$example" --methods=hier-2 --devices=4 --fogs=2 --rounds=2 --samplesPerDevice=40 \
  --testSamples=100 --pretrainSamples=0 --evalEvery=0 --threads=1 --pcap=1 \
  --outputDir="$out" --runTag=run > "$out/stdout.txt"
summary="$out/run/summary.csv"
col() { # value of column $1 in the summary's first data row
  awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } NR == 2 { print $c }' "$summary"
}
backhaul=$(col backhaul_bytes)
device_up=$(col device_up_bytes)
echo "reported backhaul_bytes=$backhaul device_up_bytes=$device_up"

if ! command -v tshark > /dev/null; then
  echo "tshark is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
not_retx='!tcp.analysis.retransmission && !tcp.analysis.fast_retransmission && !tcp.analysis.spurious_retransmission'
sum_payload() { # files... ; filter in $filter
  for f in "$@"; do
    tshark -r "$f" -Y "$filter" -T fields -e tcp.len 2> /dev/null
  done | awk '{s+=$1} END {print s+0}'
}

# the backhaul: 10.2.f.0/30 links, captured at the cloud (node 6 = 4 devices + 2 fogs)
mapfile -t backhaul_pcaps < <(ls "$out"/run/pcap-hier-2-seed1-6-*.pcap)
test ${#backhaul_pcaps[@]} -eq 2
filter="tcp.len>0 && $not_retx"
captured=$(sum_payload "${backhaul_pcaps[@]}")
echo "backhaul capture: $captured TCP payload bytes"
if [ "$captured" != "$backhaul" ]; then
  echo "FAIL: backhaul captures hold $captured bytes, the applications sent $backhaul" >&2
  exit 1
fi
first=$(tshark -r "${backhaul_pcaps[0]}" -Y "$filter" -T fields -e tcp.payload 2> /dev/null |
  awk 'NR == 1 { print substr($0, 1, 8) }')
if [ "$first" != "4846464d" ]; then
  echo "FAIL: the first backhaul segment starts with '$first', not the HFFM magic" >&2
  exit 1
fi

# the access points (nodes 4 and 5), radiotap: data frames to the fog's port, each TCP
# segment counted once however often the MAC or TCP sent it (keyed by source and sequence)
mapfile -t ap_pcaps < <(ls "$out"/run/pcap-hier-2-seed1-4-*.pcap "$out"/run/pcap-hier-2-seed1-5-*.pcap)
captured=$(for f in "${ap_pcaps[@]}"; do
  tshark -r "$f" -Y "tcp.dstport==7071 && tcp.len>0" -T fields \
    -e ip.src -e tcp.srcport -e tcp.seq_raw -e tcp.len 2> /dev/null
done | awk '!seen[$1 " " $2 " " $3]++ { s += $4 } END { print s + 0 }')
echo "access point captures: $captured TCP payload bytes to port 7071"
if [ "$captured" != "$device_up" ]; then
  echo "FAIL: access point captures hold $captured uploaded bytes, devices sent $device_up" >&2
  exit 1
fi
echo "PASS: the captures hold every module byte the applications report"
