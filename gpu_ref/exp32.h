// exp32.h: the defined special function of docs/datapath.md section 7, host and device.
//
// Exp32(x): every step one binary32 operation (Mul/Add/Sub of hd.h), Horner without FMA.
//   x > 88 -> +inf, x < -86 -> +0; k = rint_even(x * LOG2E) in [-124, 127]; two-step Cody-Waite
//   reduction (kf * LN2_HI is exact: LN2_HI has 16 significant bits and |k| < 2^8);
//   degree-6 polynomial in r; times 2^k built from the exponent bits.
// Silu32(y) = y / (1 + Exp32(-y)); for very negative y, 1 + inf = inf and y / inf = -0.
// The constants are written as hexadecimal float literals; the test writes them from the bit
// patterns of the doc, so a typo here fails there.
#pragma once

#include "gpu_ref/hd.h"

namespace cosim::fsim {

constexpr float kExpLog2e = 0x1.715476p+0f;   // 0x3fb8aa3b
constexpr float kExpLn2Hi = 0x1.62e4p-1f;     // 0x3f317200
constexpr float kExpLn2Lo = 0x1.7f7d1cp-20f;  // 0x35bfbe8e
constexpr float kExpC2 = 0x1p-1f;             // 0x3f000000
constexpr float kExpC3 = 0x1.555556p-3f;      // 0x3e2aaaab
constexpr float kExpC4 = 0x1.555556p-5f;      // 0x3d2aaaab
constexpr float kExpC5 = 0x1.111112p-7f;      // 0x3c088889
constexpr float kExpC6 = 0x1.6c16c2p-10f;     // 0x3ab60b61

COSIM_HD float Exp32(float x) {
  if (x > 88.0f) return InfF();
  if (x < -86.0f) return 0.0f;
  const float t = Mul(x, kExpLog2e);
  const float kf = MagicRint(t);  // rint_even(t), exact (|t| < 2^8 < 2^22); in [-124, 127]
  float r = Sub(x, Mul(kf, kExpLn2Hi));
  r = Sub(r, Mul(kf, kExpLn2Lo));
  float p = kExpC6;
  p = Add(Mul(p, r), kExpC5);
  p = Add(Mul(p, r), kExpC4);
  p = Add(Mul(p, r), kExpC3);
  p = Add(Mul(p, r), kExpC2);
  p = Add(Mul(p, r), 1.0f);  // C1
  p = Add(Mul(p, r), 1.0f);  // C0
  return Mul(p, BitsToFloat(static_cast<uint32_t>(SmallFloatToInt(kf) + 127) << 23));
}

COSIM_HD float Silu32(float y) { return Div(y, Add(1.0f, Exp32(-y))); }

}  // namespace cosim::fsim
