// stage_requant.h: stage 2 of int-lut, fixed-point requantization to a SiLU table index
// (docs/datapath.md section 5.2).
//
// Contract: p = acc * M is exact (|acc| < 2^31, M < 2^31); the index is p / 2^shift rounded by
// the knob's Rounding (RoundingShiftRight), then saturated to `index_bits` signed bits;
// `saturated` reports whether the clamp changed the value.
// Example: acc 320, M 55924, shift 22, half-away, 10 bits -> p 17895680, 4.27 -> index 4.
// Example: acc 2^30, M 2^15, shift 20, 10 bits -> 2^25 -> index 511, saturated.
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

}  // namespace cosim
