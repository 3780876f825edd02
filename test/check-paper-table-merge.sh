#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The paper table made in one process over two seeds, and the same table merged by
# scripts/merge-paper-tables.py from one process per seed and method, must agree: every
# text column equal, every number within a relative 1e-6 (the per-run files carry 12
# significant digits, the summary 6). Also: a seed found in two folders is refused.
# Usage: check-paper-table-merge.sh <path to hffm-paper-table> <output folder>
set -euo pipefail
example=$1
out=$2
here=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$out"
mkdir -p "$out"

tiny=(--devices=4 --fogs=2 --rounds=2 --samplesPerDevice=40 --testSamples=100
  --pretrainSamples=200 --evalEvery=0 --threads=1)
# one process: both methods, both seeds; its own foundation checkpoints
"$example" "${tiny[@]}" --methods=star,hier-2+d2d --seeds=2 --outputDir="$out/one" \
  --runTag=run > "$out/one.txt"
# apart: seed 2 first, so that nothing carried from seed 1 in one process can hide
for part in "2 hier-2+d2d" "2 star" "1 star" "1 hier-2+d2d"; do
  read -r seed method <<< "$part"
  "$example" "${tiny[@]}" --methods="$method" --seed="$seed" --seeds=1 \
    --outputDir="$out/apart" --runTag="$method-$seed" > "$out/apart-$method-$seed.txt"
done
python3 "$here/scripts/merge-paper-tables.py" --output "$out/merged" "$out"/apart/*-[12] \
  > "$out/merge.txt"

python3 - "$out/one/run/summary.csv" "$out/merged/summary.csv" << 'EOF'
import csv, math, sys
one, merged = (list(csv.DictReader(open(p))) for p in sys.argv[1:3])
if [r["method"] for r in one] != [r["method"] for r in merged]:
    sys.exit(f"methods differ: {[r['method'] for r in one]} vs {[r['method'] for r in merged]}")
if list(one[0].keys()) != list(merged[0].keys()):
    sys.exit(f"columns differ:\n{list(one[0].keys())}\n{list(merged[0].keys())}")
bad = []
for a, b in zip(one, merged):
    for k in a:
        try:
            x, y = float(a[k]), float(b[k])
        except ValueError:
            if a[k] != b[k]:
                bad.append(f"{a['method']} {k}: {a[k]} vs {b[k]}")
            continue
        if not (math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9) or (math.isnan(x) and math.isnan(y))):
            bad.append(f"{a['method']} {k}: {a[k]} vs {b[k]}")
if bad:
    sys.exit("one process and merged differ:\n" + "\n".join(bad))
if one[0]["seeds"] != "2" or float(one[1]["d2d_bytes"]) <= 0:
    sys.exit("the check ran on the wrong table: expected 2 seeds and D2D bytes in hier-2+d2d")
print(f"one process and merged agree on {len(one)} methods x {len(one[0])} columns")
EOF

# the same seed twice is refused, with the folders named
if python3 "$here/scripts/merge-paper-tables.py" --output "$out/twice" "$out/apart/star-1" \
  "$out/apart/star-1" 2> "$out/twice.txt"; then
  echo "a seed given twice was merged" >&2
  exit 1
fi
grep -q "star seed 1 is in both" "$out/twice.txt" || {
  cat "$out/twice.txt" >&2
  exit 1
}
echo "a seed given twice: refused"
