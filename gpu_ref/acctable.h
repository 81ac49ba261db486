// acctable.h: the codes8 kernel's per-channel form of the integer-accumulator fp32 orders (Quamba
// with either exp, fp32-sfu of int8-asic and float-sim): the output code as a step table over the
// exact MAC result acc of one channel (docs/floatsim.md O12).
//
// Contract.
//  - For these orders the code is a function of (channel, acc): CodeOfY(YOfAcc(acc)) (element.h),
//    acc = sum_k w[d,k] x[t-3+k], an integer in the channel's reachable range [lo, hi]
//    (AccRange). y = YOfAcc(acc) is monotone in acc: round-to-nearest products and sums with a
//    positive scale, and the accumulator stage saturating or never reached.
//  - So the code can change only between acc - 1 and acc where y crosses a breakpoint of the
//    layer's y-table (ytable.h), which equals the order's code for every reachable y. For each
//    breakpoint the builder (acctable.cpp) finds the smallest acc whose y reaches it (on the exact
//    YOfAcc) and records a step (acc, code(acc - 1), code(acc)) where the two differ.
//  - The table is read at the key v = 1.5 * 2^23 + acc, a binary32 that is exact (|acc| < 2^22)
//    and whose bits are kMagicBits + acc: the IDP4A of the integer orders, started from kMagicBits,
//    yields them directly; float-sim's float MAC in O7b's offset form yields v * 2^-49 (AccSubMac
//    below: every FMA exact), and reads the table with the bucket map and the thresholds scaled to
//    match (exact power-of-two scalings, so the same buckets and compares).
//  - Per channel, a one-step table of ytable.h (YTableParams kOneStep, YBucketOneStep, YCodeOneStep)
//    over v: entry {bits of v_step or +inf, codes}, n buckets, one step at most per bucket.
//    YTableLookup(v, params, words) equals the code for every reachable acc; the builder checks it
//    at every step and at both ends of the range.
#pragma once

#include <cstdint>

#include "gpu_ref/hd.h"
#include "gpu_ref/params.h"
#include "gpu_ref/ytable.h"

namespace cosim::fsim {

// The orders with per-channel acc tables (a subset of the y-orders: naive fake-quant dequantizes
// its operands, so its y is not a function of acc).
constexpr COSIM_HD bool IsAccOrder(ElemOp op) {
  return op == ElemOp::kQuamba || op == ElemOp::kQuambaFastExp || op == ElemOp::kAsicSfu || op == ElemOp::kFsimSfu;
}

// Whether the codes8 launches read a layer's acc tables by default (DeviceLayer; they are exact
// either way). The acc-table kernel copies a channel's table per block, which the y-table kernel,
// streaming the whole tensor, does not pay, so the acc tables need enough elements per channel
// (B * L). Measured on an H200 (`fsim_bench --size BxDxL --acc-tables on`, then `off`, with and
// without --pdl off; kernel ms; docs/floatsim.md section 5): on a one-step y-table (Quamba with CUDA
// expf) the acc tables win from 16,384, narrowly with dependent launches (4x1536x4096: 0.0191
// against 0.0194; 0.0213 against 0.0226 without; 8x1536x4096: 0.0314 against 0.0375) and lose at
// 8,192 (2x1536x4096: 0.0114 against 0.0094, 0.0129 against 0.0115); with side entries (fastexp,
// fp32-sfu), whose y-table kernel does more per element, they win from 8,192 (fastexp 0.0114
// against 0.0123, int8-asic fp32-sfu 0.0114 against 0.0167) and lose at 2,048 (1x1536x2048:
// 0.0073-0.0081 against 0.0044-0.0077).
constexpr int64_t kAccOneStepMinPerChannel = 16384, kAccSideMinPerChannel = 8192;
constexpr COSIM_HD bool AccTablesPreferred(YForm y_form, int64_t per_channel) {
  return per_channel >= (y_form == YForm::kOneStep ? kAccOneStepMinPerChannel : kAccSideMinPerChannel);
}

// One channel's table: the bucket map of ytable.h's one-step form and its entry count.
struct alignas(16) AccChannel {
  float a = 0.0f, b = 0.0f, nf = 0.0f;  // YTableParams::a, b, nf (nf = n - 1)
  int32_t n = 0;                        // entries
};

// The reachable MAC results of a channel: sum over the taps of the extremes of w * x, x in int8.
struct AccRange {
  int32_t lo, hi;
};
COSIM_HD AccRange ChannelAccRange(uint32_t w_packed) {
  AccRange r{0, 0};
  for (int k = 0; k < kTaps; ++k) {
    const int w = ByteS(w_packed, k);
    const int a = -128 * w, b = 127 * w;
    r.lo += a < b ? a : b;
    r.hi += a < b ? b : a;
  }
  return r;
}

// The table's key of acc: 1.5 * 2^23 + acc (exact; bits kMagicBits + acc).
COSIM_HD float AccKey(int32_t acc) { return BitsToFloat(kMagicBits + static_cast<uint32_t>(acc)); }

COSIM_HD YTableParams AccBucketMap(const AccChannel& ch) {
  YTableParams t;
  t.form = YForm::kOneStep;
  t.n = ch.n;
  t.a = ch.a;
  t.b = ch.b;
  t.nf = ch.nf;
  return t;
}

// The threshold bits of an entry whose bucket has no step (+inf: no key reaches it).
constexpr uint32_t kAccNoStepBits = 0x7f800000u;

// The global-memory form of an entry, one word instead of two, which the launches upload and the
// kernel's table fill expands (AccEntryExpand) into the two words it keeps in shared memory: each
// block reads half the bytes.
//   bits 0-16   acc + kAccPackedOffset of the step (|acc| <= 4 * 128 * 127 < 2^16), or 0
//   bits 17-24  byte 0 of the codes: the code below the step
//   bits 25-31  the step's code difference (byte 1 minus byte 0 as int8), signed, in [-64, 63]; 0:
//               no step in the bucket (threshold +inf, byte 1 = byte 0)
constexpr int32_t kAccPackedOffset = 1 << 16;
struct AccEntry {
  uint32_t th_bits, codes;  // the two words of an entry (ytable.h's one-step form)
};
// key0_bits: the bits of the key of acc = 0, kMagicBits for the key AccKey, kAccSubMacKeyBits for
// float-sim's scaled key (every finite threshold lies in one binade, so its bits are key0_bits + acc).
COSIM_HD AccEntry AccEntryExpand(uint32_t w, uint32_t key0_bits = kMagicBits) {
  const uint32_t below = (w >> 17) & 0xffu;
  const int32_t diff = static_cast<int32_t>(w) >> 25;  // arithmetic: the signed 7-bit field
  const uint32_t th = diff == 0 ? kAccNoStepBits : key0_bits + (w & 0x1ffffu) - static_cast<uint32_t>(kAccPackedOffset);
  return AccEntry{th, below | ((below + static_cast<uint32_t>(diff)) & 0xffu) << 8};
}
// The packed word of entry {th_bits, codes}, or false where it has none: codes beyond two bytes, a
// step key off [-2^16, 2^16) + 1.5 * 2^23, a code step of 0 or outside [-64, 63], or a bucket
// without a step whose two codes differ. BuildAccTables then builds no tables.
COSIM_HD bool AccEntryPack(uint32_t th_bits, uint32_t codes, uint32_t& w) {
  if (codes >> 16) return false;
  const uint32_t below = codes & 0xffu;
  const int32_t diff = static_cast<int32_t>(static_cast<int8_t>(static_cast<uint8_t>(codes >> 8))) -
                       static_cast<int32_t>(static_cast<int8_t>(static_cast<uint8_t>(below)));
  if (th_bits == kAccNoStepBits) {
    w = below << 17;
    return diff == 0;
  }
  const int64_t key = int64_t{th_bits} - int64_t{kMagicBits} + kAccPackedOffset;
  if (key < 0 || key >= 2 * kAccPackedOffset || diff == 0 || diff < -64 || diff > 63) return false;
  w = static_cast<uint32_t>(key) | below << 17 | (static_cast<uint32_t>(diff) & 0x7fu) << 25;
  return true;
}

// float-sim's MAC in the acc kernel: O7b's offset form. Each input byte x enters as x + 128 read as
// the subnormal binary32 with those bits, (x + 128) * 2^-149 (one byte permute of the word XOR
// 0x80808080; the kernels keep subnormals), each weight as w * 2^100, and the chain starts from
// AccSubMacStart = (1.5 * 2^23 - 128 * sum_k w_k) * 2^-49. Every product is an integer below 2^15
// times 2^-49, every partial sum (1.5 * 2^23 + sum_{j<k} w_j x_j - 128 * sum_{j>=k} w_j) * 2^-49,
// an integer within 4 * 128 * 128 = 2^16 of 1.5 * 2^23 (in [2^23, 2^24)) times 2^-49, a normal
// binary32: every FMA is exact, and the result is the scaled key AccKey(acc) * 2^-49. Read with
// the bucket map's a times 2^49 (the same exact products, so the same buckets) and the
// thresholds times 2^-49 (AccEntryExpand(w, kAccSubMacKeyBits)), the table gives the same codes.
constexpr int kAccSubMacLog2 = 49;
constexpr uint32_t kAccSubMacKeyBits = kMagicBits - (static_cast<uint32_t>(kAccSubMacLog2) << 23);  // 1.5 * 2^-26
COSIM_HD float AccSubMacWeight(uint32_t w_packed, int k) { return Mul(ByteToFloat(w_packed, k), 0x1p100f); }
COSIM_HD float AccSubMacStart(uint32_t w_packed) {
  int32_t sum_w = 0;
  for (int k = 0; k < kTaps; ++k) sum_w += ByteS(w_packed, k);
  return Mul(static_cast<float>(static_cast<int32_t>(kMagic) - 128 * sum_w), 0x1p-49f);  // integers < 2^24: exact
}
// The input byte x (int8 in a word's byte) as AccSubMac's operand: the subnormal (x + 128) * 2^-149.
COSIM_HD float AccSubMacInput(int32_t x) { return BitsToFloat(static_cast<uint32_t>(x + 128)); }
// The bucket map of the scaled key: a * 2^49 (exact: a <= 1).
COSIM_HD YTableParams AccBucketMapScaled(const AccChannel& ch) {
  YTableParams t = AccBucketMap(ch);
  t.a = Mul(t.a, 0x1p49f);
  return t;
}

// The code of key v from one channel's words (2 per entry).
COSIM_HD int32_t AccTableLookup(float v, const AccChannel& ch, const uint32_t* words) {
  return YTableLookup(v, AccBucketMap(ch), words);
}

// Shared memory of one block: 2^lg interleaved copies of n_max entries, ytable.h's one-step layout.
COSIM_HD YTableParams AccSharedLayout(int n_max) {
  YTableParams t;
  t.form = YForm::kOneStep;
  t.n = n_max;
  return t;
}
COSIM_HD int AccSharedBytes(int n_max, int lg) { return YSharedWords(AccSharedLayout(n_max), lg) * 4; }

// log2 of the copies: the most that fit kYSharedBudget, up to 16 and 2^cap (YCopiesLog2).
COSIM_HD int AccCopiesLog2(int n_max, int cap = kYCopiesLog2Max) { return YCopiesLog2(AccSharedLayout(n_max), cap); }

}  // namespace cosim::fsim
