// stage_mac.h: stage 1, the causal 4-tap multiply-accumulate (docs/datapath.md sections 2, 5.1, 6.1).
//
// Contract: the sum bias + w0*x[t-3] + w1*x[t-2] + w2*x[t-1] + w3*x[t] is exact (int64; at most
// 2^31 + 4*128*128 in magnitude), then the accumulator register applies its Overflow once at
// `acc_bits`; `overflow` reports whether the exact sum was outside the register's range.
// Example: taps (1,-2,3,4), window (10,20,30,40), bias 100 -> acc 320, no overflow.
// Example: acc_bits 16, saturate, sum 40000 -> 32767, overflow; wrap -> -25536, overflow.
#pragma once

#include <cstdint>

#include "sim/core/rounding.h"

namespace cosim {

struct MacResult {
  int64_t acc;
  bool overflow;
};

// window[k] is x[t-3+k]; taps[k] is weight[d, k].
inline MacResult MacTaps(const int8_t* taps, const int8_t* window, int64_t bias, int acc_bits, Overflow ov) {
  const int64_t sum = bias + int64_t{taps[0]} * window[0] + int64_t{taps[1]} * window[1] +
                      int64_t{taps[2]} * window[2] + int64_t{taps[3]} * window[3];
  return MacResult{ApplyOverflow(sum, acc_bits, ov), !FitsSigned(sum, acc_bits)};
}

}  // namespace cosim
