// int_lut.h: profile int-lut (docs/datapath.md section 5) twice: the integer form the ASIC
// computes (AsicLut*, int64) and the float-sim form in binary32 (FsimLut*). The *AddressFromConv
// functions return the table address idx + 2^(N-1) and set the acc-overflow and index-saturation
// flags; the *IndexHot functions are the int8 kernel's fast paths for channels flagged offline and
// return the index before saturation. The caller reads the table. The float form's proof is
// docs/floatsim.md, obligations O2-O7.
#pragma once

#include "gpu_ref/eft.h"
#include "gpu_ref/hd.h"
#include "gpu_ref/params.h"
#include "gpu_ref/rounding.h"

namespace cosim::fsim {

// ---------------------------------------------------------------- integer form (int8-asic)

// round_knob(p / 2^s) with the integer formulas of docs/datapath.md 5.2 (|p| < 2^62, s <= 62).
COSIM_HD int64_t RoundShift(int64_t p, int s, Rounding r) {
  if (s == 0) return p;
  const int64_t half = int64_t{1} << (s - 1);
  switch (r) {
    case Rounding::kHalfAway:
      return p >= 0 ? (p + half) >> s : -((-p + half) >> s);
    case Rounding::kHalfEven: {
      const int64_t q = p >> s;  // floor (arithmetic shift)
      const int64_t rem = p & ((int64_t{1} << s) - 1);
      return (rem > half || (rem == half && (q & 1))) ? q + 1 : q;
    }
    case Rounding::kHalfUp:
      return (p + half) >> s;
    case Rounding::kTruncate:
    default:
      return p >> s;
  }
}

// sat_A or wrap_A of the exact sum (docs/datapath.md 5.1).
COSIM_HD int64_t AsicAccumulator(int64_t sum, const LayerParams& p, uint32_t& flags) {
  if (sum >= p.acc_min && sum <= p.acc_max) return sum;
  flags |= kFlagAccOverflow;
  if (p.acc_overflow == AccOverflow::kSaturate) return sum > p.acc_max ? p.acc_max : p.acc_min;
  const uint64_t mask = (uint64_t{1} << p.acc_bits) - 1;
  return static_cast<int64_t>((static_cast<uint64_t>(sum - p.acc_min)) & mask) + p.acc_min;
}

// conv = sum_k weight[d,k] * x[t-3+k] (exact integer); returns the table address.
COSIM_HD uint32_t AsicLutAddressFromConv(int conv, const ChannelParams& c, const LayerParams& p,
                                         Rounding r, uint32_t& flags) {
  const int64_t acc = AsicAccumulator(int64_t{c.bias_acc} + conv, p, flags);
  const int64_t i = RoundShift(acc * c.mult, c.shift, r);
  const int64_t half = p.idx_half;
  int64_t idx = i < -half ? -half : (i > half - 1 ? half - 1 : i);
  if (idx != i) flags |= kFlagIndexSat;
  return static_cast<uint32_t>(idx + half);
}

// The hot path of the integer form (c.asic_hot: shift >= 1, no accumulator overflow possible and
// (|bias_acc| + 2^16) * M < 2^(21 + shift), so |acc| < 2^31 and |i| < 2^21 + 1). acc: the exact sum.
// Returns i BEFORE index saturation (the codes8 kernel reads a table extended by the saturated
// entries over every i the channel can reach, docs/floatsim.md section 5). Every rounding mode is
// one shift with an offset: (p + off) >> s, off = 0 (truncate), h (half-up), h - [p < 0]
// (half-away), h - 1 + bit_s(p) (half-even), with h = 2^(s-1).
COSIM_HD int AsicLutIndexHot(int acc, const ChannelParams& c, Rounding r) {
  const int64_t prod = static_cast<int64_t>(acc) * c.mult;
  const int64_t half = int64_t{1} << (c.shift - 1);
  int64_t off = 0;
  if (r == Rounding::kHalfUp) off = half;
  if (r == Rounding::kHalfAway) off = half + (acc >> 31);
  if (r == Rounding::kHalfEven) off = half - 1 + ((prod >> c.shift) & 1);
  return static_cast<int>((prod + off) >> c.shift);
}

// The wide hot path (c.asic_hot == 2: asic_hot, 1 <= shift <= 32 and M < 2^(shift-1), so
// m_wide = M * 2^(32-shift) < 2^31). With P = acc * m_wide = acc * M * 2^(32-shift) (one signed
// 32x32->64 multiply-add, IMAD.WIDE on the device) the rounding offset scales the same way and
// i = floor((acc*M + off) / 2^shift) is the high word of P + off * 2^(32-shift):
//   truncate  off' = 0;  half-up off' = 2^31;  half-away off' = 2^31 - [acc < 0] (P is a multiple
//   of 2^(32-shift), so subtracting 1 instead of 2^(32-shift) floors to the same word);
//   half-even: half-up, then one step back to even when the low word is 0 (an exact tie) and the
//   result is odd.
// hi_add is added to the high word (mod 2^32): the kernel passes the shared-memory address of
// index 0 of its extended table and gets the byte address of the entry; hi_add = 0 returns i.
// no_ties (c.asic_hot == 3, NoTiesPossible in prepare.cpp): u is never a half-integer over the
// channel's reach, so every nearest mode is the half-up form (no sign, no step back).
COSIM_HD uint32_t AsicLutWideHi(int acc, const ChannelParams& c, Rounding r, uint32_t hi_add,
                                bool no_ties = false) {
  uint32_t lo = 0u;
  if (r != Rounding::kTruncate && no_ties) r = Rounding::kHalfUp;
  if (r == Rounding::kHalfUp || r == Rounding::kHalfEven) lo = 0x80000000u;
  if (r == Rounding::kHalfAway) lo = 0x80000000u + static_cast<uint32_t>(acc >> 31);
  const uint64_t off = (static_cast<uint64_t>(hi_add) << 32) | lo;
  const uint64_t v = static_cast<uint64_t>(static_cast<int64_t>(acc) * c.m_wide) + off;
  uint32_t hi = static_cast<uint32_t>(v >> 32);
  if (r == Rounding::kHalfEven && static_cast<uint32_t>(v) == 0u) hi -= (hi - hi_add) & 1u;
  return hi;
}

// ---------------------------------------------------------------- float-sim form

// Exact floor f of u and the sign of u - (f + 1/2).
struct FloorHalf {
  float f;
  int cmp;
};

// u = uh + ul with |ul| <= ulp(uh)/2 and |uh| < 2^22 (O4). Larger |uh| saturates (O6).
COSIM_HD FloorHalf FloorHalfTwoTerm(float uh, float ul) {
  if (!(fabsf(uh) < 0x1p22f)) return {copysignf(0x1p22f, uh), -1};
  float f = FloorF(uh);
  if (uh == f && ul < 0.0f) f = Sub(f, 1.0f);
  const float d = Sub(uh, Add(f, 0.5f));  // sign exact; nonzero => |d| >= ulp(uh) > |ul|
  const int cmp = d > 0.0f ? 1 : (d < 0.0f ? -1 : (ul > 0.0f) - (ul < 0.0f));
  return {f, cmp};
}

// u = (ah + al) * (mh + ml) exactly, via 8 TwoProd terms and an exact expansion (O5).
COSIM_HD_COLD FloorHalf FloorHalfExpansion(float ah, float al, float mh, float ml) {
  float t[8];
  TwoProd(ah, mh, t[0], t[1]);
  TwoProd(ah, ml, t[2], t[3]);
  TwoProd(al, mh, t[4], t[5]);
  TwoProd(al, ml, t[6], t[7]);
  const float p1 = t[0];  // |u - p1| < 3 * 2^-24 * |u| (1 + 2^-22): < 1/2 when |p1| < 2^21
  if (!(fabsf(p1) < 0x1p21f)) return {copysignf(0x1p22f, p1), -1};
  float e[8];
  BuildExpansion<8>(t, e);
  const float f0 = FloorF(p1);  // floor(u) is f0 - 1, f0 or f0 + 1
  float f = f0;
  if (ExpansionSign<8>(e, -f0) < 0) {
    f = Sub(f0, 1.0f);
  } else if (ExpansionSign<8>(e, -Add(f0, 1.0f)) >= 0) {
    f = Add(f0, 1.0f);
  }
  return {f, ExpansionSign<8>(e, -Add(f, 0.5f))};
}

// The hot path of the float form (c.fsim_hot: fsim_fast, asic_hot). acc: the exact accumulator
// (|acc| < 2^24, no overflow possible), so |u| < 2^21 and ulp(uh) <= 1/8 (O7). Returns i before
// index saturation, like AsicLutIndexHot.
// Nearest modes: unless uh is a half-integer, rint(uh) is the answer for u = uh + ul as well, and
// t = fl(uh + 1.5*2^23) holds it in its bits (MagicRint). When uh IS a half-integer the result
// needs ul and the mode: this function then sets `redo` and the caller recomputes the element with
// FsimLutFloorHalfFast (kernels redo the whole run; rare in practice).
// truncate: floor(uh), minus one when uh is an integer and ul < 0 (always exact, no redo).
COSIM_HD int FsimLutIndexHot(float acc, const ChannelParams& c, Rounding r, bool& redo) {
  const float uh = Mul(acc, c.ms_hi);
  float t;  // 1.5 * 2^23 + i
  if (r == Rounding::kTruncate) {
    const float ul = Fma(acc, c.ms_hi, -uh);  // TwoProd
    const float f = FloorF(uh);
    t = Add((uh == f && ul < 0.0f) ? Sub(f, 1.0f) : f, kMagic);
  } else {
    t = Add(uh, kMagic);
    redo = redo || fabsf(Sub(uh, Sub(t, kMagic))) == 0.5f;
  }
  return static_cast<int>(FloatBits(t) - kMagicBits);
}

// The FMA hot path (c.fsim_hot == 2: fsim_hot and |u| < 2^20, u = acc * ms_hi exactly since
// ms_lo == 0). One fused multiply-add rounds the exact u onto the integer grid (O8):
//   half-even  t = RN(acc*ms_hi + 1.5*2^23): bits(t) - kMagicBits = rint_even(u)
//   truncate   t = RD(acc*ms_hi + 1.5*2^23): bits(t) - kMagicBits = floor(u)
//   half-up    t = RD(acc*ms_hi + 1.5*2^22 + 1/2): (bits(t) - kMagicHalfBaseBits) >> 1 = floor(u + 1/2)
//   half-away  the half-up form on |acc|, then the sign of acc: sign(u) * floor(|u| + 1/2)
// Returns i before index saturation, like AsicLutIndexHot; no tie needs a second look.
// no_ties (c.fsim_hot == 3): u is never a half-integer, so every nearest mode is the half-even form.
// The form on acc * ms for any power-of-two rescaling that keeps the product acc * ms equal to
// acc * ms_hi (the int8 kernel's MAC works on acc * 2^-49 and passes ms_hi * 2^49, O7b).
COSIM_HD int FsimLutIndexFmaScaled(float acc, float ms, Rounding r, bool no_ties) {
  if (r != Rounding::kTruncate && no_ties) r = Rounding::kHalfEven;
  switch (r) {
    case Rounding::kHalfEven:
      return static_cast<int>(FloatBits(Fma(acc, ms, kMagic)) - kMagicBits);
    case Rounding::kTruncate:
      return static_cast<int>(FloatBits(FmaDown(acc, ms, kMagic)) - kMagicBits);
    case Rounding::kHalfUp:
      return static_cast<int>(FloatBits(FmaDown(acc, ms, kMagicHalfUp)) - kMagicHalfBaseBits) >> 1;
    case Rounding::kHalfAway:
    default: {
      const int s = static_cast<int>(FloatBits(acc)) >> 31;  // 0 or -1
      const int k = static_cast<int>(FloatBits(FmaDown(fabsf(acc), ms, kMagicHalfUp)) - kMagicHalfBaseBits) >> 1;
      return (k ^ s) - s;
    }
  }
}

COSIM_HD int FsimLutIndexFma(float acc, const ChannelParams& c, Rounding r, bool no_ties = false) {
  return FsimLutIndexFmaScaled(acc, c.ms_hi, r, no_ties);
}

// sat/wrap of a single-float accumulator |acc| < 2^24 with A <= 24 (exact bounds, O3).
COSIM_HD float FsimAccumulatorSingle(float acc, const LayerParams& p, uint32_t& flags) {
  const float lo = -p.acc_lim, hi = p.acc_max_hi;  // hi == 2^(A-1) - 1 exactly here
  if (acc > hi) {
    flags |= kFlagAccOverflow;
    return p.acc_overflow == AccOverflow::kSaturate ? hi : Sub(acc, p.acc_two_pow);
  }
  if (acc < lo) {
    flags |= kFlagAccOverflow;
    return p.acc_overflow == AccOverflow::kSaturate ? lo : Add(acc, p.acc_two_pow);
  }
  return acc;
}

// sat/wrap of an accumulator held as ah + al (ah = fl32(acc)), any A <= 32 (O3).
COSIM_HD void FsimAccumulatorPair(float& ah, float& al, const LayerParams& p, uint32_t& flags) {
  const float k = p.acc_lim;
  const bool over = ah > k || (ah == k && al >= 0.0f);  // acc >= 2^(A-1)
  const bool under = ah < -k || (ah == -k && al < 0.0f);  // acc < -2^(A-1)
  if (!over && !under) return;
  flags |= kFlagAccOverflow;
  if (p.acc_overflow == AccOverflow::kSaturate) {
    ah = over ? p.acc_max_hi : -k;
    al = over ? p.acc_max_lo : 0.0f;
    return;
  }
  const float moved = over ? Sub(ah, p.acc_two_pow) : Add(ah, p.acc_two_pow);  // Sterbenz: exact
  TwoSum(moved, al, ah, al);
}

// The two-term path (c.fsim_fast): conv is the exact MAC value (integer-valued, |conv| <= 2^16).
COSIM_HD FloorHalf FsimLutFloorHalfFast(float conv, const ChannelParams& c, const LayerParams& p,
                                        uint32_t& flags) {
  float acc = Add(conv, c.bias_hi);  // exact: |acc| < 2^24 (O2)
  if (c.may_overflow) acc = FsimAccumulatorSingle(acc, p, flags);
  const float uh = Mul(acc, c.ms_hi);
  const float ul = Fma(acc, c.ms_hi, -uh);  // TwoProd: acc * ms_hi == uh + ul exactly
  return FloorHalfTwoTerm(uh, ul);
}

// The general path: any bias_acc fitting 32 bits, any M up to 31 bits.
COSIM_HD FloorHalf FsimLutFloorHalfGeneral(float conv, const ChannelParams& c,
                                           const LayerParams& p, uint32_t& flags) {
  float s, e, ah, al;
  TwoSum(c.bias_hi, conv, s, e);
  TwoSum(s, Add(e, c.bias_lo), ah, al);  // e + bias_lo: integers <= 2^7 each, exact (O2)
  FsimAccumulatorPair(ah, al, p, flags);
  return FloorHalfExpansion(ah, al, c.ms_hi, c.ms_lo);
}

// Rounding and index saturation of either path; returns the table address idx + 2^(N-1).
COSIM_HD uint32_t FsimLutAddress(FloorHalf fh, const LayerParams& p, Rounding r, uint32_t& flags) {
  const float i = ApplyRounding(fh.f, fh.cmp, r);
  const float idx = SatFloat(i, p.idx_lo, p.idx_hi, kFlagIndexSat, flags);
  return static_cast<uint32_t>(static_cast<int>(idx) + p.idx_half);
}

// conv: the exact MAC value. force_general takes the general path where the fast one applies
// (tests only: both must agree with the integer form).
COSIM_HD uint32_t FsimLutAddressFromConv(float conv, const ChannelParams& c, const LayerParams& p,
                                         Rounding r, uint32_t& flags, bool force_general = false) {
  const FloorHalf fh = (c.fsim_fast && !force_general) ? FsimLutFloorHalfFast(conv, c, p, flags)
                                                       : FsimLutFloorHalfGeneral(conv, c, p, flags);
  return FsimLutAddress(fh, p, r, flags);
}

}  // namespace cosim::fsim
