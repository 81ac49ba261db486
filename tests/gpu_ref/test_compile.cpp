// The float-sim's compile step against the documented worked example and the test reference.
#include <gtest/gtest.h>

#include <random>

#include "gpu_ref/compile.h"
#include "gpu_ref/floatsim.h"
#include "reference.h"
#include "test_layers.h"

namespace {

using cosim::fsim::Knobs;
using cosim::fsim::Mode;

// docs/datapath.md section 5, worked example.
TEST(FsimCompile, WorkedExample) {
  const int8_t x[4] = {10, 20, 30, 40};
  const int8_t w[4] = {1, -2, 3, 4};
  const int8_t b[1] = {10};
  const float s_w = 0.004f;
  const cosim::fsim::LayerView v{1, 1, 4, x, w, b, 0.05f, &s_w, 1, 0.002f, 0.03f};
  const Knobs k;  // int-lut defaults: half-away, Wm 16, N 10, W 8
  const auto c = cosim::fsim::CompileIntLut(v, k);
  EXPECT_EQ(c.s_lut, 0.015f);
  EXPECT_EQ(c.mult[0], 55924);
  EXPECT_EQ(c.shift[0], 22);
  EXPECT_EQ(c.bias_acc[0], 100);
  EXPECT_EQ(c.lut[4 + 512], 1);
  for (Mode m : {Mode::kFloatSimInt8, Mode::kInt8Asic}) {
    const auto r = cosim::fsim::RunHost(m, v, k);
    EXPECT_EQ(r.codes[3], 1) << cosim::fsim::ModeName(m);  // t = 3 sees the full window
    EXPECT_EQ(r.before_quant[3], c.lut_before[4 + 512]);
    EXPECT_EQ(r.after_quant[3], 0.03f);
  }
}

// Returns true when the layer compiled (and matched), false when both rejected it.
bool ExpectSameCompile(const fsimtest::OwnedLayer& l, const Knobs& k, const std::string& what) {
  const auto v = l.view();
  const auto ref = fsimtest::RefCompile(v, k);
  if (!ref.error.empty()) {
    EXPECT_THROW(cosim::fsim::CompileIntLut(v, k), std::invalid_argument) << what << " " << ref.error;
    return false;
  }
  const auto c = cosim::fsim::CompileIntLut(v, k);
  EXPECT_EQ(c.s_oe, ref.s_oe) << what;
  EXPECT_EQ(c.s_lut, ref.s_lut) << what;
  for (int d = 0; d < l.D; ++d) {
    EXPECT_EQ(c.mult[d], ref.M[d]) << what << " channel " << d;
    EXPECT_EQ(c.shift[d], ref.shift[d]) << what << " channel " << d;
    EXPECT_EQ(c.bias_acc[d], ref.bias_acc[d]) << what << " channel " << d;
  }
  EXPECT_EQ(c.lut.size(), ref.lut.size());
  if (c.lut.size() != ref.lut.size()) return true;
  for (size_t i = 0; i < c.lut.size(); ++i) {
    EXPECT_EQ(c.lut[i], ref.lut[i]) << what << " entry " << i;
    EXPECT_EQ(c.lut_clamped[i] != 0, ref.clamped[i]) << what << " entry " << i;
    EXPECT_TRUE(fsimtest::SameBits(c.lut_before[i], ref.lut_silu[i])) << what << " entry " << i;
    if (c.lut[i] != ref.lut[i] || !fsimtest::SameBits(c.lut_before[i], ref.lut_silu[i])) break;
  }
  return true;
}

// Every table index of every table width, every rounding mode, several output widths and
// divisors; random per-channel scales.
TEST(FsimCompile, MatchesReferenceEveryEntry) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> us(0.5f, 2.0f);
  int compiled = 0, cases = 0;
  for (int N : {4, 8, 10, 12, 16, 20})
    for (int W : {2, 4, 8, 12, 16, 24})
      for (int r = 0; r < 4; ++r) {
        Knobs k;
        k.lut_index_bits = N;
        k.output_bits = W;
        k.rounding = static_cast<cosim::fsim::Rounding>(r);
        k.requant_mult_bits = std::vector<int>{2, 8, 12, 16, 24, 31}[(N + W + r) % 6];
        k.weight_scale = cosim::fsim::WeightScale::kPerChannel;
        k.output_scale_divisor = (N + r) % 3 == 0 ? 1.0f : (N % 2 ? 3.7f : 2025.0f);
        auto l = fsimtest::RandomLayer(100 + N * 31 + W * 7 + r, 1, 5, 1, true);
        l.s_out = 0.03f * us(rng);
        compiled += ExpectSameCompile(l, k, "N " + std::to_string(N) + " W " + std::to_string(W) +
                                                " r " + std::to_string(r));
        ++cases;
      }
  EXPECT_GT(compiled, cases * 3 / 4) << "most cases must compile, or the test proves little";
}

TEST(FsimCompile, RejectsWhatTheReferenceRejects) {
  // bias_acc does not fit 16 bits; shift > 62; shift < 0; s_lut underflow.
  auto l = fsimtest::RandomLayer(3, 1, 3, 1);
  l.bias = {127, -128, 5};
  Knobs k;
  k.acc_bits = 16;
  l.s_b = 1.0f;  // bias * s_b / s_acc ~ 127 / 2e-4 > 2^15
  ExpectSameCompile(l, k, "bias");
  EXPECT_THROW(cosim::fsim::CompileIntLut(l.view(), k), std::invalid_argument);
  l = fsimtest::RandomLayer(4, 1, 3, 1);
  l.s_x = 1e-30f;  // tiny s_acc / s_lut: shift far above 62
  ExpectSameCompile(l, Knobs{}, "shift high");
  EXPECT_THROW(cosim::fsim::CompileIntLut(l.view(), Knobs{}), std::invalid_argument);
  l = fsimtest::RandomLayer(5, 1, 3, 1);
  l.s_x = 1e30f;  // huge ratio: negative shift
  l.bias = {0, 0, 0};
  ExpectSameCompile(l, Knobs{}, "shift low");
  EXPECT_THROW(cosim::fsim::CompileIntLut(l.view(), Knobs{}), std::invalid_argument);
  l = fsimtest::RandomLayer(6, 1, 3, 1);
  l.s_out = 1e-37f;
  Knobs kn;
  kn.lut_index_bits = 20;
  kn.output_bits = 2;
  ExpectSameCompile(l, kn, "s_lut");
  EXPECT_THROW(cosim::fsim::CompileIntLut(l.view(), kn), std::invalid_argument);
}

TEST(FsimCompile, EffectiveOutputScale) {
  EXPECT_EQ(cosim::fsim::EffectiveOutputScale(0.03f, 1.0f), 0.03f);
  EXPECT_EQ(cosim::fsim::EffectiveOutputScale(0.03f, 2025.0f), 0.03f / 2025.0f);
  EXPECT_EQ(cosim::fsim::SuggestedRefineOutputBits(2025.0f), 19);
  EXPECT_EQ(cosim::fsim::SuggestedRefineOutputBits(1.0f), 8);
  EXPECT_EQ(cosim::fsim::SuggestedRefineOutputBits(2.0f), 9);
}

}  // namespace
