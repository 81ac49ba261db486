// The per-channel acc tables of the codes8 kernel (gpu_ref/acctable.h, acctable.cpp;
// docs/floatsim.md O12) on the host: which layers get them, their shared-memory budget, and tables
// built from host y-tables against the orders on EVERY reachable accumulator value of every channel
// and against RunHost's codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "gpu_ref/acctable.h"
#include "gpu_ref/element.h"
#include "gpu_ref/prepare.h"
#include "gpu_ref/ytable_build.h"
#include "test_layers.h"

namespace {

using cosim::fsim::AccChannel;
using cosim::fsim::AccTables;
using cosim::fsim::ElemOp;
using cosim::fsim::Knobs;
using cosim::fsim::Mode;
using cosim::fsim::Profile;

cosim::fsim::Prepared Prep(Mode m, const fsimtest::OwnedLayer& l, const Knobs& k) {
  return cosim::fsim::Prepare(m, l.view(), k, cosim::fsim::kDefaultSeFactor);
}

TEST(AccTable, AppliesToMonotoneIntegerAccumulatorOrders) {
  const auto l = fsimtest::RandomLayer(41, 1, 32, 32);
  Knobs sfu;
  sfu.profile = Profile::kFp32Sfu;
  Knobs wrap16 = sfu, sat16 = sfu;
  wrap16.acc_bits = sat16.acc_bits = 16;
  wrap16.acc_overflow = cosim::fsim::AccOverflow::kWrap;
  EXPECT_TRUE(cosim::fsim::AccTablesApply(Prep(Mode::kInt8Quamba, l, Knobs{})));
  EXPECT_TRUE(cosim::fsim::AccTablesApply(Prep(Mode::kInt8QuambaFastExp, l, Knobs{})));
  EXPECT_TRUE(cosim::fsim::AccTablesApply(Prep(Mode::kInt8Asic, l, sfu)));
  EXPECT_TRUE(cosim::fsim::AccTablesApply(Prep(Mode::kFloatSimInt8, l, sfu)));
  // Saturation keeps y monotone in acc; a wrap that reachable values hit does not.
  EXPECT_TRUE(cosim::fsim::AccTablesApply(Prep(Mode::kFloatSimInt8, l, sat16)));
  EXPECT_FALSE(cosim::fsim::AccTablesApply(Prep(Mode::kInt8Asic, l, wrap16)));
  EXPECT_FALSE(cosim::fsim::AccTablesApply(Prep(Mode::kFloatSimInt8, l, wrap16)));
  // Naive fake-quant's y is not a function of acc; int-lut has its own integer table.
  EXPECT_FALSE(cosim::fsim::AccTablesApply(Prep(Mode::kNaiveFakeQuant, l, Knobs{})));
  EXPECT_FALSE(cosim::fsim::AccTablesApply(Prep(Mode::kFloatSimInt8, l, Knobs{})));
  const auto pr = Prep(Mode::kNaiveFakeQuant, l, Knobs{});
  EXPECT_THROW(cosim::fsim::BuildAccTables(pr, cosim::fsim::YTable{}), std::invalid_argument);
}

// float-sim's offset MAC in the acc kernel (AccSubMac): from AccSubMacStart, with the weights times
// 2^100 and the inputs + 128 read as subnormals, the four FMAs give AccKey(acc) * 2^-49 exactly,
// bits kAccSubMacKeyBits + acc. Every weight vector over {-128, -127, -1, 0, 1, 126, 127} (the
// partial sums' extremes) and 2000 random ones; per channel the 16 tuples of extreme inputs and
// 64 random ones.
TEST(AccTable, SubMacIsExact) {
  using cosim::fsim::Fma;
  const int grid[] = {-128, -127, -1, 0, 1, 126, 127};
  std::mt19937 rng(17);
  std::uniform_int_distribution<int> byte(-128, 127);
  int64_t checked = 0, bad = 0;
  const auto channel = [&](const int (&w)[4]) {
    uint32_t w_packed = 0;
    for (int k = 0; k < 4; ++k) w_packed |= static_cast<uint32_t>(static_cast<uint8_t>(w[k])) << (8 * k);
    float wf[4];
    for (int k = 0; k < 4; ++k) wf[k] = cosim::fsim::AccSubMacWeight(w_packed, k);
    const float start = cosim::fsim::AccSubMacStart(w_packed);
    for (int i = 0; i < 16 + 64; ++i) {
      int x[4];
      int32_t acc = 0;
      for (int k = 0; k < 4; ++k) {
        x[k] = i < 16 ? ((i >> k) & 1 ? 127 : -128) : byte(rng);
        acc += w[k] * x[k];
      }
      float v = start;
      for (int k = 0; k < 4; ++k) v = Fma(wf[k], cosim::fsim::AccSubMacInput(x[k]), v);
      bad += cosim::fsim::FloatBits(v) != cosim::fsim::kAccSubMacKeyBits + static_cast<uint32_t>(acc);
      bad += v != std::ldexp(cosim::fsim::AccKey(acc), -cosim::fsim::kAccSubMacLog2);
      ++checked;
    }
  };
  for (int a : grid)
    for (int b : grid)
      for (int c : grid)
        for (int e : grid) channel({a, b, c, e});
  for (int ch = 0; ch < 2000; ++ch) channel({byte(rng), byte(rng), byte(rng), byte(rng)});
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(checked, (2401 + 2000) * 80);
  // The subnormal operand of an input byte: (x + 128) * 2^-149.
  EXPECT_EQ(static_cast<double>(cosim::fsim::AccSubMacInput(-128)), 0.0);
  EXPECT_EQ(static_cast<double>(cosim::fsim::AccSubMacInput(127)), std::ldexp(255.0, -149));
}

TEST(AccTable, ReachableRangeIsTheExtremesOfTheTaps) {
  const uint32_t w = 0x807f01ffu;  // taps -1, 1, 127, -128
  const cosim::fsim::AccRange r = cosim::fsim::ChannelAccRange(w);
  EXPECT_EQ(r.lo, -127 - 128 - 128 * 127 - 127 * 128);
  EXPECT_EQ(r.hi, 128 + 127 + 127 * 127 + 128 * 128);
  EXPECT_EQ(cosim::fsim::FloatBits(cosim::fsim::AccKey(-65536)), cosim::fsim::kMagicBits - 65536u);
  EXPECT_EQ(static_cast<double>(cosim::fsim::AccKey(-65536)), 0x1.8p23 - 65536.0);
  EXPECT_EQ(static_cast<double>(cosim::fsim::AccKey(65536)), 0x1.8p23 + 65536.0);
}

TEST(AccTable, SharedCopiesFitTheBudget) {
  using cosim::fsim::AccCopiesLog2;
  EXPECT_EQ(AccCopiesLog2(384), 4);  // 384 * 8 * 16 = 48 KiB
  EXPECT_EQ(AccCopiesLog2(385), 3);
  EXPECT_EQ(AccCopiesLog2(768), 3);
  EXPECT_EQ(AccCopiesLog2(769), 2);
  EXPECT_EQ(AccCopiesLog2(cosim::fsim::kAccMaxEntries), 0);
  EXPECT_EQ(AccCopiesLog2(1), 4);
  for (int cap = 0; cap <= 4; ++cap) EXPECT_EQ(AccCopiesLog2(10, cap), cap);
  for (int n = 1; n <= cosim::fsim::kAccMaxEntries; ++n)
    ASSERT_LE(cosim::fsim::AccSharedBytes(n, AccCopiesLog2(n)), cosim::fsim::kYSharedBudget) << n;
}

// Host acc tables (from host y-tables, the host's expf) against the order on every reachable acc of
// every channel, and against RunHost's codes for the layer's own inputs.
// AccEntryPack / AccEntryExpand: every step key of the reachable range and every pair of codes whose
// step is in [-64, 63] round-trip; the rest is refused.
TEST(AccTable, PackedEntries) {
  using cosim::fsim::AccEntryExpand;
  using cosim::fsim::AccEntryPack;
  const auto codes = [](int below, int above) {
    return (static_cast<uint32_t>(below) & 0xffu) | (static_cast<uint32_t>(above) & 0xffu) << 8;
  };
  int64_t round_trips = 0, bad = 0;
  for (int32_t acc = -65024; acc <= 65024; ++acc) {  // every reachable key, one step pair each
    const uint32_t th = cosim::fsim::kMagicBits + static_cast<uint32_t>(acc);
    const int below = (acc % 255 + 255) % 255 - 128, diff = (acc % 127 + 127) % 127 - 64;
    if (diff == 0 || below + diff < -128 || below + diff > 127) continue;
    uint32_t w = 0;
    bad += !AccEntryPack(th, codes(below, below + diff), w);
    const cosim::fsim::AccEntry e = AccEntryExpand(w);
    bad += e.th_bits != th || e.codes != codes(below, below + diff);
    ++round_trips;
  }
  for (int below = -128; below <= 127; ++below) {
    for (int above = -128; above <= 127; ++above) {  // every pair of codes at the range's ends
      const bool fits = above != below && above - below >= -64 && above - below <= 63;
      for (const int32_t acc : {-65536, -65024, 0, 65024, 65535}) {
        uint32_t w = 0;
        const uint32_t th = cosim::fsim::kMagicBits + static_cast<uint32_t>(acc);
        const bool packed = AccEntryPack(th, codes(below, above), w);
        bad += packed != fits;
        if (packed) {
          const cosim::fsim::AccEntry e = AccEntryExpand(w);
          bad += e.th_bits != th || e.codes != codes(below, above);
          ++round_trips;
        }
      }
      uint32_t w = 0;  // no step: both codes equal, threshold +inf
      const bool packed = AccEntryPack(cosim::fsim::kAccNoStepBits, codes(below, above), w);
      bad += packed != (above == below);
      if (packed) {
        const cosim::fsim::AccEntry e = AccEntryExpand(w);
        bad += e.th_bits != cosim::fsim::kAccNoStepBits || e.codes != codes(below, above);
      }
    }
  }
  EXPECT_EQ(bad, 0);
  EXPECT_GT(round_trips, 100000);
  uint32_t w = 0;
  EXPECT_FALSE(AccEntryPack(cosim::fsim::kMagicBits + 65536u, codes(0, 1), w));     // key off the range
  EXPECT_FALSE(AccEntryPack(cosim::fsim::kMagicBits - 65537u, codes(0, 1), w));
  EXPECT_FALSE(AccEntryPack(cosim::fsim::kMagicBits, codes(0, 1) | 0x10000u, w));  // a third byte
}

TEST(AccTable, HostTablesEqualTheOrdersOnEveryAcc) {
  auto l = fsimtest::RandomLayer(42, 2, 16, 64, true, true);
  l.s_out = 0.5f;  // a short y-table scan (as YTable.HostTablesEqualTheOrders): this runs in CI
  Knobs sfu, sfu_even, sat16_up;
  sfu.profile = Profile::kFp32Sfu;
  sfu.weight_scale = cosim::fsim::WeightScale::kPerChannel;
  sfu_even = sfu;
  sfu_even.rounding = cosim::fsim::Rounding::kHalfEven;
  sat16_up = sfu;
  sat16_up.acc_bits = 16;  // saturating: reachable sums overflow it
  sat16_up.rounding = cosim::fsim::Rounding::kHalfUp;
  Knobs quamba;
  quamba.weight_scale = cosim::fsim::WeightScale::kPerChannel;
  const std::pair<Mode, Knobs> cases[] = {{Mode::kInt8Quamba, quamba},
                                          {Mode::kInt8Asic, sfu},
                                          {Mode::kFloatSimInt8, sfu_even},
                                          {Mode::kInt8Asic, sat16_up},
                                          {Mode::kFloatSimInt8, sat16_up}};
  for (const auto& [m, k] : cases) {
    const auto pr = Prep(m, l, k);
    ASSERT_TRUE(cosim::fsim::AccTablesApply(pr)) << cosim::fsim::ModeName(m);
    const cosim::fsim::YTable yt = cosim::fsim::HostYTable(pr);
    ASSERT_GT(yt.params.n, 0) << yt.why_not;
    const AccTables t = cosim::fsim::BuildAccTables(pr, yt);
    ASSERT_EQ(t.ch.size(), pr.ch.size()) << t.why_not;
    EXPECT_GT(t.steps, 100) << cosim::fsim::ModeName(m);
    // The packed form is what the launches upload; the lookups below read it expanded, as the
    // kernel's fill does (ChannelWords). The unused entries stay zero.
    ASSERT_EQ(t.packed.size(), pr.ch.size() * static_cast<size_t>(t.n_max));
    int64_t unused_nonzero = 0;
    for (size_t d = 0; d < pr.ch.size(); ++d)
      for (int32_t b = t.ch[d].n; b < t.n_max; ++b)
        unused_nonzero += t.packed[d * static_cast<size_t>(t.n_max) + static_cast<size_t>(b)] != 0;
    EXPECT_EQ(unused_nonzero, 0) << cosim::fsim::ModeName(m);
    int64_t checked = 0, bad = 0, bad_scaled = 0, overflows = 0;
    cosim::fsim::WithYOrder(pr.lp.op, "HostTablesEqualTheOrdersOnEveryAcc", [&](auto op) {
      constexpr ElemOp kOp = decltype(op)::value;
      for (size_t d = 0; d < pr.ch.size(); ++d) {
        const AccChannel& ch = t.ch[d];
        ASSERT_LE(ch.n, t.n_max);
        const std::vector<uint32_t> words = t.ChannelWords(d);
        // float-sim's kernel reads the same table at the scaled key of its offset MAC (AccSubMac):
        // the thresholds expanded on that key, the bucket map's a times 2^49.
        const std::vector<uint32_t> scaled = t.ChannelWords(d, cosim::fsim::kAccSubMacKeyBits);
        const cosim::fsim::YTableParams map_scaled = cosim::fsim::AccBucketMapScaled(ch);
        const cosim::fsim::AccRange r = cosim::fsim::ChannelAccRange(pr.ch[d].w_packed);
        overflows += r.lo < pr.lp.acc_min || r.hi > pr.lp.acc_max;
        for (int32_t acc = r.lo; acc <= r.hi; ++acc, ++checked) {
          const int32_t want =
              cosim::fsim::CodeOfY<kOp>(cosim::fsim::YOfAcc<kOp>(acc, pr.ch[d], pr.lp), pr.lp, pr.lp.rounding);
          bad += cosim::fsim::AccTableLookup(cosim::fsim::AccKey(acc), ch, words.data()) != want;
          const float v_scaled = std::ldexp(cosim::fsim::AccKey(acc), -cosim::fsim::kAccSubMacLog2);
          bad_scaled += cosim::fsim::YTableLookup(v_scaled, map_scaled, scaled.data()) != want;
        }
      }
    });
    EXPECT_EQ(bad, 0) << cosim::fsim::ModeName(m) << " " << k.ToJson().dump();
    EXPECT_EQ(bad_scaled, 0) << cosim::fsim::ModeName(m) << " " << k.ToJson().dump();
    EXPECT_GT(checked, 16 * 60000);
    if (k.acc_bits == 16) {
      EXPECT_GT(overflows, 0);  // the saturating stage is inside the tables
    }
    // The layer's own elements: the table at each element's acc equals RunHost's code.
    const auto host = cosim::fsim::RunHost(m, l.view(), k);
    std::vector<std::vector<uint32_t>> channel_words(static_cast<size_t>(l.D));
    for (size_t d = 0; d < channel_words.size(); ++d) channel_words[d] = t.ChannelWords(d);
    int64_t diffs = 0;
    for (int b = 0; b < l.B; ++b)
      for (int d = 0; d < l.D; ++d)
        for (int t0 = 0; t0 < l.L; ++t0) {
          int32_t acc = 0;
          for (int j = 0; j < 4; ++j) {
            const int tt = t0 - 3 + j;
            const size_t row = static_cast<size_t>(b) * l.D + d;
            const int x = tt >= 0 ? l.x[row * l.L + tt] : l.state[row * 3 + 3 + tt];
            acc += x * l.weight[static_cast<size_t>(d) * 4 + j];
          }
          const size_t i = (static_cast<size_t>(b) * l.D + d) * l.L + t0;
          diffs += cosim::fsim::AccTableLookup(cosim::fsim::AccKey(acc), t.ch[static_cast<size_t>(d)],
                                               channel_words[static_cast<size_t>(d)].data()) != host.codes[i];
        }
    EXPECT_EQ(diffs, 0) << cosim::fsim::ModeName(m) << " " << k.ToJson().dump();
  }
}

}  // namespace
