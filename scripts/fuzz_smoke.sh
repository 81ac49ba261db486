#!/usr/bin/env bash
# fuzz_smoke.sh [SECONDS_PER_TARGET]: the CI smoke run of the libFuzzer targets (tests/fuzz/).
#
#  1. installs clang + libclang-rt-14-dev when `clang++ -fsanitize=fuzzer` does not work
#     (apt-get update + install, only then; running it twice is safe);
#  2. configures (once) and builds build-fuzz/ (-j2);
#  3. replays every file of tests/fuzz/corpus/<target>/ and tests/fuzz/regressions/<target>/
#     (each must return cleanly; a failing file is named with its first error lines);
#  4. fuzzes each target for SECONDS_PER_TARGET (default 15) on a COPY of its corpus in a
#     temporary folder (the repository is never written), and prints one line per target:
#       fuzz_npy: N execs in S s, 0 crashes
#
# Exit status: 0 when nothing crashed, 1 otherwise (crash inputs are kept under
# build-fuzz/smoke-artifacts/<target>/ and their paths are printed). Environment:
#   COSIM_FUZZ_BUILD   build folder (default build-fuzz)
#   COSIM_FUZZ_SKIP_DATAPATH=1   see tests/fuzz/README.md
set -uo pipefail

SECS=${1:-15}
if ! [[ "$SECS" =~ ^[0-9]+$ ]] || [ "$SECS" -lt 1 ]; then
  echo "usage: $0 [SECONDS_PER_TARGET]   (a positive integer, default 15)" >&2
  exit 2
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${COSIM_FUZZ_BUILD:-$ROOT/build-fuzz}
FUZZ=$ROOT/tests/fuzz
TARGETS=(fuzz_npy fuzz_hex fuzz_knobs_json fuzz_vector_manifest fuzz_model_json)
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
T0=$SECONDS

die() { echo "fuzz_smoke: $*" >&2; exit 2; }

# --- 1-2. toolchain and build ---------------------------------------------------------------
# shellcheck source=scripts/fuzz_build.sh
. "$ROOT/scripts/fuzz_build.sh"
echo "fuzz_smoke: build-fuzz ready in $((SECONDS - T0)) s"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cosim-fuzz-smoke.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT
# The file-based targets make their scratch folders under $TMPDIR: keep them in WORK.
mkdir -p "$WORK/tmp"
export TMPDIR=$WORK/tmp

# First lines that say what went wrong in a libFuzzer log.
why() {
  grep -E "ERROR:|SUMMARY:|ORACLE FAILURE|runtime error|terminate called|what\(\):|harness error" "$1" | head -6 |
    sed 's/^/    /'
  grep -E "^ +#[0-9]+ " "$1" | grep -F "$ROOT/" | grep -v "+0x" | head -6 | sed 's/^ */      /'
}

FAILED=0

# --- 3. replay ----------------------------------------------------------------------------------
for t in "${TARGETS[@]}"; do
  mapfile -t files < <(find "$FUZZ/corpus/$t" "$FUZZ/regressions/$t" -type f ! -name '.*' ! -name '*.md' 2>/dev/null | sort)
  nreg=$(find "$FUZZ/regressions/$t" -type f ! -name '.*' ! -name '*.md' 2>/dev/null | wc -l)
  if [ "${#files[@]}" -eq 0 ]; then
    echo "replay $t: no inputs"
    continue
  fi
  log=$WORK/replay-$t.log
  if "$BUILD/$t" -timeout=10 -rss_limit_mb=2048 "${files[@]}" >"$log" 2>&1; then
    echo "replay $t: $((${#files[@]} - nreg)) corpus + $nreg regression inputs OK"
    continue
  fi
  FAILED=1
  echo "replay $t: FAILED; failing inputs:"
  for f in "${files[@]}"; do
    if ! "$BUILD/$t" -timeout=10 -rss_limit_mb=2048 "$f" >"$log" 2>&1; then
      echo "  CRASH ${f#"$ROOT"/}"
      why "$log"
    fi
  done
done

# --- 4. fuzz ------------------------------------------------------------------------------------
for t in "${TARGETS[@]}"; do
  corpus=$WORK/corpus/$t
  art=$BUILD/smoke-artifacts/$t
  mkdir -p "$corpus" "$art"
  cp "$FUZZ/corpus/$t"/* "$corpus"/ 2>/dev/null
  dict=()
  [ -f "$FUZZ/dict/$t.dict" ] && dict=("-dict=$FUZZ/dict/$t.dict")
  log=$WORK/fuzz-$t.log
  start=$SECONDS
  timeout -k 10 $((SECS * 2 + 120)) "$BUILD/$t" "$corpus" "${dict[@]}" -max_total_time="$SECS" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -print_funcs=0 -artifact_prefix="$art/" >"$log" 2>&1
  rc=$?
  secs=$((SECONDS - start))
  execs=$(grep -E "^stat::number_of_executed_units:" "$log" | tail -1 | awk '{print $2}')
  [ -n "$execs" ] || execs=$(grep -oE "^#[0-9]+" "$log" | tail -1 | tr -d '#')
  [ -n "$execs" ] || execs=0
  if [ $rc -eq 0 ]; then
    echo "$t: $execs execs in $secs s, 0 crashes"
  else
    FAILED=1
    unit=$(grep -oE "(Test unit written to|Crash input saved to:?) \S+" "$log" | tail -1 | awk '{print $NF}')
    echo "$t: $execs execs in $secs s, 1 crash (exit $rc): ${unit:-no input saved, see below}"
    why "$log"
    cp "$log" "$art/last-smoke.log" 2>/dev/null && echo "    full log: $art/last-smoke.log"
  fi
done

echo "fuzz_smoke: done in $((SECONDS - T0)) s: $([ $FAILED -eq 0 ] && echo "no crashes" || echo "CRASHES FOUND")"
exit $FAILED
