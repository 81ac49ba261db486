#include "sim/core/compile.h"

#include <cmath>
#include <string>

#include "sim/core/error.h"
#include "sim/core/sfu_fp32.h"

namespace cosim {

Multiplier QuantizeMultiplier(double r, int mult_bits) {
  int e = 0;
  const double m = std::frexp(r, &e);                              // r = m * 2^e, m in [0.5, 1)
  int64_t big = RintEven(std::ldexp(m, mult_bits));                // exact scaling, then round
  if (big == (int64_t{1} << mult_bits)) {
    big >>= 1;
    ++e;
  }
  return Multiplier{big, mult_bits - e};
}

int32_t SiluTableEntry(int64_t index, float lut_step, float s_oe, const HwConfig& hw, bool* clamped) {
  const float y = static_cast<float>(index) * lut_step;
  const float a = Silu32(y);
  return static_cast<int32_t>(QuantizeFloat(a / s_oe, hw.rounding, hw.output_bits, clamped));
}

CompiledLayer CompileLayer(const LayerData& layer, const HwConfig& hw) {
  const std::string where = "layer " + std::to_string(layer.index);
  layer.Validate("compile");
  hw.Validate(where);
  const int D = layer.channels;
  if (hw.weight_scale == WeightScaleMode::kPerTensor && layer.weight_scale.size() != 1) {
    throw Error(ExitCode::kBadInput,
                where + ": the model has per-channel weight scales but the hardware profile '" + hw.name +
                    "' holds one multiplier (weight_scale: per-tensor); choose a per-channel profile");
  }
  CompiledLayer c;
  c.hw = hw;
  c.effective_output_scale =
      hw.output_scale_divisor == 1.0f ? layer.output_scale : layer.output_scale / hw.output_scale_divisor;
  ValidateScale(c.effective_output_scale, where + ": effective output scale s_out/F");

  if (hw.profile == Profile::kFp32Sfu) {
    c.acc_scale32.resize(D);
    c.bias_f32.resize(D);
    for (int d = 0; d < D; ++d) {
      c.acc_scale32[d] = layer.WeightScale(d) * layer.input_scale;
      c.bias_f32[d] = static_cast<float>(layer.bias[d]) * layer.bias_scale;
    }
    return c;
  }

  const int W = hw.output_bits, N = hw.lut_index_bits;
  c.lut_step = std::ldexp(c.effective_output_scale, W + 1 - N);
  if (!std::isnormal(c.lut_step)) {
    throw Error(ExitCode::kBadInput, where + ": table step s_out * 2^(W+1-N) = " + std::to_string(c.lut_step) +
                                         " is not a normal binary32; change output_bits or lut_index_bits");
  }
  c.mult.resize(D);
  c.shift.resize(D);
  c.bias_acc.resize(D);
  for (int d = 0; d < D; ++d) {
    const double s_acc = static_cast<double>(layer.WeightScale(d)) * static_cast<double>(layer.input_scale);
    const Multiplier m = QuantizeMultiplier(s_acc / static_cast<double>(c.lut_step), hw.requant_mult_bits);
    if (m.shift < 0 || m.shift > 62) {
      throw Error(ExitCode::kBadInput,
                  where + " channel " + std::to_string(d) + ": requant shift " + std::to_string(m.shift) +
                      " outside 0..62 (s_w*s_x/s_lut = " + std::to_string(s_acc / c.lut_step) +
                      "); the scales are inconsistent");
    }
    const double real_bias = static_cast<double>(layer.bias[d]) * static_cast<double>(layer.bias_scale);
    const double folded = real_bias / s_acc;
    const int64_t b = std::fabs(folded) < 4.0e18 ? RintEven(folded) : (folded > 0 ? INT64_MAX : INT64_MIN);
    if (!FitsSigned(b, hw.acc_bits)) {
      throw Error(ExitCode::kBadInput, where + " channel " + std::to_string(d) + ": folded bias " +
                                           std::to_string(b) + " does not fit acc_bits = " +
                                           std::to_string(hw.acc_bits));
    }
    c.mult[d] = m.m;
    c.shift[d] = m.shift;
    c.bias_acc[d] = b;
  }
  const int64_t entries = int64_t{1} << N;
  c.lut.resize(entries);
  c.lut_clamped.resize(entries);
  for (int64_t i = 0; i < entries; ++i) {
    bool clamped = false;
    c.lut[i] = SiluTableEntry(i - entries / 2, c.lut_step, c.effective_output_scale, hw, &clamped);
    c.lut_clamped[i] = clamped ? 1 : 0;
  }
  return c;
}

}  // namespace cosim
