// ytable.h: the codes8 kernel's exact form of the fp32 orders (Quamba, naive fake-quant, fp32-sfu):
// the output code as a step table over the pre-activation value y, built by evaluating the order
// itself on every binary32 y the layer can produce (docs/floatsim.md section 3, O11).
//
// Contract.
//  - G(y) = CodeOfY<op>(y) (element.h) is a function of y alone for a given layer and knobs.
//  - The scan (YScanChunk, run on the device for a device table, on the host for a host table)
//    evaluates G on every binary32 y with |y| <= Y (a rigorous bound on the layer's |y|) outside
//    the "quiet" interval |y| < tau, tau = s/4 (for kTruncate 0 <= y < tau), where G is 0 by O11,
//    and reports every transition: a y whose code differs from that of the next binary32 below.
//  - BuildYTable (ytable.cpp) turns the transitions into buckets (a monotone map of y, saturating
//    beyond the first and last transition, where G is constant) with at most one step each (a few
//    side entries of up to three), or where that cannot be had, three; YTableLookup(y) then
//    equals G(y) for every reachable y.
//  - A device table is built from device evaluations, so it reproduces the platform expf of the
//    device (the Quamba and naive orders); a host table the host's.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "gpu_ref/hd.h"
#include "gpu_ref/params.h"

namespace cosim::fsim {

// Three forms, chosen per layer by BuildYTable:
//  - kOneStep (tried first): at most one step per bucket; bucket = RN(sat(y * a + b) * nf) (two
//    FMAs, the first saturating to [0, 1], so no clamp of y), entry {t, codes}: the code is byte
//    (y >= t) of `codes`. 8 bytes per entry.
//  - kOneStepPlus: the same, except for at most n / 128 buckets (and 256) that hold two or three
//    steps (a wiggle of the order a few ulps wide, or steps closer than the buckets): their entry
//    has bit 31 of `codes` set and byte 2 indexes a side entry {t0, t1, t2, codes} after the n
//    entries (from word YSideOffsetWords), read like kThreeSteps.
//  - kThreeSteps: up to three steps per bucket (where the order wiggles: a platform expf can make
//    it non-monotone within a few ulps); bucket = RN(clamp(y) * 2^e - n0), entry {t0, t1, t2,
//    codes}: the code is byte #{k : y >= t_k} of `codes`. 16 bytes per entry.
// Unused thresholds are +inf. Both bucket maps are monotone in y, which is all exactness needs:
// the builder assigns each transition to a bucket with the same arithmetic as the lookup.
// The orders with a y-table: Quamba (both exps), naive fake-quant, fp32-sfu (int8-asic, float-sim).
constexpr COSIM_HD bool IsYOrder(ElemOp op) {
  return op == ElemOp::kQuamba || op == ElemOp::kQuambaFastExp || op == ElemOp::kNaive || op == ElemOp::kAsicSfu ||
         op == ElemOp::kFsimSfu;
}

// f(std::integral_constant<ElemOp, op>{}) for a y-order op (the host's dispatch to the templates of
// one order); std::invalid_argument naming `who` for any other op.
template <class F>
decltype(auto) WithYOrder(ElemOp op, const char* who, F&& f) {
  switch (op) {
    case ElemOp::kQuamba: return f(std::integral_constant<ElemOp, ElemOp::kQuamba>{});
    case ElemOp::kQuambaFastExp: return f(std::integral_constant<ElemOp, ElemOp::kQuambaFastExp>{});
    case ElemOp::kNaive: return f(std::integral_constant<ElemOp, ElemOp::kNaive>{});
    case ElemOp::kAsicSfu: return f(std::integral_constant<ElemOp, ElemOp::kAsicSfu>{});
    case ElemOp::kFsimSfu: return f(std::integral_constant<ElemOp, ElemOp::kFsimSfu>{});
    default: throw std::invalid_argument(std::string(who) + ": the layer's order has no y-table");
  }
}

enum class YForm : int32_t { kNone = 0, kOneStep = 1, kOneStepPlus = 2, kThreeSteps = 3 };

struct YTableParams {
  YForm form = YForm::kNone;
  int32_t n = 0;     // entries
  int32_t side = 0;  // kOneStepPlus: side entries
  // kThreeSteps
  float ylo = 0.0f, yhi = 0.0f;  // n0 * 2^-e, n1 * 2^-e (exact)
  float k = 1.0f;                // 2^e
  float cm = 0x1p23f;            // 2^23 - n0 (exact, |n0| < 2^22)
  // kOneStep
  float a = 0.0f, b = 0.0f;  // sat(y * a + b) maps the steps' range into [0, 1]
  float nf = 0.0f;           // n - 1
};

constexpr uint32_t kYBucketBase = 0x4b000000u;  // bits of 2^23
constexpr int kYWordsOneStep = 2, kYWordsThreeSteps = 4;  // 32-bit words per entry
constexpr int kYTableMaxWords = 8192;                     // 32 KiB of shared memory

constexpr COSIM_HD bool YOneStepMap(YForm f) { return f == YForm::kOneStep || f == YForm::kOneStepPlus; }

// kOneStepPlus: the side entries start at this word, 16-byte aligned (a 16-byte shared load).
COSIM_HD int YSideOffsetWords(const YTableParams& t) { return (t.n * kYWordsOneStep + 3) & ~3; }

COSIM_HD int YTableWords(const YTableParams& t) {
  if (!YOneStepMap(t.form)) return t.n * kYWordsThreeSteps;
  return t.side ? YSideOffsetWords(t) + t.side * kYWordsThreeSteps : t.n * kYWordsOneStep;
}

// The codes8 kernel's shared-memory layout of a table (kernels.cu, YShared): 2^lg interleaved
// copies of the n entries (copy r of entry b in entry slot b * 2^lg + r; lane l reads copy
// l mod 2^lg), rounded up to 16 bytes, then the side entries (one copy). The lanes one wavefront of
// a shared load serves (16 for 8-byte, 8 for 16-byte accesses) then read distinct banks whatever
// their buckets when 2^lg = 128 / entry bytes: 16 copies of 8-byte, 8 of 16-byte entries.
constexpr int kYSharedBudget = 48 * 1024;  // bytes per block: 4 blocks and their copies fit an SM of 228 KiB
constexpr int kYCopiesLog2Max = 4;

constexpr COSIM_HD int YEntryWords(YForm f) { return YOneStepMap(f) ? kYWordsOneStep : kYWordsThreeSteps; }

COSIM_HD int YSharedMainWords(const YTableParams& t, int lg) { return ((t.n * YEntryWords(t.form) << lg) + 3) & ~3; }

COSIM_HD int YSharedWords(const YTableParams& t, int lg) {
  return YSharedMainWords(t, lg) + (t.form == YForm::kOneStepPlus ? t.side * kYWordsThreeSteps : 0);
}

// log2 of the copies: the most that fit kYSharedBudget, up to 128 / entry bytes and 2^cap (one copy
// always fits: a table has at most kYTableMaxWords words).
COSIM_HD int YCopiesLog2(const YTableParams& t, int cap = kYCopiesLog2Max) {
  const int most = YOneStepMap(t.form) ? 4 : 3;
  int lg = 0;
  while (lg < most && lg < cap && YSharedWords(t, lg + 1) * 4 <= kYSharedBudget) ++lg;
  return lg;
}

// min(max(x, 0), 1) (__saturatef on the device, which the compiler folds into the FMA).
COSIM_HD float Saturate(float x) {
#ifdef __CUDA_ARCH__
  return __saturatef(x);
#else
  return x >= 1.0f ? 1.0f : (x > 0.0f ? x : 0.0f);
#endif
}

// kOneStep: the bits of 2^23 + bucket.
COSIM_HD uint32_t YBucketOneStep(float y, const YTableParams& t) {
  return FloatBits(Fma(Saturate(Fma(y, t.a, t.b)), t.nf, 0x1p23f));
}

COSIM_HD int32_t YCodeOneStep(float y, uint32_t t_bits, uint32_t codes) {
  return static_cast<int8_t>(static_cast<uint8_t>(y >= BitsToFloat(t_bits) ? codes >> 8 : codes));
}

// kThreeSteps: y clamped to the table's range, then the bits of 2^23 + bucket:
// RN_even(yc * 2^e - n0), one rounding of the exact value (an FMA), in [2^23, 2^24).
COSIM_HD float YTableClamp(float y, const YTableParams& t) { return fminf(fmaxf(y, t.ylo), t.yhi); }
COSIM_HD uint32_t YTableBucketBits(float yc, const YTableParams& t) { return FloatBits(Fma(yc, t.k, t.cm)); }

COSIM_HD int32_t YCodeThreeSteps(float yc, const uint32_t* e) {
  const int n = (yc >= BitsToFloat(e[0])) + (yc >= BitsToFloat(e[1])) + (yc >= BitsToFloat(e[2]));
  return static_cast<int8_t>(static_cast<uint8_t>(e[3] >> (8 * n)));
}

constexpr uint32_t kYSideFlag = 0x80000000u;  // kOneStepPlus: the bucket's steps are in a side entry
COSIM_HD uint32_t YSideIndex(uint32_t codes) { return (codes >> 16) & 0xffu; }

// The code of y from a table's words.
COSIM_HD int32_t YTableLookup(float y, const YTableParams& t, const uint32_t* words) {
  if (YOneStepMap(t.form)) {
    const uint32_t b = YBucketOneStep(y, t) - kYBucketBase;
    const uint32_t codes = words[kYWordsOneStep * b + 1];
    if (codes & kYSideFlag)
      return YCodeThreeSteps(y, words + YSideOffsetWords(t) + kYWordsThreeSteps * YSideIndex(codes));
    return YCodeOneStep(y, words[kYWordsOneStep * b], codes);
  }
  const float yc = YTableClamp(y, t);
  return YCodeThreeSteps(yc, words + kYWordsThreeSteps * (YTableBucketBits(yc, t) - kYBucketBase));
}

// What the scan covers, as magnitudes (binary32 bits without the sign):
//   negative side: y = -float(m) for m from neg_hi down to neg_lo (increasing y);
//   positive side: y = float(m) for m from pos_lo up to pos_hi.
// Point j of the walk (j = 0 .. neg_n + pos_n - 1) is negative point j for j < neg_n, else
// positive point j - neg_n. Transitions are reported between consecutive points of one side; the
// junction (the quiet interval) is checked by BuildYTable from the end codes.
struct YScanSpec {
  uint32_t neg_lo = 0, neg_hi = 0, pos_lo = 0, pos_hi = 0;
  uint64_t neg_n = 0, pos_n = 0;  // neg_hi - neg_lo + 1, pos_hi - pos_lo + 1 (0: side empty)
};

COSIM_HD float YScanPoint(const YScanSpec& s, uint64_t j) {
  if (j < s.neg_n) return -BitsToFloat(s.neg_hi - static_cast<uint32_t>(j));
  return BitsToFloat(s.pos_lo + static_cast<uint32_t>(j - s.neg_n));
}

// One transition: y (bits) and the codes below and at y.
struct YTransition {
  uint32_t y_bits;
  int16_t before, after;
};

constexpr int kYScanChunk = 64;  // points per scan work item

// Work item `chunk`: points [64 * chunk, 64 * chunk + 64) of the walk, each compared with the
// point before it on the same side. emit(YTransition) for each transition; end(slot, code) for the
// ends of the sides: slot 0, 1 the first and last negative point, 2, 3 the first and last positive
// point (a one-point side reports both of its slots).
template <class G, class Emit, class End>
COSIM_HD void YScanChunk(const YScanSpec& s, uint64_t chunk, const G& g, Emit&& emit, End&& end) {
  const uint64_t total = s.neg_n + s.pos_n;
  const uint64_t j0 = chunk * kYScanChunk;
  if (j0 >= total) return;
  const uint64_t j1 = j0 + kYScanChunk < total ? j0 + kYScanChunk : total;
  bool have_prev = false;
  int32_t prev = 0;
  if (j0 != 0 && j0 != s.neg_n) {
    prev = g(YScanPoint(s, j0 - 1));
    have_prev = true;
  }
  for (uint64_t j = j0; j < j1; ++j) {
    if (j == s.neg_n) have_prev = false;  // the positive side starts
    const float y = YScanPoint(s, j);
    const int32_t c = g(y);
    if (have_prev && c != prev)
      emit(YTransition{FloatBits(y), static_cast<int16_t>(prev), static_cast<int16_t>(c)});
    if (s.neg_n && j == 0) end(0, c);
    if (s.neg_n && j == s.neg_n - 1) end(1, c);
    if (s.pos_n && j == s.neg_n) end(2, c);
    if (s.pos_n && j == total - 1) end(3, c);
    prev = c;
    have_prev = true;
  }
}

}  // namespace cosim::fsim
