// error.h: the one exception type of the project and its exit codes.
//
// Contract: every failure a user can cause (bad file, bad option, bad scale, failed check)
// is reported as cosim::Error with a message that names the file and field, and maps to a
// distinct non-zero process exit code. Nothing else is thrown across module boundaries.
#pragma once

#include <stdexcept>
#include <string>

namespace cosim {

enum class ExitCode : int {
  kOk = 0,
  kCheckFailed = 1,   // a bit-exact comparison failed (mismatch found)
  kUsage = 2,         // unknown option, missing argument, bad option value
  kBadInput = 3,      // malformed or out-of-range data: JSON, npy, hex, scales, shapes
  kIo = 4,            // file missing, unreadable, unwritable, truncated
  kIntegrity = 5,     // sha256 or schema mismatch in a vector folder
  kUnsupported = 6,   // a schema version from the future, a feature not built
  kInternal = 70,     // a bug: an invariant of the program itself failed
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

}  // namespace cosim
