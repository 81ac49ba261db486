// The fast forms of the codes8 kernel, on the host (the device runs the same source; its
// intrinsics are checked against these in test_fsim_device): FmaDown's exact emulation against a
// long-double reference, and DivByScale (Markstein) against the IEEE division (docs/floatsim.md,
// O8 and O9). AsicLutWideHi and FsimLutIndexFma are swept exhaustively in
// test_requant_exhaustive.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "gpu_ref/hd.h"

namespace {

using cosim::fsim::FloatBits;

// RD(a*b + c) for operands whose exponents keep the exact value inside a 64-bit significand
// (x86-64 long double): a*b has 48 bits, c is within 2^16 of its scale here.
float RefFmaDown(float a, float b, float c) {
  const long double exact = static_cast<long double>(a) * static_cast<long double>(b) + static_cast<long double>(c);
  float r = static_cast<float>(exact);  // nearest
  if (static_cast<long double>(r) > exact) r = std::nextafter(r, -INFINITY);
  return r;
}

TEST(FastForms, FmaDownIsRoundTowardNegative) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::uniform_int_distribution<int> ex(-8, 8);
  int64_t bad = 0, stepped = 0;
  for (int i = 0; i < 2000000; ++i) {
    const float a = std::ldexp(u(rng), ex(rng)), b = std::ldexp(u(rng), ex(rng)), c = std::ldexp(u(rng), ex(rng));
    const float want = RefFmaDown(a, b, c);
    if (want == 0.0f) continue;
    const float got = cosim::fsim::FmaDown(a, b, c);
    bad += FloatBits(got) != FloatBits(want);
    stepped += got != std::fma(a, b, c);
  }
  EXPECT_EQ(bad, 0);
  EXPECT_GT(stepped, 500000) << "about half the cases must round down past the nearest value";
  // exact results stay put; the magic forms
  EXPECT_EQ(cosim::fsim::FmaDown(3.0f, 0.5f, 1.0f), 2.5f);
  EXPECT_EQ(cosim::fsim::FmaDown(-3.0f, 0x1p-3f, cosim::fsim::kMagic), cosim::fsim::kMagic - 1.0f);  // floor(-0.375)
  EXPECT_EQ(cosim::fsim::FmaDown(5.0f, 0x1p-1f, cosim::fsim::kMagicHalfUp), 0x1.8p22f + 3.0f);  // 2.5 + 0.5
}

// O9 on the host: random dividends over every binary32 (and the edges) for several b.
TEST(FastForms, DivByScaleEqualsDivision) {
  std::mt19937 rng(9);
  std::uniform_int_distribution<uint32_t> bits(0u, 0xffffffffu);
  int64_t bad = 0, checked = 0;
  for (float b : {0.03f, 0.002f, 1.0f / 3.0f, 0x1.fffffep-1f, 0x1p-40f, 0x1.fffffep19f, 7.3e-5f}) {
    const float y = cosim::fsim::ScaleReciprocal(b);
    ASSERT_NE(y, 0.0f);
    for (int i = 0; i < 1000000; ++i) {
      const float a = cosim::fsim::BitsToFloat(bits(rng));
      if (std::isnan(a)) continue;
      ++checked;
      bad += FloatBits(cosim::fsim::DivByScale(a, b, y)) != FloatBits(a / b);
    }
    for (float a : {0.0f, -0.0f, 0x1p-126f, -0x1p-126f, 0x1p-100f, 0x1.fffffep-101f, 0x1p80f, 0x1.000002p80f,
                    1.0f, -1.5f, 127.5f * b, 0x1p-149f})
      bad += FloatBits(cosim::fsim::DivByScale(a, b, y)) != FloatBits(a / b);
  }
  EXPECT_EQ(bad, 0) << "of " << checked;
  // outside the range DivByScale is the plain division
  EXPECT_EQ(cosim::fsim::ScaleReciprocal(0x1p-41f), 0.0f);
  EXPECT_EQ(cosim::fsim::ScaleReciprocal(0x1.000002p20f), 0.0f);
  EXPECT_EQ(cosim::fsim::DivByScale(1.0f, 3.0f, 0.0f), 1.0f / 3.0f);
}

}  // namespace
