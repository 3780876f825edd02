#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Plot the paper-table example's per-round results: accuracy against cumulative simulated
latency and against cumulative device energy, one line per method (first seed found).

Usage: plot-paper-table.py RESULTS_FOLDER [TASK]
Writes RESULTS_FOLDER/accuracy-vs-cost-TASK.svg (TASK: fine, coarse or question; default
fine). Standard library only.
"""

import csv
import glob
import os
import sys

COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f"]


def read_runs(folder, task):
    runs = {}
    for path in sorted(glob.glob(os.path.join(folder, "rounds-*-seed*.csv"))):
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        if not rows:
            continue
        method, seed = rows[0]["method"], rows[0]["seed"]
        if method in runs:
            continue  # the first seed of each method
        latency, energy, points = 0.0, 0.0, []
        for r in rows:
            latency += float(r["latency_s"])
            energy += float(r["radio_energy_J"]) + float(r["compute_energy_J"])
            acc = r.get("acc_%s_pct" % task, "")
            if acc:
                points.append((latency, energy, float(acc)))
        if points:
            runs[method] = (seed, points)
    return runs


def panel(x0, width, height, runs, index, label):
    xs = [p[index] for _, pts in runs.values() for p in pts]
    ys = [p[2] for _, pts in runs.values() for p in pts]
    xmax = max(xs) * 1.05 if xs else 1.0
    ymin, ymax = min(ys) - 2, max(ys) + 2
    left, top, w, h = x0 + 60, 30, width - 80, height - 80
    out = ['<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#444"/>'
           % (left, top, w, h)]

    def sx(v):
        return left + w * v / xmax

    def sy(v):
        return top + h * (1 - (v - ymin) / (ymax - ymin))

    for k in range(6):
        xv = xmax * k / 5
        yv = ymin + (ymax - ymin) * k / 5
        out.append('<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%.3g</text>'
                   % (sx(xv), top + h + 16, xv))
        out.append('<text x="%d" y="%.1f" font-size="11" text-anchor="end">%.1f</text>'
                   % (left - 6, sy(yv) + 4, yv))
    out.append('<text x="%d" y="%d" font-size="13" text-anchor="middle">%s</text>'
               % (left + w / 2, top + h + 38, label))
    for i, (method, (_, pts)) in enumerate(sorted(runs.items())):
        colour = COLOURS[i % len(COLOURS)]
        path = " ".join("%.1f,%.1f" % (sx(p[index]), sy(p[2])) for p in pts)
        out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>'
                   % (path, colour))
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    task = sys.argv[2] if len(sys.argv) > 2 else "fine"
    runs = read_runs(folder, task)
    if not runs:
        sys.exit("no per-round accuracy in %s (run with --evalEvery=1)" % folder)
    width, height = 520, 400
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d">'
           % (2 * width + 160, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="60" y="18" font-size="14">%s accuracy (%%) per round</text>' % task]
    svg += panel(0, width, height, runs, 0, "cumulative simulated latency (s)")
    svg += panel(width, width, height, runs, 1, "cumulative device energy (J)")
    for i, (method, (seed, _)) in enumerate(sorted(runs.items())):
        y = 40 + 18 * i
        colour = COLOURS[i % len(COLOURS)]
        svg.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>'
                   % (2 * width + 10, y, 2 * width + 30, y, colour))
        svg.append('<text x="%d" y="%d" font-size="12">%s (seed %s)</text>'
                   % (2 * width + 36, y + 4, method, seed))
    svg.append("</svg>")
    out = os.path.join(folder, "accuracy-vs-cost-%s.svg" % task)
    with open(out, "w") as f:
        f.write("\n".join(svg) + "\n")
    print("plot: " + out)


if __name__ == "__main__":
    main()
