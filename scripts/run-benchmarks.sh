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
#    for 10 to 400 devices on Wi-Fi (802.11ax) and LTE.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh > /dev/null
B=${BUILD_DIR:-build}
out=results/bench
mkdir -p "$out"

"$B/bench/hffm-bench-codec" --benchmark_min_time=0.5 --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_out="$out/codec.json" \
  --benchmark_out_format=json | tee "$out/codec.txt"

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

# federated rounds: wall time per round split into learning (LibTorch) and simulation (ns-3
# and the applications), for 10 to 400 devices on Wi-Fi and LTE (one fog per
# 10 devices, hierarchical with a cloud sync every round, 100 samples per device)
echo "radio,devices,fogs,learning_wall_s_per_round,simulation_wall_s_per_round,simulation_fraction,simulated_s_per_round" \
  > "$out/federated-scale.csv"
for radio in wifi lte; do
  for n in 10 40 100 400; do
    # Wi-Fi: 802.11ax with A-MPDU (the helper's default)
    "$B/bench/hffm-bench-federated-scale" --radio=$radio --devices=$n --rounds=1 > "$out/scale.txt"
    get() { sed -n "s/^$1=//p" "$out/scale.txt"; }
    echo "$radio,$n,$(get fogs),$(get learning_wall_s_per_round),$(get simulation_wall_s_per_round),$(get simulation_fraction),$(get simulated_s_per_round)" \
      >> "$out/federated-scale.csv"
  done
done
column -s, -t "$out/federated-scale.csv"
