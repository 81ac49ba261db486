// The offline compile step (docs/datapath.md section 4): the worked example, multiplier
// quantization, every reachable accumulator through requant + table, every table entry.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/core/compile.h"
#include "sim/core/datapath.h"
#include "sim/core/error.h"
#include "sim/core/stage_requant.h"
#include "sim/core/stage_silu_lut.h"
#include "tests/sim/core/reference.h"

namespace cosim {
namespace {

LayerData ExampleLayer() {
  LayerData l;
  l.index = 0;
  l.channels = 1;
  l.weight = {1, -2, 3, 4};
  l.bias = {10};
  l.input_scale = 0.05f;
  l.weight_scale = {0.004f};
  l.bias_scale = 0.002f;
  l.output_scale = 0.03f;
  return l;
}

TEST(DatapathContract, WorkedExample) {
  const LayerData l = ExampleLayer();
  const HwConfig hw = HwConfig::Named("int-lut");
  const CompiledLayer c = CompileLayer(l, hw);
  EXPECT_EQ(c.lut_step, 0.015f);
  EXPECT_EQ(c.mult[0], 55924);
  EXPECT_EQ(c.shift[0], 22);
  EXPECT_EQ(c.bias_acc[0], 100);
  const int8_t x[4] = {10, 20, 30, 40};
  const LayerResult r = RunLayer(c, l, LayerInput{1, 4, x, nullptr});
  EXPECT_EQ(r.acc[3], 320);
  EXPECT_EQ(r.index[3], 4);
  EXPECT_EQ(r.y[3], 1);

  HwConfig sfu = HwConfig::Named("fp32-sfu");
  const CompiledLayer cs = CompileLayer(l, sfu);
  const LayerResult rs = RunLayer(cs, l, LayerInput{1, 4, x, nullptr});
  EXPECT_EQ(rs.acc[3], 220);
  EXPECT_NEAR(rs.pre_act[3], 0.064f, 1e-6f);
  EXPECT_EQ(rs.y[3], 1);
}

TEST(Compile, QuantizeMultiplierNormalisesAndRounds) {
  const Multiplier m = QuantizeMultiplier(0.5, 16);
  EXPECT_EQ(m.m, 32768);
  EXPECT_EQ(m.shift, 16);
  // Just below 1: rounds up to 2^16, renormalised to 2^15 with one less shift.
  const Multiplier up = QuantizeMultiplier(1.0 - 1e-9, 16);
  EXPECT_EQ(up.m, 32768);
  EXPECT_EQ(up.shift, 15);
  for (int bits = 2; bits <= 31; ++bits)
    for (double r : {1e-6, 0.0123, 0.3, 0.75, 1.0, 3.7}) {
      const Multiplier q = QuantizeMultiplier(r, bits);
      ASSERT_GE(q.m, int64_t{1} << (bits - 1));
      ASSERT_LT(q.m, int64_t{1} << bits);
      const double approx = std::ldexp(static_cast<double>(q.m), -q.shift);
      ASSERT_LE(std::fabs(approx - r) / r, std::ldexp(1.0, -(bits - 1))) << bits << " " << r;
    }
}

TEST(Compile, EveryReachableAccumulatorThroughRequantAndTable) {
  // For several knob settings, every accumulator value 4 int8 taps + the folded bias can reach
  // goes through RequantToIndex and the table and must equal the reference formulation.
  LayerData l = ExampleLayer();
  l.weight = {127, -128, 127, 127};
  for (const char* rounding : {"half-away", "half-even", "half-up", "truncate"})
    for (int mult_bits : {4, 16, 31})
      for (int n : {4, 10, 12}) {
        HwConfig hw = HwConfig::FromJson(
            {{"rounding", rounding}, {"requant_mult_bits", mult_bits}, {"lut_index_bits", n}},
            HwConfig::Named("int-lut"), "test");
        const CompiledLayer c = CompileLayer(l, hw);
        const int64_t reach = 4 * 128 * 128;
        for (int64_t acc = c.bias_acc[0] - reach; acc <= c.bias_acc[0] + reach; ++acc) {
          const RequantResult q = RequantToIndex(acc, c.mult[0], c.shift[0], hw.rounding, n);
          const int64_t ref_unsat = RefRound(static_cast<Int128>(acc) * c.mult[0], c.shift[0], hw.rounding);
          ASSERT_EQ(q.index, RefClamp(ref_unsat, n)) << acc;
          ASSERT_EQ(q.saturated, ref_unsat != q.index);
          ASSERT_EQ(LookupSilu(c.lut.data(), q.index, n), c.lut[q.index + (int64_t{1} << (n - 1))]);
        }
      }
}

TEST(Compile, EveryTableEntryIsTheRoundedSilu) {
  // Each entry is silu32 at the index's grid point, rounded by the knob: compared with a binary64
  // SiLU, an entry may differ only where the real value sits within 1e-4 of a rounding tie.
  LayerData l = ExampleLayer();
  for (int n : {4, 8, 10, 14})
    for (int w : {4, 8, 12}) {
      HwConfig hw = HwConfig::FromJson({{"lut_index_bits", n}, {"output_bits", w}, {"rounding", "half-even"}},
                                       HwConfig::Named("int-lut"), "test");
      const CompiledLayer c = CompileLayer(l, hw);
      ASSERT_EQ(c.lut.size(), size_t{1} << n);
      int64_t clamped = 0;
      for (int64_t i = 0; i < (int64_t{1} << n); ++i) {
        const double y = static_cast<double>(static_cast<float>(i - (int64_t{1} << (n - 1))) * c.lut_step);
        const double v = y / (1.0 + std::exp(-y)) / c.effective_output_scale;
        const double lo = -std::ldexp(1.0, w - 1), hi = std::ldexp(1.0, w - 1) - 1;
        const double want = std::min(std::max(std::nearbyint(v), lo), hi);
        const double frac = v - std::floor(v);
        if (std::fabs(frac - 0.5) > 1e-4) {
          ASSERT_EQ(c.lut[i], want) << "n=" << n << " w=" << w << " i=" << i;
        }
        ASSERT_EQ(c.lut_clamped[i] != 0, std::nearbyint(v) != want);
        clamped += c.lut_clamped[i];
      }
      // The index range covers twice the output range: clamped entries form one run at the top,
      // and the entry just below the run is the largest code.
      const int64_t entries = int64_t{1} << n;
      for (int64_t i = entries - clamped; i < entries; ++i) ASSERT_TRUE(c.lut_clamped[i]) << n << " " << w << " " << i;
      ASSERT_LT(clamped, entries / 2);
      EXPECT_EQ(c.lut[entries - 1], (1 << (w - 1)) - 1);
    }
}

TEST(Compile, RejectsParametersTheHardwareCannotHold) {
  LayerData l = ExampleLayer();
  l.output_scale = 1e-25f;  // s_acc / s_lut enormous: shift would be negative
  EXPECT_THROW(CompileLayer(l, HwConfig::Named("int-lut")), Error);
  l = ExampleLayer();
  l.bias_scale = 1e20f;  // folded bias does not fit 32 bits
  try {
    CompileLayer(l, HwConfig::Named("int-lut"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("folded bias"), std::string::npos) << e.what();
  }
  l = ExampleLayer();
  l.channels = 2;
  l.weight = {1, 2, 3, 4, 5, 6, 7, 8};
  l.bias = {1, 2};
  l.weight_scale = {0.1f, 0.2f};
  EXPECT_THROW(CompileLayer(l, HwConfig::Named("int-lut")), Error);  // per-tensor hardware
  EXPECT_NO_THROW(CompileLayer(l, HwConfig::Named("int-lut-per-channel")));
}

TEST(Compile, RejectsBadScales) {
  for (float bad : {NAN, INFINITY, -INFINITY, 0.0f, -0.5f, 1e-40f, 1e31f}) {
    LayerData l = ExampleLayer();
    l.input_scale = bad;
    try {
      CompileLayer(l, HwConfig::Named("int-lut"));
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kBadInput);
      EXPECT_NE(std::string(e.what()).find("input_scale"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace cosim
