// test_util.h: shared helpers for the cosim_vecio tests (temp folders, error expectations).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <string>

#include "sim/core/error.h"

namespace cosim::vec::testing {

// A fresh directory under the gtest temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string base = ::testing::TempDir();
    if (base.empty()) base = "/tmp/";
    if (base.back() != '/') base += '/';
    std::string tmpl = base + "vecio_test_XXXXXX";
    if (::mkdtemp(&tmpl[0]) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed for " << tmpl;
    }
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Runs f, expects a cosim::Error with `code` whose message contains every one of `parts`.
inline void ExpectError(const std::function<void()>& f, ExitCode code,
                        std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "expected cosim::Error (code " << static_cast<int>(code)
                  << "), nothing was thrown";
  } catch (const Error& e) {
    EXPECT_EQ(static_cast<int>(e.code()), static_cast<int>(code)) << "message: " << e.what();
    for (const std::string& p : parts) {
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
          << "message \"" << e.what() << "\" does not mention \"" << p << "\"";
    }
  }
}

// True when /usr/bin/python3 exists and imports numpy.
inline bool HaveSystemNumpy() {
  static const bool have =
      std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0;
  return have;
}

}  // namespace cosim::vec::testing
