// exp32/silu32 of the float-sim against the doc's algorithm written plainly (reference.h), and the
// binary32 rounding primitive against binary64 rounding, over sweeps of every binary32 in a range.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "gpu_ref/exp32.h"
#include "gpu_ref/rounding.h"
#include "reference.h"

namespace {

using cosim::fsim::Rounding;
using fsimtest::Bits;
using fsimtest::F32;

// Calls fn(first, last) on [lo, hi) bit patterns split over the hardware threads.
void ParallelBits(uint64_t lo, uint64_t hi, const std::function<void(uint64_t, uint64_t)>& fn) {
  const unsigned nt = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < nt; ++i) {
    const uint64_t a = lo + (hi - lo) * i / nt, b = lo + (hi - lo) * (i + 1) / nt;
    pool.emplace_back(fn, a, b);
  }
  for (auto& t : pool) t.join();
}

// Every binary32 with 2^-6 <= |x| <= 16 (168M values; exp32 != 1 + x there) and a stride of 61
// over the smaller magnitudes. FSIM_EXP32_FULL=1 checks every binary32 in [-16, 16] (2.2e9
// values, about 40 s of CPU). test_fsim_device compares the device's exp32 and silu32 with the
// host's on every binary32 with |x| <= 89.
TEST(FsimExp32, EqualsDocAlgorithmEveryBinary32In16) {
  const bool full = std::getenv("FSIM_EXP32_FULL") != nullptr;
  const uint64_t tiny_stride = full ? 1 : 61;
  const uint32_t dense_from = Bits(0x1p-6f);
  std::atomic<int64_t> checked{0}, bad{0};
  std::atomic<uint32_t> first_bad{0};
  for (uint32_t sign : {0u, 0x80000000u}) {
    auto body = [&](uint64_t a, uint64_t b) {
      int64_t n = 0, nb = 0;
      for (uint64_t u = a; u < b; ++u) {
        if (u < dense_from && (u % tiny_stride) != 0) continue;
        const float x = F32(static_cast<uint32_t>(u) | sign);
        ++n;
        // silu32(x) = x / (1 + exp32(-x)) reuses this sweep's exp32 at -x; it is compared on
        // a stride below and bit for bit on the device for every value.
        if (Bits(cosim::fsim::Exp32(x)) != Bits(fsimtest::RefExp32(x)) ||
            ((u & 63) == 0 && Bits(cosim::fsim::Silu32(x)) != Bits(fsimtest::RefSilu32(x)))) {
          if (nb++ == 0) first_bad = static_cast<uint32_t>(u) | sign;
        }
      }
      checked += n;
      bad += nb;
    };
    ParallelBits(0, uint64_t{Bits(16.0f)} + 1, body);
  }
  EXPECT_EQ(bad.load(), 0) << "first mismatch at x bits 0x" << std::hex << first_bad.load();
  EXPECT_GT(checked.load(), int64_t{160'000'000});
  ::testing::Test::RecordProperty("exp32_values_checked", std::to_string(checked.load()));
}

// Outside [-16, 16]: a stride over [-86, 88] and the edges, including the saturating branches.
TEST(FsimExp32, EqualsDocAlgorithmStrideAndEdges) {
  int64_t n = 0;
  for (uint32_t sign : {0u, 0x80000000u})
    for (uint32_t u = Bits(16.0f); u <= Bits(90.0f); u += 31) {
      const float x = F32(u | sign);
      ASSERT_EQ(Bits(cosim::fsim::Exp32(x)), Bits(fsimtest::RefExp32(x))) << x;
      ASSERT_EQ(Bits(cosim::fsim::Silu32(x)), Bits(fsimtest::RefSilu32(x))) << x;
      ++n;
    }
  for (float x : {88.0f, std::nextafter(88.0f, 100.0f), -86.0f, std::nextafter(-86.0f, -100.0f),
                  0.0f, -0.0f, 1e30f, -1e30f, INFINITY, -INFINITY}) {
    EXPECT_EQ(Bits(cosim::fsim::Exp32(x)), Bits(fsimtest::RefExp32(x))) << x;
    EXPECT_EQ(Bits(cosim::fsim::Silu32(x)), Bits(fsimtest::RefSilu32(x))) << x;
  }
  EXPECT_EQ(cosim::fsim::Exp32(89.0f), INFINITY);
  EXPECT_EQ(Bits(cosim::fsim::Exp32(-87.0f)), 0u);
  EXPECT_EQ(cosim::fsim::Exp32(0.0f), 1.0f);
  EXPECT_TRUE(std::signbit(cosim::fsim::Silu32(-1e30f)));  // y / inf = -0
  EXPECT_GT(n, 1000000);
}

// The doc's accuracy statement: a few ulps against binary64 exp over [-86, 88].
TEST(FsimExp32, FewUlpsFromBinary64) {
  double worst = 0;
  for (uint32_t sign : {0u, 0x80000000u})
    for (uint32_t u = 0; u <= Bits(88.0f); u += 257) {
      const float x = F32(u | sign);
      if (x < -86.0f) continue;
      const double want = std::exp(static_cast<double>(x));
      const float got = cosim::fsim::Exp32(x);
      const double ulp = std::ldexp(1.0, std::ilogb(static_cast<float>(want)) - 23);
      worst = std::max(worst, std::fabs(got - want) / ulp);
    }
  std::printf("exp32 worst error: %.3f ulp\n", worst);
  EXPECT_LT(worst, 4.0);
}

// RoundFloat == binary64 rounding for every mode: every float in [-2^10, 2^10] with 1/256 steps
// (all halves and their neighbours), a stride over the rest, and the doc's table.
TEST(FsimRounding, RoundFloatEqualsBinary64) {
  // RoundFloat, and RoundSatSmall (the conversion-free output quantizer) for two output widths.
  auto check = [](float v) {
    for (int r = 0; r < 4; ++r) {
      const double want = fsimtest::RefRoundReal(v, static_cast<Rounding>(r));
      const float got = cosim::fsim::RoundFloat(v, static_cast<Rounding>(r));
      if (static_cast<double>(got) != want) {
        ADD_FAILURE() << "v " << v << " rounding " << r << ": " << got << " want " << want;
        return false;
      }
      for (double lim : {128.0, 1048576.0}) {
        const double sat = std::min(lim - 1, std::max(-lim, want));
        uint32_t flags = 0;
        const int q = cosim::fsim::RoundSatSmall(v, static_cast<Rounding>(r), static_cast<float>(-lim),
                                                 static_cast<float>(lim - 1), 4u, flags);
        if (q != sat || (flags != 0) != (sat != want)) {
          ADD_FAILURE() << "RoundSatSmall v " << v << " rounding " << r << " limit " << lim << ": " << q
                        << " flags " << flags << " want " << sat;
          return false;
        }
      }
    }
    return true;
  };
  for (int i = -(1 << 18); i <= (1 << 18); ++i) {
    const float v = static_cast<float>(i) / 256.0f;
    ASSERT_TRUE(check(v) && check(std::nextafter(v, 1e9f)) && check(std::nextafter(v, -1e9f)));
  }
  for (uint32_t sign : {0u, 0x80000000u})
    for (uint32_t u = 0; u < 0x7f800000u; u += 4099) ASSERT_TRUE(check(F32(u | sign)));
  for (float v : {0x1p22f + 0.5f, -0x1p22f - 0.5f, 0x1p23f - 0.5f, -0x1p23f + 0.5f, 0x1p23f, 0x1p24f,
                  INFINITY, -INFINITY, 0.49999997f, -0.49999997f, 0.5f, -0.5f, 1.5f, -1.5f})
    ASSERT_TRUE(check(v));
  // docs/datapath.md section 3.
  const float table[3][4] = {{3, 2, 3, 2}, {-3, -2, -2, -3}, {-2, -2, -2, -3}};
  const float in[3] = {2.5f, -2.5f, -2.4f};
  for (int i = 0; i < 3; ++i)
    for (int r = 0; r < 4; ++r) EXPECT_EQ(cosim::fsim::RoundFloat(in[i], static_cast<Rounding>(r)), table[i][r]);
}

}  // namespace
