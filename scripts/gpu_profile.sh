#!/usr/bin/env bash
# gpu_profile.sh: Nsight Compute counters of the int8 codes kernels (docs/floatsim.md section 5).
#
# On a CUDA machine with ncu: builds fsim_bench (BUILD_DIR, default build-gpu-profile), profiles
# one launch of every codes8 kernel at SIZE (default 8x1536x4096) and prints per kernel: duration
# under the profiler, instructions per element, issue-slot use, ALU and FMA pipe use, shared-memory
# wavefronts per element and registers per thread ("acc": the acc-table kernel, acctable.h).
#   scripts/gpu_profile.sh [SIZE [fsim_bench options...]]   e.g. 8x1536x4096 --ytable-copies 1
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-gpu-profile}
size=${1:-8x1536x4096}
shift $(( $# > 0 ? 1 : 0 ))
command -v ncu >/dev/null || { echo "gpu_profile: ncu (Nsight Compute) not found" >&2; exit 2; }
[[ "$size" =~ ^[0-9]+x[0-9]+x[0-9]+$ ]] || { echo "usage: $0 [BxDxL [fsim_bench options...]]" >&2; exit 2; }
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCOSIM_WITH_SYSTEMC=OFF -DCOSIM_WITH_VERILATOR=OFF \
  -DCOSIM_WITH_CUDA=ON -DCOSIM_BUILD_TESTS=OFF >"$build.configure.log" 2>&1
cmake --build "$build" -j "${JOBS:-16}" --target fsim_bench >"$build.build.log" 2>&1
exe=$(find "$build" -type f -name fsim_bench -perm -u+x | head -n 1)
csv=$(mktemp)
trap 'rm -f "$csv"' EXIT
m=gpu__time_duration.sum,smsp__inst_executed.sum,smsp__issue_active.avg.pct_of_peak_sustained_active
m+=,sm__pipe_alu_cycles_active.avg.pct_of_peak_sustained_active,sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_active
m+=,l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum,launch__registers_per_thread
ncu --metrics "$m" -k regex:Codes8 --csv --page raw "$exe" --size "$size" --iters 1 "$@" >"$csv" 2>/dev/null
python3 - "$csv" "$size" <<'PY'
import csv, io, re, sys
lines = open(sys.argv[1]).read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith('"ID"'))
rows = list(csv.reader(io.StringIO("\n".join(lines[start:]))))
hdr = rows[0]
col = {h: i for i, h in enumerate(hdr)}
B, D, L = (int(v) for v in sys.argv[2].split("x"))
n = B * D * L
ops = {"0": "int8-quamba", "1": "int8-quamba-fastexp", "3": "naive-fake-quant", "4": "int8-asic/int-lut",
       "5": "int8-asic/fp32-sfu", "6": "float-sim-int8/int-lut", "7": "float-sim-int8/fp32-sfu"}
last = {}
for r in rows[2:]:
    if len(r) > col["Kernel Name"]:
        last[r[col["Kernel Name"]]] = r  # the last launch of each kernel (after the warm-up ones)
num = lambda r, k: float(r[col[k]].replace(",", ""))
print(f"{'kernel (codes8)':26} {'us':>8} {'instr/elem':>10} {'issue %':>8} {'ALU %':>6} {'FMA %':>6} {'LDS wf/elem':>11} {'regs':>5}")
for name, r in last.items():
    op = re.match(r"\d+", name.split("Codes8Kernel<")[1]).group()
    label = ops.get(op, op) + (" acc" if "AccCodes8Kernel" in name else "")
    print(f"{label:26} {num(r, 'gpu__time_duration.sum') / 1000:8.1f} "
          f"{num(r, 'smsp__inst_executed.sum') * 32 / n:10.2f} "
          f"{num(r, 'smsp__issue_active.avg.pct_of_peak_sustained_active'):8.1f} "
          f"{num(r, 'sm__pipe_alu_cycles_active.avg.pct_of_peak_sustained_active'):6.1f} "
          f"{num(r, 'sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_active'):6.1f} "
          f"{num(r, 'l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum') / n:11.3f} "
          f"{int(num(r, 'launch__registers_per_thread')):5d}")
PY
