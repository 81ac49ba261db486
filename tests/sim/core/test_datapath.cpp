// RunLayer against the plain reference, carried state, threads, overflow, per-channel scales.
#include <gtest/gtest.h>

#include "sim/core/datapath.h"
#include "sim/core/error.h"
#include "tests/sim/core/random_layer.h"
#include "tests/sim/core/reference.h"

namespace cosim {
namespace {

using cosim::testing::Knobs;
using cosim::testing::RandomLayer;

RandomLayer MakeLayer(int B, int D, int L, uint32_t seed, bool per_channel = false) {
  return cosim::testing::MakeRandomLayer(B, D, L, seed, per_channel, 3);
}

TEST(Datapath, IntLutEqualsReferenceAcrossKnobs) {
  const std::vector<nlohmann::json> settings = {
      nlohmann::json::object(),
      {{"rounding", "half-even"}},
      {{"rounding", "half-up"}, {"lut_index_bits", 8}},
      {{"rounding", "truncate"}, {"requant_mult_bits", 8}},
      {{"acc_bits", 16}, {"acc_overflow", "wrap"}},
      {{"acc_bits", 16}, {"acc_overflow", "saturate"}},
      {{"output_bits", 12}, {"lut_index_bits", 14}, {"output_scale_divisor", 16}},
      {{"lut_index_bits", 4}, {"output_bits", 4}},
  };
  for (const auto& s : settings)
    for (int L : {1, 2, 3, 129}) {
      RandomLayer r = MakeLayer(2, 33, L, 7 + L);
      const CompiledLayer c = CompileLayer(r.layer, Knobs(s));
      const LayerResult got = RunLayer(c, r.layer, LayerInput{r.B, L, r.x.data(), nullptr});
      ASSERT_EQ(got.y, RefIntLut(c, r.layer, r.B, L, r.x.data(), nullptr)) << s.dump() << " L=" << L;
    }
}

TEST(Datapath, NarrowAccumulatorCountsOverflowAndWrapDiffersFromSaturate) {
  RandomLayer r = MakeLayer(1, 16, 200, 11);
  for (auto& w : r.layer.weight) w = 127;
  for (auto& v : r.x) v = 127;
  r.layer.bias_scale = 0.0001f;
  const CompiledLayer sat = CompileLayer(r.layer, Knobs({{"acc_bits", 16}, {"acc_overflow", "saturate"}}));
  const CompiledLayer wrap = CompileLayer(r.layer, Knobs({{"acc_bits", 16}, {"acc_overflow", "wrap"}}));
  const LayerInput in{1, 200, r.x.data(), nullptr};
  const LayerResult a = RunLayer(sat, r.layer, in), b = RunLayer(wrap, r.layer, in);
  // 3 * 127 * 127 = 48387 > 32767 already at t = 2 (one zero in the window), so 198 of 200.
  EXPECT_EQ(a.counters.acc_overflow, 16 * 198);
  EXPECT_EQ(b.counters.acc_overflow, 16 * 198);
  EXPECT_EQ(a.acc[199], 32767);
  EXPECT_EQ(b.acc[199], static_cast<int32_t>(WrapSigned(64516 + sat.bias_acc[0], 16)));
  EXPECT_NE(a.y, b.y);
}

TEST(Datapath, ChunkedInputWithCarriedStateEqualsOneSequence) {
  for (const char* profile : {"int-lut", "fp32-sfu"}) {
    RandomLayer r = MakeLayer(2, 8, 100, 5);
    const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named(profile));
    const LayerResult whole = RunLayer(c, r.layer, LayerInput{2, 100, r.x.data(), nullptr});
    for (const std::vector<int>& cuts : {std::vector<int>{1, 2, 97}, {50, 50}, {3, 3, 3, 91}, {99, 1}}) {
      std::vector<int8_t> state(2 * 8 * 3, 0);
      int t0 = 0;
      for (int len : cuts) {
        std::vector<int8_t> chunk(2 * 8 * len);
        for (int row = 0; row < 16; ++row)
          for (int t = 0; t < len; ++t) chunk[row * len + t] = r.x[row * 100 + t0 + t];
        const LayerResult part = RunLayer(c, r.layer, LayerInput{2, len, chunk.data(), state.data()});
        for (int row = 0; row < 16; ++row)
          for (int t = 0; t < len; ++t) ASSERT_EQ(part.y[row * len + t], whole.y[row * 100 + t0 + t]) << profile;
        state = part.state_out;
        t0 += len;
      }
      EXPECT_EQ(state, whole.state_out);
    }
  }
}

TEST(Datapath, ResultsDoNotDependOnThreadCount) {
  for (const char* profile : {"int-lut", "fp32-sfu"}) {
    RandomLayer r = MakeLayer(3, 37, 64, 9);
    const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named(profile));
    const LayerInput in{3, 64, r.x.data(), nullptr};
    const LayerResult one = RunLayer(c, r.layer, in, RunOptions{true, 1});
    for (int th : {2, 3, 8, 1000}) {
      const LayerResult many = RunLayer(c, r.layer, in, RunOptions{true, th});
      EXPECT_EQ(one.y, many.y);
      EXPECT_EQ(one.acc, many.acc);
      EXPECT_EQ(one.counters.output_saturated, many.counters.output_saturated);
    }
  }
}

TEST(Datapath, PerChannelScalesUseEachChannelsMultiplier) {
  RandomLayer pc = MakeLayer(1, 12, 40, 21, /*per_channel=*/true);
  const CompiledLayer c = CompileLayer(pc.layer, HwConfig::Named("int-lut-per-channel"));
  EXPECT_NE(c.mult[0] * 1000 + c.shift[0], c.mult[1] * 1000 + c.shift[1]);
  const LayerResult got = RunLayer(c, pc.layer, LayerInput{1, 40, pc.x.data(), nullptr});
  EXPECT_EQ(got.y, RefIntLut(c, pc.layer, 1, 40, pc.x.data(), nullptr));
  // Per-channel hardware with all scales equal behaves exactly like per-tensor hardware.
  RandomLayer pt = MakeLayer(1, 12, 40, 21);
  LayerData same = pt.layer;
  same.weight_scale.assign(12, pt.layer.weight_scale[0]);
  const HwConfig pch = Knobs({{"weight_scale", "per-channel"}});
  const LayerResult a = RunLayer(CompileLayer(same, pch), same, LayerInput{1, 40, pt.x.data(), nullptr});
  const LayerResult b = RunLayer(CompileLayer(pt.layer, HwConfig::Named("int-lut")), pt.layer,
                                 LayerInput{1, 40, pt.x.data(), nullptr});
  EXPECT_EQ(a.y, b.y);
}

TEST(Datapath, Fp32SfuEqualsPlainFloatReference) {
  RandomLayer r = MakeLayer(1, 20, 50, 3);
  for (const char* rounding : {"half-away", "half-even", "half-up", "truncate"}) {
    const HwConfig hw = Knobs({{"rounding", rounding}}, "fp32-sfu");
    const CompiledLayer c = CompileLayer(r.layer, hw);
    const LayerResult got = RunLayer(c, r.layer, LayerInput{1, 50, r.x.data(), nullptr});
    for (int d = 0; d < 20; ++d)
      for (int t = 0; t < 50; ++t) {
        int acc = 0;
        for (int k = 0; k < 4; ++k) acc += t - 3 + k >= 0 ? r.layer.weight[d * 4 + k] * r.x[d * 50 + t - 3 + k] : 0;
        const float scale = r.layer.weight_scale[0] * r.layer.input_scale;
        const float bias = static_cast<float>(r.layer.bias[d]) * r.layer.bias_scale;
        const float y = scale * static_cast<float>(acc) + bias;
        const float v = Silu32(y) / r.layer.output_scale;
        const double fl = std::floor(static_cast<double>(v)), frac = v - fl;
        double q = fl;
        if (hw.rounding == Rounding::kHalfAwayFromZero) q = std::round(static_cast<double>(v));
        if (hw.rounding == Rounding::kHalfToEven) q = std::nearbyint(static_cast<double>(v));
        if (hw.rounding == Rounding::kHalfUp) q = frac >= 0.5 ? fl + 1 : fl;
        ASSERT_EQ(got.y[d * 50 + t], RefClamp(static_cast<int64_t>(q), 8)) << rounding << " d=" << d << " t=" << t;
      }
  }
}

TEST(Datapath, TraceElementAgreesWithRunLayer) {
  RandomLayer r = MakeLayer(2, 5, 30, 17);
  for (const char* profile : {"int-lut", "fp32-sfu"}) {
    const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named(profile));
    const LayerInput in{2, 30, r.x.data(), nullptr};
    const LayerResult res = RunLayer(c, r.layer, in);
    for (int b = 0; b < 2; ++b)
      for (int d = 0; d < 5; ++d)
        for (int t = 0; t < 30; ++t) {
          const ElementTrace e = TraceElement(c, r.layer, in, b, d, t);
          const size_t o = (static_cast<size_t>(b) * 5 + d) * 30 + t;
          ASSERT_EQ(e.code, res.y[o]);
          ASSERT_EQ(e.acc, res.acc[o]);
        }
  }
}

TEST(Datapath, RejectsBadInput) {
  RandomLayer r = MakeLayer(1, 4, 8, 1);
  const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  EXPECT_THROW(RunLayer(c, r.layer, LayerInput{1, 0, r.x.data(), nullptr}), Error);
  EXPECT_THROW(RunLayer(c, r.layer, LayerInput{1, 8, nullptr, nullptr}), Error);
}

}  // namespace
}  // namespace cosim
