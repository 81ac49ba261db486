// The y-tables of the codes8 kernel (gpu_ref/ytable.h, ytable.cpp; docs/floatsim.md O11) on the
// host: the builder on synthetic step functions (wiggles, too many steps, contradictions), the
// bound on |y|, and host tables of the real orders against the orders on every scanned binary32.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "gpu_ref/element.h"
#include "gpu_ref/prepare.h"
#include "gpu_ref/ytable_build.h"
#include "test_layers.h"

namespace {

using cosim::fsim::BitsToFloat;
using cosim::fsim::FloatBits;
using cosim::fsim::Knobs;
using cosim::fsim::Mode;
using cosim::fsim::Profile;
using cosim::fsim::YScan;
using cosim::fsim::YScanSpec;
using cosim::fsim::YTable;
using cosim::fsim::YTableLookup;
using cosim::fsim::YTransition;

YScanSpec Spec(float quiet, float bound) {
  YScanSpec s;
  s.neg_lo = s.pos_lo = FloatBits(quiet);
  s.neg_hi = s.pos_hi = FloatBits(bound);
  s.neg_n = s.pos_n = uint64_t{s.neg_hi} - s.neg_lo + 1;
  return s;
}

// Single-threaded scan with any G (the same YScanChunk the host and device scans run).
template <class G>
YScan Scan(const YScanSpec& s, const G& g) {
  YScan out;
  out.spec = s;
  const uint64_t chunks = (s.neg_n + s.pos_n + cosim::fsim::kYScanChunk - 1) / cosim::fsim::kYScanChunk;
  for (uint64_t c = 0; c < chunks; ++c)
    cosim::fsim::YScanChunk(
        s, c, g,
        [&](const YTransition& t) {
          if (out.transitions.size() < cosim::fsim::kYMaxTransitions) out.transitions.push_back(t);
          else out.overflow = true;
        },
        [&](int slot, int32_t code) {
          int32_t* ends[4] = {&out.neg_first, &out.neg_last, &out.pos_first, &out.pos_last};
          *ends[slot] = code;
        });
  return out;
}

// Every point of the spec: lookup == g (two threads). Returns the mismatch count.
template <class G>
int64_t CheckAllPoints(const YScanSpec& s, const YTable& t, const G& g) {
  const uint64_t n = s.neg_n + s.pos_n;
  int64_t bad[2] = {0, 0};
  const auto part = [&](int i) {
    for (uint64_t j = n * i / 2; j < n * (i + 1) / 2; ++j) {
      const float y = cosim::fsim::YScanPoint(s, j);
      bad[i] += YTableLookup(y, t.params, t.words.data()) != g(y);
    }
  };
  std::thread other(part, 1);
  part(0);
  other.join();
  return bad[0] + bad[1];
}

// round-half-even(16y) with a wiggle after every step: the first two binary32 above each step whose
// bits are odd fall back one code (non-monotone, as a platform expf can make an order).
int32_t Wiggly(float y) {
  const float v = std::nearbyint(y * 16.0f);
  const float below = std::nearbyint(std::nextafter(std::nextafter(y, -1e30f), -1e30f) * 16.0f);
  const bool wiggle = v != below && (FloatBits(y) & 1u) && std::fabs(y) > 0.1f;
  return static_cast<int32_t>(v) - (wiggle ? (v > below ? 1 : -1) : 0);
}

TEST(YTable, SyntheticWigglesTabulatedExactly) {
  const YScanSpec s = Spec(1.0f / 32, 3.0f);
  const YScan scan = Scan(s, Wiggly);
  const YTable t = cosim::fsim::BuildYTable(scan);
  ASSERT_GT(t.params.n, 0) << t.why_not;
  // about 48 wiggles (steps a few ulps apart): more than side entries may take
  EXPECT_EQ(t.params.form, cosim::fsim::YForm::kThreeSteps);
  EXPECT_GT(t.transitions, 130);  // 96 steps, about half with a wiggle (two more transitions)
  EXPECT_EQ(CheckAllPoints(s, t, Wiggly), 0);
  // the quiet interval (|y| < 1/32, not scanned) reads 0
  for (float y : {0.0f, -0.0f, 1e-30f, -1e-30f, 0.03f, -0.03f}) EXPECT_EQ(YTableLookup(y, t.params, t.words.data()), 0);
}

// A wiggle at every eighth step only: one step per bucket, the few wiggles in side entries.
int32_t RarelyWiggly(float y) {
  const float v = std::nearbyint(y * 16.0f);
  return static_cast<int32_t>(v) == 8 * (static_cast<int32_t>(v) / 8) ? Wiggly(y) : static_cast<int32_t>(v);
}

TEST(YTable, RareWigglesGoToSideEntries) {
  const YScanSpec s = Spec(1.0f / 32, 3.0f);
  const YTable t = cosim::fsim::BuildYTable(Scan(s, RarelyWiggly));
  ASSERT_EQ(t.params.form, cosim::fsim::YForm::kOneStepPlus) << t.why_not;
  EXPECT_GT(t.params.side, 0);
  EXPECT_LE(t.params.side, t.params.n / 128);
  EXPECT_EQ(t.words.size(), static_cast<size_t>(cosim::fsim::YTableWords(t.params)));
  EXPECT_EQ(cosim::fsim::YSideOffsetWords(t.params) % 4, 0);  // 16-byte side entries, aligned
  EXPECT_EQ(CheckAllPoints(s, t, RarelyWiggly), 0);
}

// Below the first transition and above the last (|y| up to the scan's bound 3, and beyond it,
// where no layer's y lies but both bucket maps saturate), the end codes; in both forms.
TEST(YTable, BeyondTheRangeTheEndCodes) {
  const YScanSpec s = Spec(1.0f / 32, 3.0f);
  const auto g = [](float y) { return static_cast<int32_t>(std::fmin(std::fmax(std::nearbyint(y * 8.0f), -5.0f), 7.0f)); };
  const YScan scan = Scan(s, g);
  for (const auto first : {cosim::fsim::YForm::kOneStep, cosim::fsim::YForm::kThreeSteps}) {
    const YTable t = cosim::fsim::BuildYTable(scan, first);
    ASSERT_GT(t.params.n, 0) << t.why_not;
    EXPECT_EQ(t.params.form, first);
    EXPECT_EQ(CheckAllPoints(s, t, g), 0);
    const float inf = std::numeric_limits<float>::infinity();
    for (float y : {1.0f, 3.0f, std::nextafter(3.0f, inf), 1e30f, std::numeric_limits<float>::max(), inf})
      EXPECT_EQ(YTableLookup(y, t.params, t.words.data()), 7) << y;
    for (float y : {-1.0f, -3.0f, std::nextafter(-3.0f, -inf), -1e30f, -std::numeric_limits<float>::max(), -inf})
      EXPECT_EQ(YTableLookup(y, t.params, t.words.data()), -5) << y;
  }
}

TEST(YTable, NoTableWhenStepsAreTooDense) {
  const YScanSpec s = Spec(1.0f / 32, 3.0f);
  // a step on every binary32 of [1, 1 + 2^-10): more transitions than any table holds
  const auto dense = [](float y) { return (y >= 1.0f && y < 1.0009765625f) ? static_cast<int32_t>(FloatBits(y) & 1u) : 0; };
  const YTable a = cosim::fsim::BuildYTable(Scan(s, dense));
  EXPECT_EQ(a.params.form, cosim::fsim::YForm::kNone);
  EXPECT_NE(a.why_not.find("transitions"), std::string::npos) << a.why_not;
  // steps on 12 consecutive binary32 near 1.5 and near -1.5: no bucket map within 32 KiB separates
  // them (one step per bucket needs buckets of one ulp over [-1.5, 1.5]; three-step buckets are at
  // least 4 ulps wide there, |n0| < 2^22)
  const auto twelve = [](float y) {
    const uint32_t b = FloatBits(std::fabs(y)), o = FloatBits(1.5f);
    return (b >= o && b < o + 12) ? static_cast<int32_t>(b - o) % 2 + 1 : 0;
  };
  const YScan scan4 = Scan(s, twelve);
  EXPECT_EQ(scan4.transitions.size(), 26u);  // 0, 1, 2, 1, ..., 2, 0 twice
  const YTable b = cosim::fsim::BuildYTable(scan4);
  EXPECT_EQ(b.params.form, cosim::fsim::YForm::kNone);
  EXPECT_NE(b.why_not.find("bucket map"), std::string::npos) << b.why_not;
}

TEST(YTable, ContradictionsThrow) {
  const YScanSpec s = Spec(1.0f / 32, 3.0f);
  const auto g = [](float y) { return static_cast<int32_t>(std::nearbyint(y * 8.0f)); };
  YScan scan = Scan(s, g);
  ASSERT_GT(cosim::fsim::BuildYTable(scan).params.n, 0);
  YScan broken = scan;
  broken.transitions.erase(broken.transitions.begin() + 3);  // a lost transition
  EXPECT_THROW(cosim::fsim::BuildYTable(broken), std::logic_error);
  YScan loud = scan;
  loud.neg_last = 1;  // a non-zero code at the quiet interval
  EXPECT_THROW(cosim::fsim::BuildYTable(loud), std::logic_error);
}

// The codes8 kernel's shared layout (ytable.h): as many interleaved copies as the budget allows,
// 16 of 8-byte and 8 of 16-byte entries at most (a shared-memory wavefront's lanes on distinct
// banks), one copy for the largest tables, and the cap obeyed.
TEST(YTable, SharedCopiesFitTheBudget) {
  using cosim::fsim::YForm;
  cosim::fsim::YTableParams t;
  t.form = YForm::kOneStep;
  t.n = 365;  // the benchmark layer's table: 16 copies of 2920 bytes
  EXPECT_EQ(cosim::fsim::YCopiesLog2(t), 4);
  EXPECT_EQ(cosim::fsim::YSharedWords(t, 4) * 4, 46720);
  EXPECT_EQ(cosim::fsim::YCopiesLog2(t, 2), 2);
  EXPECT_EQ(cosim::fsim::YCopiesLog2(t, 0), 0);
  t.n = 385;  // 16 copies would take 49,280 bytes
  EXPECT_EQ(cosim::fsim::YCopiesLog2(t), 3);
  t.form = YForm::kOneStepPlus;
  t.n = 383;
  t.side = 2;  // 16 copies: 49,024 + 32 bytes
  EXPECT_EQ(cosim::fsim::YSharedWords(t, 4), 383 * 2 * 16 + 2 * 4);
  EXPECT_EQ(cosim::fsim::YCopiesLog2(t), 4);
  t.side = 9;  // 49,024 + 144 bytes
  EXPECT_EQ(cosim::fsim::YCopiesLog2(t), 3);
  t.form = YForm::kThreeSteps;
  t.n = 100;  // 16-byte entries: at most 8 copies
  t.side = 0;
  EXPECT_EQ(cosim::fsim::YCopiesLog2(t), 3);
  t.n = cosim::fsim::kYTableMaxWords / cosim::fsim::kYWordsThreeSteps;  // 32 KiB: one copy
  EXPECT_EQ(cosim::fsim::YCopiesLog2(t), 0);
  for (YForm f : {YForm::kOneStep, YForm::kOneStepPlus, YForm::kThreeSteps}) {
    t.form = f;
    for (int n = 1; n <= cosim::fsim::kYTableMaxWords / cosim::fsim::YEntryWords(f); n += 7) {
      t.n = n;
      t.side = f == YForm::kOneStepPlus ? std::min(256, n / 128) : 0;
      const int lg = cosim::fsim::YCopiesLog2(t);
      ASSERT_TRUE(lg == 0 || cosim::fsim::YSharedWords(t, lg) * 4 <= cosim::fsim::kYSharedBudget) << n;
      ASSERT_LE(cosim::fsim::YSharedWords(t, lg), 2 * cosim::fsim::kYTableMaxWords) << n;
      ASSERT_EQ(cosim::fsim::YSharedMainWords(t, lg) % 4, 0) << n;  // the side entries 16-byte aligned
    }
  }
}

// The bound holds for the extreme accumulators of every channel (x = +-128 or 127 by weight sign).
TEST(YTable, BoundCoversEveryChannelsExtremes) {
  for (bool per_channel : {false, true}) {
    const auto l = fsimtest::RandomLayer(31, 1, 256, 32, per_channel);
    Knobs sfu;
    sfu.profile = Profile::kFp32Sfu;
    if (per_channel) sfu.weight_scale = cosim::fsim::WeightScale::kPerChannel;
    const std::pair<Mode, Knobs> cases[] = {
        {Mode::kInt8Quamba, Knobs{}}, {Mode::kNaiveFakeQuant, Knobs{}}, {Mode::kFloatSimInt8, sfu}};
    for (const auto& [m, knobs] : cases) {
      const auto pr = cosim::fsim::Prepare(m, l.view(), knobs, cosim::fsim::kDefaultSeFactor);
      const float bound = cosim::fsim::YBound(pr);
      for (const auto& c : pr.ch) {
        for (int sign : {-1, 1}) {
          int xs[4];
          for (int k = 0; k < 4; ++k) {
            const int w = cosim::fsim::ByteS(c.w_packed, k);
            xs[k] = (w >= 0) == (sign > 0) ? 127 : -128;
          }
          float y;
          if (m == Mode::kNaiveFakeQuant) {
            float xf[4], wf[4];
            for (int k = 0; k < 4; ++k) {
              xf[k] = cosim::fsim::Mul(static_cast<float>(xs[k]), pr.lp.s_x);
              wf[k] = cosim::fsim::Mul(static_cast<float>(cosim::fsim::ByteS(c.w_packed, k)), c.s_w);
            }
            y = cosim::fsim::NaivePreActivation(xf, wf, c.bias_f);
          } else {
            int acc = 0;
            for (int k = 0; k < 4; ++k) acc += cosim::fsim::ByteS(c.w_packed, k) * xs[k];
            y = cosim::fsim::PreActivation(static_cast<float>(acc), c);
          }
          EXPECT_LE(std::fabs(y), bound);
        }
      }
    }
  }
}

// Host tables of the real orders (the host's expf) against the orders on every scanned binary32,
// and on the binary32 of the quiet interval's outer binade (O11's margin is tightest there).
TEST(YTable, HostTablesEqualTheOrders) {
  auto l = fsimtest::RandomLayer(32, 1, 64, 32);
  l.s_out = 0.5f;  // a short scan (|y| from 1/8 to about 14, 27 codes): this runs in CI
  Knobs sfu_even;
  sfu_even.profile = Profile::kFp32Sfu;
  sfu_even.rounding = cosim::fsim::Rounding::kHalfEven;
  const std::pair<Mode, Knobs> cases[] = {
      {Mode::kInt8Quamba, Knobs{}}, {Mode::kNaiveFakeQuant, Knobs{}}, {Mode::kFloatSimInt8, sfu_even}};
  for (const auto& [m, k] : cases) {
    const auto pr = cosim::fsim::Prepare(m, l.view(), k, cosim::fsim::kDefaultSeFactor);
    ASSERT_TRUE(cosim::fsim::YTableApplies(pr));
    const YTable t = cosim::fsim::HostYTable(pr);
    ASSERT_GT(t.params.n, 0) << t.why_not;
    const YScanSpec s = cosim::fsim::MakeYScanSpec(pr);
    cosim::fsim::WithYOrder(pr.lp.op, "HostTablesEqualTheOrders", [&](auto op) {
      const auto g = [&](float y) { return cosim::fsim::CodeOfY<decltype(op)::value>(y, pr.lp, pr.lp.rounding); };
      EXPECT_EQ(CheckAllPoints(s, t, g), 0) << cosim::fsim::ModeName(m);
      const float tau = BitsToFloat(s.pos_lo);
      int64_t bad = 0;
      for (uint32_t b = FloatBits(tau / 2); b <= FloatBits(tau); ++b)
        for (float y : {BitsToFloat(b), -BitsToFloat(b)}) bad += YTableLookup(y, t.params, t.words.data()) != g(y);
      EXPECT_EQ(bad, 0) << cosim::fsim::ModeName(m) << " in the quiet interval";
    });
    EXPECT_GT(t.transitions, 10);
  }
}

}  // namespace
