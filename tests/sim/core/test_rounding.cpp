// Exhaustive checks of the integer primitives against definitions written differently
// (exact division and remainder instead of shifts).
#include <gtest/gtest.h>

#include "sim/core/rounding.h"
#include "sim/core/sfu_fp32.h"
#include "tests/sim/core/reference.h"

namespace cosim {
namespace {

const Rounding kAll[] = {Rounding::kHalfAwayFromZero, Rounding::kHalfToEven, Rounding::kHalfUp,
                         Rounding::kTruncate};

TEST(Rounding, ShiftMatchesDivisionDefinitionExhaustively) {
  for (Rounding r : kAll)
    for (int s = 0; s <= 10; ++s)
      for (int64_t v = -5000; v <= 5000; ++v) ASSERT_EQ(RoundingShiftRight(v, s, r), RefRound(v, s, r)) << v << " " << s;
}

TEST(Rounding, LargeValuesAndShifts) {
  for (Rounding r : kAll)
    for (int s : {20, 31, 40, 62})
      for (int64_t v : {(int64_t{1} << 61) + 12345, -(int64_t{1} << 61) - 999, int64_t{1} << (s - 1),
                        -(int64_t{1} << (s - 1)), (int64_t{3} << (s - 1)) >> (s == 62),
                        -((int64_t{3} << (s - 1)) >> (s == 62))})  // |v| < 2^62, the contract's domain
        EXPECT_EQ(RoundingShiftRight(v, s, r), RefRound(v, s, r)) << v << " " << s;
}

TEST(Rounding, NamedTieExamples) {
  // 5/2 = 2.5 and -5/2 = -2.5: the table of docs/datapath.md section 3.
  EXPECT_EQ(RoundingShiftRight(5, 1, Rounding::kHalfAwayFromZero), 3);
  EXPECT_EQ(RoundingShiftRight(-5, 1, Rounding::kHalfAwayFromZero), -3);
  EXPECT_EQ(RoundingShiftRight(5, 1, Rounding::kHalfToEven), 2);
  EXPECT_EQ(RoundingShiftRight(-5, 1, Rounding::kHalfToEven), -2);
  EXPECT_EQ(RoundingShiftRight(5, 1, Rounding::kHalfUp), 3);
  EXPECT_EQ(RoundingShiftRight(-5, 1, Rounding::kHalfUp), -2);
  EXPECT_EQ(RoundingShiftRight(5, 1, Rounding::kTruncate), 2);
  EXPECT_EQ(RoundingShiftRight(-5, 1, Rounding::kTruncate), -3);
}

TEST(Rounding, QuantizeFloatAgreesWithShiftOnDyadicValues) {
  // v = n / 2^s is exact in binary32 for |n| < 2^24: both roundings must agree.
  bool sat = false;
  for (Rounding r : kAll)
    for (int s = 0; s <= 6; ++s)
      for (int64_t n = -3000; n <= 3000; ++n) {
        const float v = static_cast<float>(n) / static_cast<float>(1 << s);
        ASSERT_EQ(QuantizeFloat(v, r, 24, &sat), RefRound(n, s, r)) << n << "/2^" << s;
        ASSERT_FALSE(sat);
      }
}

TEST(Rounding, SaturationAndWrapEdges) {
  EXPECT_EQ(SaturateSigned(127, 8), 127);
  EXPECT_EQ(SaturateSigned(128, 8), 127);
  EXPECT_EQ(SaturateSigned(-128, 8), -128);
  EXPECT_EQ(SaturateSigned(-129, 8), -128);
  EXPECT_EQ(WrapSigned(128, 8), -128);
  EXPECT_EQ(WrapSigned(-129, 8), 127);
  EXPECT_EQ(WrapSigned(int64_t{1} << 31, 32), -(int64_t{1} << 31));
  EXPECT_EQ(WrapSigned(40000, 16), 40000 - 65536);
  for (int bits = 2; bits <= 32; ++bits)
    for (int64_t v = -70000; v <= 70000; v += 7) {
      const int64_t w = WrapSigned(v, bits);
      ASSERT_TRUE(FitsSigned(w, bits));
      ASSERT_EQ(((v - w) % (int64_t{1} << bits)), 0);
      ASSERT_EQ(SaturateSigned(v, bits), std::min(std::max(v, MinSigned(bits)), MaxSigned(bits)));
    }
  bool sat = false;
  EXPECT_EQ(QuantizeFloat(127.4f, Rounding::kHalfAwayFromZero, 8, &sat), 127);
  EXPECT_FALSE(sat);
  EXPECT_EQ(QuantizeFloat(127.5f, Rounding::kHalfAwayFromZero, 8, &sat), 127);
  EXPECT_TRUE(sat);
  EXPECT_EQ(QuantizeFloat(-128.5f, Rounding::kHalfToEven, 8, &sat), -128);
  EXPECT_FALSE(sat);  // -128.5 ties to -128, in range
  EXPECT_EQ(QuantizeFloat(INFINITY, Rounding::kHalfToEven, 8, &sat), 127);
  EXPECT_TRUE(sat);
  EXPECT_EQ(QuantizeFloat(-INFINITY, Rounding::kHalfToEven, 8, &sat), -128);
  EXPECT_TRUE(sat);
}

}  // namespace
}  // namespace cosim
