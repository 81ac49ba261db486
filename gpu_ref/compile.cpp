// compile.cpp: docs/datapath.md section 4, written from the doc (no code shared with sim/).
#include "gpu_ref/compile.h"

#include <cfenv>
#include <cstdio>
#include <cmath>
#include <stdexcept>
#include <string>

#include "gpu_ref/exp32.h"
#include "gpu_ref/rounding.h"

namespace cosim::fsim {
namespace {

// rint_even of a binary64 (the default rounding mode is round-to-nearest-even).
double RintEven(double v) { return std::nearbyint(v); }

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

float EffectiveOutputScale(float s_out, float divisor) {
  const float s_oe = divisor == 1.0f ? s_out : Div(s_out, divisor);
  if (!(std::isnormal(s_oe) && s_oe > 0.0f))
    throw std::invalid_argument("compile: effective output scale s_out / output_scale_divisor = " +
                                Num(s_oe) + " is not a normal positive binary32");
  return s_oe;
}

IntLutCompiled CompileIntLut(const LayerView& v, const Knobs& k) {
  if (std::fegetround() != FE_TONEAREST)
    throw std::runtime_error("compile: the floating-point rounding mode must be round-to-nearest");
  IntLutCompiled c;
  const int W = k.output_bits, N = k.lut_index_bits, Wm = k.requant_mult_bits, A = k.acc_bits;
  c.s_oe = EffectiveOutputScale(v.s_out, k.output_scale_divisor);
  c.s_lut = std::ldexp(c.s_oe, W + 1 - N);  // exact unless it leaves the normal range
  if (!std::isnormal(c.s_lut))
    throw std::invalid_argument("compile: s_lut = s_oe * 2^(output_bits + 1 - lut_index_bits) = " +
                                Num(c.s_lut) + " is not a normal binary32");
  c.mult.resize(v.D);
  c.shift.resize(v.D);
  c.bias_acc.resize(v.D);
  const double acc_max = std::ldexp(1.0, A - 1) - 1.0, acc_min = -std::ldexp(1.0, A - 1);
  for (int d = 0; d < v.D; ++d) {
    const double s_acc = static_cast<double>(ChannelWeightScale(v, d)) * static_cast<double>(v.s_x);
    const double r = s_acc / static_cast<double>(c.s_lut);
    int e = 0;
    const double m = std::frexp(r, &e);  // r = m * 2^e, m in [0.5, 1)
    double M = RintEven(std::ldexp(m, Wm));
    if (M == std::ldexp(1.0, Wm)) {
      M = std::ldexp(1.0, Wm - 1);
      e += 1;
    }
    const int shift = Wm - e;
    if (shift < 0 || shift > 62)
      throw std::invalid_argument("compile: channel " + std::to_string(d) + ": requant shift " +
                                  std::to_string(shift) + " is outside [0, 62] (s_w * s_x / s_lut = " +
                                  Num(r) + "; change the scales or requant_mult_bits)");
    const double b = RintEven((static_cast<double>(v.bias[d]) * static_cast<double>(v.s_b)) / s_acc);
    if (!(b >= acc_min && b <= acc_max))
      throw std::invalid_argument("compile: channel " + std::to_string(d) + ": bias_acc " + Num(b) +
                                  " does not fit acc_bits = " + std::to_string(A));
    c.mult[d] = static_cast<int32_t>(M);
    c.shift[d] = shift;
    c.bias_acc[d] = static_cast<int32_t>(b);
  }
  const int entries = 1 << N;
  const float out_lo = -std::ldexp(1.0f, W - 1), out_hi = std::ldexp(1.0f, W - 1) - 1.0f;
  c.lut.resize(entries);
  c.lut_clamped.resize(entries);
  c.lut_before.resize(entries);
  for (int i = 0; i < entries; ++i) {
    const float idx = static_cast<float>(i - entries / 2);  // |idx| <= 2^19: exact
    const float a = Silu32(Mul(idx, c.s_lut));
    uint32_t flags = 0;
    const float q = SatFloat(RoundFloat(Div(a, c.s_oe), k.rounding), out_lo, out_hi, 1u, flags);
    c.lut[i] = static_cast<int32_t>(q);
    c.lut_clamped[i] = static_cast<uint8_t>(flags);
    c.lut_before[i] = a;
  }
  return c;
}

}  // namespace cosim::fsim
