#!/usr/bin/env bash
# test.sh: the README's test command (what CI runs). Installs what is missing, builds everything
# this machine can build and runs every test; then the sanitizer build of the CPU parts and its
# tests; then a short fuzzing smoke run of every parser (when tests/fuzz exists).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
ctest --test-dir build --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
scripts/sanitize.sh build-asan
if [ -x scripts/fuzz_smoke.sh ]; then
  echo "== fuzzing smoke run"
  scripts/fuzz_smoke.sh
fi
