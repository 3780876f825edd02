#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The reference's full table (40 devices, 10 fogs, 16 edge rounds, seeds 1-3, the seven
# methods) as one hffm-paper-table process per method and seed, JOBS at a time (default:
# the cores), merged by scripts/merge-paper-tables.py into results/hffm-paper-table/full/.
# Accuracy is evaluated after the last round only (--evalEvery=0): every evaluation tests
# each fog's modules for each device profile on the held-out images, which at this scale
# is tens of evaluations per round; results do not depend on it. A part whose
# run-<method>-seed<S>.csv is already there is skipped, so an interrupted run goes on where
# it stopped. Extra arguments go to every process, e.g. --radio=lte (then give it its own
# PARTS folder).
# Environment: JOBS, SEEDS ("1 2 3"), METHODS (the seven), THREADS (LibTorch threads per
# process, 1), PARTS (results/hffm-paper-table/full-parts), OUTPUT (.../full), EXAMPLE (the
# binary; by default scripts/build.sh builds build/hffm-paper-table first).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
SEEDS=${SEEDS:-"1 2 3"}
METHODS=${METHODS:-"star edge-only edge-only+d2d hier-2 hier-8 hier-2+d2d hier-8+d2d"}
THREADS=${THREADS:-1}
PARTS=${PARTS:-results/hffm-paper-table/full-parts}
OUTPUT=${OUTPUT:-results/hffm-paper-table/full}
if [ -z "${EXAMPLE:-}" ]; then
  bash scripts/build.sh > /dev/null
  EXAMPLE=${BUILD_DIR:-build}/hffm-paper-table
fi
mkdir -p "$PARTS"

run_part() { # method seed [example arguments...]
  local m=$1 s=$2 start
  shift 2
  if [ -f "$PARTS/$m-seed$s/run-$m-seed$s.csv" ]; then
    echo "$m seed $s: done before, skipped"
    return 0
  fi
  start=$(date +%s)
  if "$EXAMPLE" --devices=40 --fogs=10 --rounds=16 --seed="$s" --seeds=1 --methods="$m" \
    --evalEvery=0 --threads="$THREADS" --outputDir="$PARTS" --runTag="$m-seed$s" "$@" \
    > "$PARTS/$m-seed$s.log" 2>&1; then
    echo "$m seed $s: $(($(date +%s) - start)) s wall"
  else
    echo "$m seed $s: failed, see $PARTS/$m-seed$s.log" >&2
    return 1
  fi
}

# Seeds interleaved, so that the first parts of a seed do not start together: the first one
# pretrains the foundation and writes foundation-<seed>.hffm, which the others then read.
failed=0
folders=()
for m in $METHODS; do
  for s in $SEEDS; do
    folders+=("$PARTS/$m-seed$s")
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
      wait -n || failed=1
    done
    run_part "$m" "$s" "$@" &
  done
done
for pid in $(jobs -p); do
  wait "$pid" || failed=1
done
if [ "$failed" -ne 0 ]; then
  echo "run-full-table: a part failed (see above); nothing merged" >&2
  exit 1
fi

python3 scripts/merge-paper-tables.py --output "$OUTPUT" "${folders[@]}"
