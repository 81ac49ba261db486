// fuzz_common.h: small helpers shared by the libFuzzer targets (tests/fuzz/README.md).
//
// Contract of every target: for any input the code under test either returns normally or
// throws cosim::Error (the project's one exception type, sim/core/error.h); the target catches
// cosim::Error and returns 0. Anything else (another exception, a sanitizer report, a leak, a
// hang) escapes to libFuzzer and is a finding. Some targets also check an oracle (a round trip,
// an invariant of the result) on inputs that were accepted; a violated oracle aborts through
// OracleFailure so that libFuzzer saves the input like any other crash.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace cosim_fuzz {

[[noreturn]] inline void OracleFailure(const char* target, const std::string& what) {
  std::fprintf(stderr, "==%d== %s: ORACLE FAILURE: %s\n", static_cast<int>(::getpid()), target,
               what.c_str());
  std::fflush(stderr);
  std::abort();
}

// A problem of the fuzz harness itself (scratch folder not writable, ...): not a finding in the
// code under test, but it must not pass silently either.
[[noreturn]] inline void HarnessFailure(const std::string& what) {
  std::fprintf(stderr, "fuzz harness error: %s\n", what.c_str());
  std::fflush(stderr);
  std::_Exit(3);
}

// The file-based targets also run a successfully loaded layer through the model core
// (CompileLayer/RunLayer), as a consumer would. COSIM_FUZZ_SKIP_DATAPATH=1 in the environment
// skips that step, to keep fuzzing the parsers while a known datapath finding is open.
inline bool RunDatapath() {
  static const bool run = [] {
    const char* v = std::getenv("COSIM_FUZZ_SKIP_DATAPATH");
    return v == nullptr || *v == '\0' || std::strcmp(v, "0") == 0;
  }();
  return run;
}

// Replaces the contents of `path` with exactly [data, data + size). Plain write + ftruncate:
// no fsync, no temp file and no truncation to zero first (ext4 flushes a file that is
// truncated to zero and rewritten on close, which made the file-based targets 10x slower).
inline void WriteInput(const std::string& path, const uint8_t* data, size_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) HarnessFailure(path + ": cannot open for writing: " + std::strerror(errno));
  off_t off = 0;
  while (static_cast<size_t>(off) < size) {
    const ssize_t n = ::pwrite(fd, data + off, size - static_cast<size_t>(off), off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      HarnessFailure(path + ": write failed: " + std::strerror(errno));
    }
    off += n;
  }
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    ::close(fd);
    HarnessFailure(path + ": ftruncate failed: " + std::strerror(errno));
  }
  if (::close(fd) != 0) HarnessFailure(path + ": close failed: " + std::strerror(errno));
}

}  // namespace cosim_fuzz
