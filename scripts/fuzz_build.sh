# fuzz_build.sh: sourced by scripts/fuzz.sh and scripts/fuzz_smoke.sh. Makes sure clang's
# libFuzzer works (installing clang and libclang-rt-14-dev when it does not, apt-get update first)
# and configures and builds the fuzz targets into $BUILD from $FUZZ. The caller defines die().
# --- 1. toolchain -------------------------------------------------------------------------------
probe_fuzzer() {
  command -v clang++ >/dev/null 2>&1 || return 1
  local d rc
  d=$(mktemp -d "${TMPDIR:-/tmp}/cosim-fuzz-probe.XXXXXX") || return 1
  printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' >"$d/p.cpp"
  clang++ -fsanitize=fuzzer,address,undefined "$d/p.cpp" -o "$d/p" >/dev/null 2>&1
  rc=$?
  rm -rf "$d"
  return $rc
}
if ! probe_fuzzer; then
  echo "fuzz: clang++ -fsanitize=fuzzer does not work here: installing clang and libclang-rt-14-dev"
  SUDO=
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: apt-get install -y clang libclang-rt-14-dev"
    SUDO=sudo
  fi
  $SUDO apt-get update -q || die "apt-get update failed"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang libclang-rt-14-dev || die "apt-get install failed"
  probe_fuzzer || die "clang++ -fsanitize=fuzzer still fails after installing clang and libclang-rt-14-dev"
fi
command -v cmake >/dev/null 2>&1 || die "cmake not found (apt-get install -y cmake)"

# --- 2. build -----------------------------------------------------------------------------------
mkdir -p "$BUILD"
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$FUZZ" -B "$BUILD" -DCMAKE_CXX_COMPILER=clang++ >"$BUILD/configure.log" 2>&1 ||
    { tail -30 "$BUILD/configure.log"; die "configure failed (log: $BUILD/configure.log)"; }
fi
cmake --build "$BUILD" -j"$(nproc 2>/dev/null || echo 2)" >"$BUILD/build.log" 2>&1 ||
  { grep -E "error|Error" "$BUILD/build.log" | head -30; die "build failed (log: $BUILD/build.log)"; }
