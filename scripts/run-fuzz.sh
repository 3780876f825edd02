#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fuzzes hffm's parsers with libFuzzer (fuzz/; doc/hffm.rst, "Fuzzing"):
#  1. configures and builds the fuzz targets in build-fuzz/ (clang with ASan and UBSan,
#     -DHFFM_FUZZ=ON: no ns-3, no LibTorch; ccache when installed);
#  2. writes the seed corpora with hffm's own encoders (build-fuzz/seeds/<target>/);
#  3. runs every input kept in fuzz/regressions/<target>/ and every seed once;
#  4. fuzzes each target for a bounded time, on one core, growing build-fuzz/corpus/<target>/,
#     and prints per target the executions, coverage (cov: edges, ft: features) and corpus.
# Fails when a regression input, a seed or the fuzzing finds a crash, a sanitizer report, a
# leak, a timeout, an allocation over the limits or a broken invariant; the inputs that did
# are kept in build-fuzz/artifacts/<target>/ (copy them to fuzz/regressions/<target>/).
#
# Usage: scripts/run-fuzz.sh [seconds-per-target]      (default 20; 0: only steps 1-3)
# Environment:
#   FUZZ_BUILD_DIR   build folder (build-fuzz)
#   FUZZ_TARGETS     targets to run (fuzz-stream-reader fuzz-codec fuzz-checkpoint fuzz-scenario)
#   FUZZ_CXX         the clang++ to build with (clang++)
#   FUZZ_FRESH=1     start from the seeds alone: empty build-fuzz/corpus/ first
#   JOBS             build jobs (2)
#   HFFM_BUILD_LOCK  a file to hold with flock(1) while building (machines shared by builds)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/run-fuzz.sh [seconds-per-target]" >&2
  exit 2
fi
B=${FUZZ_BUILD_DIR:-build-fuzz}
read -r -a targets <<< "${FUZZ_TARGETS:-fuzz-stream-reader fuzz-codec fuzz-checkpoint fuzz-scenario}"
limits=(-rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10)
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# ---- 1. build ----
cxx=${FUZZ_CXX:-clang++}
if ! command -v "$cxx" > /dev/null; then
  echo "run-fuzz: $cxx not found: libFuzzer needs clang (Debian: clang libclang-rt-14-dev)" >&2
  exit 1
fi
locked() {
  if [ -n "${HFFM_BUILD_LOCK:-}" ]; then
    flock "$HFFM_BUILD_LOCK" "$@"
  else
    "$@"
  fi
}
mkdir -p "$B/logs"
if ! CXX=$cxx cmake -S . -B "$B" -DHFFM_FUZZ=ON -DHFFM_WERROR=ON \
       > "$B/logs/configure.log" 2>&1; then
  cat "$B/logs/configure.log" >&2
  exit 1
fi
if ! locked cmake --build "$B" -j "${JOBS:-2}" > "$B/logs/build.log" 2>&1; then
  cat "$B/logs/build.log" >&2
  exit 1
fi
echo "run-fuzz: built ${targets[*]} in $B/fuzz"

# ---- 2. seeds ----
rm -rf "$B/seeds"
"$B/fuzz/make-corpus" "$B/seeds"

# ---- 3. regression inputs and seeds, each run once ----
failed=()
for t in "${targets[@]}"; do
  inputs=()
  if [ -d "fuzz/regressions/$t" ]; then
    mapfile -t inputs < <(find "fuzz/regressions/$t" -type f | sort)
  fi
  regressions=${#inputs[@]}
  mapfile -t -O "${#inputs[@]}" inputs < <(find "$B/seeds/$t" -type f | sort)
  log="$B/logs/$t-regressions.log"
  if "$B/fuzz/$t" "${limits[@]}" "${inputs[@]}" > "$log" 2>&1; then
    echo "run-fuzz: $t: $regressions regression inputs and $((${#inputs[@]} - regressions)) seeds pass"
  else
    echo "run-fuzz: $t: FAILED on a regression input or seed; last lines of $log:" >&2
    grep -E '^Running:' "$log" | tail -n 1 >&2 || true
    grep -vE '^(Running|Executed)' "$log" | tail -n 25 >&2
    failed+=("$t (regressions)")
  fi
done

# ---- 4. fuzzing ----
if [ "$seconds" -gt 0 ]; then
  [ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$B/corpus"
  printf '\n%-20s %-7s %11s %8s %6s %7s %14s %6s\n' target result execs exec/s cov ft \
    "corpus" new
  summary=()
  for t in "${targets[@]}"; do
    corpus="$B/corpus/$t"
    artifacts="$B/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    log="$B/logs/$t-fuzz.log"
    touch "$log.start"
    rc=0
    "$B/fuzz/$t" "${limits[@]}" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$corpus" "$B/seeds/$t" > "$log" 2>&1 || rc=$?
    # The last status line ("#N DONE cov: C ft: F corp: ...") and the final stats.
    status=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
    field() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" <<< "$status"; }
    field2() { sed -n "s/.* $1 \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p" <<< "$status"; }
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    new=$(sed -n 's/^stat::new_units_added: *//p' "$log")
    result=ok
    if [ "$rc" -ne 0 ]; then
      result=FAILED
      failed+=("$t")
    fi
    # corp: inputs in the fuzzer's corpus (seeds and new ones, after reduction)/their size
    printf '%-20s %-7s %11s %8s %6s %7s %14s %6s\n' "$t" "$result" "${execs:-?}" \
      "${rate:-?}" "$(field cov:)" "$(field ft:)" "$(field2 corp:)" "${new:-?}"
    if [ "$rc" -ne 0 ]; then
      summary+=("$t (exit $rc): $(grep -m 1 -E 'ERROR|==hffm-fuzz==|runtime error' "$log" || true)")
      summary+=("  log: $log")
      while IFS= read -r a; do
        summary+=("  input: $a   (keep it: cp $a fuzz/regressions/$t/)")
      done < <(find "$artifacts" -type f -newer "$log.start")
    fi
  done
  for line in "${summary[@]+"${summary[@]}"}"; do
    echo "$line" >&2
  done
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "run-fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "run-fuzz: no failure ($seconds s per target; logs in $B/logs)"
