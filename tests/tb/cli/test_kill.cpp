// A vector run killed with SIGKILL at random points never leaves a folder that verifies but is
// wrong, and running again completes the work (docs/robustness.md, "interrupted runs").
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "sim/core/error.h"
#include "tests/vectors/golden/temp_dir.h"
#include "vectors/golden/golden.h"
#include "vectors/io/atomic_file.h"
#include "vectors/io/json_util.h"

namespace {

const char* kArgs[] = {COSIM_BINARY, "vectors", "--layers", "0-2", "--seq-len", "48", "--threads", "1", "--out"};

pid_t Start(const std::string& out) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (const char* a : kArgs) argv.push_back(const_cast<char*>(a));
    argv.push_back(const_cast<char*>(out.c_str()));
    argv.push_back(nullptr);
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execv(COSIM_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

int RunToEnd(const std::string& out) {
  int status = 0;
  waitpid(Start(out), &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Every file the manifests list, by name, with its bytes.
std::map<std::string, std::string> Files(const std::string& dir) {
  std::map<std::string, std::string> f;
  f["manifest.json"] = cosim::vec::ReadFile(dir + "/manifest.json");
  const auto top = cosim::vec::ParseJsonFile(dir + "/manifest.json");
  for (const auto& l : top["layers"]) {
    const std::string ld = l["dir"].get<std::string>();
    const auto m = cosim::vec::ParseJsonFile(dir + "/" + ld + "/manifest.json");
    for (auto it = m["files"].begin(); it != m["files"].end(); ++it) {
      f[ld + "/" + it.key()] = cosim::vec::ReadFile(dir + "/" + ld + "/" + it.key());
    }
  }
  return f;
}

bool Verifies(const std::string& dir) {
  try {
    return cosim::gold::VerifyVectorSet(dir).problems.empty();
  } catch (const cosim::Error&) {
    return false;
  }
}

TEST(Kill, FiftyRandomKillsNeverLeaveAFolderThatVerifiesButIsWrong) {
  cosim::testing::TempDir d;
  const std::string ref = d.path() + "/ref", out = d.path() + "/out";
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(RunToEnd(ref), 0);
  const double full_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const auto want = Files(ref);
  std::mt19937 rng(20261121);
  std::uniform_real_distribution<double> when(0.0, 1.1 * full_ms);
  int verified_after_kill = 0, incomplete = 0;
  for (int i = 0; i < 50; ++i) {
    const pid_t pid = Start(out);
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(when(rng) * 1000)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (Verifies(out)) {
      // Whatever verifies must be exactly the reference.
      ASSERT_EQ(Files(out), want) << "kill " << i << " left a folder that verifies but differs";
      ++verified_after_kill;
    } else {
      ++incomplete;
    }
    if (i % 10 == 9) {  // re-running after an interruption completes the work
      ASSERT_EQ(RunToEnd(out), 0);
      ASSERT_TRUE(Verifies(out));
      ASSERT_EQ(Files(out), want);
    }
  }
  RecordProperty("verified_after_kill", verified_after_kill);
  RecordProperty("incomplete_after_kill", incomplete);
  EXPECT_GT(incomplete, 0) << "no kill landed inside a run: the test did not exercise interruption";
}

}  // namespace
