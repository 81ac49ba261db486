#!/usr/bin/env bash
# fuzz.sh TARGET|all [SECONDS] [JOBS]: a long libFuzzer campaign (tests/fuzz/README.md).
#
# TARGET is one of fuzz_npy fuzz_hex fuzz_knobs_json fuzz_vector_manifest fuzz_model_json, or
# "all" (each target in turn, SECONDS each). SECONDS defaults to 600, JOBS (parallel fuzzing
# processes) to 1. Builds build-fuzz/ first (installing clang like scripts/fuzz_smoke.sh does).
#
# The corpus grows in build-fuzz/corpus/<target>/ (seeded from tests/fuzz/corpus/<target>/,
# kept between campaigns; never written back into the repository). Crash, leak, timeout and
# OOM inputs land in build-fuzz/artifacts/<target>/; logs in build-fuzz/logs/. Promote a
# finding by copying its input to tests/fuzz/regressions/<target>/ with a descriptive name.
#
# Modes (MODE=plain|fork; the default is plain for JOBS=1 and fork for JOBS > 1):
#   plain  one libFuzzer process (JOBS=1) or -jobs=JOBS -workers=JOBS; each process stops at
#          its first finding. The fastest mode: use it for long runs of the in-memory targets.
#   fork   libFuzzer fork mode (-fork=JOBS) with -ignore_crashes/-ignore_timeouts/-ignore_ooms:
#          the campaign keeps going after a finding and collects them all (slower: every job is
#          a fresh process).
# Other environment: COSIM_FUZZ_BUILD (build folder), FUZZ_TIMEOUT (s per input, 10),
# FUZZ_RSS_MB (2048), FUZZ_ARGS (extra libFuzzer flags), COSIM_FUZZ_SKIP_DATAPATH=1 (README).
#
# Prints per target: "fuzz_npy: N execs in S s (R exec/s), C new findings, corpus M files".
# Exit status: 0 when no new finding, 1 otherwise, 2 on a usage or build problem.
set -uo pipefail

ALL=(fuzz_npy fuzz_hex fuzz_knobs_json fuzz_vector_manifest fuzz_model_json)
usage() {
  echo "usage: $0 TARGET|all [SECONDS] [JOBS]   (TARGET: ${ALL[*]})" >&2
  exit 2
}
if [ $# -lt 1 ] || [ $# -gt 3 ]; then usage; fi
TARGET=$1
SECS=${2:-600}
JOBS=${3:-1}
if ! [[ "$SECS" =~ ^[0-9]+$ ]] || [ "$SECS" -lt 1 ]; then usage; fi
if ! [[ "$JOBS" =~ ^[0-9]+$ ]] || [ "$JOBS" -lt 1 ]; then usage; fi
if [ "$TARGET" = all ]; then
  TARGETS=("${ALL[@]}")
else
  [[ " ${ALL[*]} " == *" $TARGET "* ]] || usage
  TARGETS=("$TARGET")
fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${COSIM_FUZZ_BUILD:-$ROOT/build-fuzz}
FUZZ=$ROOT/tests/fuzz
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
die() { echo "fuzz: $*" >&2; exit 2; }

# --- toolchain and build ---------------------------------------------------------------------
# shellcheck source=scripts/fuzz_build.sh
. "$ROOT/scripts/fuzz_build.sh"
mkdir -p "$BUILD/logs"

# Scratch folders of the file-based targets (one per fuzzing process) go here, removed at the end.
RUN_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cosim-fuzz-run.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$RUN_TMP"' EXIT
export TMPDIR=$RUN_TMP

findings() { find "$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort; }

STATUS=0
for t in "${TARGETS[@]}"; do
  corpus=$BUILD/corpus/$t
  art=$BUILD/artifacts/$t
  mkdir -p "$corpus" "$art"
  cp -n "$FUZZ/corpus/$t"/* "$corpus"/ 2>/dev/null  # seed; existing files are kept
  findings "$art" >"$RUN_TMP/before"
  stamp=$(date +%Y%m%d-%H%M%S)
  log=$BUILD/logs/$t-$stamp.log
  flags=(-max_total_time="$SECS" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}"
         -artifact_prefix="$art/" -print_final_stats=1 -print_funcs=0)
  [ -f "$FUZZ/dict/$t.dict" ] && flags+=("-dict=$FUZZ/dict/$t.dict")
  # shellcheck disable=SC2206
  extra=(${FUZZ_ARGS:-})
  echo "fuzz: $t for $SECS s, $JOBS job(s), ${MODE:-$([ "$JOBS" -gt 1 ] && echo fork || echo plain)} mode; log $log"
  start=$SECONDS
  mode=${MODE:-$([ "$JOBS" -gt 1 ] && echo fork || echo plain)}
  if [ "$mode" = plain ]; then
    if [ "$JOBS" -gt 1 ]; then
      # -jobs writes fuzz-<n>.log into the current folder.
      jdir=$BUILD/logs/$t-$stamp.jobs
      mkdir -p "$jdir"
      (cd "$jdir" && "$BUILD/$t" "${flags[@]}" "${extra[@]}" -jobs="$JOBS" -workers="$JOBS" "$corpus") >"$log" 2>&1
      # The controller's log already echoes each finished job's log: count from the job files.
      execs=$(cat "$jdir"/fuzz-*.log 2>/dev/null | grep -E "^stat::number_of_executed_units:" | awk '{s += $2} END {print s + 0}')
    else
      "$BUILD/$t" "${flags[@]}" "${extra[@]}" "$corpus" >"$log" 2>&1
      execs=$(grep -E "^stat::number_of_executed_units:" "$log" | awk '{s += $2} END {print s + 0}')
    fi
  elif [ "$mode" = fork ]; then
    "$BUILD/$t" "${flags[@]}" "${extra[@]}" -fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
      "$corpus" >"$log" 2>&1
    execs=$(grep -oE "^#[0-9]+:" "$log" | tail -1 | tr -d '#:')
    execs=${execs:-0}
  else
    die "MODE must be plain or fork"
  fi
  secs=$((SECONDS - start))
  findings "$art" >"$RUN_TMP/after"
  new=$(comm -13 "$RUN_TMP/before" "$RUN_TMP/after")
  nnew=$(printf '%s' "$new" | grep -c . || true)
  rate=$((execs / (secs > 0 ? secs : 1)))
  echo "$t: $execs execs in $secs s ($rate exec/s), $nnew new findings, corpus $(find "$corpus" -type f | wc -l) files"
  if [ "$nnew" -gt 0 ]; then
    STATUS=1
    printf '%s\n' "$new" | sed 's/^/  /'
    grep -E "ERROR:|SUMMARY:|ORACLE FAILURE|runtime error|what\(\):" "$log" | sort | uniq -c | sort -rn | head -10 |
      sed 's/^/  /'
  fi
done
exit $STATUS
