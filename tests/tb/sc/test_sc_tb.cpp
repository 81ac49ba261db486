// The SystemC testbench: a clean RTL and model pass under random bubbles and back-pressure;
// planted RTL and model faults are caught with reports naming layer / channel / t; the
// waveform option writes a file.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "sim/core/compile.h"
#include "sim/core/datapath.h"
#include "sim/core/error.h"
#include "sim/systemc/sc_model.h"
#include "tests/sim/core/random_layer.h"
#include "tb/sc/cosim_check.h"

namespace cosim {
namespace tb {
namespace {

using cosim::testing::Knobs;
using cosim::testing::RandomLayer;
RandomLayer MakeLayer(int B, int D, int L, uint32_t seed, int index, bool per_channel = false) {
  return cosim::testing::MakeRandomLayer(B, D, L, seed, per_channel, index);
}

CosimOptions Noisy(uint64_t seed = 1) {
  CosimOptions o;
  o.seed = seed;
  o.bubble_rate = 0.3;
  o.backpressure_rate = 0.3;
  o.rtl_timeout_cycles = 2000;
  return o;
}

std::string Joined(const LayerCheck& r) {
  std::string s;
  for (const auto& rep : r.reports) s += rep + "\n";
  return s;
}

TEST(ScTb, CleanDesignPassesWithRandomBackPressure) {
  const std::vector<std::pair<nlohmann::json, bool>> settings = {
      {nlohmann::json::object(), false},
      {{{"rounding", "half-even"}}, false},
      {{{"rounding", "half-up"}}, false},
      {{{"rounding", "truncate"}, {"requant_mult_bits", 8}}, false},
      {{{"acc_overflow", "wrap"}}, false},
      {{{"weight_scale", "per-channel"}}, true},
  };
  int index = 0;
  for (const auto& s : settings)
    for (int L : {1, 2, 3, 129}) {
      // D = 37: two full groups of 16 RTL lanes and a partial one (5 lanes).
      const RandomLayer r = MakeLayer(2, 37, L, 500 + L + index, index, s.second);
      const CompiledLayer c = CompileLayer(r.layer, Knobs(s.first));
      const LayerResult golden = RunLayer(c, r.layer, r.Input());
      const LayerCheck res = CheckLayer(c, r.layer, r.Input(), golden, Noisy(index + 1));
      ASSERT_TRUE(res.model_ran);
      // A build with compile-time knobs (rtl_models' clean csr_rtl_sc) runs the defaults only.
      ASSERT_EQ(res.rtl_ran, RtlCannotRun(c.hw, 37).empty()) << res.rtl_note;
      ASSERT_TRUE(res.passed()) << s.first.dump() << " L=" << L << "\n" << Joined(res);
      EXPECT_EQ(res.elements, 2 * 37 * L);
      if (res.rtl_ran) {
        EXPECT_GE(res.rtl_cycles, static_cast<uint64_t>(2 * 3 * L));
      }
      ++index;
    }
}

TEST(ScTb, BubblesAndBackPressureCostCyclesButNotCorrectness) {
  const RandomLayer r = MakeLayer(1, 32, 300, 3, 1);
  const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  const LayerResult golden = RunLayer(c, r.layer, r.Input());
  CosimOptions smooth;
  smooth.bubble_rate = 0;
  smooth.backpressure_rate = 0;
  const LayerCheck a = CheckLayer(c, r.layer, r.Input(), golden, smooth);
  const LayerCheck b = CheckLayer(c, r.layer, r.Input(), golden, Noisy(9));
  const LayerCheck b2 = CheckLayer(c, r.layer, r.Input(), golden, Noisy(9));
  ASSERT_TRUE(a.rtl_ran && b.rtl_ran);
  ASSERT_TRUE(a.passed() && b.passed()) << Joined(a) << Joined(b);
  // 2 groups x 300 steps, one beat per cycle plus the pipeline latency.
  EXPECT_GE(a.rtl_cycles, 600u);
  EXPECT_LE(a.rtl_cycles, 620u);
  EXPECT_GT(b.rtl_cycles, a.rtl_cycles + 100);
  EXPECT_EQ(b.rtl_cycles, b2.rtl_cycles);  // same seed, same cycles
}

TEST(ScTb, CarriedStateIsFedAsAPreamble) {
  const int B = 2, D = 20, L = 60;
  const RandomLayer r = MakeLayer(B, D, L, 8, 2);
  const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  std::vector<int8_t> state(B * D * 3);
  for (size_t i = 0; i < state.size(); ++i) state[i] = static_cast<int8_t>(i * 37 + 5);
  const LayerInput in = r.Input(state.data());
  const LayerResult golden = RunLayer(c, r.layer, in);
  const LayerCheck res = CheckLayer(c, r.layer, in, golden, Noisy(4));
  ASSERT_TRUE(res.rtl_ran);
  EXPECT_TRUE(res.passed()) << Joined(res);
}

TEST(ScTb, RunsEachLayerOnTheFastestLinkedModelThatCanRunIt) {
  const RtlBuildInfo info = RtlInfo();
  const bool clean = info.models.find("clean") != std::string::npos;
  const bool verify = info.models.find("verify") != std::string::npos;
  const RandomLayer r = MakeLayer(1, 16, 20, 6, 4);
  const CompiledLayer def = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  const CompiledLayer even = CompileLayer(r.layer, Knobs({{"rounding", "half-even"}}));
  const LayerCheck a = CheckLayer(def, r.layer, r.Input(), RunLayer(def, r.layer, r.Input()), Noisy());
  EXPECT_EQ(a.rtl_model, clean ? "clean" : "verify");
  const LayerCheck b = CheckLayer(even, r.layer, r.Input(), RunLayer(even, r.layer, r.Input()), Noisy());
  EXPECT_EQ(b.rtl_ran, verify) << b.rtl_note;
  if (verify) {
    EXPECT_EQ(b.rtl_model, "verify");
  }
  EXPECT_TRUE(a.passed() && b.passed());
}

TEST(ScTb, LayersTheRtlCannotRunAreCheckedAgainstTheModelOnly) {
  const RandomLayer r = MakeLayer(1, 10, 40, 5, 3);
  for (const auto& hw : {HwConfig::Named("fp32-sfu"), HwConfig::Named("int-lut-small")}) {
    const CompiledLayer c = CompileLayer(r.layer, hw);
    const LayerResult golden = RunLayer(c, r.layer, r.Input());
    const LayerCheck res = CheckLayer(c, r.layer, r.Input(), golden, Noisy());
    EXPECT_TRUE(res.model_ran);
    EXPECT_FALSE(res.rtl_ran);
    EXPECT_FALSE(res.rtl_note.empty());
    EXPECT_TRUE(res.passed()) << Joined(res);
  }
}

// The RTL's planted faults (rtl_models/rtl/csr_pkg.sv), each with a layer that exposes it.
TEST(ScTb, PlantedRtlFaultsAreCaughtWithReports) {
  if (!RtlInfo().faults) GTEST_SKIP() << "RTL built without ENABLE_FAULTS";
  // Saturating indices (small output scale), negative outputs, several groups, back-pressure
  // and bubbles: exposes every fault but 9 (acc-always-wrap needs a 32-bit sum overflow, which
  // 4 int8 taps cannot reach) and 12 (half-even ties, below).
  RandomLayer r = MakeLayer(2, 40, 64, 21, 7);
  r.layer.output_scale = 0.005f;  // the table covers +-0.64: large pre-activations saturate the index
  const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  const LayerResult golden = RunLayer(c, r.layer, r.Input());
  ASSERT_GT(golden.counters.index_saturated, 0);
  for (int f = 1; f < RtlInfo().num_faults; ++f) {
    if (f == 9 || f == 12) continue;
    CosimOptions o = Noisy(f);
    o.rtl_fault = f;
    o.rtl_timeout_cycles = 500;
    const LayerCheck res = CheckLayer(c, r.layer, r.Input(), golden, o);
    EXPECT_GT(res.rtl_vs_golden_mismatches + res.rtl_protocol_errors, 0) << "RTL fault " << f << " not caught";
    EXPECT_EQ(res.model_vs_golden_mismatches, 0);
    ASSERT_FALSE(res.reports.empty()) << "fault " << f;
    EXPECT_NE(Joined(res).find("layer 7 b "), std::string::npos) << Joined(res);
    EXPECT_NE(Joined(res).find(" channel "), std::string::npos) << Joined(res);
  }
  // The clean design passes again afterwards (nothing leaks between layers).
  EXPECT_TRUE(CheckLayer(c, r.layer, r.Input(), golden, Noisy()).passed());
}

TEST(ScTb, HalfEvenTieFaultIsCaughtOnTies) {
  if (!RtlInfo().faults) GTEST_SKIP() << "RTL built without ENABLE_FAULTS";
  // Power-of-two scales: M = 2^15 and index = acc / 16, so every acc = 8 mod 16 is a tie.
  RandomLayer r = MakeLayer(1, 16, 100, 22, 8);
  r.layer.input_scale = 0.03125f;
  r.layer.weight_scale = {0.0078125f};
  r.layer.output_scale = 0.015625f;
  const CompiledLayer c = CompileLayer(r.layer, Knobs({{"rounding", "half-even"}}));
  const LayerResult golden = RunLayer(c, r.layer, r.Input());
  CosimOptions o = Noisy(12);
  o.rtl_fault = 12;
  const LayerCheck res = CheckLayer(c, r.layer, r.Input(), golden, o);
  EXPECT_GT(res.rtl_vs_golden_mismatches, 0);
}

TEST(ScTb, PlantedModelFaultIsCaughtWithReport) {
  const RandomLayer r = MakeLayer(1, 24, 50, 31, 5);
  const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  const LayerResult golden = RunLayer(c, r.layer, r.Input());
  for (sc::ScFault f : sc::AllScFaults()) {
    if (f == sc::ScFault::kAccAlwaysWrap) continue;  // needs an overflowing accumulator
    CosimOptions o = Noisy();
    o.model_fault = static_cast<int>(f);
    o.max_reports = 3;
    const LayerCheck res = CheckLayer(c, r.layer, r.Input(), golden, o);
    EXPECT_GT(res.model_vs_golden_mismatches, 0) << sc::ToString(f);
    EXPECT_EQ(res.rtl_vs_golden_mismatches, 0) << sc::ToString(f);
    EXPECT_EQ(res.rtl_vs_model_mismatches, res.model_vs_golden_mismatches) << sc::ToString(f);
    ASSERT_EQ(res.reports.size(), 3u);
    EXPECT_NE(res.reports[0].find("layer 5 b 0 channel "), std::string::npos) << res.reports[0];
    EXPECT_NE(res.reports[0].find("model!=golden"), std::string::npos) << res.reports[0];
    EXPECT_NE(res.reports[0].find("window x[t-3..t]"), std::string::npos) << res.reports[0];
  }
}

TEST(ScTb, WaveformAroundTheFirstMismatchIsWritten) {
  if (!RtlInfo().faults || RtlInfo().trace.empty()) GTEST_SKIP() << "RTL built without faults or tracing";
  const RandomLayer r = MakeLayer(1, 16, 400, 41, 6);
  const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  const LayerResult golden = RunLayer(c, r.layer, r.Input());
  const std::string path = ::testing::TempDir() + "/sc_tb_wave." + RtlInfo().trace;
  std::remove(path.c_str());
  CosimOptions o = Noisy();
  o.rtl_fault = 3;  // table address off by one
  o.wave_path = path;
  o.wave_window = 50;
  const LayerCheck res = CheckLayer(c, r.layer, r.Input(), golden, o);
  EXPECT_GT(res.rtl_vs_golden_mismatches, 0);
  EXPECT_EQ(res.wave_file, path);
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  ASSERT_TRUE(f.good()) << path;
  EXPECT_GT(static_cast<long>(f.tellg()), 100);
  // Without a mismatch no waveform is written.
  std::remove(path.c_str());
  o.rtl_fault = 0;
  const LayerCheck clean = CheckLayer(c, r.layer, r.Input(), golden, o);
  EXPECT_TRUE(clean.passed());
  EXPECT_TRUE(clean.wave_file.empty());
  EXPECT_FALSE(std::ifstream(path).good());
}

TEST(ScTb, ModelCanStillBeUsedDirectlyBetweenChecks) {
  const RandomLayer r = MakeLayer(1, 17, 33, 51, 9);
  const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  const LayerResult golden = RunLayer(c, r.layer, r.Input());
  EXPECT_TRUE(CheckLayer(c, r.layer, r.Input(), golden, Noisy()).passed());
  sc::ScOptions so;
  so.timed = true;  // advances simulated time (and the RTL's clock) without disturbing it
  EXPECT_EQ(sc::ScAsicModel::Instance().RunLayer(c, r.layer, r.Input(), so).out.y, golden.y);
  EXPECT_TRUE(CheckLayer(c, r.layer, r.Input(), golden, Noisy(2)).passed());
}

TEST(ScTb, RejectsBadOptionsAndGolden) {
  const RandomLayer r = MakeLayer(1, 4, 8, 1, 0);
  const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  const LayerResult golden = RunLayer(c, r.layer, r.Input());
  CosimOptions bad;
  bad.bubble_rate = 1.0;
  EXPECT_THROW(CheckLayer(c, r.layer, r.Input(), golden, bad), Error);
  bad = CosimOptions{};
  bad.rtl_fault = 99;
  EXPECT_THROW(CheckLayer(c, r.layer, r.Input(), golden, bad), Error);
  LayerResult short_golden = golden;
  short_golden.y.pop_back();
  EXPECT_THROW(CheckLayer(c, r.layer, r.Input(), short_golden, CosimOptions{}), Error);
}

}  // namespace
}  // namespace tb
}  // namespace cosim
