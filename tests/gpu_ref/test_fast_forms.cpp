// The fast forms of the codes8 kernel, on the host (the device runs the same source; its
// intrinsics are checked against these in test_fsim_device): FmaDown's exact emulation against a
// long-double reference, and DivByScale (Markstein) against the IEEE division (docs/floatsim.md,
// O8 and O9). AsicLutWideHi and FsimLutIndexFma are swept exhaustively in
// test_requant_exhaustive.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gpu_ref/hd.h"
#include "gpu_ref/int_lut.h"
#include "gpu_ref/prepare.h"

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

// O7b on the host: the int8 kernel's offset MAC (bytes + 128 read as subnormals, weights times
// 2^100, the per-channel start and multiplier of DeriveFloatSimFields) gives acc * 2^-49 exactly,
// and the scaled index form then equals the unscaled one, for random channels and inputs.
TEST(FastForms, OffsetMacIsExact) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> byte(-128, 127), bias(-(1 << 23) + (1 << 18), (1 << 23) - (1 << 18)),
      mult(1, 65535), sh(16, 30), rnd(0, 3);
  const cosim::fsim::LayerParams p = cosim::fsim::MakeLayerParams(cosim::fsim::Knobs{});
  int64_t channels = 0, bad = 0;
  for (int ch = 0; ch < 2000; ++ch) {
    cosim::fsim::ChannelParams c{};
    int w[4];
    for (int k = 0; k < 4; ++k) {
      w[k] = byte(rng);
      c.w_packed |= static_cast<uint32_t>(static_cast<uint8_t>(w[k])) << (8 * k);
    }
    c.bias_acc = ch % 3 == 0 ? bias(rng) : bias(rng) / 4096;
    c.mult = mult(rng);
    c.shift = sh(rng);
    cosim::fsim::DeriveFloatSimFields(c, p);
    if (c.fsim_hot < 2) continue;
    ++channels;
    const auto r = static_cast<cosim::fsim::Rounding>(rnd(rng));
    for (int i = 0; i < 64; ++i) {
      int x[4];
      int64_t acc = c.bias_acc;
      float sub[4];
      for (int k = 0; k < 4; ++k) {
        x[k] = i == 0 ? -128 : (i == 1 ? 127 : byte(rng));
        acc += int64_t{w[k]} * x[k];
        sub[k] = cosim::fsim::BitsToFloat(static_cast<uint32_t>(x[k] + 128));  // (x + 128) * 2^-149
      }
      float a = c.mac_start;
      for (int k = 0; k < 4; ++k) a = cosim::fsim::Fma(c.mac_w[k], sub[k], a);
      bad += std::ldexp(static_cast<double>(a), 49) != static_cast<double>(acc);
      bad += cosim::fsim::FsimLutIndexFmaScaled(a, c.mac_ms, r, c.fsim_hot == 3) !=
             cosim::fsim::FsimLutIndexFma(static_cast<float>(acc), c, r, c.fsim_hot == 3);
    }
  }
  EXPECT_EQ(bad, 0);
  EXPECT_GT(channels, 1000);
}

}  // namespace
