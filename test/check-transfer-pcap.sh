#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs the transfer example with PCAP on and checks with tshark that the capture holds the
# module message: the TCP bytes from the sender (retransmissions not counted) equal the
# example's message_bytes, and the first one starts with the "HFFM" magic.
# Usage: check-transfer-pcap.sh <path to hffm-transfer> <output folder>
set -euo pipefail
example=$1
out=$2
rm -rf "$out"
mkdir -p "$out"

"$example" --moduleBytes=1000000 --dataRate=100Mbps --delay=2ms --pcap=1 \
  --outputDir="$out" > "$out/stdout.txt"
cat "$out/stdout.txt"
message_bytes=$(sed -n 's/^message_bytes=//p' "$out/stdout.txt")
grep -qx 'bit_identical=1' "$out/stdout.txt"

if ! command -v tshark > /dev/null; then
  echo "tshark is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
pcap="$out/hffm-transfer-0-0.pcap" # node 0 (the sender), device 0
test -s "$pcap"
# Data segments from the sender (10.1.1.1) that are not retransmissions.
filter='ip.src==10.1.1.1 && tcp.len>0 && !tcp.analysis.retransmission && !tcp.analysis.fast_retransmission'
captured=$(tshark -r "$pcap" -Y "$filter" -T fields -e tcp.len 2> /dev/null | awk '{s+=$1} END {print s+0}')
echo "captured_tcp_payload_bytes=$captured"
if [ "$captured" != "$message_bytes" ]; then
  echo "FAIL: the capture holds $captured TCP payload bytes, the message is $message_bytes" >&2
  exit 1
fi
tshark -r "$pcap" -Y "$filter" -T fields -e tcp.payload > "$out/payloads.txt" 2> /dev/null
first=$(head -n 1 "$out/payloads.txt" | cut -c1-8)
if [ "$first" != "4846464d" ]; then
  echo "FAIL: the first data segment starts with '$first', not the HFFM magic 4846464d" >&2
  exit 1
fi
echo "PASS: the capture holds all $captured bytes of the module message"
