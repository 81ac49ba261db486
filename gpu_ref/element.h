// element.h: one output element of every mode, for host loops and device kernels alike.
//
// A Window holds the four inputs of one output (x[t-3], x[t-2], x[t-1], x[t]) as ints and packed
// into one word (byte k = x[t-3+k]). EvalElement<kOp>() returns the code, the value before and
// after output quantization and the event flags; the definitions are docs/floatsim.md section 2.
// The Quamba, upper-bound and naive modes call the PLATFORM expf on purpose (CUDA's on the
// device, libm's on the host): they are the only results that may differ between the two.
#pragma once

#include "gpu_ref/exp32.h"
#include "gpu_ref/hd.h"
#include "gpu_ref/int_lut.h"
#include "gpu_ref/params.h"
#include "gpu_ref/rounding.h"

namespace cosim::fsim {

struct Window {
  int x[kTaps];     // x[k] = x[t - 3 + k]
  uint32_t packed;  // byte k = x[k]
};

// The table of an int-lut layer: codes, "clamped" flags and the SiLU value per address.
struct LutView {
  const int32_t* code = nullptr;
  const uint8_t* clamped = nullptr;
  const float* before = nullptr;
};

struct ElemOut {
  int32_t code;     // output code (0 for fp32-upper-bound)
  float before;     // value before output quantization
  float after;      // value after output quantization
  uint32_t flags;   // kFlag* events
};

// Exact binary32 MAC: products <= 2^14, partial sums <= 2^16 in magnitude, all exact (O2).
COSIM_HD float FloatMac(const Window& w, uint32_t w_packed) {
  float acc = Mul(static_cast<float>(ByteS(w_packed, 0)), static_cast<float>(w.x[0]));
COSIM_UNROLL
  for (int k = 1; k < kTaps; ++k)
    acc = Fma(static_cast<float>(ByteS(w_packed, k)), static_cast<float>(w.x[k]), acc);
  return acc;
}

// Platform exponential: CUDA expf (or __expf) on the device, libm expf on the host.
template <bool kFastExp>
COSIM_HD float PlatformExp(float v) {
#ifdef __CUDA_ARCH__
  if (kFastExp) return __expf(v);
#endif
  return expf(v);
}

// y = (s_w * s_x) * acc + q_b * s_b in Quamba's order (also fp32-sfu step 2).
COSIM_HD float PreActivation(float acc, const ChannelParams& c) {
  return Add(Mul(c.scale, acc), c.bias_f);
}

// sat_W(round_knob(v)) as an int, setting kFlagOutputSat; the conversion-free path for W <= 21.
COSIM_HD int32_t QuantizeOutput(float v, Rounding r, float lo, float hi, uint32_t& flags) {
  if (hi < 0x1p21f) return RoundSatSmall(v, r, lo, hi, kFlagOutputSat, flags);
  return static_cast<int32_t>(SatFloat(RoundFloat(v, r), lo, hi, kFlagOutputSat, flags));
}

// The tail of every fp32 order: from the pre-activation value y to the output code. SiluOf is
// the SiLU each order computes (platform expf and IEEE division for Quamba and naive fake-quant,
// Silu32 for fp32-sfu); CodeOfSilu the output quantization. The code is a function of y alone
// (per layer), which the codes8 kernel tabulates (ytable.h).
template <ElemOp kOp>
COSIM_HD float SiluOf(float y) {
  if constexpr (kOp == ElemOp::kAsicSfu || kOp == ElemOp::kFsimSfu)
    return Silu32(y);
  else
    return Div(y, Add(1.0f, PlatformExp<kOp == ElemOp::kQuambaFastExp>(-y)));
}

template <ElemOp kOp>
COSIM_HD int32_t CodeOfSilu(float before, const LayerParams& p, Rounding r, uint32_t& flags) {
  if constexpr (kOp == ElemOp::kAsicSfu || kOp == ElemOp::kFsimSfu) {
    return QuantizeOutput(DivByScale(before, p.s_oe, p.inv_s_oe), r, p.out_lo, p.out_hi, flags);
  } else {
    // Quamba: roundf(y / s_out) then the int8 clamp (clamping the float first equals CUDA's
    // saturating float->int conversion followed by the clamp). Naive: torch.round (half to even).
    constexpr Rounding kR = kOp == ElemOp::kNaive ? Rounding::kHalfEven : Rounding::kHalfAway;
    return RoundSatSmall(DivByScale(before, p.s_out, p.inv_s_out), kR, -128.0f, 127.0f, kFlagOutputSat,
                         flags);
  }
}

// The output code of pre-activation value y (r: the knob rounding; Quamba and naive fix theirs).
template <ElemOp kOp>
COSIM_HD int32_t CodeOfY(float y, const LayerParams& p, Rounding r) {
  uint32_t flags = 0;
  return CodeOfSilu<kOp>(SiluOf<kOp>(y), p, r, flags);
}

// The pre-activation value of the integer-accumulator orders from the exact MAC result acc
// (|acc| <= 2^16), as EvalElement computes it: Quamba's (s_w * s_x) * acc + bias, and fp32-sfu's
// after its accumulator stage (the integer sat/wrap of int8-asic, the binary32 one of float-sim).
// The codes8 kernel tabulates CodeOfY(YOfAcc(acc)) per channel (acctable.h).
template <ElemOp kOp>
COSIM_HD float YOfAcc(int32_t acc, const ChannelParams& c, const LayerParams& p) {
  uint32_t flags = 0;
  if constexpr (kOp == ElemOp::kAsicSfu) {
    return PreActivation(SmallIntToFloat(static_cast<int>(AsicAccumulator(acc, p, flags))), c);
  } else if constexpr (kOp == ElemOp::kFsimSfu) {
    float a = SmallIntToFloat(acc);
    if (p.acc_bits <= 24) a = FsimAccumulatorSingle(a, p, flags);
    return PreActivation(a, c);
  } else {
    return PreActivation(SmallIntToFloat(acc), c);
  }
}

// Naive fake-quant's y: dequantized operands, products summed in tap order, + bias. xf[k] is
// fl(x[t-3+k] * s_x) (the kernel converts each input once), wf[k] = fl(w[d,k] * s_w[d]).
COSIM_HD float NaivePreActivation(const float (&xf)[kTaps], const float (&wf)[kTaps], float bias_f) {
  float acc = Mul(xf[0], wf[0]);
COSIM_UNROLL
  for (int k = 1; k < kTaps; ++k) acc = Add(acc, Mul(xf[k], wf[k]));
  return Add(acc, bias_f);
}

// fp32-sfu steps 2-4 (docs/datapath.md section 6) from the accumulator after sat/wrap.
COSIM_HD ElemOut SfuFromAcc(float acc, const ChannelParams& c, const LayerParams& p, Rounding r,
                            uint32_t flags) {
  ElemOut o{0, 0.0f, 0.0f, flags};
  o.before = SiluOf<ElemOp::kAsicSfu>(PreActivation(acc, c));
  o.code = CodeOfSilu<ElemOp::kAsicSfu>(o.before, p, r, o.flags);
  return o;
}

template <ElemOp kOp>
COSIM_HD ElemOut EvalElement(const ChannelParams& c, const LayerParams& p, const LutView& lut,
                             const Window& w, Rounding r) {
  ElemOut o{0, 0.0f, 0.0f, 0u};
  if constexpr (kOp == ElemOp::kQuamba || kOp == ElemOp::kQuambaFastExp ||
                kOp == ElemOp::kUpperBound) {
    const float y = PreActivation(SmallIntToFloat(Dot4(w.packed, c.w_packed)), c);  // exact
    o.before = SiluOf<kOp>(y);
    if constexpr (kOp == ElemOp::kUpperBound) {
      o.after = o.before;
      return o;
    }
    o.code = CodeOfSilu<kOp>(o.before, p, r, o.flags);
  } else if constexpr (kOp == ElemOp::kNaive) {
    float xf[kTaps], wf[kTaps];
COSIM_UNROLL
    for (int k = 0; k < kTaps; ++k) {
      xf[k] = Mul(static_cast<float>(w.x[k]), p.s_x);
      wf[k] = Mul(static_cast<float>(ByteS(c.w_packed, k)), c.s_w);
    }
    o.before = SiluOf<kOp>(NaivePreActivation(xf, wf, c.bias_f));
    o.code = CodeOfSilu<kOp>(o.before, p, r, o.flags);
  } else if constexpr (kOp == ElemOp::kAsicLut || kOp == ElemOp::kFsimLut) {
    uint32_t addr;
    if constexpr (kOp == ElemOp::kAsicLut)
      addr = AsicLutAddressFromConv(Dot4(w.packed, c.w_packed), c, p, r, o.flags);
    else
      addr = FsimLutAddressFromConv(FloatMac(w, c.w_packed), c, p, r, o.flags);
    o.code = lut.code[addr];
    o.before = lut.before[addr];
    if (lut.clamped[addr]) o.flags |= kFlagOutputSat;
  } else if constexpr (kOp == ElemOp::kAsicSfu) {
    uint32_t flags = 0;
    const int64_t acc = AsicAccumulator(Dot4(w.packed, c.w_packed), p, flags);
    o = SfuFromAcc(SmallIntToFloat(static_cast<int>(acc)), c, p, r, flags);  // |acc| <= 2^16
  } else {  // kFsimSfu
    uint32_t flags = 0;
    float acc = FloatMac(w, c.w_packed);
    // |acc| <= 2^16: the A-bit bounds and acc -+ 2^A are exact for A <= 24 (O3); A > 17 never
    // overflows.
    if (p.acc_bits <= 24) acc = FsimAccumulatorSingle(acc, p, flags);
    o = SfuFromAcc(acc, c, p, r, flags);
  }
  o.after = Mul(Mul(static_cast<float>(o.code), p.after_scale), p.after_factor);
  return o;
}

}  // namespace cosim::fsim
