#!/usr/bin/env bash
# Lints the csr RTL with verilator --lint-only -Wall (flags and file list: csr.vc) for every
# parameter set that rtl_models/CMakeLists.txt builds, plus corner sets. Any warning fails.
# Usage: rtl_models/lint.sh   (from any directory)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERILATOR="${VERILATOR:-verilator}"
sets=(
  ""                                                                   # csr_top defaults (csr_rtl, csr_rtl_sc)
  "-GENABLE_FAULTS=1 -GRUNTIME_KNOBS=1"                                # csr_fi_a
  "-GENABLE_FAULTS=1 -GRUNTIME_KNOBS=1 -GACC_BITS=18 -GMULT_BITS=12 -GLUT_INDEX_BITS=4 -GOUT_BITS=12 -GD_MAX=256"
  "-GENABLE_FAULTS=1 -GRUNTIME_KNOBS=1 -GLANES=8 -GMULT_BITS=31 -GLUT_INDEX_BITS=12 -GOUT_BITS=10 -GD_MAX=512"
  "-GACC_BITS=16 -GMULT_BITS=2 -GLUT_INDEX_BITS=20 -GOUT_BITS=24 -GROUNDING=3 -GACC_WRAP=1 -GD_MAX=64"
  "-GLANES=1 -GD_MAX=1 -GFAULT=7"
  "-GLANES=3 -GD_MAX=48 -GROUNDING=1"
)
status=0
for s in "${sets[@]}"; do
  # shellcheck disable=SC2086
  if out=$("$VERILATOR" --lint-only -F "$here/csr.vc" --top-module csr_top $s 2>&1); then
    echo "lint ok   : csr_top ${s:-(defaults)}"
  else
    echo "lint FAIL : csr_top ${s:-(defaults)}"
    echo "$out"
    status=1
  fi
done
# The testbench too (its own top, same rules).
if out=$("$VERILATOR" --lint-only -F "$here/csr.vc" "$here/tb/csr_tb_readmemh.sv" --top-module csr_tb_readmemh --timing --timescale 1ns/1ps 2>&1); then
  echo "lint ok   : csr_tb_readmemh"
else
  echo "lint FAIL : csr_tb_readmemh"
  echo "$out"
  status=1
fi
exit $status
