// reference.h: a plain, independent reference of docs/datapath.md for the tests. Written from
// the document with different formulations (division and remainder, Int128, direct loops) so
// that an error in the model core's primitives cannot hide in both.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/compile.h"
#include "sim/core/rounding.h"
#include "sim/core/sfu_fp32.h"

namespace cosim {

__extension__ typedef __int128 Int128;  // exact products for the reference only

// Round v / 2^s by the rule's definition, using floor division and the remainder.
inline int64_t RefRound(Int128 v, int s, Rounding r) {
  const Int128 den = static_cast<Int128>(1) << s;
  Int128 q = v / den, rem = v % den;
  if (rem < 0) { q -= 1; rem += den; }  // floor division
  const Int128 twice = 2 * rem;
  switch (r) {
    case Rounding::kTruncate: return static_cast<int64_t>(q);
    case Rounding::kHalfUp: return static_cast<int64_t>(twice >= den ? q + 1 : q);
    case Rounding::kHalfToEven: return static_cast<int64_t>((twice > den || (twice == den && (q % 2 != 0))) ? q + 1 : q);
    case Rounding::kHalfAwayFromZero:
      if (twice > den) return static_cast<int64_t>(q + 1);
      if (twice < den) return static_cast<int64_t>(q);
      return static_cast<int64_t>(v > 0 ? q + 1 : q);
  }
  return 0;
}

inline int64_t RefClamp(int64_t v, int bits) {
  const int64_t lo = -(int64_t{1} << (bits - 1)), hi = (int64_t{1} << (bits - 1)) - 1;
  return v < lo ? lo : (v > hi ? hi : v);
}

inline int64_t RefAccumulate(int64_t sum, int bits, Overflow o) {
  if (o == Overflow::kSaturate) return RefClamp(sum, bits);
  const int64_t mod = int64_t{1} << bits;
  int64_t w = ((sum % mod) + mod) % mod;
  return w >= mod / 2 ? w - mod : w;
}

// Output codes of one layer, int-lut, from the compiled parameters, by direct loops.
inline std::vector<int32_t> RefIntLut(const CompiledLayer& c, const LayerData& l, int B, int L,
                                      const int8_t* x, const int8_t* state) {
  const int D = l.channels;
  std::vector<int32_t> y(static_cast<size_t>(B) * D * L);
  for (int b = 0; b < B; ++b)
    for (int d = 0; d < D; ++d)
      for (int t = 0; t < L; ++t) {
        int64_t sum = c.bias_acc[d];
        for (int k = 0; k < 4; ++k) {
          const int pos = t - 3 + k;
          const int64_t row = static_cast<int64_t>(b) * D + d;
          const int v = pos >= 0 ? x[row * L + pos] : (state ? state[row * 3 + 3 + pos] : 0);
          sum += l.weight[d * 4 + k] * v;
        }
        const int64_t acc = RefAccumulate(sum, c.hw.acc_bits, c.hw.acc_overflow);
        const int64_t idx = RefClamp(RefRound(static_cast<Int128>(acc) * c.mult[d], c.shift[d], c.hw.rounding),
                                     c.hw.lut_index_bits);
        y[(static_cast<size_t>(b) * D + d) * L + t] = c.lut[idx + (int64_t{1} << (c.hw.lut_index_bits - 1))];
      }
  return y;
}

}  // namespace cosim
