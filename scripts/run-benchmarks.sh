#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs the benchmarks and writes their figures to results/bench/:
#  - codec.txt / codec.json: encode, decode and round-trip throughput of each codec next to
#    memcpy of the same bytes, for modules of 64 KiB, 1 MiB and 64 MiB (Google Benchmark);
#  - goodput.csv: simulated goodput of a 6 MB module over point-to-point links of 10 Mb/s,
#    100 Mb/s and 1 Gb/s (2 ms delay), with ns-3's TCP defaults and with tuned settings;
#  - train-step.csv: ms per training step of the default M3T model (batch 64, both
#    modalities, all tasks) in C++ and in PyTorch eager (Debian's python3-torch), alternating,
#    3 runs each at 1 and 2 threads;
#  - federated-scale.csv: wall time per federated round split into learning and simulation,
#    for 10 to 400 devices on Wi-Fi (802.11ax) and LTE, 3 runs each up to 100 devices, and
#    federated-scale-median.csv, the median run of each;
#  - distributed.csv: the same round (Wi-Fi, 50 samples per device) for 100, 400 and 1000
#    devices in one process with 1 and 2 LibTorch threads and on 2 MPI ranks of ns-3's
#    distributed simulator with 1 thread each: the slowest rank's wall time, each rank's
#    learning and simulation, the largest peak memory of a rank;
#  - distributed-lte.csv: the same over LTE with two regional cores (--lteRegions=2, in
#    every run, so that one process and 2 ranks simulate the same network).
# Arguments name the benchmarks to run (codec, goodput, train-step, federated-scale,
# distributed, distributed-lte); none: all of them.
set -euo pipefail
wanted=("$@")
want() { [ ${#wanted[@]} -eq 0 ] || [[ " ${wanted[*]} " == *" $1 "* ]]; }
for w in "${wanted[@]}"; do
  case "$w" in
    codec | goodput | train-step | federated-scale | distributed | distributed-lte) ;;
    *) echo "run-benchmarks: unknown benchmark '$w' (codec, goodput, train-step, federated-scale, distributed, distributed-lte)" >&2
       exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
bash scripts/build.sh > /dev/null
B=${BUILD_DIR:-build}
out=results/bench
mkdir -p "$out"

if want codec; then
"$B/bench/hffm-bench-codec" --benchmark_min_time=0.5 --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_out="$out/codec.json" \
  --benchmark_out_format=json | tee "$out/codec.txt"
fi

if want goodput; then
echo "settings,data_rate,segment_size,tcp_buffer,transfer_time_s,min_time_payload_only_s,goodput_fraction_of_link" \
  > "$out/goodput.csv"
run() { # settings rate segment buffer
  "$B/hffm-transfer" --moduleBytes=6000000 --dataRate="$2" --delay=2ms --pcap=0 \
    --segmentSize="$3" --tcpBuffer="$4" --outputDir="$out/transfer" > "$out/transfer.txt"
  get() { sed -n "s/^$1=//p" "$out/transfer.txt"; }
  echo "$1,$2,$3,$4,$(get transfer_time_s),$(get min_time_payload_only_s),$(get goodput_fraction_of_link)" \
    >> "$out/goodput.csv"
}
for rate in 10Mbps 100Mbps 1Gbps; do
  run ns3-defaults "$rate" 536 131072
  run mss-1448 "$rate" 1448 131072
  run mss-1448-buffer-4MB "$rate" 1448 4194304
done
column -s, -t "$out/goodput.csv"
fi

if want train-step; then
echo "implementation,threads,run,ms_per_step" > "$out/train-step.csv"
for threads in 1 2; do
  for run in 1 2 3; do
    ms=$("$B/bench/hffm-bench-train-step" --threads=$threads --batch=64 --steps=40 |
      sed -n 's/^ms_per_step=//p')
    echo "cpp,$threads,$run,$ms" >> "$out/train-step.csv"
    ms=$(/usr/bin/python3 bench/train_step.py --threads=$threads --batch=64 --steps=40 |
      sed -n 's/^ms_per_step=//p')
    echo "pytorch,$threads,$run,$ms" >> "$out/train-step.csv"
  done
done
# median of the 3 runs per implementation and thread count, and the C++ / PyTorch ratio
median() { grep "^$1,$2," "$out/train-step.csv" | cut -d, -f4 | sort -g | sed -n 2p; }
for threads in 1 2; do
  cpp=$(median cpp $threads)
  py=$(median pytorch $threads)
  echo "threads=$threads cpp_ms=$cpp pytorch_ms=$py ratio=$(awk -v a="$cpp" -v b="$py" 'BEGIN { printf "%.3f", a / b }')"
done | tee "$out/train-step-summary.txt"
fi

# federated rounds: wall time per round split into learning (LibTorch) and simulation (ns-3
# and the applications), for 10 to 400 devices on Wi-Fi and LTE (one fog per
# 10 devices, hierarchical with a cloud sync every round, 100 samples per device); wall
# times vary from run to run, so up to 100 devices each runs 3 times
if want federated-scale; then
header="radio,devices,fogs,learning_wall_s_per_round,simulation_wall_s_per_round,simulation_fraction,simulated_s_per_round"
echo "run,$header" > "$out/federated-scale.csv"
echo "$header" > "$out/federated-scale-median.csv"
for radio in wifi lte; do
  for n in 10 40 100 400; do
    runs=3
    [ "$n" -gt 100 ] && runs=1
    rows=()
    for run in $(seq "$runs"); do
      # Wi-Fi: 802.11ax with A-MPDU (the helper's default)
      "$B/bench/hffm-bench-federated-scale" --radio=$radio --devices=$n --rounds=1 > "$out/scale.txt"
      get() { sed -n "s/^$1=//p" "$out/scale.txt"; }
      row="$radio,$n,$(get fogs),$(get learning_wall_s_per_round),$(get simulation_wall_s_per_round),$(get simulation_fraction),$(get simulated_s_per_round)"
      echo "$run,$row" >> "$out/federated-scale.csv"
      rows+=("$row")
    done
    # the run with the median simulation fraction
    printf '%s\n' "${rows[@]}" | sort -t, -k6 -g | sed -n "$(( (runs + 1) / 2 ))p" \
      >> "$out/federated-scale-median.csv"
  done
done
column -s, -t "$out/federated-scale-median.csv"
fi

# distributed <csv file> <topology arguments...>: one round of 100, 400 and 1000 devices in
# one process (1 and 2 LibTorch threads) and on 2 ranks (1 thread each)
distributed() {
  local csv=$1
  shift
  if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  fi
  echo "devices,fogs,ranks,threads,run_wall_s,learning_wall_s_per_rank,simulation_wall_s_per_rank,peak_memory_MB,simulated_s" \
    > "$csv"
  for n in 100 400 1000; do
    for mode in "1 1" "1 2" "2 1"; do
      read -r ranks threads <<< "$mode"
      args=("$@" --devices=$n --rounds=1 --samplesPerDevice=50 --threads=$threads)
      if [ "$ranks" -eq 1 ]; then
        "$B/bench/hffm-bench-federated-scale" "${args[@]}" > "$out/scale.txt"
      else
        mpirun --oversubscribe -np "$ranks" "$B/bench/hffm-bench-federated-scale" "${args[@]}" \
          --distributed=gtw > "$out/scale.txt"
      fi
      python3 - "$out/scale.txt" "$ranks" "$threads" >> "$csv" << 'PY'
import sys
kv = dict(l.strip().split("=", 1) for l in open(sys.argv[1]) if "=" in l)
ranks = int(sys.argv[2])
keys = [""] if ranks == 1 else [f"rank{r}_" for r in range(ranks)]
learn = "/".join(f"{float(kv[k + 'learning_wall_s_per_round']):.1f}" for k in keys)
sim = "/".join(f"{float(kv[k + 'simulation_wall_s_per_round']):.1f}" for k in keys)
peak = max(float(kv[k + "peak_memory_MB"]) for k in keys)
print(f"{kv['devices']},{kv['fogs']},{ranks},{sys.argv[3]},{float(kv['run_wall_s']):.1f},"
      f"{learn},{sim},{peak:.0f},{kv['simulated_s_per_round']}")
PY
      tail -n 1 "$csv"
    done
  done
  column -s, -t "$csv"
}
if want distributed; then
  distributed "$out/distributed.csv" --radio=wifi
fi
if want distributed-lte; then
  distributed "$out/distributed-lte.csv" --radio=lte --lteRegions=2
fi
