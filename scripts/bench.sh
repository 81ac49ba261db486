#!/usr/bin/env bash
# bench.sh: the project's benchmarks in one table; every row is set against a baseline measured
# in the same run (never against a number written down somewhere).
#   scripts/bench.sh [--quick] [--scale]
#     --quick: skip the scaling fit (about a minute and a half)
#     --scale: also the mamba-2.8b-size run (64 layers x 5120 channels, L=4096, batch 1; about
#              7 minutes on 2 cores), measured against the time the scaling fit predicts for it
# Rows: model core vs a plain scalar loop; SystemC model vs the model core; Verilator RTL cycles/s
# (C++ driver) vs the model core's outputs/s; the whole mamba-130m stack checked through the
# SystemC-clocked RTL; cosim regress wall time by stage; the cost of the stack that scales to
# mamba-2.8b sizes (vectors + model core + host float-sim + checker: cosim regress --no-rtl
# --no-systemc --device host; the hardware has its own rows) vs L, D and layer count at three
# sizes each, with the fitted exponents, peak memory vs layer count, and the predicted time of
# the mamba-2.8b-size run. The GPU rows come from scripts/gpu_check.sh on a GPU machine.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0
SCALE=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --scale) SCALE=1 ;;
    *) echo "usage: scripts/bench.sh [--quick] [--scale]" >&2; exit 2 ;;
  esac
done
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
"$B/sim/core/core_bench" >"$TMP/core.txt" || { echo "bench: core_bench outputs differ:" >&2; cat "$TMP/core.txt" >&2; exit 1; }
ref=$(grep 'scalar reference' "$TMP/core.txt" | awk '{print $(NF-3)}')
one=$(grep 'RunLayer (1 thread)' "$TMP/core.txt" | awk '{print $(NF-3)}')
mt=$(grep 'threads)' "$TMP/core.txt" | awk '{print $(NF-3)}')
elem=$(grep 'element-by-element' "$TMP/core.txt" | awk '{print $(NF-3)}')
row "model core, 1 thread (M outputs/s)" "$one" "scalar loop $ref" "$(div "$one" "$ref" '%.2fx')"
row "model core, all threads (M outputs/s)" "$mt" "scalar loop $ref" "$(div "$mt" "$ref" '%.2fx')"
row "  element-by-element path, 1 thread" "$elem" "scalar loop $ref" "$(div "$elem" "$ref" '%.2fx')"

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

# 6. Scaling of cost with L, D and layer count (3 sizes each) for the stack that runs at
#    mamba-2.8b sizes, and the time of the mamba-2.8b-size run it predicts. Model: a start-up
#    time T0 (a 1-layer, L=1 run), then time - T0 ~ L^kL, ~ D^kD (fitted exponents) and affine in
#    the layer count (a first-layer cost, the heap's first touch, plus a cost per layer; layers
#    stream one at a time). Prediction: T0 + (the layer fit at 64 layers, at L=1024, D=1536)
#    * (4096/1024)^kL * (5120/1536)^kD.
fit() {  # "slope intercept" of the least-squares line through "x y" lines; log-log with "log"
  awk -v lg="${1:-}" '{x = $1; y = $2; if (lg == "log") {x = log(x); y = log(y)}
       sx += x; sy += y; sxx += x * x; sxy += x * y; n++}
       END {k = (n * sxy - sx * sy) / (n * sxx - sx * sx); printf "%.6f %.6f\n", k, (sy - k * sx) / n}'
}
minus_t0() { awk -v t0="$T0" '{print $1, $2 - t0}' "$1"; }
triple() { awk -v c="$1" '{printf "%s%s", (NR > 1 ? "," : ""), $c} END {print ""}' "$2"; }
NOHW=(--no-rtl --no-systemc --device host)
point() {  # no-hardware regress runs ($REPS of them): appends "$1 min_wall_seconds max_peak_rss_MiB" to $2
  local size="$1" file="$2"
  shift 2
  local t0 t1 rc i
  : >"$TMP/reps.txt"
  for ((i = 0; i < REPS; i++)); do
    rc=0
    t0=$(date +%s.%N)
    "$B/tb/cli/cosim" regress "${NOHW[@]}" --out "$TMP/scale" "$@" >"$TMP/scale.txt" 2>&1 || rc=$?
    t1=$(date +%s.%N)
    if [ "$rc" != 0 ]; then
      echo "bench: cosim regress ${NOHW[*]} $* exited $rc:" >&2
      tail -n 5 "$TMP/scale.txt" >&2
      exit 1
    fi
    awk -v a="$t0" -v b="$t1" '/^peak memory:/ {printf "%.2f %s\n", b - a, $3}' "$TMP/scale.txt" >>"$TMP/reps.txt"
  done
  sort -n "$TMP/reps.txt" | awk -v s="$size" 'NR == 1 {t = $1} $2 > m {m = $2} END {printf "%s %.2f %s\n", s, t, m}' >>"$file"
}
if [ "$QUICK" = 0 ] || [ "$SCALE" = 1 ]; then
  # Every point is the fastest of REPS runs (other load on the machine only ever adds time).
  REPS=2
  : >"$TMP/t0.txt"; : >"$TMP/ref.txt"; : >"$TMP/l.txt"; : >"$TMP/d.txt"; : >"$TMP/n.txt"
  point 1 "$TMP/t0.txt" --layers 0 --seq-len 1
  T0=$(awk '{print $2}' "$TMP/t0.txt")
  # Reference point: 4 layers of mamba-130m (1536 channels), L=1024, shared by the three series;
  # each series varies one size from it.
  point ref "$TMP/ref.txt" --layers 0-3 --seq-len 1024
  read -r _ ref_t ref_m <"$TMP/ref.txt"
  echo "1024 $ref_t $ref_m" >>"$TMP/l.txt"
  for L in 2048 4096; do point "$L" "$TMP/l.txt" --layers 0-3 --seq-len "$L"; done
  echo "1536 $ref_t $ref_m" >>"$TMP/d.txt"
  for m in mamba-790m:3072 mamba-2.8b:5120; do
    point "${m#*:}" "$TMP/d.txt" --model "${m%%:*}" --layers 0-3 --seq-len 1024
  done
  echo "4 $ref_t $ref_m" >>"$TMP/n.txt"
  for n in 8 16; do point "$n" "$TMP/n.txt" --layers 0-$((n - 1)) --seq-len 1024; done
  read -r kl _ < <(minus_t0 "$TMP/l.txt" | fit log)
  read -r kd _ < <(minus_t0 "$TMP/d.txt" | fit log)
  read -r kn _ < <(minus_t0 "$TMP/n.txt" | fit log)
  read -r per_layer first < <(minus_t0 "$TMP/n.txt" | fit)
  row "no-hw regress start-up T0 (1 layer, L=1) (s)" "$T0" "" ""
  row "no-hw regress time vs L (1024,2048,4096)" "$(triple 2 "$TMP/l.txt") s" "exponent of time - T0" "$(printf '%.2f' "$kl")"
  row "no-hw regress time vs D (1536,3072,5120)" "$(triple 2 "$TMP/d.txt") s" "exponent of time - T0" "$(printf '%.2f' "$kd")"
  row "no-hw regress time vs layers (4,8,16)" "$(triple 2 "$TMP/n.txt") s" "exponent of time - T0" "$(printf '%.2f' "$kn")"
  row "  affine in layers: per layer, first (s)" "$(printf '%.3f, %.3f' "$per_layer" "$first")" "at L=1024, D=1536" ""
  rss_lo=$(awk 'NR == 1 {print $3}' "$TMP/n.txt"); rss_hi=$(awk 'END {print $3}' "$TMP/n.txt")
  row "peak RSS vs layers (4,8,16) (MiB)" "$(triple 3 "$TMP/n.txt")" "4 layers $rss_lo" "$(div "$rss_hi" "$rss_lo" '%.2fx (flat = 1.00x)')"
  pred=$(awk -v t0="$T0" -v b="$per_layer" -v a="$first" -v kl="$kl" -v kd="$kd" \
    'BEGIN {printf "%.1f", t0 + (a + 64 * b) * (4096 / 1024) ^ kl * (5120 / 1536) ^ kd}')
  row "2.8b-size run, predicted by the fit (s)" "$pred" "64 x 5120, L=4096, B=1" ""
  if [ "$SCALE" = 1 ]; then
    REPS=1
    : >"$TMP/big.txt"
    point 64 "$TMP/big.txt" --model mamba-2.8b --seq-len 4096 --batch 1
    read -r _ t2 m2 <"$TMP/big.txt"
    row "2.8b-size run, measured (s)" "$(printf '%.1f' "$t2")" "predicted $pred" "$(div "$t2" "$pred" '%.2fx (target 0.80-1.20x)')"
    row "2.8b-size run, peak RSS (GiB)" "$(awk -v m="$m2" 'BEGIN {printf "%.2f", m / 1024}')" "budget 24" \
        "$(awk -v m="$m2" 'BEGIN {printf "%.2fx of budget", m / 1024 / 24}')"
  fi
fi

printf '\n%-44s %-22s %-26s %s\n' "measurement" "value" "baseline (same run)" "ratio"
cat "$ROWS"
