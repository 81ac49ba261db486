// csr_ref.h: a plain, deliberately naive C++ reference of docs/datapath.md section 5 (profile
// int-lut), for checking the RTL. Written straight from the text with 128-bit arithmetic and an
// explicit floor division, without any of the RTL's tricks. Test helper only.
#pragma once

#include <cstdint>
#include <vector>

#include "csr_rtl_driver.h"

namespace csr_test {

using cosim::rtl::Knobs;
using cosim::rtl::LayerView;
using cosim::rtl::Rounding;

using i128 = __int128;

// floor(a / 2^s) for s >= 0, by definition (no reliance on >> of negative numbers).
inline i128 FloorDivPow2(i128 a, int s) {
  const i128 d = static_cast<i128>(1) << s;
  i128 q = a / d;               // C++ division truncates toward zero
  if (a % d != 0 && a < 0) q -= 1;
  return q;
}

// Section 5.2, the knob's rounding applied to p / 2^s.
inline i128 RoundShift(i128 p, int s, Rounding mode) {
  if (s == 0) return p;
  const i128 half = static_cast<i128>(1) << (s - 1);
  switch (mode) {
    case Rounding::kHalfAway: {
      const i128 a = p < 0 ? -p : p;
      const i128 r = FloorDivPow2(a + half, s);
      return p < 0 ? -r : r;
    }
    case Rounding::kHalfEven: {
      const i128 q = FloorDivPow2(p, s);
      const i128 rem = p - q * (static_cast<i128>(1) << s);
      const bool q_odd = (q % 2) != 0;
      if (rem > half || (rem == half && q_odd)) return q + 1;
      return q;
    }
    case Rounding::kHalfUp:
      return FloorDivPow2(p + half, s);
    case Rounding::kTruncate:
      return FloorDivPow2(p, s);
  }
  return 0;
}

inline i128 SatBits(i128 v, int bits, bool* clamped) {
  const i128 lo = -(static_cast<i128>(1) << (bits - 1));
  const i128 hi = (static_cast<i128>(1) << (bits - 1)) - 1;
  *clamped = v < lo || v > hi;
  return v < lo ? lo : (v > hi ? hi : v);
}

inline i128 WrapBits(i128 v, int bits) {
  const i128 m = static_cast<i128>(1) << bits;
  i128 r = v % m;
  if (r < 0) r += m;
  if (r >= m / 2) r -= m;
  return r;
}

struct RefResult {
  std::vector<int32_t> y, acc, idx;
  std::vector<uint8_t> acc_ovf, idx_sat;
};

// Every (b, d, t) of one layer; zero history at t < 0 (section 2, no carried state).
inline RefResult RunReference(const LayerView& l) {
  const Knobs& k = l.knobs;
  const size_t n = static_cast<size_t>(l.B) * l.D * l.L;
  RefResult r;
  r.y.resize(n);
  r.acc.resize(n);
  r.idx.resize(n);
  r.acc_ovf.resize(n);
  r.idx_sat.resize(n);
  for (int b = 0; b < l.B; ++b) {
    for (int d = 0; d < l.D; ++d) {
      for (int t = 0; t < l.L; ++t) {
        const size_t e = (static_cast<size_t>(b) * l.D + d) * l.L + t;
        // 5.1 MAC: tap j multiplies x[t - 3 + j].
        i128 sum = l.bias_acc[d];
        for (int j = 0; j < 4; ++j) {
          const int tt = t - 3 + j;
          const int xv = tt < 0 ? 0 : l.x[(static_cast<size_t>(b) * l.D + d) * l.L + tt];
          sum += static_cast<i128>(l.weight[d * 4 + j]) * xv;
        }
        bool ovf = false;
        i128 acc = SatBits(sum, k.acc_bits, &ovf);
        if (k.acc_wrap) acc = WrapBits(sum, k.acc_bits);
        // 5.2 requant.
        const i128 p = acc * static_cast<i128>(l.mult[d]);
        const i128 i = RoundShift(p, l.shift[d], k.rounding);
        bool sat = false;
        const i128 idx = SatBits(i, k.lut_index_bits, &sat);
        // 5.3 table.
        const int64_t addr = static_cast<int64_t>(idx) + (int64_t{1} << (k.lut_index_bits - 1));
        r.y[e] = l.lut[addr];
        r.acc[e] = static_cast<int32_t>(acc);
        r.idx[e] = static_cast<int32_t>(idx);
        r.acc_ovf[e] = ovf;
        r.idx_sat[e] = sat;
      }
    }
  }
  return r;
}

}  // namespace csr_test
