#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The examples create their output folder with its parents, as a fresh clone needs (no
# results/ yet), and refuse a folder that cannot be made before any simulation runs, with a
# message naming it. Runs from an empty temporary folder, removed at the end.
# Usage: check-output-folder.sh <hffm-transfer> <hffm-paper-table> <hffm-model>
set -uo pipefail
transfer=$(realpath "$1")
table=$(realpath "$2")
model=$(realpath "$3")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

small=(--moduleBytes=100000 --dataRate=10Mbps --delay=1ms)

# the default folder, results/hffm-transfer, in a folder without results/
if ! out=$(timeout 60 "$transfer" "${small[@]}" --pcap=1 2>&1); then
  fail "hffm-transfer --pcap=1 in an empty folder:"$'\n'"$out"
elif [ ! -s results/hffm-transfer/hffm-transfer-0-0.pcap ] || [ ! -s results/hffm-transfer/summary.csv ]; then
  fail "hffm-transfer --pcap=1 wrote no results/hffm-transfer/{hffm-transfer-0-0.pcap,summary.csv}"
else
  echo "ok: hffm-transfer --pcap=1 creates results/hffm-transfer"
fi

# a nested folder that does not exist yet
if ! out=$(timeout 60 "$transfer" "${small[@]}" --pcap=1 --outputDir=new/a/b/c --runTag=t 2>&1); then
  fail "hffm-transfer --outputDir=new/a/b/c:"$'\n'"$out"
elif [ ! -s new/a/b/c/hffm-transfer-t-0-0.pcap ] || [ ! -s new/a/b/c/summary-t.csv ]; then
  fail "hffm-transfer --outputDir=new/a/b/c wrote no PCAP or summary there"
else
  echo "ok: hffm-transfer --outputDir=new/a/b/c creates the folder and its parents"
fi

# impossible_folder PROGRAM ARGS...: the folder below a regular file is refused by name
echo "a regular file" > file
impossible() {
  local output rc before=$failures
  output=$(timeout 60 "$@" 2>&1 < /dev/null)
  rc=$?
  local what="$(basename "$1") ${*:2}"
  if [ $rc -eq 0 ]; then
    fail "$what: exit status 0"
  fi
  if ! grep -qF "file/out" <<< "$output"; then
    fail "$what: the message does not name the folder:"$'\n'"$(head -n 5 <<< "$output")"
  fi
  if grep -q "terminate called" <<< "$output"; then
    fail "$what: aborted (terminate called)"
  fi
  if grep -q "^module_id=\|round 1/\|learner ready" <<< "$output"; then
    fail "$what: the work ran before the folder was refused"
  fi
  [ $failures -eq "$before" ] && echo "ok: $what -> exit $rc: $(grep -F -m 1 "file/out" <<< "$output")"
}
impossible "$transfer" "${small[@]}" --pcap=1 --outputDir=file/out
impossible "$transfer" "${small[@]}" --pcap=0 --outputDir=file/out
impossible "$table" --outputDir=file/out
impossible "$table" --checkpoint=file/out/foundation.hffm
impossible "$model" --command=pretrain --checkpoint=file/out/foundation.hffm

if [ $failures -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "PASS: output folders are created with their parents, impossible ones refused by name"
