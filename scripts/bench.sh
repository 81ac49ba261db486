#!/usr/bin/env bash
# bench.sh: the project's benchmarks in one table; every row is set against a baseline measured
# in the same run (never against a number written down somewhere).
#   scripts/bench.sh [--quick]        (--quick: skip the scaling fit)
# Rows: model core vs a plain scalar loop; SystemC model vs the model core; Verilator RTL cycles/s
# (C++ driver) vs the model core's outputs/s; the whole mamba-130m stack checked through the
# SystemC-clocked RTL; cosim regress wall time by stage; cost vs L, D and layer count at three
# sizes each with the fitted exponent. The GPU rows come from scripts/gpu_check.sh on a GPU machine.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
# COSIM_BUILD_DIR: use an existing build instead of installing and building into build/.
B="${COSIM_BUILD_DIR:-build}"
[ -n "${COSIM_BUILD_DIR:-}" ] || scripts/setup.sh build >/dev/null
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
ROWS="$TMP/rows"
: >"$ROWS"
row() { printf '%-44s %-22s %-26s %s\n' "$1" "$2" "$3" "$4" >>"$ROWS"; }
field() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' | head -n 1; }
div() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN {printf f, a / b}'; }
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >"$TMP/last.txt" 2>&1 || true; t1=$(date +%s.%N);
            awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

# 1. Model core vs the scalar reference loop (same data, same run).
"$B/sim/core/core_bench" >"$TMP/core.txt"
ref=$(grep 'scalar reference' "$TMP/core.txt" | awk '{print $(NF-3)}')
one=$(grep 'RunLayer (1 thread)' "$TMP/core.txt" | awk '{print $(NF-3)}')
mt=$(grep 'threads)' "$TMP/core.txt" | awk '{print $(NF-3)}')
row "model core, 1 thread (M outputs/s)" "$one" "scalar loop $ref" "$(div "$one" "$ref" '%.2fx')"
row "model core, all threads (M outputs/s)" "$mt" "scalar loop $ref" "$(div "$mt" "$ref" '%.2fx')"

# 2. SystemC model vs the model core.
if [ -x "$B/sim/systemc/sc_model_bench" ]; then
  "$B/sim/systemc/sc_model_bench" >"$TMP/sc.txt" 2>&1
  core=$(grep 'cosim::RunLayer' "$TMP/sc.txt" | awk '{print $(NF-2)}')
  scm=$(grep 'ScAsicModel::RunLayer' "$TMP/sc.txt" | awk '{print $(NF-2)}')
  row "SystemC model (M outputs/s)" "$scm" "model core $core" "$(div "$scm" "$core" '%.2fx (target >= 0.5x)')"
else
  row "SystemC model" "not built" "" ""
fi

# 3. Verilator RTL, C++ driver, 16 lanes, one core.
if [ -x "$B/rtl_models/csr_rtl_bench" ]; then
  "$B/rtl_models/csr_rtl_bench" --repeat 3 >"$TMP/rtl.txt" 2>&1
  cyc=$(grep -o '[0-9.]* M cycles/s' "$TMP/rtl.txt" | sort -n | tail -n 1 | awk '{print $1}')
  outs=$(grep -o '[0-9.]* M outputs/s' "$TMP/rtl.txt" | sort -n | tail -n 1 | awk '{print $1}')
  row "RTL, Verilator C++, 16 lanes (M cycles/s)" "$cyc" "target 5" "$(div "$cyc" "5" '%.2fx of target')"
  row "RTL, Verilator C++ (M outputs/s)" "$outs" "model core $one" "$(div "$outs" "$one" '%.2fx')"
else
  row "RTL (Verilator)" "not built" "" ""
fi

# 4. The whole mamba-130m stack through the SystemC-clocked RTL (24 layers, L=2048, bubbles).
if [ -x "$B/tb/sc/sc_tb_bench" ]; then
  t=$(seconds "$B/tb/sc/sc_tb_bench")
  row "mamba-130m stack through RTL + SystemC (s)" "$(printf '%.1f' "$t")" "target 30" "$(div "$t" "30" '%.2fx of budget')"
fi

# 5. cosim regress, the default main job, wall time by stage.
"$B/tb/cli/cosim" regress --out "$TMP/report" >"$TMP/regress.txt" 2>&1 || true
stages=$(grep '^stage seconds' "$TMP/regress.txt" | sed 's/stage seconds: //')
wall=$(echo "$stages" | sed 's/.*wall //')
row "cosim regress, default (s)" "$wall" "target 60" "$(div "$wall" "60" '%.2fx of budget')"
row "  by stage" "$stages" "" ""

# 6. Scaling of cost with L, D and layer count (3 sizes each), fitted exponent of time ~ size^k.
fit() {  # prints the least-squares slope of log(t) against log(n) for "n t" lines on stdin
  awk '{x = log($1); y = log($2); sx += x; sy += y; sxx += x * x; sxy += x * y; n++}
       END {printf "%.2f", (n * sxy - sx * sy) / (n * sxx - sx * sx)}'
}
if [ "$QUICK" = 0 ]; then
  regress_time() { "$B/tb/cli/cosim" regress --out "$TMP/scale" "$@" >"$TMP/scale.txt" 2>&1 || true;
                   grep '^stage seconds' "$TMP/scale.txt" | sed 's/.*wall //'; }
  : >"$TMP/l.txt"; : >"$TMP/d.txt"; : >"$TMP/n.txt"
  for L in 512 1024 2048; do echo "$L $(regress_time --layers 0-3 --seq-len "$L")" >>"$TMP/l.txt"; done
  for m in mamba-130m:1536 mamba-790m:3072 mamba-1.4b:4096; do
    echo "${m#*:} $(regress_time --model "${m%%:*}" --layers 0-3 --seq-len 1024)" >>"$TMP/d.txt"
  done
  for n in 3 6 12; do echo "$n $(regress_time --layers 0-$((n - 1)) --seq-len 1024)" >>"$TMP/n.txt"; done
  row "regress time vs L (512,1024,2048)" "$(tr '\n' ' ' <"$TMP/l.txt" | awk '{print $2 "," $4 "," $6 " s"}')" "exponent (1 = linear)" "$(fit <"$TMP/l.txt")"
  row "regress time vs D (1536,3072,4096)" "$(tr '\n' ' ' <"$TMP/d.txt" | awk '{print $2 "," $4 "," $6 " s"}')" "exponent (1 = linear)" "$(fit <"$TMP/d.txt")"
  row "regress time vs layers (3,6,12)" "$(tr '\n' ' ' <"$TMP/n.txt" | awk '{print $2 "," $4 "," $6 " s"}')" "exponent (1 = linear)" "$(fit <"$TMP/n.txt")"
fi

printf '\n%-44s %-22s %-26s %s\n' "measurement" "value" "baseline (same run)" "ratio"
cat "$ROWS"
