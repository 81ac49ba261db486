#!/usr/bin/env bash
# setup.sh: install what a fresh Debian 12 machine lacks, then configure and build.
# Safe to run twice: packages already present are not reinstalled, and the build is incremental.
#   scripts/setup.sh [BUILD_DIR]        (default: build)
# Environment: COSIM_CMAKE_ARGS adds configure options (e.g. -DCOSIM_WITH_CUDA=OFF).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build}"

PACKAGES=(cmake g++ make pkg-config verilator libsystemc-dev nlohmann-json3-dev libgtest-dev
          python3-numpy chromium)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

JOBS="$(nproc 2>/dev/null || echo 2)"
# shellcheck disable=SC2086
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release ${COSIM_CMAKE_ARGS:-} >"$BUILD_DIR.configure.log" 2>&1 ||
  { cat "$BUILD_DIR.configure.log"; exit 1; }
grep -A4 "asic-cosim configuration" "$BUILD_DIR.configure.log" | sed 's/^-- //' || true
cmake --build "$BUILD_DIR" -j "$JOBS"
