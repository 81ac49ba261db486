#!/usr/bin/env bash
# run.sh: the main job on the built-in default model (mamba-130m, L=2048).
# Installs what is missing, builds, then runs `cosim regress` with any extra arguments given.
#   scripts/run.sh [cosim regress options]     e.g. scripts/run.sh --layers 0-3 --out my_run
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >/dev/null
exec build/tb/cli/cosim regress "$@"
