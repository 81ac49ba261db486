// The block forms of the int-lut stages (MacBlock, RequantBlock, LookupBlock) and RunLayer's
// block path against the element forms (MacTaps, RequantToIndex, LookupSilu) and RunLayer's
// element-by-element path: every rounding mode, both overflow modes, the whole range of every
// knob, random and edge data, counters and carried state included. Zero tolerance.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "sim/core/datapath.h"
#include "sim/core/error.h"
#include "sim/core/stage_mac.h"
#include "sim/core/stage_requant.h"
#include "sim/core/stage_silu_lut.h"
#include "tests/sim/core/random_layer.h"
#include "tests/sim/core/reference.h"

namespace cosim {
namespace {

using cosim::testing::Knobs;
using cosim::testing::RandomLayer;

constexpr Rounding kRoundings[] = {Rounding::kHalfAwayFromZero, Rounding::kHalfToEven, Rounding::kHalfUp,
                                   Rounding::kTruncate};
constexpr Overflow kOverflows[] = {Overflow::kSaturate, Overflow::kWrap};

// Windows of the extreme codes (every combination of -128, -1, 0, 127 over the 4 taps), then
// random codes. xs holds n + 3 codes.
std::vector<int8_t> MacInputs(std::mt19937& rng, int n) {
  const int8_t edge[] = {-128, -1, 0, 127};
  std::vector<int8_t> xs;
  for (int i = 0; i < 256; ++i)
    for (int k = 0; k < 4; ++k) xs.push_back(edge[(i >> (2 * k)) & 3]);
  std::uniform_int_distribution<int> i8(-128, 127);
  while (static_cast<int>(xs.size()) < n + 3) xs.push_back(static_cast<int8_t>(i8(rng)));
  return xs;
}

TEST(BlockForms, MacBlockEqualsMacTapsForEveryAccumulatorWidth) {
  std::mt19937 rng(1);
  const std::vector<int8_t> xs = MacInputs(rng, 3000);
  const int n = static_cast<int>(xs.size()) - 3;
  const int8_t tap_sets[][4] = {{-128, -128, -128, -128}, {127, 127, 127, 127}, {-128, 127, -128, 127},
                                {0, 0, 0, 0},             {1, -2, 3, 4},        {-77, 5, 100, -1}};
  int64_t overflowed_total = 0;
  for (int bits = 16; bits <= 32; ++bits) {
    std::vector<int64_t> biases = {0, 1, -1, MaxSigned(bits), MinSigned(bits), MaxSigned(bits) - 65536,
                                   MinSigned(bits) + 65024, MaxSigned(bits) - 40000, MinSigned(bits) + 40000};
    std::uniform_int_distribution<int64_t> any_bias(MinSigned(bits), MaxSigned(bits));
    for (int i = 0; i < 4; ++i) biases.push_back(any_bias(rng));
    for (const auto& taps : tap_sets)
      for (int64_t bias : biases)
        for (Overflow ov : kOverflows) {
          if (!FitsSigned(bias, bits)) continue;  // CompileLayer never folds such a bias
          MacChannel m;
          ASSERT_TRUE(MakeMacChannel(taps, bias, bits, &m));
          std::vector<int32_t> acc(n);
          const int got_over = ov == Overflow::kSaturate ? MacBlock<Overflow::kSaturate>(m, xs.data(), n, acc.data())
                                                         : MacBlock<Overflow::kWrap>(m, xs.data(), n, acc.data());
          int want_over = 0;
          for (int i = 0; i < n; ++i) {
            const MacResult e = MacTaps(taps, &xs[i], bias, bits, ov);
            want_over += e.overflow;
            ASSERT_EQ(acc[i], e.acc) << "acc_bits " << bits << " bias " << bias << " i " << i;
          }
          ASSERT_EQ(got_over, want_over) << "acc_bits " << bits << " bias " << bias;
          overflowed_total += got_over;
        }
  }
  EXPECT_GT(overflowed_total, 0);  // the edge biases do overflow
}

TEST(BlockForms, MacChannelRejectsWhatTheBlockFormDoesNotCover) {
  const int8_t taps[4] = {1, 2, 3, 4};
  MacChannel m;
  EXPECT_FALSE(MakeMacChannel(taps, int64_t{1} << 31, 32, &m));
  EXPECT_FALSE(MakeMacChannel(taps, 40000, 16, &m));
  EXPECT_FALSE(MakeMacChannel(taps, 0, 33, &m));
}

// Accumulator values that probe a channel: the ends of the register, zero, the saturation
// thresholds and their neighbours, the exact rounding ties p = (k + 1/2) 2^s and their
// neighbours, and random values.
std::vector<int32_t> RequantInputs(std::mt19937& rng, const RequantChannel& q, int64_t mult, int shift, int acc_bits) {
  const int64_t amin = MinSigned(acc_bits), amax = MaxSigned(acc_bits);
  std::vector<int64_t> v = {amin, amin + 1, amax, amax - 1, 0, 1, -1, 2, -2};
  for (int64_t t : {int64_t{q.acc_max_unsat}, int64_t{q.acc_min_unsat}})
    for (int64_t k = -2; k <= 2; ++k) v.push_back(t + k);
  // Ties: acc * M = (2j + 1) 2^(s-1) has integer solutions acc when M divides (2j + 1) 2^(s-1).
  if (shift >= 1) {
    for (int64_t j = -3; j <= 3; ++j) {
      const Int128 target = static_cast<Int128>(2 * j + 1) * (static_cast<Int128>(1) << (shift - 1));
      if (target % mult == 0) {
        const Int128 a = target / mult;
        if (a >= amin && a <= amax) v.push_back(static_cast<int64_t>(a));
      }
    }
    // Multiples of 2^(s-1) / gcd near the thresholds also land on ties when M is a power of two.
    const int64_t step = shift - 1 < 31 ? int64_t{1} << (shift - 1) : 0;
    for (int64_t k = -4; step != 0 && k <= 4; ++k) v.push_back(k * step);
  }
  std::uniform_int_distribution<int64_t> any(amin, amax);
  std::uniform_int_distribution<int64_t> near(int64_t{q.acc_min_unsat} - 8, int64_t{q.acc_max_unsat} + 8);
  for (int i = 0; i < 100; ++i) v.push_back(any(rng));
  for (int i = 0; i < 100; ++i) v.push_back(near(rng));
  std::vector<int32_t> out;
  for (int64_t a : v)
    if (a >= amin && a <= amax) out.push_back(static_cast<int32_t>(a));
  return out;
}

int RunRequantBlock(const RequantChannel& q, const std::vector<int32_t>& acc, std::vector<int32_t>& index) {
  const int n = static_cast<int>(acc.size());
  switch (q.mode) {
    case Rounding::kHalfAwayFromZero: return RequantBlock<Rounding::kHalfAwayFromZero>(q, acc.data(), n, index.data());
    case Rounding::kHalfToEven: return RequantBlock<Rounding::kHalfToEven>(q, acc.data(), n, index.data());
    case Rounding::kHalfUp: return RequantBlock<Rounding::kHalfUp>(q, acc.data(), n, index.data());
    case Rounding::kTruncate: return RequantBlock<Rounding::kTruncate>(q, acc.data(), n, index.data());
  }
  return -1;
}

TEST(BlockForms, RequantBlockEqualsRequantToIndexOverEveryShiftAndWidth) {
  std::mt19937 rng(2);
  int64_t cases = 0, saturated_total = 0, ties = 0;
  for (int mult_bits = 2; mult_bits <= 31; ++mult_bits) {
    const int64_t lo = int64_t{1} << (mult_bits - 1), hi = (int64_t{1} << mult_bits) - 1;
    std::uniform_int_distribution<int64_t> any_m(lo, hi);
    for (int64_t mult : {lo, hi, any_m(rng), any_m(rng) | 1})
      for (int shift = 0; shift <= 62; ++shift)
        for (int index_bits : {4, 10, 20})
          for (int acc_bits : {16, 32})
            for (Rounding r : kRoundings) {
              RequantChannel q;
              ASSERT_TRUE(MakeRequantChannel(mult, shift, r, index_bits, acc_bits, &q));
              const std::vector<int32_t> acc = RequantInputs(rng, q, mult, shift, acc_bits);
              std::vector<int32_t> index(acc.size());
              const int got_sat = RunRequantBlock(q, acc, index);
              int want_sat = 0;
              for (size_t i = 0; i < acc.size(); ++i) {
                const RequantResult e = RequantToIndex(acc[i], mult, shift, r, index_bits);
                want_sat += e.saturated;
                if (shift >= 1 && ((static_cast<Int128>(acc[i]) * mult) & ((static_cast<Int128>(1) << shift) - 1)) ==
                                      (static_cast<Int128>(1) << (shift - 1)))
                  ++ties;
                ASSERT_EQ(index[i], e.index) << "M " << mult << " shift " << shift << " N " << index_bits
                                             << " acc_bits " << acc_bits << " rounding " << ToString(r) << " acc "
                                             << acc[i];
              }
              ASSERT_EQ(got_sat, want_sat) << "M " << mult << " shift " << shift << " N " << index_bits;
              saturated_total += got_sat;
              ++cases;
            }
  }
  EXPECT_EQ(cases, 30 * 4 * 63 * 3 * 2 * 4);
  EXPECT_GT(saturated_total, 0);
  EXPECT_GT(ties, 1000);  // exact halves were among the inputs, so the tie rules were exercised
}

TEST(BlockForms, RequantModeIsTruncateOnlyWithShiftZero) {
  for (Rounding r : kRoundings) {
    EXPECT_EQ(RequantMode(0, r), Rounding::kTruncate);
    EXPECT_EQ(RequantMode(1, r), r);
    EXPECT_EQ(RequantMode(62, r), r);
  }
  RequantChannel q;
  EXPECT_FALSE(MakeRequantChannel(0, 10, Rounding::kHalfUp, 10, 32, &q));
  EXPECT_FALSE(MakeRequantChannel(int64_t{1} << 31, 10, Rounding::kHalfUp, 10, 32, &q));
  EXPECT_FALSE(MakeRequantChannel(100, 63, Rounding::kHalfUp, 10, 32, &q));
  EXPECT_FALSE(MakeRequantChannel(100, -1, Rounding::kHalfUp, 10, 32, &q));
}

TEST(BlockForms, LookupBlockEqualsLookupSiluAndCountsClampedEntries) {
  std::mt19937 rng(3);
  for (int bits : {4, 10, 20}) {
    const int entries = 1 << bits;
    std::vector<int32_t> lut(entries);
    std::vector<uint8_t> clamped(entries);
    for (int i = 0; i < entries; ++i) {
      lut[i] = static_cast<int32_t>(rng() % 4001) - 2000;
      clamped[i] = rng() % 3 == 0;
    }
    std::vector<int32_t> index = {static_cast<int32_t>(MinSigned(bits)), static_cast<int32_t>(MaxSigned(bits)), 0, -1};
    std::uniform_int_distribution<int32_t> any(static_cast<int32_t>(MinSigned(bits)), static_cast<int32_t>(MaxSigned(bits)));
    for (int i = 0; i < 1000; ++i) index.push_back(any(rng));
    std::vector<int32_t> y(index.size());
    const int got = LookupBlock(lut.data(), clamped.data(), index.data(), static_cast<int>(index.size()), bits, y.data());
    int want = 0;
    for (size_t i = 0; i < index.size(); ++i) {
      ASSERT_EQ(y[i], LookupSilu(lut.data(), index[i], bits));
      want += clamped[LutAddress(index[i], bits)];
    }
    EXPECT_EQ(got, want);
    EXPECT_GT(want, 0);
  }
}

// A random layer whose first channels hold the extreme taps and inputs (largest sums of either
// sign, so narrow accumulators overflow and indices saturate), with a random carried state.
RandomLayer EdgeLayer(int B, int D, int L, uint32_t seed) {
  RandomLayer r = cosim::testing::MakeRandomLayer(B, D, L, seed, false, 5);
  for (int k = 0; k < 4; ++k) {
    r.layer.weight[0 * 4 + k] = 127;
    r.layer.weight[1 * 4 + k] = -128;
    r.layer.weight[2 * 4 + k] = static_cast<int8_t>(k % 2 ? 127 : -128);
  }
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < L; ++t) {
      r.x[(static_cast<size_t>(b) * D + 0) * L + t] = 127;
      r.x[(static_cast<size_t>(b) * D + 1) * L + t] = -128;
      r.x[(static_cast<size_t>(b) * D + 2) * L + t] = static_cast<int8_t>(t % 2 ? -128 : 127);
    }
  r.layer.bias[0] = 127;
  r.layer.bias[1] = -128;
  return r;
}

void ExpectSameResult(const LayerResult& a, const LayerResult& b, bool keep, const std::string& what) {
  ASSERT_EQ(a.y, b.y) << what;
  ASSERT_EQ(a.state_out, b.state_out) << what;
  EXPECT_EQ(a.counters.acc_overflow, b.counters.acc_overflow) << what;
  EXPECT_EQ(a.counters.index_saturated, b.counters.index_saturated) << what;
  EXPECT_EQ(a.counters.output_saturated, b.counters.output_saturated) << what;
  if (keep) {
    ASSERT_EQ(a.acc, b.acc) << what;
    ASSERT_EQ(a.index, b.index) << what;
  }
}

TEST(BlockForms, RunLayerBlockPathEqualsElementPathForEveryKnobCombination) {
  const char* roundings[] = {"half-away", "half-even", "half-up", "truncate"};
  const char* overflows[] = {"saturate", "wrap"};
  int ran = 0;
  LayerCounters seen;
  for (const char* rounding : roundings)
    for (const char* overflow : overflows)
      for (int acc_bits : {16, 20, 24, 32})
        for (int mult_bits : {2, 9, 16, 31})
          for (int index_bits : {4, 10})
            for (int output_bits : {2, 8}) {
              const nlohmann::json knobs = {{"rounding", rounding},     {"acc_overflow", overflow},
                                            {"acc_bits", acc_bits},     {"requant_mult_bits", mult_bits},
                                            {"lut_index_bits", index_bits}, {"output_bits", output_bits}};
              for (int L : {1, 3, 257}) {
                const RandomLayer r = EdgeLayer(2, 7, L, static_cast<uint32_t>(ran + L));
                CompiledLayer c;
                try {
                  c = CompileLayer(r.layer, Knobs(knobs));
                } catch (const Error&) {
                  continue;  // e.g. the folded bias does not fit 16 bits: nothing to run
                }
                std::vector<int8_t> state(2 * 7 * kStateLen);
                for (size_t i = 0; i < state.size(); ++i) state[i] = static_cast<int8_t>(i * 37 - 100);
                for (bool keep : {true, false}) {
                  for (const int8_t* st : {static_cast<const int8_t*>(nullptr), static_cast<const int8_t*>(state.data())}) {
                    const LayerInput in = r.Input(st);
                    const LayerResult block = RunLayer(c, r.layer, in, RunOptions{keep, 1, false});
                    const LayerResult element = RunLayer(c, r.layer, in, RunOptions{keep, 1, true});
                    ExpectSameResult(block, element, keep, knobs.dump() + " L=" + std::to_string(L));
                    if (keep) seen += block.counters;
                  }
                }
                ++ran;
              }
            }
  EXPECT_GT(ran, 1000);  // most combinations compile for this layer
  EXPECT_GT(seen.acc_overflow, 0);
  EXPECT_GT(seen.index_saturated, 0);
  EXPECT_GT(seen.output_saturated, 0);
}

TEST(BlockForms, RunLayerBlockPathEqualsElementPathForNamedProfilesAndWideKnobs) {
  std::vector<std::pair<std::string, nlohmann::json>> cases;
  for (const std::string& p : HwConfig::ProfileNames())
    if (HwConfig::Named(p).profile == Profile::kIntLut) cases.push_back({p, nlohmann::json::object()});
  cases.push_back({"int-lut", {{"lut_index_bits", 20}, {"output_bits", 24}}});
  cases.push_back({"int-lut", {{"lut_index_bits", 14}, {"output_bits", 12}, {"output_scale_divisor", 16}}});
  cases.push_back({"int-lut", {{"output_scale_divisor", 2025}, {"output_bits", 20}, {"lut_index_bits", 20}}});
  for (const auto& [profile, knobs] : cases) {
    const bool per_channel = HwConfig::Named(profile).weight_scale == WeightScaleMode::kPerChannel;
    const RandomLayer r = cosim::testing::MakeRandomLayer(3, 40, 700, 11, per_channel, 2);
    const CompiledLayer c = CompileLayer(r.layer, Knobs(knobs, profile.c_str()));
    for (int threads : {1, 3}) {
      const LayerResult block = RunLayer(c, r.layer, r.Input(), RunOptions{true, threads, false});
      const LayerResult element = RunLayer(c, r.layer, r.Input(), RunOptions{true, 1, true});
      ExpectSameResult(block, element, true, profile + " " + knobs.dump());
    }
  }
}

}  // namespace
}  // namespace cosim
