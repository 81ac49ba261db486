#include "tb/check/classify.h"

#include <cmath>

#include "sim/core/rounding.h"
#include "sim/core/sfu_fp32.h"

namespace cosim::check {
namespace {

bool NearTie(double v) {
  if (!std::isfinite(v)) return false;
  const double frac = v - std::floor(v);
  return std::fabs(frac - 0.5) < 1e-3;
}

}  // namespace

const char* ToString(Cause c) {
  switch (c) {
    case Cause::kAccumulatorOverflow: return "accumulator overflow";
    case Cause::kSaturation: return "saturation";
    case Cause::kRoundingTie: return "rounding tie";
    case Cause::kScaleRepresentation: return "scale representation";
    case Cause::kSiluApproximation: return "SiLU approximation";
  }
  return "?";
}

Cause Classify(const CompiledLayer& c, const LayerData& layer, int channel, const ElementTrace& e,
               int64_t other_code, float other_before_quant) {
  const HwConfig& hw = c.hw;
  if (e.acc_overflow) return Cause::kAccumulatorOverflow;
  const bool index_clamped = hw.profile == Profile::kIntLut && e.index != e.index_unsat;
  if (e.output_saturated || index_clamped || other_code <= MinSigned(hw.output_bits) ||
      other_code >= MaxSigned(hw.output_bits)) {
    return Cause::kSaturation;
  }
  // The exact real-valued pre-activation s_w*s_x*sum(taps) + s_b*bias, in binary64.
  int64_t taps = 0;
  for (int k = 0; k < 4; ++k) taps += int64_t{e.taps[k]} * e.window[k];
  const double s_acc = static_cast<double>(layer.WeightScale(channel)) * static_cast<double>(layer.input_scale);
  const double exact_pre =
      s_acc * static_cast<double>(taps) + static_cast<double>(layer.bias[channel]) * layer.bias_scale;
  const double s_oe = c.effective_output_scale;
  const double exact_silu = exact_pre / (1.0 + std::exp(-exact_pre));
  if (NearTie(static_cast<double>(other_before_quant) / s_oe) || NearTie(exact_silu / s_oe)) {
    return Cause::kRoundingTie;
  }
  if (hw.profile == Profile::kIntLut) {
    // A tie at the requant stage: the shifted-out bits are exactly one half, or the exact
    // real-valued index sits within 1e-3 of a half-way point.
    const int s = c.shift[channel];
    const int64_t p = e.acc * c.mult[channel];
    const bool exact_half = s > 0 && (p & ((int64_t{1} << s) - 1)) == (int64_t{1} << (s - 1));
    if (exact_half || NearTie(exact_pre / static_cast<double>(c.lut_step))) return Cause::kRoundingTie;
  }
  if (hw.profile == Profile::kIntLut) {
    // The table index the exact scale ratio would give, with the hardware's own rounding rule.
    const double exact_index = exact_pre / static_cast<double>(c.lut_step);
    const double fl = std::floor(exact_index), frac = exact_index - fl;
    double idx = fl;
    switch (hw.rounding) {
      case Rounding::kHalfAwayFromZero: idx = std::round(exact_index); break;
      case Rounding::kHalfToEven: idx = std::nearbyint(exact_index); break;
      case Rounding::kHalfUp: idx = frac >= 0.5 ? fl + 1 : fl; break;
      case Rounding::kTruncate: break;
    }
    if (static_cast<int64_t>(idx) != e.index_unsat) return Cause::kScaleRepresentation;
  } else {
    bool sat = false;
    const float code_exact_scale = static_cast<float>(
        QuantizeFloat(Silu32(static_cast<float>(exact_pre)) / c.effective_output_scale, hw.rounding, hw.output_bits,
                      &sat));
    if (static_cast<int64_t>(code_exact_scale) != e.code) return Cause::kScaleRepresentation;
  }
  return Cause::kSiluApproximation;
}

}  // namespace cosim::check
