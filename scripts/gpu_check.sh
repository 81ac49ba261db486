#!/usr/bin/env bash
# gpu_check.sh: build and validate gpu_ref on a CUDA machine, then benchmark it.
#
# Runs on the GPU machine as it is (no Verilator, no SystemC, no network): configures a Release
# build with -DCOSIM_WITH_SYSTEMC=OFF -DCOSIM_WITH_VERILATOR=OFF (from the top-level CMakeLists.txt,
# or, if that fails to configure, from a generated top that adds only gpu_ref and its tests),
# builds the gpu_ref targets, runs the device and host tests, runs fsim_bench and the PyTorch eager
# baseline at 1x1536x2048, 8x1536x4096, 16x5120x4096, and prints one table:
#   mode, size, GB/s, % of the device-to-device copy bandwidth, x vs PyTorch eager, the y-table
#   build time, and the % of the copy again with fsim_bench --pdl off (each launch waiting for the
#   one before it to end, instead of copying its tables meanwhile: DeviceLayer::UseDependentLaunch).
# The table also goes to $OUT/gpu_check.txt (and the test XML to $OUT/) when $OUT is set.
#
#   scripts/gpu_check.sh            # BUILD_DIR=build-gpu by default; JOBS=16
# Exit status: 0 when every test passed and the benchmarks ran, 1 otherwise.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-gpu}
jobs=${JOBS:-16}
out=${OUT:-}
sizes=(1x1536x2048 8x1536x4096 16x5120x4096)
status=0
log() { printf '== %s\n' "$*" >&2; }

cmake_args=(-DCMAKE_BUILD_TYPE=Release -DCOSIM_WITH_SYSTEMC=OFF -DCOSIM_WITH_VERILATOR=OFF
            -DCOSIM_WITH_CUDA=ON -DCOSIM_BUILD_TESTS=ON)

logs="$build/gpu_check-logs"
mkdir -p "$logs"
log "configure $build"
if ! cmake -S "$root" -B "$build" "${cmake_args[@]}" >"$logs/configure.log" 2>&1; then
  log "top-level configure failed (see $logs/configure.log); using a gpu_ref-only top"
  top="$build/fsim-only-top"
  build="$build/fsim-only"
  mkdir -p "$top"
  cat >"$top/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.22)
project(fsim_only LANGUAGES C CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
list(APPEND CMAKE_MODULE_PATH $root/cmake)
include(CosimWarnings)
include(CosimFeatures)
enable_testing()
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
add_subdirectory(/usr/src/googletest \${CMAKE_BINARY_DIR}/_googletest EXCLUDE_FROM_ALL)
if(NOT TARGET GTest::gtest_main)
  add_library(GTest::gtest_main ALIAS gtest_main)
  add_library(GTest::gtest ALIAS gtest)
endif()
include(GoogleTest)
add_subdirectory($root/gpu_ref gpu_ref)
add_subdirectory($root/tests/gpu_ref tests/gpu_ref)
CMAKE
  cmake -S "$top" -B "$build" "${cmake_args[@]}" >"$logs/configure-fsim-only.log" 2>&1 ||
    { cat "$logs/configure-fsim-only.log" >&2; log "configure failed"; exit 1; }
fi

log "build"
cmake --build "$build" -j "$jobs" --target cosim_fsim_host cosim_fsim_cuda test_fsim_host \
  test_fsim_device fsim_bench >"$logs/build.log" 2>&1 ||
  { tail -n 60 "$logs/build.log" >&2; log "build failed"; exit 1; }
have_core=0
if cmake --build "$build" -j "$jobs" --target test_fsim_vs_core >>"$logs/build.log" 2>&1; then
  have_core=1
else
  log "test_fsim_vs_core not built (sim/core missing or not building); skipped"
fi

run_test() {
  local name=$1 exe
  exe=$(find "$build" -type f -name "$name" -perm -u+x | head -n 1)
  [ -n "$exe" ] || { log "$name: not found"; status=1; return; }
  local xml=()
  [ -n "$out" ] && xml=(--gtest_output="xml:$out/$name.xml")
  log "test $name"
  if ! "$exe" "${xml[@]}" >"$logs/$name.log" 2>&1; then
    status=1
    grep -E '^\[  FAILED|Failure' -A6 "$logs/$name.log" | head -n 80 >&2
  fi
  grep -E '^\[  (PASSED|FAILED|SKIPPED) |device:|differ|platform expf|exp32 worst|exact ties|^y-table' "$logs/$name.log" >&2
}
run_test test_fsim_device
run_test test_fsim_host
[ "$have_core" = 1 ] && run_test test_fsim_vs_core

# The main job on the GPU: float-sim modes on the device, checked bit for bit against the ASIC
# model core: all 24 layers of mamba-130m at L=2048, and two mamba-2.8b-size layers at L=4096.
# Then the checkpoint import end to end where torch is (tests/scripts/test_export_torch.py).
cosim_bin=""
if cmake --build "$build" -j "$jobs" --target cosim >>"$logs/build.log" 2>&1; then
  cosim_bin=$(find "$build" -type f -name cosim -perm -u+x | head -n 1)
fi
regress_rows=""
if [ -n "$cosim_bin" ]; then
  for spec in "mamba-130m all 2048" "mamba-2.8b 0,63 4096"; do
    set -- $spec
    log "cosim regress --device gpu --model $1 --layers $2 --seq-len $3"
    if "$cosim_bin" regress --device gpu --model "$1" --layers "$2" --seq-len "$3" --out "$logs/regress-$1" \
         >"$logs/regress-$1.log" 2>&1; then verdict=PASS; else verdict=FAIL; status=1; fi
    fs=$(awk '/^float-sim-int8 vs asic/ {print $6}' "$logs/regress-$1.log")
    naive=$(awk '/^naive-fake-quant vs asic/ {print $6}' "$logs/regress-$1.log")
    wall=$(sed -n 's/^stage seconds.*wall //p' "$logs/regress-$1.log")
    regress_rows+=$(printf '%-12s layers %-4s L=%-5s float-sim-int8 vs asic mismatches %s, naive fake-quant mismatches %s, %s s: %s' \
                    "$1" "$2" "$3" "${fs:-?}" "${naive:-?}" "${wall:-?}" "$verdict")$'\n'
    grep -E '^(float-sim|int8-|naive|research)' "$logs/regress-$1.log" >&2 || tail -n 20 "$logs/regress-$1.log" >&2
  done
  log "checkpoint import (torch)"
  python3 "$root/tests/scripts/test_export_torch.py" "$cosim_bin" >"$logs/export_torch.log" 2>&1
  rc=$?
  if [ $rc = 0 ]; then regress_rows+="checkpoint import (torch): $(tail -n 1 "$logs/export_torch.log")"$'\n';
  elif [ $rc = 77 ]; then regress_rows+="checkpoint import (torch): skipped (no torch)"$'\n';
  else status=1; regress_rows+="checkpoint import (torch): FAILED"$'\n'; cat "$logs/export_torch.log" >&2; fi
else
  log "cosim not built; the regress rows are skipped"
fi

bench=$(find "$build" -type f -name fsim_bench -perm -u+x | head -n 1)
size_args=()
for s in "${sizes[@]}"; do size_args+=(--size "$s"); done
log "fsim_bench"
"$bench" "${size_args[@]}" >"$logs/bench.log" 2>&1 || { status=1; cat "$logs/bench.log" >&2; }
log "fsim_bench --pdl off"
"$bench" "${size_args[@]}" --pdl off >"$logs/bench-pdl-off.log" 2>&1 || { status=1; cat "$logs/bench-pdl-off.log" >&2; }
log "PyTorch eager baseline"
python3 "$root/scripts/bench_torch_fakequant.py" "${size_args[@]}" >"$logs/torch.log" 2>&1 ||
  { log "PyTorch baseline failed (column left empty)"; cat "$logs/torch.log" >&2; }

table=$(cat "$logs/bench.log" "$logs/bench-pdl-off.log" "$logs/torch.log" 2>/dev/null | awk '
  /^device:/ && !dev { dev = $0 }
  /^RESULT / {
    delete f
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    key = f["mode"] SUBSEP f["size"]
    if (f["mode"] == "pytorch-eager") { torch[f["size"]] = f["gbps"]; next }
    if (f["pdl"] == "off") { if (f["mode"] != "memcpy-d2d") off[key] = 100 * f["gbps"] / f["copy_gbps"]; next }
    if (!(key in seen)) { order[++n] = key; seen[key] = 1 }
    gbps[key] = f["gbps"]; copy[key] = f["copy_gbps"]; plan[key] = ("plan_ms" in f) ? f["plan_ms"] : "-"
  }
  END {
    if (dev) print dev
    printf "%-26s %-14s %10s %10s %14s %16s %12s\n", "mode", "size", "GB/s", "% of copy", "x PyTorch eager", "y-table build ms", "no PDL"
    for (i = 1; i <= n; i++) {
      split(order[i], k, SUBSEP)
      t = (k[2] in torch) ? sprintf("%.1fx", gbps[order[i]] / torch[k[2]]) : "-"
      o = (order[i] in off) ? sprintf("%.1f%%", off[order[i]]) : "-"
      printf "%-26s %-14s %10.1f %9.1f%% %14s %16s %12s\n", k[1], k[2], gbps[order[i]], 100 * gbps[order[i]] / copy[order[i]], t, plan[order[i]], o
    }
    for (s in torch) printf "%-26s %-14s %10.1f %10s %14s\n", "pytorch-eager", s, torch[s], "", "1.0x"
  }')
printf '%s\n\n%s' "$table" "$regress_rows"
if [ -n "$out" ]; then
  mkdir -p "$out"
  { printf '%s\n\n%s' "$table" "$regress_rows"; echo; echo "tests: $([ $status = 0 ] && echo passed || echo FAILED)"; } >"$out/gpu_check.txt"
  cp "$logs"/*.log "$out/" 2>/dev/null || true
fi
[ $status = 0 ] && log "all tests passed" || log "SOME TESTS FAILED"
exit $status
