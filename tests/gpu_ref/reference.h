// reference.h: a plain, obviously-correct re-implementation of docs/datapath.md for the gpu_ref
// tests, written from the doc alone. It shares no arithmetic with gpu_ref/ (only the LayerView and
// Knobs structs, which are data): int64 for the int-lut profile, plain C++ float operators for
// fp32-sfu and the special function, binary64 for the offline compile step. Slow on purpose.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "gpu_ref/floatsim.h"

namespace fsimtest {

using cosim::fsim::AccOverflow;
using cosim::fsim::Knobs;
using cosim::fsim::LayerView;
using cosim::fsim::Profile;
using cosim::fsim::Rounding;

inline float F32(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
inline uint32_t Bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// Section 7, constants from the bit patterns of the doc.
inline float RefExp32(float x) {
  if (x > 88.0f) return INFINITY;
  if (x < -86.0f) return 0.0f;
  const float t = x * F32(0x3fb8aa3b);
  const float kf = std::rint(t);  // default rounding mode: ties to even
  float r = x - kf * F32(0x3f317200);
  r = r - kf * F32(0x35bfbe8e);
  const uint32_t c[7] = {0x3f800000, 0x3f800000, 0x3f000000, 0x3e2aaaab,
                         0x3d2aaaab, 0x3c088889, 0x3ab60b61};
  float p = F32(c[6]);
  for (int i = 5; i >= 0; --i) p = p * r + F32(c[i]);
  return p * F32(static_cast<uint32_t>(static_cast<int>(kf) + 127) << 23);
}
inline float RefSilu32(float y) { return y / (1.0f + RefExp32(-y)); }

// round_knob of a binary32 (exact in binary64: a float is a double, and so is v + 1/2 up to a
// rounding that cannot change the floor, see the comment in the half-up case).
inline double RefRoundReal(float v, Rounding r) {
  const double d = v;
  switch (r) {
    case Rounding::kHalfAway: return std::round(d);        // C round: ties away from zero
    case Rounding::kHalfEven: return std::nearbyint(d);    // default mode: ties to even
    case Rounding::kHalfUp: return std::floor(d + 0.5);    // d + 0.5 only rounds for |d| < 2^-29,
                                                           // where the floor is 0 either way
    case Rounding::kTruncate: default: return std::floor(d);
  }
}

// Section 5.2, the doc's integer formulas.
inline int64_t RefRoundShift(int64_t p, int s, Rounding r) {
  if (s == 0) return p;
  const int64_t half = int64_t{1} << (s - 1);
  switch (r) {
    case Rounding::kHalfAway: {
      const int64_t a = p < 0 ? -p : p;
      const int64_t q = (a + half) >> s;
      return p < 0 ? -q : q;
    }
    case Rounding::kHalfEven: {
      const int64_t q = p >> s;
      const int64_t rem = p - q * (int64_t{1} << s);
      return (rem > half || (rem == half && (q % 2 != 0))) ? q + 1 : q;
    }
    case Rounding::kHalfUp: return (p + half) >> s;
    case Rounding::kTruncate: default: return p >> s;
  }
}

inline int64_t RefSat(int64_t v, int bits) {
  const int64_t lo = -(int64_t{1} << (bits - 1)), hi = (int64_t{1} << (bits - 1)) - 1;
  return v < lo ? lo : (v > hi ? hi : v);
}
inline int64_t RefWrap(int64_t v, int bits) {
  const int64_t m = int64_t{1} << bits;
  int64_t w = v % m;
  if (w < 0) w += m;
  return w >= m / 2 ? w - m : w;
}

struct RefCompiled {
  std::string error;  // non-empty: the compile step rejects the layer
  float s_oe = 0, s_lut = 0;
  std::vector<int64_t> M, shift, bias_acc;
  std::vector<int64_t> lut;
  std::vector<bool> clamped;
  std::vector<float> lut_silu;
};

inline float RefSW(const LayerView& v, int d) { return v.s_w[v.n_s_w == 1 ? 0 : d]; }

// Section 4.
inline RefCompiled RefCompile(const LayerView& v, const Knobs& k) {
  RefCompiled c;
  const float F = k.output_scale_divisor;
  c.s_oe = F == 1.0f ? v.s_out : v.s_out / F;
  if (!std::isnormal(c.s_oe)) c.error = "s_oe";
  if (k.profile != Profile::kIntLut) return c;
  const int W = k.output_bits, N = k.lut_index_bits, Wm = k.requant_mult_bits;
  c.s_lut = c.s_oe * std::pow(2.0f, static_cast<float>(W + 1 - N));
  if (!std::isnormal(c.s_lut)) c.error = "s_lut";
  if (!c.error.empty()) return c;
  for (int d = 0; d < v.D; ++d) {
    const double s_acc = static_cast<double>(RefSW(v, d)) * static_cast<double>(v.s_x);
    const double r = s_acc / static_cast<double>(c.s_lut);
    int e;
    const double m = std::frexp(r, &e);
    double M = std::nearbyint(m * std::pow(2.0, Wm));
    if (M == std::pow(2.0, Wm)) {
      M = std::pow(2.0, Wm - 1);
      e = e + 1;
    }
    const int shift = Wm - e;
    if (shift < 0 || shift > 62) c.error = "shift, channel " + std::to_string(d);
    const double b = std::nearbyint((static_cast<double>(v.bias[d]) * static_cast<double>(v.s_b)) / s_acc);
    if (!(std::fabs(b) <= std::pow(2.0, k.acc_bits - 1)) || b == std::pow(2.0, k.acc_bits - 1))
      c.error = "bias_acc, channel " + std::to_string(d);
    c.M.push_back(static_cast<int64_t>(M));
    c.shift.push_back(shift);
    c.bias_acc.push_back(c.error.empty() ? static_cast<int64_t>(b) : 0);
  }
  for (int64_t i = 0; i < (int64_t{1} << N); ++i) {
    const float vidx = static_cast<float>(i - (int64_t{1} << (N - 1)));
    const float a = RefSilu32(vidx * c.s_lut);
    const int64_t q = static_cast<int64_t>(RefRoundReal(a / c.s_oe, k.rounding));
    const int64_t e = RefSat(q, W);
    c.lut.push_back(e);
    c.clamped.push_back(e != q);
    c.lut_silu.push_back(a);
  }
  return c;
}

struct RefResult {
  std::vector<int64_t> code;
  std::vector<float> before, after;
  int64_t acc_overflows = 0, index_saturations = 0, saturations = 0;
};

// Sections 2, 5, 6 for every element; after = fl32(q * s_oe) (float-sim-int8 / int8-asic).
inline RefResult RefRunAsic(const LayerView& v, const Knobs& k, const RefCompiled& c) {
  RefResult r;
  const int64_t n = int64_t{v.B} * v.D * v.L;
  r.code.resize(n);
  r.before.resize(n);
  r.after.resize(n);
  const int A = k.acc_bits;
  for (int b = 0; b < v.B; ++b)
    for (int d = 0; d < v.D; ++d)
      for (int t = 0; t < v.L; ++t) {
        const int64_t row = int64_t{b} * v.D + d;
        int64_t conv = 0;
        for (int kk = 0; kk < 4; ++kk) {
          const int tt = t - 3 + kk;
          const int64_t xv = tt >= 0 ? v.x[row * v.L + tt] : (v.state ? v.state[row * 3 + 3 + tt] : 0);
          conv += int64_t{v.weight[d * 4 + kk]} * xv;
        }
        const int64_t sum = (k.profile == Profile::kIntLut ? c.bias_acc[d] : 0) + conv;
        const int64_t acc = k.acc_overflow == AccOverflow::kSaturate ? RefSat(sum, A) : RefWrap(sum, A);
        if (acc != sum) ++r.acc_overflows;
        const int64_t i = row * v.L + t;
        int64_t q;
        if (k.profile == Profile::kIntLut) {
          const int64_t ii = RefRoundShift(acc * c.M[d], static_cast<int>(c.shift[d]), k.rounding);
          const int64_t idx = RefSat(ii, k.lut_index_bits);
          if (idx != ii) ++r.index_saturations;
          const int64_t addr = idx + (int64_t{1} << (k.lut_index_bits - 1));
          q = c.lut[addr];
          if (c.clamped[addr]) ++r.saturations;
          r.before[i] = c.lut_silu[addr];
        } else {
          const float scale = RefSW(v, d) * v.s_x;
          const float bias_f = static_cast<float>(v.bias[d]) * v.s_b;
          const float y = scale * static_cast<float>(acc) + bias_f;
          const float a = RefSilu32(y);
          const float vq = a / c.s_oe;
          const double rq = RefRoundReal(vq, k.rounding);
          const double lim = std::pow(2.0, k.output_bits - 1);
          q = rq < -lim ? static_cast<int64_t>(-lim) : (rq > lim - 1 ? static_cast<int64_t>(lim - 1) : static_cast<int64_t>(rq));
          if (static_cast<double>(q) != rq) ++r.saturations;
          r.before[i] = a;
        }
        r.code[i] = q;
        r.after[i] = static_cast<float>(q) * c.s_oe;
      }
  return r;
}

}  // namespace fsimtest
