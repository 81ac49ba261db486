// ytable.h: the codes8 kernel's exact form of the fp32 orders (Quamba, naive fake-quant, fp32-sfu):
// the output code as a step table over the pre-activation value y, built by evaluating the order
// itself on every binary32 y the layer can produce (docs/floatsim.md section 6, O10).
//
// Contract.
//  - G(y) = CodeOfY<op>(y) (element.h) is a function of y alone for a given layer and knobs.
//  - The scan (YScanChunk, run on the device for a device table, on the host for a host table)
//    evaluates G on every binary32 y with |y| <= Y (a rigorous bound on the layer's |y|), except the
//    "quiet" interval (-tau, tau], tau = s/4, where G is 0 by O10 (for kTruncate only (0, tau]),
//    and reports every transition: a y whose code differs from that of the next binary32 below.
//  - BuildYTable (ytable.cpp) turns the transitions into buckets of width 2^-e over [ylo, yhi]
//    with at most three steps each; YTableLookup(y) then equals G(y) for every reachable y: y is
//    clamped to [ylo, yhi] (G is constant beyond the first and last transition), the bucket is
//    RN(yc * 2^e - n0) (one FMA, monotone in y), and the step is found by three compares.
//  - A device table is built from device evaluations, so it reproduces the platform expf of the
//    device (the Quamba and naive orders); a host table the host's.
#pragma once

#include <cstdint>

#include "gpu_ref/hd.h"

namespace cosim::fsim {

// Bucket b of the table: thresholds t[0..2] (binary32 bits, ascending; +inf when unused) and the
// codes c0..c3 as int8 in the bytes of `codes`: the code of y is byte (#{k : y >= t[k]}).
struct alignas(16) YEntry {
  uint32_t t[3];
  uint32_t codes;
};
static_assert(sizeof(YEntry) == 16, "YEntry is 16 bytes");

struct YTableParams {
  float ylo = 0.0f, yhi = 0.0f;  // n0 * 2^-e, n1 * 2^-e (exact)
  float k = 1.0f;                // 2^e
  float cm = 0x1p23f;            // 2^23 - n0 (exact, |n0| < 2^22)
  int32_t n = 0;                 // entries: n1 - n0 + 1; 0 = no table
};

constexpr uint32_t kYBucketBase = 0x4b000000u;  // bits of 2^23
constexpr int kYTableMaxEntries = 2048;         // 32 KiB of shared memory

// y clamped to the table's range.
COSIM_HD float YTableClamp(float y, const YTableParams& t) { return fminf(fmaxf(y, t.ylo), t.yhi); }

// The bucket of a clamped y: RN_even(yc * 2^e - n0), one rounding of the exact value (an FMA), in
// [2^23, 2^24) where binary32 spacing is 1; returned as the bits of 2^23 + bucket.
COSIM_HD uint32_t YTableBucketBits(float yc, const YTableParams& t) { return FloatBits(Fma(yc, t.k, t.cm)); }

// The step of a clamped y within its entry.
COSIM_HD int32_t YEntryCode(float yc, const YEntry& e) {
  const int n = (yc >= BitsToFloat(e.t[0])) + (yc >= BitsToFloat(e.t[1])) + (yc >= BitsToFloat(e.t[2]));
  return static_cast<int8_t>(static_cast<uint8_t>(e.codes >> (8 * n)));
}

COSIM_HD int32_t YTableLookup(float y, const YTableParams& t, const YEntry* entries) {
  const float yc = YTableClamp(y, t);
  return YEntryCode(yc, entries[YTableBucketBits(yc, t) - kYBucketBase]);
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
// point before it on the same side. emit(YTransition) for each transition; ends(j, code) for the
// first and last point of each side.
template <class G, class Emit, class End>
COSIM_HD void YScanChunk(const YScanSpec& s, uint64_t chunk, const G& g, Emit&& emit, End&& ends) {
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
    if (j == 0 || j == s.neg_n - 1 || j == s.neg_n || j == total - 1) ends(j, c);
    prev = c;
    have_prev = true;
  }
}

}  // namespace cosim::fsim
