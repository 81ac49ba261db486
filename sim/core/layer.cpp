#include "sim/core/layer.h"

#include <cmath>

#include "sim/core/error.h"

namespace cosim {

void ValidateScale(float s, const std::string& what) {
  if (std::isnan(s)) throw Error(ExitCode::kBadInput, what + " is NaN");
  if (std::isinf(s)) throw Error(ExitCode::kBadInput, what + " is infinite");
  if (!(s > 0.0f)) throw Error(ExitCode::kBadInput, what + " = " + std::to_string(s) + " is not positive");
  if (!std::isnormal(s) || s < 1e-30f || s > 1e30f) {
    throw Error(ExitCode::kBadInput, what + " = " + std::to_string(s) + " is absurd (allowed: [1e-30, 1e30])");
  }
}

void LayerData::Validate(const std::string& where) const {
  const std::string w = where + " layer " + std::to_string(index);
  if (channels <= 0) throw Error(ExitCode::kBadInput, w + ": channel count must be positive");
  if (weight.size() != static_cast<size_t>(channels) * kTaps) {
    throw Error(ExitCode::kBadInput, w + ": weight has " + std::to_string(weight.size()) +
                                         " values, expected D*4 = " + std::to_string(channels * kTaps));
  }
  if (bias.size() != static_cast<size_t>(channels)) {
    throw Error(ExitCode::kBadInput, w + ": bias has " + std::to_string(bias.size()) +
                                         " values, expected D = " + std::to_string(channels));
  }
  if (weight_scale.size() != 1 && weight_scale.size() != static_cast<size_t>(channels)) {
    throw Error(ExitCode::kBadInput, w + ": weight_scale has " + std::to_string(weight_scale.size()) +
                                         " values, expected 1 (per tensor) or D = " + std::to_string(channels));
  }
  ValidateScale(input_scale, w + ": input_scale");
  ValidateScale(bias_scale, w + ": bias_scale");
  ValidateScale(output_scale, w + ": output_scale");
  for (size_t i = 0; i < weight_scale.size(); ++i) {
    ValidateScale(weight_scale[i], w + ": weight_scale[" + std::to_string(i) + "]");
  }
}

}  // namespace cosim
