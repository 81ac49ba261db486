// stage_requant.h: stage 2 of int-lut, fixed-point requantization to a SiLU table index
// (docs/datapath.md section 5.2).
//
// Contract: p = acc * M is exact (|acc| < 2^31, M < 2^31); the index is p / 2^shift rounded by
// the knob's Rounding (RoundingShiftRight), then saturated to `index_bits` signed bits;
// `saturated` reports whether the clamp changed the value.
// Example: acc 320, M 55924, shift 22, half-away, 10 bits -> p 17895680, 4.27 -> index 4.
// Example: acc 2^30, M 2^15, shift 20, 10 bits -> 2^25 -> index 511, saturated.
//
// RequantToIndex is the element form (the definition). RequantBlock is the block form the model
// core runs, equal to it on every element and free of branches so that it vectorises:
//  - every rounding mode is floor((p + c) / 2^s) with c = 0 (truncate), 2^(s-1) (half-up),
//    2^(s-1) - [p < 0] (half-away), 2^(s-1) - 1 + [floor(p / 2^s) odd] (half-even); with shift
//    0 every mode returns p, so RequantMode picks truncate there;
//  - the floor is a logical shift of p + c + 2^62, which is never negative (|p| < 2^62), minus
//    2^(62-s); p itself comes from an unsigned 32x32->64 product (which SSE2 has);
//  - p / 2^shift rounded is non-decreasing in acc (M > 0), so the index saturates exactly for
//    acc above or below two per-channel thresholds, found once by bisection on RoundingShiftRight;
//    between them the index fits index_bits and the low 32 bits of the quotient are exact.
#pragma once

#include <cstdint>

#include "sim/core/rounding.h"

namespace cosim {

struct RequantResult {
  int64_t index;
  bool saturated;
};

inline RequantResult RequantToIndex(int64_t acc, int64_t mult, int shift, Rounding r, int index_bits) {
  const int64_t scaled = RoundingShiftRight(acc * mult, shift, r);
  const int64_t index = SaturateSigned(scaled, index_bits);
  return RequantResult{index, index != scaled};
}

// One channel's stage-2 constants for RequantBlock.
struct RequantChannel {
  int32_t mult = 0;
  int shift = 0;
  Rounding mode = Rounding::kTruncate;  // RequantMode(shift, rounding)
  int32_t acc_max_unsat = 0;  // acc above this saturates the index to index_max
  int32_t acc_min_unsat = 0;  // acc below this saturates the index to index_min
  int32_t index_max = 0, index_min = 0;
  uint64_t half = 0;          // 2^(shift-1); 0 with shift 0
  uint64_t offset_q = 0;      // 2^62 >> shift: what the 2^62 offset adds to the quotient
};

// The rounding the block form applies: the knob's, except truncate when shift is 0 (all modes
// return p unchanged there).
constexpr Rounding RequantMode(int shift, Rounding r) { return shift == 0 ? Rounding::kTruncate : r; }

// The constants of one channel; false when the block form does not apply (M outside
// 1..2^31-1, shift outside 0..62, acc_bits outside 1..32, index_bits outside 1..31), which
// CompileLayer and the knob ranges never produce.
inline bool MakeRequantChannel(int64_t mult, int shift, Rounding r, int index_bits, int acc_bits,
                               RequantChannel* q) {
  if (mult < 1 || mult > MaxSigned(32) || shift < 0 || shift > 62 || acc_bits < 1 || acc_bits > 32 ||
      index_bits < 1 || index_bits > 31) {
    return false;
  }
  q->mult = static_cast<int32_t>(mult);
  q->shift = shift;
  q->mode = RequantMode(shift, r);
  q->index_max = static_cast<int32_t>(MaxSigned(index_bits));
  q->index_min = static_cast<int32_t>(MinSigned(index_bits));
  q->half = shift == 0 ? 0 : uint64_t{1} << (shift - 1);
  q->offset_q = (uint64_t{1} << 62) >> shift;
  auto scaled = [&](int64_t acc) { return RoundingShiftRight(acc * mult, shift, r); };
  // Largest acc in [0, acc_max] whose index does not exceed index_max (acc 0 gives index 0).
  int64_t ok = 0, bad = MaxSigned(acc_bits) + 1;
  while (bad - ok > 1) {
    const int64_t mid = ok + (bad - ok) / 2;
    (scaled(mid) <= q->index_max ? ok : bad) = mid;
  }
  q->acc_max_unsat = static_cast<int32_t>(ok);
  // Smallest acc in [acc_min, 0] whose index is not below index_min.
  ok = 0;
  bad = MinSigned(acc_bits) - 1;
  while (ok - bad > 1) {
    const int64_t mid = ok - (ok - bad) / 2;
    (scaled(mid) >= q->index_min ? ok : bad) = mid;
  }
  q->acc_min_unsat = static_cast<int32_t>(ok);
  return true;
}

// index[i] = RequantToIndex(acc[i], M, shift, rounding, index_bits).index for i in [0, n), with
// kMode == q.mode. Returns how many of the n indices were saturated.
template <Rounding kMode>
inline int RequantBlock(const RequantChannel& q, const int32_t* acc, int n, int32_t* index) {
  const uint64_t m = static_cast<uint32_t>(q.mult), m_high = m << 32, bias62 = uint64_t{1} << 62;
  const int s = q.shift;
  const uint64_t half = q.half, off = q.offset_q;
  const int32_t hi = q.acc_max_unsat, lo = q.acc_min_unsat, imax = q.index_max, imin = q.index_min;
  int saturated = 0;
  for (int i = 0; i < n; ++i) {
    const int32_t a = acc[i];
    // p = acc * M modulo 2^64 from an unsigned 32x32->64 product (which SSE2 has): reading acc's
    // bits as unsigned adds 2^32 when acc < 0, so subtract 2^32 * M then. neg is all ones or 0.
    const uint64_t neg = static_cast<uint64_t>(static_cast<int64_t>(a >> 31));
    const uint64_t u = uint64_t{static_cast<uint32_t>(a)} * m - (neg & m_high) + bias62;  // p + 2^62 >= 0
    uint64_t c = 0;
    if (kMode == Rounding::kHalfUp) c = half;
    if (kMode == Rounding::kHalfAwayFromZero) c = half - (neg & 1);
    if (kMode == Rounding::kHalfToEven) c = half - 1 + (((u >> s) - off) & 1);  // + [floor(p/2^s) odd]
    const int32_t quotient = static_cast<int32_t>(((u + c) >> s) - off);  // exact when unsaturated
    const bool over = a > hi, under = a < lo;
    index[i] = over ? imax : (under ? imin : quotient);
    saturated += over | under;
  }
  return saturated;
}

}  // namespace cosim
