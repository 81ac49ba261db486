// classify.h: why two implementations disagree on one output code.
//
// Contract: Classify() names the first cause in this order that explains a mismatch between the
// ASIC model's code and another implementation's code at one element:
//   1. accumulator overflow: the ASIC's exact sum left the accumulator range;
//   2. saturation: the ASIC clamped the table index or the output, or the other side's code
//      sits at the edge of the output range;
//   3. rounding tie: the other side's value before rounding (before_quant / s_out) or the exact
//      real value lies within 1e-3 of a half-way point, or (int-lut) the requant shift drops
//      exactly one half or the exact real-valued table index is within 1e-3 of one, so the
//      rounding rule decides;
//   4. scale representation: computing the ASIC's own stage with the exact (binary64) scale
//      ratio instead of the hardware's multiplier/shift (int-lut) or binary32 scale product
//      (fp32-sfu) changes the result;
//   5. SiLU approximation: everything else (the table grid, exp32 vs a platform exp).
// The decision list is documented in docs/checker.md with examples.
#pragma once

#include <cstdint>
#include <string>

#include "sim/core/compile.h"
#include "sim/core/datapath.h"

namespace cosim::check {

enum class Cause : uint8_t {
  kAccumulatorOverflow,
  kSaturation,
  kRoundingTie,
  kScaleRepresentation,
  kSiluApproximation,
};
constexpr int kNumCauses = 5;
const char* ToString(Cause c);

// `other_before_quant` is the other implementation's real value before output quantization
// (NaN when it has none); `other_code` its output code.
Cause Classify(const CompiledLayer& c, const LayerData& layer, int channel, const ElementTrace& asic,
               int64_t other_code, float other_before_quant);

}  // namespace cosim::check
