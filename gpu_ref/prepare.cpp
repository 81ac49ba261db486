// prepare.cpp: checks before anything runs, and the compiled POD parameters of a layer.
#include "gpu_ref/prepare.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "gpu_ref/compile.h"
#include "gpu_ref/int_lut.h"

namespace cosim::fsim {
namespace {

void CheckScale(const char* field, float s) {
  if (!(std::isnormal(s) && s > 0.0f))
    throw std::invalid_argument(std::string("LayerView.") + field + " = " + std::to_string(s) +
                                " must be a finite, normal, positive binary32");
}

ElemOp OpFor(Mode m, Profile p) {
  switch (m) {
    case Mode::kInt8Quamba: return ElemOp::kQuamba;
    case Mode::kInt8QuambaFastExp: return ElemOp::kQuambaFastExp;
    case Mode::kFp32UpperBound: return ElemOp::kUpperBound;
    case Mode::kNaiveFakeQuant: return ElemOp::kNaive;
    case Mode::kInt8Asic: return p == Profile::kIntLut ? ElemOp::kAsicLut : ElemOp::kAsicSfu;
    default: return p == Profile::kIntLut ? ElemOp::kFsimLut : ElemOp::kFsimSfu;
  }
}

// The int8 table of the codes8 kernel (int-lut, output_bits <= 8): the table itself plus its
// saturated end entries repeated over every index a hot channel can reach before saturation, so
// the hot paths need no clamp. A channel's reach: bias_acc + the extremes of its own taps times
// int8 inputs, through the (monotone) integer requant. Channels outside a bounded window lose
// their hot flag (their tiers clamp explicitly).
void BuildExtendedTable(Prepared& pr, const Knobs& k) {
  LayerParams& p = pr.lp;
  const int64_t half = p.idx_half;
  constexpr int64_t kMaxEntries = int64_t{1} << 14;
  auto reach = [&](const ChannelParams& c, int64_t& lo, int64_t& hi) {
    int64_t conv_lo = 0, conv_hi = 0;
    for (int t = 0; t < kTaps; ++t) {
      const int64_t w = ByteS(c.w_packed, t);
      conv_lo += std::min(w * -128, w * 127);
      conv_hi += std::max(w * -128, w * 127);
    }
    lo = RoundShift((c.bias_acc + conv_lo) * c.mult, c.shift, k.rounding);
    hi = RoundShift((c.bias_acc + conv_hi) * c.mult, c.shift, k.rounding);
  };
  int64_t lo = -half, hi = half - 1;
  for (const ChannelParams& c : pr.ch) {
    if (!c.asic_hot) continue;
    int64_t a, b;
    reach(c, a, b);
    lo = std::min(lo, a);
    hi = std::max(hi, b);
  }
  if (hi - lo + 1 > std::max(kMaxEntries, 2 * half)) {
    lo = -half;
    hi = half - 1;
    for (ChannelParams& c : pr.ch) {
      int64_t a, b;
      reach(c, a, b);
      if (a < lo || b > hi) c.asic_hot = c.fsim_hot = 0;
    }
  }
  const int64_t n = (hi - lo + 1 + 15) / 16 * 16;  // whole 16-byte words for the shared copy
  p.ext_lo = static_cast<int32_t>(lo);
  p.ext_n = static_cast<int32_t>(n);
  pr.lut8.resize(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) {
    const int64_t idx = std::min(std::max(lo + j, -half), half - 1);
    pr.lut8[static_cast<size_t>(j)] = static_cast<int8_t>(pr.lut[static_cast<size_t>(idx + half)]);
  }
}

}  // namespace

Knobs EffectiveKnobs(Mode mode, const Knobs& knobs, float factor) {
  if (!ModeUsesKnobs(mode)) return Knobs{};  // the fixed-semantics modes ignore the knobs
  Knobs k = knobs;
  if (mode == Mode::kResearchSeRefine) k.output_scale_divisor = factor;
  return k;
}

void CheckLayer(Mode mode, const LayerView& v, const Knobs& knobs, float factor) {
  if (static_cast<int>(mode) < 0 || static_cast<int>(mode) > static_cast<int>(Mode::kNaiveFakeQuant))
    throw std::invalid_argument("mode: not a Mode value");
  if (v.B < 1 || v.D < 1 || v.L < 1)
    throw std::invalid_argument("LayerView.B, D, L must be >= 1 (got " + std::to_string(v.B) +
                                ", " + std::to_string(v.D) + ", " + std::to_string(v.L) + ")");
  if (static_cast<double>(v.B) * v.D * v.L > 9.0e15)
    throw std::invalid_argument("LayerView: B * D * L is too large");
  if (!v.x) throw std::invalid_argument("LayerView.x is null (need B * D * L int8 codes)");
  if (!v.weight) throw std::invalid_argument("LayerView.weight is null (need D * 4 int8 taps)");
  if (!v.bias) throw std::invalid_argument("LayerView.bias is null (need D int8 codes)");
  if (!v.s_w) throw std::invalid_argument("LayerView.s_w is null (need n_s_w scales)");
  if (v.n_s_w != 1 && v.n_s_w != v.D)
    throw std::invalid_argument("LayerView.n_s_w = " + std::to_string(v.n_s_w) +
                                " must be 1 (per tensor) or D = " + std::to_string(v.D));
  CheckScale("s_x", v.s_x);
  CheckScale("s_b", v.s_b);
  CheckScale("s_out", v.s_out);
  for (int i = 0; i < v.n_s_w; ++i) {
    if (!(std::isnormal(v.s_w[i]) && v.s_w[i] > 0.0f))
      throw std::invalid_argument("LayerView.s_w[" + std::to_string(i) + "] = " +
                                  std::to_string(v.s_w[i]) +
                                  " must be a finite, normal, positive binary32");
  }
  if (mode == Mode::kResearchSeEnhance || mode == Mode::kResearchSeRefine) {
    if (!(std::isfinite(factor) && factor >= 1.0f))
      throw std::invalid_argument("factor F = " + std::to_string(factor) +
                                  " must be a finite binary32 >= 1 for " + ModeName(mode));
  }
  if (!ModeUsesKnobs(mode)) return;
  const Knobs k = EffectiveKnobs(mode, knobs, factor);
  k.Validate();
  if (k.weight_scale == WeightScale::kPerTensor && v.n_s_w > 1) {
    for (int i = 1; i < v.n_s_w; ++i) {
      if (v.s_w[i] != v.s_w[0])
        throw std::invalid_argument(
            "LayerView.s_w has " + std::to_string(v.n_s_w) +
            " different per-channel scales but knobs.weight_scale is \"per-tensor\" (the hardware "
            "holds one multiplier): set weight_scale to \"per-channel\" or pass one scale");
    }
  }
}

LayerParams MakeLayerParams(const Knobs& k) {
  LayerParams p;
  p.rounding = k.rounding;
  p.acc_overflow = k.acc_overflow;
  p.acc_bits = k.acc_bits;
  p.index_bits = k.lut_index_bits;
  p.output_bits = k.output_bits;
  const int A = k.acc_bits;
  p.acc_min = -(int64_t{1} << (A - 1));
  p.acc_max = (int64_t{1} << (A - 1)) - 1;
  p.acc_lim = std::ldexp(1.0f, A - 1);
  p.acc_two_pow = std::ldexp(1.0f, A);
  p.acc_max_hi = static_cast<float>(p.acc_max);  // RN
  p.acc_max_lo = static_cast<float>(p.acc_max - static_cast<int64_t>(p.acc_max_hi));  // |.| <= 64
  p.idx_half = 1 << (k.lut_index_bits - 1);
  p.idx_lo = -static_cast<float>(p.idx_half);
  p.idx_hi = static_cast<float>(p.idx_half - 1);
  p.out_lo = -std::ldexp(1.0f, k.output_bits - 1);
  p.out_hi = std::ldexp(1.0f, k.output_bits - 1) - 1.0f;  // exact for W <= 24
  return p;
}

// True when u = acc * M / 2^shift is a half-integer for no |acc| <= reach. A tie needs
// acc * M == 2^(shift-1) (mod 2^shift); with M = 2^z * odd that forces acc to be an odd multiple
// of 2^(shift-1-z), so |acc| >= 2^(shift-1-z) (and z >= shift or M == 0 rules ties out).
namespace {
bool NoTiesPossible(int64_t M, int shift, int64_t reach) {
  if (shift < 1 || M == 0) return true;
  int z = 0;
  while (((M >> z) & 1) == 0) ++z;
  if (z >= shift) return true;
  return reach < (int64_t{1} << (shift - 1 - z));
}
}  // namespace

void DeriveFloatSimFields(ChannelParams& c, const LayerParams& p) {
  const float bh = static_cast<float>(c.bias_acc);  // RN; |bias_acc| <= 2^31
  c.bias_hi = bh;
  c.bias_lo = static_cast<float>(int64_t{c.bias_acc} - static_cast<int64_t>(bh));  // |.| <= 2^7
  const float mh = static_cast<float>(c.mult);      // RN to 24 bits
  const int64_t ml = int64_t{c.mult} - static_cast<int64_t>(mh);  // |ml| <= 2^6
  c.ms_hi = std::ldexp(mh, -c.shift);  // exact: >= 2^-62, no underflow
  c.ms_lo = std::ldexp(static_cast<float>(ml), -c.shift);
  const int64_t reach = std::llabs(int64_t{c.bias_acc}) + 65536;  // |bias_acc| + max |conv|
  c.fsim_fast = (ml == 0 && reach < (int64_t{1} << 24)) ? 1 : 0;
  c.may_overflow = (int64_t{c.bias_acc} + 65536 > p.acc_max || int64_t{c.bias_acc} - 65536 < p.acc_min)
                       ? 1 : 0;
  // |acc| <= reach; (reach * M) >> shift < 2^21 keeps |u| < 2^21 (computed in binary64 exactly:
  // reach * M < 2^56 needs rounding only when it is far above the bound anyway).
  const bool small_u = c.shift >= 1 && reach < (int64_t{1} << 31) &&
                       static_cast<double>(reach) * c.mult < std::ldexp(1.0, 21 + c.shift);
  c.asic_hot = (!c.may_overflow && small_u) ? 1 : 0;
  c.fsim_hot = (c.asic_hot && c.fsim_fast) ? 1 : 0;
  // The wide integer form (AsicLutWideHi): M * 2^(32 - shift) must fit a signed 32-bit operand.
  c.m_wide = 0;
  if (c.asic_hot && c.shift <= 32 && int64_t{c.mult} < (int64_t{1} << (c.shift - 1))) {
    c.m_wide = static_cast<int32_t>(int64_t{c.mult} << (32 - c.shift));
    c.asic_hot = 2;
  }
  // The FMA float form (FsimLutIndexFma): |u| < 2^20 keeps every sum in its binade, and
  // reach + 2^17 < 2^24 keeps the int8 kernel's offset MAC exact (O7a, O7b).
  if (c.fsim_hot && static_cast<double>(reach) * c.mult < std::ldexp(1.0, 20 + c.shift) &&
      reach + (int64_t{1} << 17) < (int64_t{1} << 24))
    c.fsim_hot = 2;
  if (c.fsim_hot >= 2) {  // O7b: every value below is an integer times a power of two, exact
    float sum_w = 0.0f;
    for (int k = 0; k < kTaps; ++k) {
      const float w = static_cast<float>(ByteS(c.w_packed, k));
      c.mac_w[k] = std::ldexp(w, 100);
      sum_w += w;
    }
    c.mac_start = std::ldexp(c.bias_hi - 128.0f * sum_w, -49);  // |.| < 2^24 (fsim_hot >= 2)
    c.mac_ms = std::ldexp(c.ms_hi, 49);
  }
  if (NoTiesPossible(c.mult, c.shift, reach)) {
    if (c.asic_hot == 2) c.asic_hot = 3;
    if (c.fsim_hot == 2) c.fsim_hot = 3;
  }
}

Prepared Prepare(Mode mode, const LayerView& v, const Knobs& knobs, float factor) {
  CheckLayer(mode, v, knobs, factor);
  const Knobs k = EffectiveKnobs(mode, knobs, factor);
  Prepared pr;
  pr.mode = mode;
  pr.lp = MakeLayerParams(k);
  LayerParams& p = pr.lp;
  p.B = v.B;
  p.D = v.D;
  p.L = v.L;
  p.op = OpFor(mode, k.profile);
  p.s_x = v.s_x;
  p.s_out = v.s_out;
  p.s_oe = v.s_out;
  p.after_scale = v.s_out;
  p.after_factor = 1.0f;
  pr.has_codes = mode != Mode::kFp32UpperBound;
  pr.ch.assign(v.D, ChannelParams{});
  for (int d = 0; d < v.D; ++d) {
    ChannelParams& c = pr.ch[d];
    uint32_t packed = 0;
    for (int t = 0; t < kTaps; ++t)
      packed |= static_cast<uint32_t>(static_cast<uint8_t>(v.weight[d * kTaps + t])) << (8 * t);
    c.w_packed = packed;
    c.s_w = ChannelWeightScale(v, d);
    c.scale = c.s_w * v.s_x;                                  // fl32
    c.bias_f = static_cast<float>(v.bias[d]) * v.s_b;        // fl32
  }
  if (ModeUsesKnobs(mode)) {
    p.s_oe = EffectiveOutputScale(v.s_out, k.output_scale_divisor);
    p.after_scale = p.s_oe;
    if (k.profile == Profile::kIntLut) {
      IntLutCompiled c = CompileIntLut(v, k);
      for (int d = 0; d < v.D; ++d) {
        pr.ch[d].bias_acc = c.bias_acc[d];
        pr.ch[d].mult = c.mult[d];
        pr.ch[d].shift = c.shift[d];
        DeriveFloatSimFields(pr.ch[d], p);
      }
      pr.lut = std::move(c.lut);
      pr.lut_clamped = std::move(c.lut_clamped);
      pr.lut_before = std::move(c.lut_before);
      if (k.output_bits <= 8) BuildExtendedTable(pr, k);
    }
  }
  p.inv_s_out = ScaleReciprocal(p.s_out);
  p.inv_s_oe = ScaleReciprocal(p.s_oe);
  pr.effective_scale = p.s_oe;
  if (mode == Mode::kResearchSeEnhance) {
    p.after_factor = factor;
    pr.effective_scale = static_cast<double>(p.s_oe) * static_cast<double>(factor);  // exact
  }
  return pr;
}

}  // namespace cosim::fsim
