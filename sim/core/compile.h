// compile.h: the offline compile step (docs/datapath.md section 4).
//
// Contract: CompileLayer maps a layer's binary32 scales and int8 bias to hardware parameters
// (per-channel multiplier M, shift, folded bias, the SiLU table) deterministically: binary64
// arithmetic whose every operation is exact or correctly rounded, offline roundings half to
// even, run-time roundings (table entries) by the knob. It throws cosim::Error naming the layer
// and channel when a parameter does not fit the hardware (shift outside 0..62, folded bias
// outside acc_bits, table step not a normal binary32).
//
// Worked example (docs/datapath.md section 5): s_x = 0.05, s_w = 0.004, s_b = 0.002,
// s_out = 0.03, bias = 10, Wm = 16, N = 10, W = 8 gives s_lut = 0.015, M = 55924,
// shift = 22, bias_acc = 100.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/knobs.h"
#include "sim/core/layer.h"

namespace cosim {

// Multiplier and shift with M * 2^-shift ~= r (r > 0); M has exactly `mult_bits` bits
// (2^(mult_bits-1) <= M < 2^mult_bits). Offline rounding of M: half to even.
// Example: QuantizeMultiplier(0.0266666689, 16) == {55924, 21}.
struct Multiplier {
  int64_t m = 0;
  int shift = 0;
};
Multiplier QuantizeMultiplier(double r, int mult_bits);

struct CompiledLayer {
  HwConfig hw;
  float effective_output_scale = 0;  // s_oe = s_out or fl32(s_out / F)
  float lut_step = 0;                // s_lut = s_oe * 2^(W + 1 - N)   (int-lut)
  std::vector<int64_t> mult;         // [D] (int-lut)
  std::vector<int32_t> shift;        // [D] (int-lut)
  std::vector<int64_t> bias_acc;     // [D] (int-lut)
  std::vector<int32_t> lut;          // [2^N] W-bit codes, address = idx + 2^(N-1) (int-lut)
  std::vector<uint8_t> lut_clamped;  // [2^N] 1 where the entry was saturated to W bits
  std::vector<float> acc_scale32;    // [D] fl32(s_w[d] * s_x)       (fp32-sfu)
  std::vector<float> bias_f32;       // [D] fl32((float)bias * s_b)  (fp32-sfu)
};

CompiledLayer CompileLayer(const LayerData& layer, const HwConfig& hw);

// One SiLU table entry (section 4 step 4), exposed for exhaustive tests.
int32_t SiluTableEntry(int64_t index, float lut_step, float s_oe, const HwConfig& hw, bool* clamped);

}  // namespace cosim
