// stage_sfu.h: stages 2-4 of fp32-sfu, Quamba's kernel order on an FP32 special-function unit
// (docs/datapath.md section 6).
//
// Contract: y = fl32(fl32(scale * (float)acc) + bias_f); a = silu32(y); code =
// sat_W(round_knob(fl32(a / s_oe))). (float)acc is exact because |acc| < 2^24 for 4 int8 taps.
// Example: acc 220 (taps (1,-2,3,4) on (10,20,30,40)), scale fl32(0.004f*0.05f), bias_f
// fl32(10*0.002f), s_oe 0.03: y = 0.064, silu32 = 0.03306..., code round(1.102) = 1.
#pragma once

#include <cstdint>

#include "sim/core/rounding.h"
#include "sim/core/sfu_fp32.h"

namespace cosim {

inline float PreActivation(int64_t acc, float acc_scale, float bias_f) {
  const float prod = acc_scale * static_cast<float>(acc);
  return prod + bias_f;
}

struct SfuOutput {
  float silu;
  int64_t code;
  bool saturated;
};

inline SfuOutput SfuActivateQuantize(float pre_act, float s_oe, Rounding r, int output_bits) {
  SfuOutput o;
  o.silu = Silu32(pre_act);
  o.code = QuantizeFloat(o.silu / s_oe, r, output_bits, &o.saturated);
  return o;
}

}  // namespace cosim
