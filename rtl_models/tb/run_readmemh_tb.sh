#!/usr/bin/env bash
# run_readmemh_tb.sh: builds (cached) and runs the pure-Verilog testbench csr_tb_readmemh on one
# golden layer folder. Exit status 0 and a "PASS" line when every output matches y.hex.
#
#   run_readmemh_tb.sh [options] LAYER_DIR [B D L] [key=value ...]
#
# B, D, L and the knobs come from, in increasing priority: defaults (the int-lut profile),
# LAYER_DIR/params.json or manifest.json (read with python3 when available: "batch",
# "channels", "seq_len" and the "hardware" knobs), the positional B D L, and key=value
# overrides:
#   rounding=half-away|half-even|half-up|truncate (or 0..3)   acc_overflow=saturate|wrap
#   acc_bits=N  requant_mult_bits=N (mult_bits=)  lut_index_bits=N (lut_bits=)
#   output_bits=N (out_bits=)  lanes=N  d_max=N
# Options:
#   --build-dir DIR     where the testbench binaries are built and cached
#                       (default ${TMPDIR:-/tmp}/csr_tb_readmemh); one sub-folder per parameter set
#   --sim verilator|iverilog   simulator (default verilator, "verilator --binary")
#   --fault N           plant fault N in the DUT (the testbench must then FAIL)
#   --no-backpressure   no input bubbles, no output stalls
#   --lut-init          load the SiLU table through the DUT's LUT_INIT_FILE ($readmemh) instead of
#                       the config port
#   --max-report N      mismatches printed (default 10)
#   --build-only        build, do not run
#   -j N                build jobs (default 2)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rtl="$(cd "$here/.." && pwd)"

usage() { sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

build_root="${TMPDIR:-/tmp}/csr_tb_readmemh"
sim=verilator
fault=0
backpressure=1
lut_init=0
max_report=10
build_only=0
jobs=2
pos=()
kv=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_root="$2"; shift 2 ;;
    --sim) sim="$2"; shift 2 ;;
    --fault) fault="$2"; shift 2 ;;
    --no-backpressure) backpressure=0; shift ;;
    --lut-init) lut_init=1; shift ;;
    --max-report) max_report="$2"; shift 2 ;;
    --build-only) build_only=1; shift ;;
    -j) jobs="$2"; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "run_readmemh_tb.sh: unknown option $1" >&2; usage ;;
    *=*) kv+=("$1"); shift ;;
    *) pos+=("$1"); shift ;;
  esac
done
[ ${#pos[@]} -ge 1 ] || usage
layer="$(cd "${pos[0]}" && pwd)"

# ---- parameters: defaults, then JSON, then positional, then key=value ----
B=""; D=""; L=""
rounding=half-away; acc_bits=32; acc_overflow=saturate; mult_bits=16; lut_bits=10; out_bits=8
lanes=16; d_max=8192

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; elif command -v python3 >/dev/null; then PY=python3; fi
fi
for f in params.json manifest.json; do
  [ -f "$layer/$f" ] && [ -n "$PY" ] || continue
  vals="$("$PY" - "$layer/$f" <<'EOF' || true
import json, sys
j = json.load(open(sys.argv[1]))
def find(o, keys):
    """First scalar value of one of `keys`, searching o breadth-first."""
    todo = [o]
    while todo:
        cur = todo.pop(0)
        if isinstance(cur, dict):
            for k in keys:
                if k in cur and not isinstance(cur[k], (dict, list)):
                    return cur[k]
            todo.extend(v for v in cur.values() if isinstance(v, (dict, list)))
        elif isinstance(cur, list):
            todo.extend(cur)
    return None
# Knobs only from the hardware object ("hardware", or "knobs"): other objects reuse some names
# (the "counters" object of params.json has an "acc_overflow" event count).
hw = j.get("hardware") if isinstance(j.get("hardware"), dict) else j.get("knobs") if isinstance(j.get("knobs"), dict) else None
out = []
for name, keys, src in (("B", ("batch", "B"), j), ("D", ("channels", "D", "d_inner"), j), ("L", ("seq_len", "L"), j),
                        ("rounding", ("rounding",), hw), ("acc_bits", ("acc_bits",), hw),
                        ("acc_overflow", ("acc_overflow",), hw), ("mult_bits", ("requant_mult_bits",), hw),
                        ("lut_bits", ("lut_index_bits",), hw), ("out_bits", ("output_bits",), hw),
                        ("profile", ("profile",), hw)):
    v = find(src, keys) if src is not None else None
    if v is not None:
        out.append("%s=%s" % (name, v))
print(" ".join(out))
EOF
)"
  for a in $vals; do
    k="${a%%=*}"; v="${a#*=}"
    case "$k" in
      B|D|L|rounding|acc_bits|acc_overflow|mult_bits|lut_bits|out_bits) printf -v "$k" '%s' "$v" ;;
      profile) [ "$v" = "int-lut" ] || { echo "run_readmemh_tb.sh: $layer/$f: profile $v, the RTL implements int-lut" >&2; exit 2; } ;;
    esac
  done
  break
done
if [ ${#pos[@]} -ge 4 ]; then B="${pos[1]}"; D="${pos[2]}"; L="${pos[3]}"
elif [ ${#pos[@]} -ne 1 ]; then echo "run_readmemh_tb.sh: give B D L together" >&2; usage; fi
for a in "${kv[@]+"${kv[@]}"}"; do
  k="${a%%=*}"; v="${a#*=}"
  case "$k" in
    rounding) rounding="$v" ;;
    acc_bits) acc_bits="$v" ;;
    acc_overflow) acc_overflow="$v" ;;
    requant_mult_bits|mult_bits) mult_bits="$v" ;;
    lut_index_bits|lut_bits) lut_bits="$v" ;;
    output_bits|out_bits) out_bits="$v" ;;
    lanes) lanes="$v" ;;
    d_max) d_max="$v" ;;
    B|D|L) printf -v "$k" '%s' "$v" ;;
    *) echo "run_readmemh_tb.sh: unknown parameter $k" >&2; exit 2 ;;
  esac
done
if [ -z "$B" ] || [ -z "$D" ] || [ -z "$L" ]; then
  echo "run_readmemh_tb.sh: B, D, L unknown (no params.json/manifest.json readable): pass them as arguments" >&2
  exit 2
fi
case "$rounding" in
  half-away|0) rnd=0 ;; half-even|1) rnd=1 ;; half-up|2) rnd=2 ;; truncate|3) rnd=3 ;;
  *) echo "run_readmemh_tb.sh: rounding $rounding" >&2; exit 2 ;;
esac
case "$acc_overflow" in
  saturate|0) wrap=0 ;; wrap|1) wrap=1 ;;
  *) echo "run_readmemh_tb.sh: acc_overflow $acc_overflow" >&2; exit 2 ;;
esac
g=$(( (D + lanes - 1) / lanes ))
if [ $(( g * lanes )) -gt "$d_max" ]; then d_max=$(( g * lanes )); fi
lut_file=""
[ "$lut_init" = 1 ] && lut_file="$layer/silu_lut.hex"

params=(B="$B" D="$D" L="$L" LANES="$lanes" ACC_BITS="$acc_bits" MULT_BITS="$mult_bits"
        LUT_INDEX_BITS="$lut_bits" OUT_BITS="$out_bits" ROUNDING="$rnd" ACC_WRAP="$wrap"
        D_MAX="$d_max" FAULT="$fault" BACKPRESSURE="$backpressure" MAX_REPORT="$max_report")

# ---- sources: the csr.vc list + the testbench ----
srcs=()
while IFS= read -r line; do
  line="${line%%//*}"; line="$(echo "$line" | tr -d '[:space:]')"
  case "$line" in *.sv|*.v) srcs+=("$rtl/$line") ;; esac
done < "$rtl/csr.vc"
srcs+=("$here/csr_tb_readmemh.sv")

key="$(printf '%s\n' "$sim" "${params[@]}" "LUT_INIT_FILE=$lut_file" | cat - "${srcs[@]}" | sha1sum | cut -c1-16)"
bdir="$build_root/$sim-$key"
mkdir -p "$bdir"
# One build at a time per build folder (concurrent callers wait; the result is cached).
if command -v flock >/dev/null; then exec 9>"$bdir/.lock"; flock 9; fi
echo "run_readmemh_tb.sh: $sim, ${params[*]}${lut_file:+ LUT_INIT_FILE=$lut_file}"
echo "run_readmemh_tb.sh: build dir $bdir"

if [ "$sim" = verilator ]; then
  gargs=()
  for p in "${params[@]}"; do gargs+=("-G$p"); done
  [ -n "$lut_file" ] && gargs+=("-GLUT_INIT_FILE=\"$lut_file\"")
  if [ ! -x "$bdir/Vcsr_tb_readmemh" ]; then
    # -Wno-fatal: warnings do not stop a build (rtl_models/lint.sh is the lint gate).
    verilator --binary -j "$jobs" -Wno-fatal -Wno-lint -Wno-style --timescale 1ns/1ps --x-assign fast --x-initial fast \
      -O3 -CFLAGS -O1 --top-module csr_tb_readmemh -Mdir "$bdir" "${gargs[@]}" \
      "${srcs[@]}" > "$bdir/build.log" 2>&1 || { cat "$bdir/build.log"; exit 3; }
  fi
  [ "$build_only" = 1 ] && exit 0
  run=("$bdir/Vcsr_tb_readmemh" "+layer=$layer")
elif [ "$sim" = iverilog ]; then
  command -v iverilog >/dev/null || { echo "run_readmemh_tb.sh: iverilog not installed" >&2; exit 3; }
  pargs=()
  for p in "${params[@]}"; do pargs+=("-Pcsr_tb_readmemh.$p"); done
  [ -n "$lut_file" ] && pargs+=("-Pcsr_tb_readmemh.LUT_INIT_FILE=\"$lut_file\"")
  if [ ! -f "$bdir/tb.vvp" ]; then
    iverilog -g2012 -s csr_tb_readmemh -o "$bdir/tb.vvp" "${pargs[@]}" "${srcs[@]}" \
      > "$bdir/build.log" 2>&1 || { cat "$bdir/build.log"; exit 3; }
  fi
  [ "$build_only" = 1 ] && exit 0
  run=(vvp -n "$bdir/tb.vvp" "+layer=$layer")
else
  echo "run_readmemh_tb.sh: unknown simulator $sim" >&2; exit 2
fi

# $fatal ends a Verilator binary with abort(): no core file, and a plain exit status 1 on FAIL.
ulimit -c 0 2>/dev/null || true
if command -v flock >/dev/null; then flock -u 9; fi
log="$(mktemp "${TMPDIR:-/tmp}/csr_tb_run.XXXXXX")"   # per run: runs may share a build dir
trap 'rm -f "$log"' EXIT
set +e
"${run[@]}" > "$log" 2>&1
rc=$?
set -e
cat "$log"
if grep -q '^PASS' "$log" && [ "$rc" -eq 0 ]; then exit 0; fi
echo "run_readmemh_tb.sh: FAIL (simulator exit status $rc)"
exit 1
