// rounding.h: the knob's rounding modes applied exactly in binary32.
//
// Everything rounds through one shape: the exact floor f of a real u, and the sign of
// u - (f + 1/2). Given those two, ApplyRounding() implements docs/datapath.md section 3:
//   truncate  -> f                               ( 2.5 ->  2, -2.5 -> -3)
//   half-up   -> f + 1 when u >= f + 1/2          ( 2.5 ->  3, -2.5 -> -2)
//   half-even -> f + 1 when above, f when below, the even one of f, f+1 on a tie
//   half-away -> like half-even but a tie goes to f + 1 when u > 0 and to f when u < 0
//                ( 2.5 -> 3, -2.5 -> -3), i.e. C roundf
// Proof obligations (docs/floatsim.md, O1): f is an integer-valued float with |f| <= 2^23, so
// f + 1/2 and f + 1 are exact; comparisons are exact. RoundFloat() uses only rint and floor
// (exact on both sides: cvt.rni / cvt.rmi on the device, SSE rounding on the host), never roundf.
#pragma once

#include "gpu_ref/hd.h"
#include "gpu_ref/types.h"

namespace cosim::fsim {

// f: the exact floor (integer-valued, |f| <= 2^23); cmp: sign of u - (f + 1/2) as -1, 0, +1.
COSIM_HD float ApplyRounding(float f, int cmp, Rounding r) {
  switch (r) {
    case Rounding::kTruncate:
      return f;
    case Rounding::kHalfUp:
      return cmp >= 0 ? Add(f, 1.0f) : f;
    case Rounding::kHalfEven: {
      if (cmp != 0) return cmp > 0 ? Add(f, 1.0f) : f;
      // f is odd iff f - 2 * floor(f / 2) == 1; every step exact for |f| <= 2^23.
      const float odd = Sub(f, Mul(2.0f, FloorF(Mul(f, 0.5f))));
      return odd != 0.0f ? Add(f, 1.0f) : f;
    }
    case Rounding::kHalfAway:
    default:
      // On a tie u = f + 1/2, so u > 0 exactly when f >= 0.
      if (cmp != 0) return cmp > 0 ? Add(f, 1.0f) : f;
      return f >= 0.0f ? Add(f, 1.0f) : f;
  }
}

// round_knob(v) of a binary32 value, as an integer-valued binary32 (O1). rint(v) is the nearest
// integer (ties to even) and exact; d = v - rint(v) is exact (|d| <= 1/2). Unless |d| == 1/2, v
// is no tie and every nearest mode returns rint(v); on a tie (only possible for |v| < 2^23, where
// v +- 1/2 is exact) half-up and half-away step to their side. Branch-free; |v| >= 2^23 and +-inf
// are integral and come back unchanged (for inf, d is NaN and the tie test is false).
COSIM_HD float RoundFloat(float v, Rounding r) {
  if (r == Rounding::kTruncate) return FloorF(v);
  const float r0 = RintF(v);
  if (r == Rounding::kHalfEven) return r0;
  const bool tie = fabsf(Sub(v, r0)) == 0.5f;
  const float step = r == Rounding::kHalfUp ? 0.5f : copysignf(0.5f, v);
  return tie ? Add(v, step) : r0;
}

// sat(round_knob(v)) into [lo, hi] with |lo|, |hi| < 2^21, as an int; sets `flag` when the clamp
// changed the rounded value. Any |v| >= 2^22 saturates whatever the mode, so v is first limited
// to [-2^22, 2^22] (the flag stays exact), after which rint is MagicRint (no conversion unit).
COSIM_HD int RoundSatSmall(float v, Rounding r, float lo, float hi, uint32_t flag, uint32_t& flags) {
  const float vc = fminf(fmaxf(v, -0x1p22f), 0x1p22f);  // v is never NaN here
  float q;
  if (r == Rounding::kTruncate) {
    q = FloorF(vc);
  } else {
    q = MagicRint(vc);
    if (r != Rounding::kHalfEven && fabsf(Sub(vc, q)) == 0.5f)
      q = Add(vc, r == Rounding::kHalfUp ? 0.5f : copysignf(0.5f, vc));
  }
  const float c = fminf(fmaxf(q, lo), hi);
  if (c != q) flags |= flag;
  return SmallFloatToInt(c);
}

// Clamp an integer-valued float to [lo, hi] (exact bounds), setting `flag` in `flags` when the
// value changed: sat_N of docs/datapath.md for N <= 24.
COSIM_HD float SatFloat(float v, float lo, float hi, uint32_t flag, uint32_t& flags) {
  const float c = fminf(fmaxf(v, lo), hi);
  if (c != v) flags |= flag;
  return c;
}

}  // namespace cosim::fsim
