#!/usr/bin/env bash
# sanitize.sh: build the CPU parts with AddressSanitizer + UndefinedBehaviorSanitizer and run
# their tests. Part of scripts/test.sh (what CI runs).
#   scripts/sanitize.sh [BUILD_DIR]      (default: build-asan)
# The Verilated RTL and the SystemC model are left out of this build: Debian's libsystemc is not
# instrumented and the Verilator models double the build time on 2 cores; they are covered by
# the normal build's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build-asan}"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOSIM_SANITIZE=ON \
  -DCOSIM_WITH_SYSTEMC=OFF -DCOSIM_WITH_VERILATOR=OFF -DCOSIM_WITH_CUDA=OFF >"$BUILD_DIR.configure.log" 2>&1 ||
  { cat "$BUILD_DIR.configure.log"; exit 1; }
cmake --build "$BUILD_DIR" -j "$(nproc 2>/dev/null || echo 2)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
