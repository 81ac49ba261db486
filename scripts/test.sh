#!/usr/bin/env bash
# test.sh: install what is missing, build everything this machine can build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
ctest --test-dir build --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
