// eft.h: error-free transformations in binary32 (the exactness tools of docs/floatsim.md).
//
// TwoSum(a, b) -> (s, e):  s = fl(a + b), s + e == a + b exactly (Knuth; any a, b without
//                          overflow, 6 operations, no branch).
// TwoProd(a, b) -> (p, e): p = fl(a * b), p + e == a * b exactly, e = fma(a, b, -p)
//                          (exact when a*b does not underflow: here every operand is an integer
//                          or an integer times 2^-62 at the least, far above 2^-126).
// GrowExpansion / ExpansionSign: Shewchuk's nonoverlapping expansions ("Adaptive precision
// floating-point arithmetic", 1997, Theorem 10 and section 2.2): adding a float to a
// nonoverlapping expansion sorted by increasing magnitude with a chain of TwoSums gives again such
// an expansion of the exact sum, and the sign of the sum is the sign of its largest nonzero
// component. With a fixed number of components this is branch-free and runs on the device.
#pragma once

#include "gpu_ref/hd.h"

namespace cosim::fsim {

COSIM_HD void TwoSum(float a, float b, float& s, float& e) {
  s = Add(a, b);
  const float bb = Sub(s, a);
  e = Add(Sub(a, Sub(s, bb)), Sub(b, bb));
}

COSIM_HD void TwoProd(float a, float b, float& p, float& e) {
  p = Mul(a, b);
  e = Fma(a, b, -p);
}

// e[0..m-1] -> e[0..m]: the expansion of (sum e) + b. In place: h_i overwrites e_i.
template <int kM>
COSIM_HD void GrowExpansion(float (&e)[kM + 1], float b) {
  float q = b;
COSIM_UNROLL
  for (int i = 0; i < kM; ++i) {
    float s, h;
    TwoSum(q, e[i], s, h);
    e[i] = h;
    q = s;
  }
  e[kM] = q;
}

// e = the nonoverlapping expansion of t[0] + ... + t[kN-1] (kN Grow steps from {t[0]}).
template <int kN>
COSIM_HD void BuildExpansion(const float (&t)[kN], float (&e)[kN]) {
  e[0] = t[0];
COSIM_UNROLL
  for (int n = 1; n < kN; ++n) {
    float q = t[n];
COSIM_UNROLL
    for (int i = 0; i < n; ++i) {
      float s, h;
      TwoSum(q, e[i], s, h);
      e[i] = h;
      q = s;
    }
    e[n] = q;
  }
}

// Sign (-1, 0, +1) of (sum of the kM components of e) + c, exactly. e is not modified.
template <int kM>
COSIM_HD int ExpansionSign(const float (&e)[kM], float c) {
  float g[kM + 1];
COSIM_UNROLL
  for (int i = 0; i < kM; ++i) g[i] = e[i];
  GrowExpansion<kM>(g, c);
  int sign = 0;
COSIM_UNROLL
  for (int i = 0; i <= kM; ++i) {  // the last nonzero component has the largest magnitude
    if (g[i] > 0.0f) sign = 1;
    if (g[i] < 0.0f) sign = -1;
  }
  return sign;
}

}  // namespace cosim::fsim
