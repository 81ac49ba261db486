// compile.h: the float-sim's own offline compile step (docs/datapath.md section 4), host only.
//
// Float scales -> effective output scale, table step, per-channel requant multiplier M, shift and
// folded bias, and the SiLU table. Offline roundings are rint_even in binary64 whatever the knob;
// the table entries use the knob's rounding and silu32 of exp32.h (the same code the device runs).
// Worked example (docs/datapath.md section 5): s_x 0.05, s_w 0.004, s_b 0.002, s_out 0.03,
// bias 10, Wm 16, N 10, W 8 -> s_lut 0.015, M 55924, shift 22, bias_acc 100; the window
// (10, 20, 30, 40) with taps (1, -2, 3, 4) gives sum 320, index 4, code 1.
#pragma once

#include <cstdint>
#include <vector>

#include "gpu_ref/floatsim.h"

namespace cosim::fsim {

struct IntLutCompiled {
  float s_oe = 0.0f;              // s_out, or fl32(s_out / F)
  float s_lut = 0.0f;             // s_oe * 2^(W + 1 - N)
  std::vector<int32_t> mult;      // [D] M
  std::vector<int32_t> shift;     // [D]
  std::vector<int32_t> bias_acc;  // [D]
  std::vector<int32_t> lut;       // [2^N] entry for address i (index i - 2^(N-1))
  std::vector<uint8_t> lut_clamped;  // [2^N] 1 where sat_W changed the entry
  std::vector<float> lut_before;     // [2^N] silu32(fl32(index * s_lut)), the value the entry rounds
};

// Step 1: s_out when divisor == 1, else fl32(s_out / divisor). Throws unless normal and > 0.
float EffectiveOutputScale(float s_out, float divisor);

// s_w of channel d (per tensor: s_w[0]).
inline float ChannelWeightScale(const LayerView& v, int d) { return v.s_w[v.n_s_w == 1 ? 0 : d]; }

// Steps 1-4 for the int-lut profile. Throws std::invalid_argument naming the channel when a
// shift leaves [0, 62], a bias_acc does not fit acc_bits, or s_lut is not a normal binary32.
IntLutCompiled CompileIntLut(const LayerView& v, const Knobs& k);

}  // namespace cosim::fsim
