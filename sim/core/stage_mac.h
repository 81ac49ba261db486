// stage_mac.h: stage 1, the causal 4-tap multiply-accumulate (docs/datapath.md sections 2, 5.1, 6.1).
//
// Contract: the sum bias + w0*x[t-3] + w1*x[t-2] + w2*x[t-1] + w3*x[t] is exact (int64; at most
// 2^31 + 4*128*128 in magnitude), then the accumulator register applies its Overflow once at
// `acc_bits`; `overflow` reports whether the exact sum was outside the register's range.
// Example: taps (1,-2,3,4), window (10,20,30,40), bias 100 -> acc 320, no overflow.
// Example: acc_bits 16, saturate, sum 40000 -> 32767, overflow; wrap -> -25536, overflow.
//
// MacTaps is the element form (the definition). MacBlock is the block form the model core runs:
// the same result for every element, computed in int32 without branches so that it vectorises.
// It rests on two facts: the tap sum w.x lies in [-65024, 65536], and the bias fits acc_bits
// (<= 32), so "bias + w.x leaves the register" is a comparison of w.x against per-channel
// thresholds, and when it stays inside, bias + w.x is exact in int32. Wrapping keeps the low
// acc_bits bits, which int32 arithmetic modulo 2^32 already has.
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

// One channel's stage-1 constants for MacBlock.
struct MacChannel {
  int32_t taps[4] = {0, 0, 0, 0};
  int32_t bias = 0;
  int32_t sum_max = 0;   // w.x above this overflows: min(acc_max - bias, INT32_MAX)
  int32_t sum_min = 0;   // w.x below this overflows: max(acc_min - bias, INT32_MIN)
  int32_t acc_max = 0, acc_min = 0;
  int wrap_shift = 0;    // 32 - acc_bits: sign-extends the low acc_bits bits
};

// The constants of one channel; false when the block form does not apply (acc_bits outside
// 1..32 or a bias outside the register, which CompileLayer never produces).
inline bool MakeMacChannel(const int8_t* taps, int64_t bias, int acc_bits, MacChannel* m) {
  if (acc_bits < 1 || acc_bits > 32 || !FitsSigned(bias, acc_bits)) return false;
  for (int k = 0; k < 4; ++k) m->taps[k] = taps[k];
  m->bias = static_cast<int32_t>(bias);
  m->acc_max = static_cast<int32_t>(MaxSigned(acc_bits));
  m->acc_min = static_cast<int32_t>(MinSigned(acc_bits));
  m->sum_max = static_cast<int32_t>(SaturateSigned(MaxSigned(acc_bits) - bias, 32));
  m->sum_min = static_cast<int32_t>(SaturateSigned(MinSigned(acc_bits) - bias, 32));
  m->wrap_shift = 32 - acc_bits;
  return true;
}

// acc[i] = MacTaps(taps, xw + i, bias, acc_bits, kOv).acc for i in [0, n): xw holds n + 3 codes,
// x[t0-3 .. t0+n-1]. Returns how many of the n elements overflowed.
template <Overflow kOv>
inline int MacBlock(const MacChannel& m, const int8_t* xw, int n, int32_t* acc) {
  const int32_t w0 = m.taps[0], w1 = m.taps[1], w2 = m.taps[2], w3 = m.taps[3];
  const int32_t bias = m.bias, hi = m.sum_max, lo = m.sum_min, amax = m.acc_max, amin = m.acc_min;
  const int ws = m.wrap_shift;
  int overflowed = 0;
  for (int i = 0; i < n; ++i) {
    const int32_t dot = w0 * xw[i] + w1 * xw[i + 1] + w2 * xw[i + 2] + w3 * xw[i + 3];
    const bool over = dot > hi, under = dot < lo;
    // Modulo 2^32 (unsigned: no signed overflow); exact whenever the element does not overflow.
    const uint32_t low = static_cast<uint32_t>(bias) + static_cast<uint32_t>(dot);
    int32_t a;
    if (kOv == Overflow::kSaturate) {
      a = over ? amax : (under ? amin : static_cast<int32_t>(low));
    } else {
      a = static_cast<int32_t>(low << ws) >> ws;  // arithmetic shift: sign of bit acc_bits-1
    }
    acc[i] = a;
    overflowed += over | under;
  }
  return overflowed;
}

}  // namespace cosim
