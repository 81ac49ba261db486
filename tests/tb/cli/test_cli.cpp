// cosim as a user runs it: bad input gets a clear message and a distinct non-zero exit code,
// and nothing half-written is left that verifies.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/vectors/golden/temp_dir.h"
#include "vectors/io/atomic_file.h"

namespace {

struct Result {
  int code;
  std::string out;  // stdout and stderr together
};

Result Cosim(const std::string& args) {
  Result r{-1, ""};
  FILE* p = popen((std::string(COSIM_BINARY) + " " + args + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

void ExpectError(const std::string& args, int code, const std::string& needle) {
  const Result r = Cosim(args);
  EXPECT_EQ(r.code, code) << args << "\n" << r.out;
  EXPECT_NE(r.out.find(needle), std::string::npos) << args << "\n" << r.out;
}

TEST(Cli, HelpListsEveryOptionAndCommand) {
  const Result top = Cosim("--help");
  EXPECT_EQ(top.code, 0);
  for (const char* c : {"regress", "sweep", "cosim", "vectors", "vectors verify", "model export", "profiles"}) {
    EXPECT_NE(top.out.find(c), std::string::npos) << c;
  }
  const Result reg = Cosim("regress --help");
  EXPECT_EQ(reg.code, 0);
  for (const char* o : {"--model", "--layers", "--profile", "--set", "--config", "--se-factors", "--device", "--out"}) {
    EXPECT_NE(reg.out.find(o), std::string::npos) << o;
  }
}

TEST(Cli, UsageErrorsExitTwo) {
  ExpectError("frobnicate", 2, "unknown command 'frobnicate'");
  ExpectError("vectors --colour red --out x", 2, "unknown option '--colour'");
  ExpectError("vectors --seq-len", 2, "needs a value");
  ExpectError("vectors --seq-len abc --out x", 2, "expects an integer");
  ExpectError("vectors --seq-len 0 --out x", 2, "out of range");
  ExpectError("vectors", 2, "--out DIR is required");
  ExpectError("vectors --out x --layers 5-2", 2, "reversed");
  ExpectError("vectors --out x --profile int-lot", 2, "unknown hardware profile 'int-lot'");
  ExpectError("vectors --out x --set rounding=nearest", 2, "half-away");
  ExpectError("vectors --out x --set acc_bits=99", 2, "acc_bits");
  ExpectError("vectors --out x --model mamba-7b", 2, "neither a built-in model");
  ExpectError("regress --se-factors 0.5", 2, "scale factor");
  ExpectError("regress --device tpu --layers 0 --seq-len 8", 2, "--device 'tpu'");
}

TEST(Cli, BadEnvironmentIsAUsageError) {
  const std::string env = "FLOAT_SIM_SCALE_FACTOR=abc ";
  FILE* p = popen((env + COSIM_BINARY + " regress --layers 0 --seq-len 8 2>&1").c_str(), "r");
  std::string out;
  char buf[1024];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 2) << out;
  EXPECT_NE(out.find("FLOAT_SIM_SCALE_FACTOR"), std::string::npos) << out;
}

TEST(Cli, BadRunFilesExitThreeNamingTheFileAndKey) {
  cosim::testing::TempDir d;
  const std::string f = d.path() + "/run.json";
  cosim::vec::WriteFileAtomic(f, "{\"model\": \"mamba-130m\", \"seq_len\": ");
  ExpectError("vectors --config " + f, 3, "run.json");
  cosim::vec::WriteFileAtomic(f, "{\"seq_len\": 16, \"colour\": 1}");
  ExpectError("vectors --config " + f, 3, "unknown key 'colour'");
  cosim::vec::WriteFileAtomic(f, "{\"seq_len\": \"long\"}");
  ExpectError("vectors --config " + f, 3, "seq_len");
  cosim::vec::WriteFileAtomic(f, "{\"hardware\": {\"output_bits\": 40}}");
  ExpectError("vectors --out x --config " + f, 3, "output_bits");
  cosim::vec::WriteFileAtomic(f, "{\"schema_version\": 7}");
  ExpectError("vectors --out x --config " + f, 6, "newer");
  ExpectError("vectors --out x --config " + d.path() + "/missing.json", 4, "missing.json");
}

TEST(Cli, RunFileAndOverridesProduceTheSameVectorsAsOptions) {
  cosim::testing::TempDir d;
  const std::string f = d.path() + "/run.json";
  cosim::vec::WriteFileAtomic(f, R"({"model": "mamba-130m", "layers": "1", "seq_len": 8, "profile": "fp32-sfu",
                                     "hardware": {"rounding": "half-even"}})");
  ASSERT_EQ(Cosim("vectors --config " + f + " --out " + d.path() + "/a --seq-len 12").code, 0);
  ASSERT_EQ(Cosim("vectors --layers 1 --seq-len 12 --profile fp32-sfu --set rounding=half-even --out " + d.path() +
                  "/b").code, 0);
  EXPECT_EQ(cosim::vec::ReadFile(d.path() + "/a/manifest.json"), cosim::vec::ReadFile(d.path() + "/b/manifest.json"));
}

TEST(Cli, VerifyDetectsTruncatedAndIncompleteFolders) {
  cosim::testing::TempDir d;
  ASSERT_EQ(Cosim("vectors --layers 0,1 --seq-len 16 --out " + d.path() + "/v").code, 0);
  EXPECT_EQ(Cosim("vectors verify " + d.path() + "/v").code, 0);
  const std::string y = d.path() + "/v/layer_01/y.npy";
  const std::string bytes = cosim::vec::ReadFile(y);
  cosim::vec::WriteFileAtomic(y, bytes.substr(0, bytes.size() - 10));
  ExpectError("vectors verify " + d.path() + "/v", 5, "layer_01/y.npy");
  const Result hw = Cosim("cosim --vectors " + d.path() + "/v --layers 1");
  if (hw.out.find("has no SystemC model") == std::string::npos) {  // only where the hardware side is built
    EXPECT_EQ(hw.code, 5) << hw.out;
    EXPECT_NE(hw.out.find("y.npy"), std::string::npos) << hw.out;
  }
  std::remove((d.path() + "/v/manifest.json").c_str());
  ExpectError("vectors verify " + d.path() + "/v", 5, "incomplete");
}

TEST(Cli, DamagedModelFolderIsAClearError) {
  cosim::testing::TempDir d;
  ASSERT_EQ(Cosim("model export --model mamba-130m --out " + d.path() + "/m").code, 0);
  std::string j = cosim::vec::ReadFile(d.path() + "/m/model.json");
  const size_t at = j.find("\"output_scale\"");
  ASSERT_NE(at, std::string::npos);
  j.replace(j.find(':', at) + 1, j.find(',', at) - j.find(':', at) - 1, " -0.5");
  cosim::vec::WriteFileAtomic(d.path() + "/m/model.json", j);
  ExpectError("vectors --model " + d.path() + "/m --layers 0 --seq-len 8 --out " + d.path() + "/v", 3, "output_scale");
}

TEST(Cli, RegressPassesAndAPlantedFaultFails) {
  cosim::testing::TempDir d;
  const Result ok = Cosim("regress --layers 3 --seq-len 64 --out " + d.path() + "/r");
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_NE(ok.out.find("PASS"), std::string::npos);
  const Result bad = Cosim("regress --layers 3 --seq-len 64 --fsim-fault 1 --out " + d.path() + "/r2");
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(bad.out.find("MISMATCH float-sim-int8 vs asic: layer 3"), std::string::npos) << bad.out;
}

TEST(Cli, RegressWithoutHardwareRunsTheRestAndReportsPeakMemory) {
  cosim::testing::TempDir d;
  const Result r = Cosim("regress --layers 0-1 --seq-len 64 --no-rtl --no-systemc --device host --out " + d.path() + "/r");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("PASS: float-sim INT8 == ASIC model, bit for bit (SystemC model and RTL not run)"),
            std::string::npos)
      << r.out;
  const size_t at = r.out.find("peak memory: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const long mib = std::strtol(r.out.c_str() + at + 13, nullptr, 10);
  EXPECT_GT(mib, 0) << r.out;
  EXPECT_NE(r.out.find(" MiB resident", at), std::string::npos) << r.out;
}

}  // namespace
