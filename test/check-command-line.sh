#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs the examples and benchmarks with bad numeric options (negative, fractional, out of
# range, trailing characters) and with input that makes the work throw, and checks each
# run: a non-zero exit, a message naming the option and value (or the exception's message),
# and no "terminate called" (no abort). Good values still work: --help, and a tiny transfer.
# Runs in a temporary folder, removed at the end.
# Usage: check-command-line.sh <hffm-paper-table> <hffm-transfer> <hffm-model>
#        [<hffm-bench-federated-scale> <hffm-bench-train-step> <hffm-bench-codec>]
set -uo pipefail
table=$(realpath "$1")
transfer=$(realpath "$2")
model=$(realpath "$3")
scale=${4:+$(realpath "$4")}
train_step=${5:+$(realpath "$5")}
codec=${6:+$(realpath "$6")}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# refused EXPECTED_TEXT PROGRAM ARGS...: a non-zero exit within 30 s, EXPECTED_TEXT in the
# output, no abort
refused() {
  local expected=$1
  shift
  local output rc before=$failures
  output=$(timeout 30 "$@" 2>&1 < /dev/null)
  rc=$?
  local what="$(basename "$1") ${*:2}"
  if [ $rc -eq 0 ]; then
    fail "$what: exit status 0"
  elif [ $rc -eq 124 ]; then
    fail "$what: still running after 30 s"
  fi
  if ! grep -qF -- "$expected" <<< "$output"; then
    fail "$what: the output does not name '$expected':"$'\n'"$(head -n 5 <<< "$output")"
  fi
  if grep -q "terminate called" <<< "$output"; then
    fail "$what: aborted (terminate called)"
  fi
  [ $failures -eq "$before" ] && echo "ok: $what -> exit $rc: $(grep -F -m 1 -- "$expected" <<< "$output")"
}

# negative values of unsigned options, fractions, trailing characters, out of range
refused "--rounds=5x" "$table" --rounds=5x
refused "--rounds=-1" "$table" --rounds=-1
refused "--devices=-3" "$table" --devices=-3
refused "--seeds=1.5" "$table" --seeds=1.5
refused "--imageProbability=1.5" "$table" --imageProbability=1.5
refused "--taskProbability=-0.1" "$table" --taskProbability=-0.1
refused "--participation=0" "$table" --participation=0
refused "--testSamples=0" "$table" --testSamples=0
refused "--resourceBlocks=65586" "$table" --resourceBlocks=65586
refused "--deadline=nan" "$table" --deadline=nan
refused "--backhaulDelay=-5ms" "$table" --backhaulDelay=-5ms
refused "--backhaulRate=5x" "$table" --backhaulRate=5x
refused "--moduleBytes=-1" "$transfer" --moduleBytes=-1
refused "--segmentSize=1448x" "$transfer" --segmentSize=1448x
refused "--delay=2msx" "$transfer" --delay=2msx
refused "--dataRate=-1Mbps" "$transfer" --dataRate=-1Mbps
refused "--tcpBuffer=100" "$transfer" --tcpBuffer=100
refused "--threads=-1" "$model" --threads=-1
refused "--epochs=1.5" "$model" --command=train --epochs=1.5
refused "--trainSamples=0" "$model" --command=train --trainSamples=0
# the model's dimensions: each value, then what one value cannot say
refused "--width=0" "$model" --width=0
refused "--experts=2.5" "$table" --experts=2.5
refused "model: width 64 is not a multiple of heads 3" "$model" --heads=3
refused "model: topK 9 exceeds experts 4" "$table" --topK=9
# an exception from the work itself ends with its message, not std::terminate
refused "exceeds the federated pool" "$table" --devices=1000 --fogs=10 --samplesPerDevice=100 \
  --pretrainSamples=0
refused "cannot open" "$model" --command=train --dataDir="$work/no-such-folder"
if [ -n "$scale" ]; then
  refused "--devices=-3" "$scale" --devices=-3
  refused "--idleSeconds=-1" "$scale" --idleSeconds=-1
  refused "model: width 100 is not a multiple of heads 8" "$scale" --width=100 --heads=8
  refused "exceeds the federated pool" "$scale" --devices=1000
fi
if [ -n "$train_step" ]; then
  refused "--steps=-1" "$train_step" --steps=-1
  refused "--batch=64x" "$train_step" --batch=64x
fi
if [ -n "$codec" ]; then
  refused "--benchmark_repetitions=-1" "$codec" --benchmark_repetitions=-1
  refused "--benchmark_min_time=5x" "$codec" --benchmark_min_time=5x
fi

# good values still work
for program in "$table" "$transfer" "$model"; do
  if ! help=$(timeout 60 "$program" --help 2>&1); then
    fail "$(basename "$program") --help: non-zero exit"
  elif ! grep -q "an integer from" <<< "$help"; then
    fail "$(basename "$program") --help does not show the ranges"
  fi
done
# a bigger model from the command line: an adapter is down (W x A weights, A biases) and up
# (A x W, W): 2 x 128 x 32 + 32 + 128 = 8352 parameters at width 128, bottleneck 32
if ! out=$(timeout 60 "$model" --command=list --width=128 --heads=8 --adapterWidth=32 2>&1) ||
  ! grep -qx 'adapter/0,adapter,8352,33408,1' <<< "$out"; then
  fail "hffm-model --command=list --width=128 --heads=8 --adapterWidth=32:"$'\n'"$out"
else
  echo "ok: hffm-model sizes the model from the command line"
fi
if ! out=$(timeout 60 "$transfer" --moduleBytes=100000 --segmentSize=1448 --delay=1ms \
  --dataRate=10Mbps --pcap=0 --outputDir=good 2>&1) || ! grep -qx 'bit_identical=1' <<< "$out"; then
  fail "hffm-transfer with good values:"$'\n'"$out"
else
  echo "ok: hffm-transfer with good values runs"
fi

if [ $failures -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "PASS: bad values are refused and named, exceptions reported, good values work"
