#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Makes one paper table from hffm-paper-table runs made apart.

The full table (40 devices, 10 fogs, 16 rounds, 3 seeds) takes hours on two cores. Its seeds
and methods are independent, so they can run as separate processes, at the same time on a
machine with more cores, or one after another across days; each writes its per-run files
(run-, rounds- and nodes-<method>-seed<S>.csv). This script reads them from the folders
given and writes summary.csv and summary.txt with the columns and the arithmetic of the
example's own summary: latency and energy per round over every round of every seed,
accuracy mean and sample standard deviation over (device, seed), bytes per seed.

    scripts/merge-paper-tables.py --output results/hffm-paper-table/full \\
        results/hffm-paper-table/full-seed1 results/hffm-paper-table/full-seed2 ...

A method and seed found in two folders, or runs of one method with different radio,
devices, fogs or rounds, are refused with a message that names them.
"""

import argparse
import csv
import math
import pathlib
import re
import sys

# the example's default --methods, in its order; other methods follow as first seen
METHOD_ORDER = ["star", "edge-only", "edge-only+d2d", "hier-2", "hier-8", "hier-2+d2d",
                "hier-8+d2d"]
RUN_FILE = re.compile(r"^run-(?P<method>.+)-seed(?P<seed>\d+)\.csv$")


class MergeError(Exception):
    pass


RUN_COLUMNS = ["method", "seed", "radio", "devices", "fogs", "rounds", "rejected",
               "d2d_tree_rebuilds"]
ROUND_COLUMNS = ["latency_s", "radio_energy_J", "compute_energy_J", "device_up_bytes",
                 "device_down_bytes", "backhaul_bytes", "d2d_bytes", "stragglers",
                 "closed_form_latency_s", "closed_form_energy_J"]


def read_rows(path, required=()):
    """The rows of a CSV file, refusing one that lacks a column the table needs."""
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise MergeError(f"{path}: no column {', '.join(missing)}")
        return list(reader)


def g(x):
    """A number as C++'s default ostream (6 significant digits) writes it."""
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    return "{:.6g}".format(x)


def fixed3(x):
    return "nan" if math.isnan(x) else "{:.3f}".format(x)


def mean(v):
    return sum(v) / len(v) if v else float("nan")


def stddev(v):
    if len(v) < 2:
        return 0.0
    m = mean(v)
    return math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1))


def round_half_away(x):
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def collect(folders):
    """{method: {seed: (folder, run row)}}, refusing duplicates and mixed settings."""
    runs = {}
    for folder in folders:
        folder = pathlib.Path(folder)
        if not folder.is_dir():
            raise MergeError(f"{folder}: not a folder")
        found = False
        for path in sorted(folder.iterdir()):
            m = RUN_FILE.match(path.name)
            if not m:
                continue
            found = True
            rows = read_rows(path, RUN_COLUMNS)
            if len(rows) != 1:
                raise MergeError(f"{path}: expected one row, found {len(rows)}")
            row = rows[0]
            method, seed = row["method"], int(row["seed"])
            if (method, seed) != (m["method"], int(m["seed"])):
                raise MergeError(f"{path}: holds {method} seed {seed}")
            by_seed = runs.setdefault(method, {})
            if seed in by_seed:
                raise MergeError(
                    f"{method} seed {seed} is in both {by_seed[seed][0]} and {folder}")
            by_seed[seed] = (folder, row)
        if not found:
            raise MergeError(f"{folder}: no run-<method>-seed<S>.csv (made by hffm-paper-table "
                             "before the merge script existed?)")
    for method, by_seed in runs.items():
        for key in ("radio", "devices", "fogs", "rounds"):
            values = {row[key] for _, row in by_seed.values()}
            if len(values) > 1:
                raise MergeError(f"{method}: runs differ in {key}: {sorted(values)}")
    return runs


def tasks_of(header):
    return [c[len("acc_"):-len("_pct")] for c in header
            if c.startswith("acc_") and c.endswith("_pct")]


def summarize(method, by_seed):
    rounds = []
    acc = {}
    tasks = None
    rejected = rebuilds = 0
    first = None
    for seed in sorted(by_seed):
        folder, run = by_seed[seed]
        first = first or run
        rejected += int(run["rejected"])
        rebuilds += int(run["d2d_tree_rebuilds"])
        rounds += read_rows(folder / f"rounds-{method}-seed{seed}.csv", ROUND_COLUMNS)
        nodes_path = folder / f"nodes-{method}-seed{seed}.csv"
        nodes = read_rows(nodes_path)
        node_tasks = tasks_of(nodes[0].keys()) if nodes else []
        if tasks is None:
            tasks = node_tasks
        elif node_tasks != tasks:
            raise MergeError(f"{nodes_path}: tasks {node_tasks}, other runs {tasks}")
        for node in nodes:
            for t in tasks:
                if node[f"acc_{t}_pct"] != "":
                    acc.setdefault(t, []).append(float(node[f"acc_{t}_pct"]))
    n = len(rounds) if rounds else float("nan")
    per_seed = len(by_seed)

    def total(col, kind=float):
        return sum(kind(r[col]) for r in rounds)

    latency, radio_j, compute_j = total("latency_s"), total("radio_energy_J"), total(
        "compute_energy_J")
    return {
        "method": method,
        "radio": first["radio"],
        "devices": first["devices"],
        "fogs": first["fogs"],
        "seeds": per_seed,
        "rounds": first["rounds"],
        "latency": latency / n,
        "radio_j": radio_j / n,
        "compute_j": compute_j / n,
        "tasks": tasks or [],
        "acc": {t: (mean(acc.get(t, [])), stddev(acc.get(t, []))) for t in tasks or []},
        "up": total("device_up_bytes", int) / per_seed,
        "down": total("device_down_bytes", int) / per_seed,
        "backhaul": total("backhaul_bytes", int) / per_seed,
        "d2d": total("d2d_bytes", int) / per_seed,
        "stragglers": total("stragglers", int),
        "rejected": rejected,
        "cf_latency": total("closed_form_latency_s") / n,
        "cf_energy": total("closed_form_energy_J") / n,
        "rebuilds": rebuilds,
    }


def write(rows, output):
    tasks = rows[0]["tasks"]
    for r in rows:
        if r["tasks"] != tasks:
            raise MergeError(f"{r['method']}: tasks {r['tasks']}, other methods {tasks}")
    output.mkdir(parents=True, exist_ok=True)
    header = ["method", "radio", "devices", "fogs", "seeds", "rounds", "latency_per_round_s",
              "radio_energy_per_round_J", "compute_energy_per_round_J", "energy_per_round_J"]
    for t in tasks:
        header += [f"acc_{t}_pct", f"acc_{t}_std"]
    header += ["device_up_bytes", "device_down_bytes", "backhaul_bytes", "d2d_bytes",
               "stragglers", "rejected", "closed_form_latency_per_round_s",
               "closed_form_energy_per_round_J", "d2d_tree_rebuilds"]
    text = ["method".ljust(14) + "rounds".rjust(7) + "latency/rd".rjust(12)
            + "radio J/rd".rjust(12) + "compute J/rd".rjust(14)
            + "".join(("acc " + t + " %").rjust(16) for t in tasks)
            + "device up MB".rjust(14) + "device dn MB".rjust(14) + "backhaul MB".rjust(14)
            + "D2D MB".rjust(10) + "formula s/rd".rjust(14) + "formula J/rd".rjust(14)]
    with open(output / "summary.csv", "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        for r in rows:
            line = [r["method"], r["radio"], r["devices"], r["fogs"], r["seeds"], r["rounds"],
                    g(r["latency"]), g(r["radio_j"]), g(r["compute_j"]),
                    g(r["radio_j"] + r["compute_j"])]
            cells = ""
            for t in tasks:
                m, s = r["acc"][t]
                line += [g(m), g(s)]
                cells += f"{m:.2f} ± {s:.2f}".rjust(16)
            line += [round_half_away(r["up"]), round_half_away(r["down"]),
                     round_half_away(r["backhaul"]), round_half_away(r["d2d"]), r["stragglers"],
                     r["rejected"], g(r["cf_latency"]), g(r["cf_energy"]), r["rebuilds"]]
            out.writerow(line)
            text.append(r["method"].ljust(14) + str(r["rounds"]).rjust(7)
                        + fixed3(r["latency"]).rjust(12) + fixed3(r["radio_j"]).rjust(12)
                        + fixed3(r["compute_j"]).rjust(14) + cells
                        + fixed3(r["up"] / 1e6).rjust(14) + fixed3(r["down"] / 1e6).rjust(14)
                        + fixed3(r["backhaul"] / 1e6).rjust(14) + fixed3(r["d2d"] / 1e6).rjust(10)
                        + fixed3(r["cf_latency"]).rjust(14) + fixed3(r["cf_energy"]).rjust(14))
    (output / "summary.txt").write_text("\n".join(text) + "\n")
    return "\n".join(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", required=True, type=pathlib.Path,
                        help="folder for summary.csv and summary.txt")
    parser.add_argument("folders", nargs="+", help="hffm-paper-table run folders")
    args = parser.parse_args()
    try:
        runs = collect(args.folders)
        order = [m for m in METHOD_ORDER if m in runs] + sorted(
            m for m in runs if m not in METHOD_ORDER)
        rows = [summarize(m, runs[m]) for m in order]
        text = write(rows, args.output)
    except (MergeError, OSError, ValueError) as e:
        print(f"merge-paper-tables: {e}", file=sys.stderr)
        return 2
    seeds = sorted({s for by_seed in runs.values() for s in by_seed})
    print(text)
    print(f"(seeds {', '.join(map(str, seeds))}; accuracy: mean ± standard deviation over "
          f"devices and seeds; bytes per seed)\nresults in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
