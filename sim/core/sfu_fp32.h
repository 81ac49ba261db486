// sfu_fp32.h: the defined binary32 special function (docs/datapath.md section 7) and the
// rounding of a binary32 value to an integer code.
//
// Contract: every operation is one IEEE-754 binary32 operation with round-to-nearest-even. The
// project compiles with -ffp-contract=off, so no multiply-add below is fused. These functions
// define exp32/silu32 for the model core; the float-sim in gpu_ref/ has its own copy on purpose
// (independent implementations are what the checker compares).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "sim/core/rounding.h"

namespace cosim {

inline float FloatFromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline uint32_t BitsFromFloat(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

// Nearest integer to a finite binary32 value, ties to even; exact (|v| < 2^62 assumed).
// Example: RintEven(2.5f) == 2, RintEven(-3.5f) == -4.
inline int64_t RintEven(double v) {
  const double fl = std::floor(v);
  const double frac = v - fl;  // exact: v has at most 53 significant bits and fl shares its ulp
  int64_t q = static_cast<int64_t>(fl);
  if (frac > 0.5 || (frac == 0.5 && (q & 1) != 0)) ++q;
  return q;
}

// exp32(x): Cody-Waite reduction by ln2, degree-6 Taylor polynomial in Horner form, scaling by
// an exact power of two. x > 88 gives +inf, x < -86 gives +0. No intermediate is subnormal.
// Example: exp32(0.0f) == 1.0f, exp32(1.0f) == 2.71828175f (0x402df854).
inline float Exp32(float x) {
  if (x > 88.0f) return INFINITY;
  if (x < -86.0f) return 0.0f;
  const float kLog2e = FloatFromBits(0x3fb8aa3bu);
  const float kLn2Hi = FloatFromBits(0x3f317200u);
  const float kLn2Lo = FloatFromBits(0x35bfbe8eu);
  const float t = x * kLog2e;
  const int64_t k = RintEven(t);
  const float kf = static_cast<float>(k);
  float r = x - kf * kLn2Hi;
  r = r - kf * kLn2Lo;
  float p = FloatFromBits(0x3ab60b61u);              // 1/720
  p = p * r + FloatFromBits(0x3c088889u);            // 1/120
  p = p * r + FloatFromBits(0x3d2aaaabu);            // 1/24
  p = p * r + FloatFromBits(0x3e2aaaabu);            // 1/6
  p = p * r + FloatFromBits(0x3f000000u);            // 1/2
  p = p * r + FloatFromBits(0x3f800000u);            // 1
  p = p * r + FloatFromBits(0x3f800000u);            // 1
  const float two_k = FloatFromBits(static_cast<uint32_t>(k + 127) << 23);
  return p * two_k;
}

// silu32(y) = y / (1 + exp32(-y)), each step binary32. silu32(-100) == -0.0f.
inline float Silu32(float y) { return y / (1.0f + Exp32(-y)); }

// Round a binary32 value to an integer by `r`, then clamp to `bits` signed bits. Sets
// *saturated when the clamp changed the value. +-inf saturate; NaN is not a valid input (the
// datapath cannot produce one) and maps to 0 with *saturated set, so a checker notices.
// Example: QuantizeFloat(2.5f, kHalfAwayFromZero, 8) == 3; QuantizeFloat(1e9f, ..., 8) == 127.
inline int64_t QuantizeFloat(float v, Rounding r, int bits, bool* saturated) {
  *saturated = false;
  if (std::isnan(v)) {
    *saturated = true;
    return 0;
  }
  const double lim = 4611686018427387904.0;  // 2^62, far beyond any code width
  if (v >= lim || v <= -lim) {
    *saturated = true;
    return v > 0 ? MaxSigned(bits) : MinSigned(bits);
  }
  const double d = v;  // exact
  const double fl = std::floor(d);
  const double frac = d - fl;  // exact
  int64_t q = static_cast<int64_t>(fl);
  switch (r) {
    case Rounding::kHalfAwayFromZero:
      if (frac > 0.5 || (frac == 0.5 && d > 0)) ++q;
      break;
    case Rounding::kHalfToEven:
      if (frac > 0.5 || (frac == 0.5 && (q & 1) != 0)) ++q;
      break;
    case Rounding::kHalfUp:
      if (frac >= 0.5) ++q;
      break;
    case Rounding::kTruncate:
      break;
  }
  const int64_t s = SaturateSigned(q, bits);
  *saturated = (s != q);
  return s;
}

}  // namespace cosim
