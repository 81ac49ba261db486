// temp_dir.h: a fresh scratch folder per test, removed afterwards.
#pragma once

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace cosim::testing {

inline std::string ShellQuote(const std::string& s) { return "'" + s + "'"; }

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string base = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/cosim_test_" +
                       info->test_suite_name() + "_" + info->name() + "_XXXXXX";
    path_ = mkdtemp(base.data()) ? base : "";
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() { (void)std::system(("rm -rf " + ShellQuote(path_)).c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace cosim::testing
