// Golden vector folders: determinism, round trips through npy/hex/manifest, integrity checks.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "sim/core/error.h"
#include "tests/vectors/golden/temp_dir.h"
#include "vectors/golden/golden.h"
#include "vectors/io/atomic_file.h"
#include "vectors/io/hex.h"
#include "vectors/io/json_util.h"
#include "vectors/io/npy.h"
#include "vectors/io/sha256.h"

namespace cosim::gold {
namespace {

using cosim::testing::TempDir;

std::unique_ptr<Model> Small(uint64_t seed = 1) {
  SyntheticOptions o;
  o.seed = seed;
  o.calib_len = 64;
  return MakeSyntheticModel("tiny", 3, 32, o);
}

VectorSetOptions SmallRun() {
  VectorSetOptions v;
  v.batch = 2;
  v.seq_len = 37;
  v.write.hex_intermediates = true;
  return v;
}

std::string Slurp(const std::string& p) { return vec::ReadFile(p); }

TEST(Golden, SameSeedGivesByteIdenticalFoldersAcrossThreadCounts) {
  TempDir a, b;
  VectorSetOptions o = SmallRun();
  WriteVectorSet(*Small(), HwConfig::Named("int-lut"), a.path(), o);
  o.threads = 3;
  WriteVectorSet(*Small(), HwConfig::Named("int-lut"), b.path(), o);
  EXPECT_EQ(Slurp(a.path() + "/manifest.json"), Slurp(b.path() + "/manifest.json"));
  const auto m = vec::ParseJsonFile(a.path() + "/layer_01/manifest.json");
  for (auto it = m["files"].begin(); it != m["files"].end(); ++it) {
    EXPECT_EQ(Slurp(a.path() + "/layer_01/" + it.key()), Slurp(b.path() + "/layer_01/" + it.key())) << it.key();
  }
  TempDir c;
  WriteVectorSet(*Small(2), HwConfig::Named("int-lut"), c.path(), SmallRun());
  EXPECT_NE(Slurp(a.path() + "/layer_01/x.npy"), Slurp(c.path() + "/layer_01/x.npy"));
}

TEST(Golden, FilesRoundTripThroughNpyHexAndManifest) {
  for (const char* profile : {"int-lut", "fp32-sfu"}) {
    TempDir d;
    WriteVectorSet(*Small(), HwConfig::Named(profile), d.path(), SmallRun());
    const VerifyResult vr = VerifyVectorSet(d.path());
    EXPECT_TRUE(vr.problems.empty()) << vr.problems.front();
    EXPECT_EQ(vr.layers, 3);
    const LayerVectors want = ComputeLayer(*Small(), 2, 2, 37, HwConfig::Named(profile));
    const LayerVectors got = LoadLayerFolder(d.path() + "/layer_02");
    EXPECT_EQ(got.input.x, want.input.x);
    EXPECT_EQ(got.layer.weight, want.layer.weight);
    EXPECT_EQ(got.layer.input_scale, want.layer.input_scale);
    EXPECT_EQ(got.result.y, want.result.y);
    EXPECT_EQ(got.result.acc, want.result.acc);
    const std::string ld = d.path() + "/layer_02/";
    const auto yhex = vec::ReadHex(ld + "y.hex", 8, true);
    ASSERT_EQ(yhex.size(), want.result.y.size());
    for (size_t i = 0; i < yhex.size(); ++i) ASSERT_EQ(yhex[i], want.result.y[i]);
    const auto xhex = vec::ReadHex(ld + "x.hex", 8, true);
    for (size_t i = 0; i < xhex.size(); ++i) ASSERT_EQ(xhex[i], want.input.x[i]);
    const auto acc = vec::ReadHex(ld + "acc.hex", 32, true);
    for (size_t i = 0; i < acc.size(); ++i) ASSERT_EQ(acc[i], want.result.acc[i]);
    if (std::string(profile) == "int-lut") {
      const auto lut = vec::ReadHex(ld + "silu_lut.hex", 8, true);
      ASSERT_EQ(lut.size(), want.compiled.lut.size());
      for (size_t i = 0; i < lut.size(); ++i) ASSERT_EQ(lut[i], want.compiled.lut[i]);
      const auto mult = vec::ReadHex(ld + "mult.hex", 16, false);
      EXPECT_EQ(mult[5], want.compiled.mult[5]);
      const auto idx = vec::ReadNpy(ld + "index.npy");
      vec::ExpectNpy(idx, vec::DType::kI16, {2, 32, 37}, "index");
      for (int64_t i = 0; i < idx.count(); ++i) ASSERT_EQ(idx.as<int16_t>()[i], want.result.index[i]);
    } else {
      vec::ExpectNpy(vec::ReadNpy(ld + "pre_act.npy"), vec::DType::kF32, {2, 32, 37}, "pre_act");
    }
  }
}

TEST(Golden, WideOutputCodesUseWiderDtypes) {
  TempDir d;
  HwConfig hw = HwConfig::FromJson({{"output_bits", 12}, {"lut_index_bits", 14}, {"output_scale_divisor", 16}},
                                   HwConfig::Named("int-lut"), "test");
  WriteVectorSet(*Small(), hw, d.path(), SmallRun());
  vec::ExpectNpy(vec::ReadNpy(d.path() + "/layer_00/y.npy"), vec::DType::kI16, {2, 32, 37}, "y");
  vec::ExpectNpy(vec::ReadNpy(d.path() + "/layer_00/silu_lut.npy"), vec::DType::kI16, {1 << 14}, "lut");
  EXPECT_EQ(LoadLayerFolder(d.path() + "/layer_00").result.y, ComputeLayer(*Small(), 0, 2, 37, hw).result.y);
}

TEST(Golden, OneChangedByteIsDetected) {
  TempDir d;
  WriteVectorSet(*Small(), HwConfig::Named("int-lut"), d.path(), SmallRun());
  for (const char* file : {"y.hex", "y.npy", "silu_lut.hex", "params.json"}) {
    const std::string p = d.path() + "/layer_01/" + file;
    std::string bytes = vec::ReadFile(p);
    const size_t at = bytes.size() - 3;
    bytes[at] = static_cast<char>(bytes[at] == '1' ? '2' : '1');
    vec::WriteFileAtomic(p, bytes);
    const VerifyResult vr = VerifyVectorSet(d.path());
    ASSERT_EQ(vr.problems.size(), 1u) << file;
    EXPECT_NE(vr.problems[0].find(file), std::string::npos) << vr.problems[0];
    EXPECT_THROW(LoadLayerFolder(d.path() + "/layer_01"), Error);
    bytes[at] = static_cast<char>(bytes[at] == '1' ? '2' : '1');  // restore (same byte as before)
    WriteVectorSet(*Small(), HwConfig::Named("int-lut"), d.path(), SmallRun());
    EXPECT_TRUE(VerifyVectorSet(d.path()).problems.empty());
  }
  // A layer manifest edited to match an edited file is caught by the top manifest's sha256.
  const std::string m = d.path() + "/layer_00/manifest.json";
  vec::WriteFileAtomic(m, vec::ReadFile(m) + " ");
  EXPECT_FALSE(VerifyVectorSet(d.path()).problems.empty());
}

TEST(Golden, CompiledParametersThatDisagreeWithTheCompileStepAreRefused) {
  TempDir d;
  WriteVectorSet(*Small(), HwConfig::Named("int-lut"), d.path(), SmallRun());
  // Rewrite mult.npy with one multiplier changed and re-sign the layer manifest, as a tool that
  // compiled differently would: the files verify, but the folder contradicts the contract.
  const std::string ld = d.path() + "/layer_00";
  vec::NpyArray m = vec::ReadNpy(ld + "/mult.npy");
  std::vector<int32_t> mult(m.as<int32_t>(), m.as<int32_t>() + m.count());
  mult[3] += 1;
  const std::string bytes = vec::EncodeNpy(vec::DType::kI32, m.shape, mult.data(), mult.size() * 4);
  vec::WriteFileAtomic(ld + "/mult.npy", bytes);
  auto man = vec::ParseJsonFile(ld + "/manifest.json");
  man["files"]["mult.npy"]["sha256"] = vec::Sha256Hex(bytes);
  vec::WriteFileAtomic(ld + "/manifest.json", vec::DumpJsonStable(man));
  try {
    LoadLayerFolder(ld);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kIntegrity);
    EXPECT_NE(std::string(e.what()).find("channel 3"), std::string::npos) << e.what();
  }
}

TEST(Golden, IncompleteSetDoesNotVerify) {
  TempDir d;
  WriteVectorSet(*Small(), HwConfig::Named("int-lut"), d.path(), SmallRun());
  std::remove((d.path() + "/manifest.json").c_str());
  try {
    VerifyVectorSet(d.path());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kIntegrity);
  }
  WriteVectorSet(*Small(), HwConfig::Named("int-lut"), d.path(), SmallRun());
  std::remove((d.path() + "/layer_02/y.npy").c_str());
  EXPECT_FALSE(VerifyVectorSet(d.path()).problems.empty());
}

TEST(Golden, NumpyLoadsEveryFileWithTheDocumentedShapeAndDtype) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with numpy not installed (apt-get install python3-numpy)";
  }
  TempDir d;
  WriteVectorSet(*Small(), HwConfig::Named("int-lut"), d.path(), SmallRun());
  const std::string script = d.path() + "/check.py";
  std::ofstream(script) << R"PY(
import json, sys, numpy as np
d = sys.argv[1]
m = json.load(open(d + "/layer_01/manifest.json"))
n = 0
for name, meta in m["files"].items():
    if name.endswith(".npy"):
        a = np.load(d + "/layer_01/" + name)
        assert str(a.dtype) == meta["dtype"], (name, a.dtype, meta["dtype"])
        assert list(a.shape) == meta["shape"], (name, a.shape, meta["shape"])
        n += 1
x = np.load(d + "/layer_01/x.npy"); w = np.load(d + "/layer_01/weight.npy")
assert x.shape == (2, 32, 37) and w.shape == (32, 4)
print("numpy-ok", n)
)PY";
  FILE* p = popen(("/usr/bin/python3 " + script + " " + d.path()).c_str(), "r");
  char buf[256] = {0};
  const size_t got = fread(buf, 1, sizeof buf - 1, p);
  EXPECT_EQ(pclose(p), 0);
  EXPECT_NE(std::string(buf, got).find("numpy-ok 12"), std::string::npos) << buf;
}

}  // namespace
}  // namespace cosim::gold
