// RunHost against the plain reference: int8-asic and float-sim-int8 (both profiles) bit for bit
// over knob sweeps and odd sizes; research SE modes; the platform-expf modes against their
// formulas; thread-count and chunking independence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "gpu_ref/floatsim.h"
#include "gpu_ref/int_lut.h"
#include "gpu_ref/prepare.h"
#include "reference.h"
#include "test_layers.h"

namespace {

using cosim::fsim::AccOverflow;
using cosim::fsim::Knobs;
using cosim::fsim::Mode;
using cosim::fsim::ModeResult;
using cosim::fsim::Profile;
using cosim::fsim::Rounding;
using cosim::fsim::WeightScale;
using fsimtest::SameBits;

std::string Describe(const Knobs& k) { return k.ToJson().dump(); }

// Compares one mode's result with the reference; returns false after the first bad element.
bool SameAsReference(const ModeResult& r, const fsimtest::RefResult& ref, const std::string& what) {
  EXPECT_EQ(r.codes.size(), ref.code.size()) << what;
  if (r.codes.size() != ref.code.size()) return false;
  for (size_t i = 0; i < ref.code.size(); ++i) {
    if (r.codes[i] != ref.code[i] || !SameBits(r.before_quant[i], ref.before[i]) ||
        !SameBits(r.after_quant[i], ref.after[i])) {
      ADD_FAILURE() << what << " element " << i << ": code " << r.codes[i] << " want " << ref.code[i]
                    << ", before " << r.before_quant[i] << " want " << ref.before[i] << ", after "
                    << r.after_quant[i] << " want " << ref.after[i];
      return false;
    }
  }
  EXPECT_EQ(r.acc_overflows, ref.acc_overflows) << what;
  EXPECT_EQ(r.index_saturations, ref.index_saturations) << what;
  EXPECT_EQ(r.saturations, ref.saturations) << what;
  return true;
}

// int8-asic and float-sim-int8 vs the reference for one layer and knobs. Returns 1 when compared,
// 0 when the compile step rejected the scales (checked to happen in both).
int CheckAsicAndFloatSim(const fsimtest::OwnedLayer& l, const Knobs& k) {
  const auto v = l.view();
  const auto rc = fsimtest::RefCompile(v, k);
  const std::string what = Describe(k) + " B" + std::to_string(l.B) + " D" + std::to_string(l.D) +
                           " L" + std::to_string(l.L);
  if (!rc.error.empty()) {
    EXPECT_THROW(cosim::fsim::RunHost(Mode::kFloatSimInt8, v, k), std::invalid_argument) << what;
    return 0;
  }
  const auto ref = fsimtest::RefRunAsic(v, k, rc);
  for (Mode m : {Mode::kFloatSimInt8, Mode::kInt8Asic}) {
    const auto r = cosim::fsim::RunHost(m, v, k);
    EXPECT_EQ(r.effective_scale, static_cast<double>(rc.s_oe)) << what;
    if (!SameAsReference(r, ref, std::string(cosim::fsim::ModeName(m)) + " " + what)) return 1;
  }
  return 1;
}

Knobs Defaults(Profile p) {
  Knobs k;
  k.profile = p;
  return k;
}

TEST(FsimHostModes, OneKnobAtATime) {
  int compared = 0, cases = 0;
  for (Profile p : {Profile::kIntLut, Profile::kFp32Sfu}) {
    std::vector<Knobs> ks;
    for (int r = 0; r < 4; ++r) { Knobs k = Defaults(p); k.rounding = static_cast<Rounding>(r); ks.push_back(k); }
    for (int a : {16, 17, 20, 24, 32})
      for (AccOverflow o : {AccOverflow::kSaturate, AccOverflow::kWrap}) {
        Knobs k = Defaults(p); k.acc_bits = a; k.acc_overflow = o; ks.push_back(k);
      }
    for (int m : {2, 8, 12, 16, 24, 31}) { Knobs k = Defaults(p); k.requant_mult_bits = m; ks.push_back(k); }
    for (int n : {4, 8, 10, 12, 16}) { Knobs k = Defaults(p); k.lut_index_bits = n; ks.push_back(k); }
    for (int w : {2, 4, 8, 12, 16, 24}) { Knobs k = Defaults(p); k.output_bits = w; ks.push_back(k); }
    for (float f : {1.5f, 3.7f, 2025.0f}) { Knobs k = Defaults(p); k.output_scale_divisor = f; k.output_bits = 16; ks.push_back(k); }
    { Knobs k = Defaults(p); k.weight_scale = WeightScale::kPerChannel; ks.push_back(k); }
    for (size_t i = 0; i < ks.size(); ++i) {
      const bool pc = ks[i].weight_scale == WeightScale::kPerChannel;
      const auto l = fsimtest::RandomLayer(1000 + static_cast<uint32_t>(i) * 17 + static_cast<uint32_t>(p), 2, 7, 37, pc, i % 3 == 0);
      compared += CheckAsicAndFloatSim(l, ks[i]);
      ++cases;
    }
  }
  EXPECT_EQ(compared, cases);
}

TEST(FsimHostModes, RandomKnobCombinations) {
  std::mt19937 rng(99);
  auto pick = [&](std::initializer_list<int> v) { return *(v.begin() + std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)); };
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  int compared = 0;
  const int kCases = 240;
  for (int i = 0; i < kCases; ++i) {
    Knobs k;
    k.profile = i % 2 ? Profile::kFp32Sfu : Profile::kIntLut;
    k.rounding = static_cast<Rounding>(pick({0, 1, 2, 3}));
    k.acc_bits = pick({16, 18, 24, 28, 32});
    k.acc_overflow = pick({0, 1}) ? AccOverflow::kWrap : AccOverflow::kSaturate;
    k.requant_mult_bits = pick({8, 12, 16, 24, 31});
    k.lut_index_bits = pick({4, 8, 10, 12, 16});
    k.output_bits = pick({4, 8, 12, 16});
    k.weight_scale = pick({0, 1}) ? WeightScale::kPerChannel : WeightScale::kPerTensor;
    k.output_scale_divisor = pick({0, 0, 1, 2}) == 0 ? 1.0f : (pick({0, 1}) ? 3.0f : 2025.0f);
    auto l = fsimtest::RandomLayer(5000 + i, 1 + i % 2, 1 + i % 9, 1 + (i * 7) % 40,
                                   k.weight_scale == WeightScale::kPerChannel, i % 4 == 0);
    l.s_x = 0.01f + 0.09f * u01(rng);
    l.s_b = 0.0005f + 0.0045f * u01(rng);
    l.s_out = 0.005f + 0.095f * u01(rng);
    compared += CheckAsicAndFloatSim(l, k);
  }
  EXPECT_GT(compared, kCases * 3 / 4);
}

TEST(FsimHostModes, OddSizes) {
  for (Profile p : {Profile::kIntLut, Profile::kFp32Sfu}) {
    for (int L : {1, 2, 3, 4, 5, 129})
      EXPECT_EQ(CheckAsicAndFloatSim(fsimtest::RandomLayer(L, 2, 3, L, false, L % 2 == 1), Defaults(p)), 1);
    for (int D : {1, 33, 4096 + 32})
      EXPECT_EQ(CheckAsicAndFloatSim(fsimtest::RandomLayer(D, 1, D, 3, true, true),
                                     [&] { Knobs k = Defaults(p); k.weight_scale = WeightScale::kPerChannel; return k; }()), 1);
  }
}

// Bias codes far from the accumulator scale: the float-sim's general (expansion) path.
TEST(FsimHostModes, LargeFoldedBiasAndWideMultiplier) {
  for (int m : {16, 31}) {
    auto l = fsimtest::RandomLayer(77 + m, 2, 9, 33);
    l.s_b = 40.0f;  // bias_acc ~ 127 * 40 / 2e-4 ~ 2.5e7 .. fits 32 bits, not 24
    Knobs k;
    k.requant_mult_bits = m;
    k.lut_index_bits = 16;
    for (AccOverflow o : {AccOverflow::kSaturate, AccOverflow::kWrap}) {
      k.acc_overflow = o;
      EXPECT_EQ(CheckAsicAndFloatSim(l, k), 1);
    }
  }
}

// Power-of-two scales: u = acc / 32 exactly, so every 32nd element is an exact rounding tie.
TEST(FsimHostModes, PowerOfTwoScalesExactTies) {
  auto l = fsimtest::RandomLayer(55, 2, 9, 64);
  l.s_x = 0.0625f;
  l.s_w = {0.03125f};
  l.s_b = 0.0078125f;
  l.s_out = 0.125f;
  for (Profile p : {Profile::kIntLut, Profile::kFp32Sfu})
    for (int r = 0; r < 4; ++r) {
      Knobs k = Defaults(p);
      k.rounding = static_cast<Rounding>(r);
      EXPECT_EQ(CheckAsicAndFloatSim(l, k), 1);
    }
}

// The codes8 kernel's extended table (prepare.cpp): for every hot channel and every accumulator
// it can reach, the entry at the unsaturated index is the table entry at the saturated one.
TEST(FsimHostModes, ExtendedTableCoversHotChannels) {
  for (float s_b : {0.002f, 0.5f, 40.0f}) {
    auto l = fsimtest::RandomLayer(66, 1, 64, 32, true);
    l.s_b = s_b;
    Knobs k;
    k.weight_scale = WeightScale::kPerChannel;
    const auto pr = cosim::fsim::Prepare(Mode::kFloatSimInt8, l.view(), k, 1.0f);
    const auto& p = pr.lp;
    int hot = 0;
    for (int d = 0; d < l.D; ++d) {
      const auto& c = pr.ch[d];
      if (!c.asic_hot) continue;
      ++hot;
      int lo = 0, hi = 0;  // the channel's conv range: its taps against int8 extremes
      for (int t = 0; t < 4; ++t) {
        const int w = l.weight[d * 4 + t];
        lo += std::min(w * -128, w * 127);
        hi += std::max(w * -128, w * 127);
      }
      for (int conv = lo; conv <= hi; ++conv) {
        const int i = cosim::fsim::AsicLutIndexHot(c.bias_acc + conv, c, k.rounding);
        const int idx = std::min(std::max(i, -p.idx_half), p.idx_half - 1);
        ASSERT_GE(i, p.ext_lo);
        ASSERT_LT(i, p.ext_lo + p.ext_n);
        ASSERT_EQ(pr.lut8[i - p.ext_lo], pr.lut[idx + p.idx_half]);
      }
    }
    std::printf("s_b %g: %d of %d channels hot, extended table [%d, %d)\n", s_b, hot, l.D, p.ext_lo,
                p.ext_lo + p.ext_n);
    if (s_b < 1.0f) {
      EXPECT_EQ(hot, l.D);
    }
  }
}

TEST(FsimHostModes, ResearchModes) {
  const auto l = fsimtest::RandomLayer(11, 2, 5, 50);
  const auto v = l.view();
  for (Profile p : {Profile::kIntLut, Profile::kFp32Sfu}) {
    Knobs k = Defaults(p);
    const float F = 2025.0f;
    const auto base = cosim::fsim::RunHost(Mode::kFloatSimInt8, v, k);
    const auto enh = cosim::fsim::RunHost(Mode::kResearchSeEnhance, v, k, F);
    EXPECT_EQ(enh.codes, base.codes);
    EXPECT_EQ(enh.effective_scale, static_cast<double>(l.s_out) * F);
    for (size_t i = 0; i < base.codes.size(); ++i) {
      const float want = static_cast<float>(base.codes[i]) * l.s_out * F;  // (q * s_out) * F
      ASSERT_TRUE(SameBits(enh.after_quant[i], want)) << i;
      ASSERT_TRUE(SameBits(enh.before_quant[i], base.before_quant[i])) << i;
    }
    // refine: the datapath recompiled at s_out / F with wider codes.
    k.output_bits = cosim::fsim::SuggestedRefineOutputBits(F);
    const auto ref_k = [&] { Knobs r = k; r.output_scale_divisor = F; return r; }();
    const auto rc = fsimtest::RefCompile(v, ref_k);
    ASSERT_TRUE(rc.error.empty()) << rc.error;
    const auto ref = fsimtest::RefRunAsic(v, ref_k, rc);
    const auto ref_r = cosim::fsim::RunHost(Mode::kResearchSeRefine, v, k, F);
    EXPECT_TRUE(SameAsReference(ref_r, ref, "refine"));
    EXPECT_EQ(ref_r.effective_scale, static_cast<double>(l.s_out / F));
    // with 8-bit codes the finer grid saturates, and the counter says so
    k.output_bits = 8;
    EXPECT_GT(cosim::fsim::RunHost(Mode::kResearchSeRefine, v, k, F).saturations, 0);
  }
}

// The platform-expf modes against their formulas written plainly (same libm on the host).
TEST(FsimHostModes, QuambaNaiveUpperBoundFormulas) {
  auto l = fsimtest::RandomLayer(21, 2, 6, 41, true, true);
  const auto v = l.view();
  const auto q = cosim::fsim::RunHost(Mode::kInt8Quamba, v, Knobs{});
  const auto qf = cosim::fsim::RunHost(Mode::kInt8QuambaFastExp, v, Knobs{});
  const auto nv = cosim::fsim::RunHost(Mode::kNaiveFakeQuant, v, Knobs{});
  const auto up = cosim::fsim::RunHost(Mode::kFp32UpperBound, v, Knobs{});
  EXPECT_TRUE(up.codes.empty());
  EXPECT_EQ(q.effective_scale, static_cast<double>(l.s_out));
  int64_t sat_q = 0, sat_n = 0;
  for (int b = 0; b < l.B; ++b)
    for (int d = 0; d < l.D; ++d)
      for (int t = 0; t < l.L; ++t) {
        const int64_t row = int64_t{b} * l.D + d, i = row * l.L + t;
        int acc = 0;
        float nacc = 0.0f;
        for (int k = 0; k < 4; ++k) {
          const int tt = t - 3 + k;
          const int xv = tt >= 0 ? l.x[row * l.L + tt] : l.state[row * 3 + 3 + tt];
          acc += l.weight[d * 4 + k] * xv;
          const float prod = (static_cast<float>(xv) * l.s_x) * (static_cast<float>(l.weight[d * 4 + k]) * l.s_w[d]);
          nacc = k == 0 ? prod : nacc + prod;
        }
        const float y = (l.s_w[d] * l.s_x) * static_cast<float>(acc) + static_cast<float>(l.bias[d]) * l.s_b;
        const float a = y / (1.0f + std::exp(-y));
        const double rq = std::round(static_cast<double>(a / l.s_out));
        const double cq = std::min(127.0, std::max(-128.0, rq));
        sat_q += cq != rq;
        ASSERT_TRUE(SameBits(up.before_quant[i], a) && SameBits(up.after_quant[i], a)) << i;
        ASSERT_TRUE(SameBits(q.before_quant[i], a)) << i;
        ASSERT_EQ(q.codes[i], static_cast<int32_t>(cq)) << i;
        ASSERT_TRUE(SameBits(q.after_quant[i], static_cast<float>(static_cast<int32_t>(cq)) * l.s_out)) << i;
        ASSERT_EQ(qf.codes[i], q.codes[i]) << "host fastexp uses expf too";
        const float ny = nacc + static_cast<float>(l.bias[d]) * l.s_b;
        const float na = ny / (1.0f + std::exp(-ny));
        const double nr = std::nearbyint(static_cast<double>(na / l.s_out));
        const double nc = std::min(127.0, std::max(-128.0, nr));
        sat_n += nc != nr;
        ASSERT_TRUE(SameBits(nv.before_quant[i], na)) << i;
        ASSERT_EQ(nv.codes[i], static_cast<int32_t>(nc)) << i;
        ASSERT_TRUE(SameBits(nv.after_quant[i], static_cast<float>(static_cast<int32_t>(nc)) * l.s_out)) << i;
      }
  EXPECT_EQ(q.saturations, sat_q);
  EXPECT_EQ(nv.saturations, sat_n);
}

TEST(FsimHostModes, ThreadCountDoesNotMatter) {
  const auto l = fsimtest::RandomLayer(31, 3, 37, 101, true, true);
  Knobs k;
  k.weight_scale = WeightScale::kPerChannel;
  for (Mode m : cosim::fsim::AllModes()) {
    const auto a = cosim::fsim::RunHost(m, l.view(), k, 2025.0f, 1);
    const auto b = cosim::fsim::RunHost(m, l.view(), k, 2025.0f, 5);
    EXPECT_EQ(a.codes, b.codes) << cosim::fsim::ModeName(m);
    EXPECT_EQ(0, std::memcmp(a.after_quant.data(), b.after_quant.data(), a.after_quant.size() * 4));
    EXPECT_EQ(0, std::memcmp(a.before_quant.data(), b.before_quant.data(), a.before_quant.size() * 4));
    EXPECT_EQ(a.saturations, b.saturations);
  }
}

// Chunks with the carried state give the output of the whole sequence (docs/datapath.md 2).
TEST(FsimHostModes, ChunkedWithStateEqualsWhole) {
  const auto whole = fsimtest::RandomLayer(41, 2, 4, 129);
  const int split = 50;
  fsimtest::OwnedLayer a = whole, b = whole;
  a.L = split;
  b.L = whole.L - split;
  a.x.clear();
  b.x.clear();
  b.use_state = true;
  for (int row = 0; row < whole.B * whole.D; ++row) {
    for (int t = 0; t < whole.L; ++t) (t < split ? a.x : b.x).push_back(whole.x[row * whole.L + t]);
    for (int j = 0; j < 3; ++j) b.state[row * 3 + j] = whole.x[row * whole.L + split - 3 + j];
  }
  for (Mode m : cosim::fsim::AllModes()) {
    const auto rw = cosim::fsim::RunHost(m, whole.view(), Knobs{});
    const auto ra = cosim::fsim::RunHost(m, a.view(), Knobs{});
    const auto rb = cosim::fsim::RunHost(m, b.view(), Knobs{});
    for (int row = 0; row < whole.B * whole.D; ++row)
      for (int t = 0; t < whole.L; ++t) {
        const float got = t < split ? ra.after_quant[row * split + t] : rb.after_quant[row * b.L + t - split];
        ASSERT_TRUE(SameBits(got, rw.after_quant[row * whole.L + t])) << cosim::fsim::ModeName(m) << " row " << row << " t " << t;
      }
  }
}

}  // namespace
