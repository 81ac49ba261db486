// params.h: the compiled per-layer and per-channel parameters every element function reads.
//
// Plain old data, copied as is to the device. Filled by Prepare() (prepare.cpp) from a LayerView,
// the knobs and docs/datapath.md section 4; nothing in here is computed at run time.
#pragma once

#include <cstdint>

#include "gpu_ref/types.h"

namespace cosim::fsim {

// Which element function a kernel runs (one per mode and profile).
enum class ElemOp : int32_t {
  kQuamba,         // int8-quamba
  kQuambaFastExp,  // int8-quamba-fastexp
  kUpperBound,     // fp32-upper-bound
  kNaive,          // naive-fake-quant
  kAsicLut,        // int8-asic, int-lut: int64 arithmetic
  kAsicSfu,        // int8-asic, fp32-sfu: integer MAC, binary32 SFU
  kFsimLut,        // float-sim (and research SE), int-lut: binary32 with EFTs
  kFsimSfu,        // float-sim (and research SE), fp32-sfu: binary32 MAC and SFU
};

struct alignas(16) ChannelParams {
  uint32_t w_packed;  // weight[d, k] in byte k (tap 3 multiplies x[t])
  // int-lut, integer form (docs/datapath.md 4.3)
  int32_t bias_acc;  // bias folded to the accumulator scale
  int32_t mult;      // M, requant_mult_bits wide, unsigned
  int32_t shift;     // 0..62
  // int-lut, float-sim form of the same numbers (docs/floatsim.md)
  float bias_hi, bias_lo;  // bias_acc == bias_hi + bias_lo exactly, bias_hi = fl32(bias_acc)
  float ms_hi, ms_lo;      // M * 2^-shift == ms_hi + ms_lo exactly, ms_hi = fl32(M) * 2^-shift
  int32_t fsim_fast;       // 1: ms_lo == 0 and |bias_acc| + 2^16 < 2^24 (two-term path exact)
  int32_t may_overflow;    // 1: bias_acc + [-2^16, 2^16] can leave the acc_bits range
  int32_t asic_hot;        // >= 1: AsicLutIndexHot applies (int_lut.h) and, in a prepared layer,
                           //    every index it reaches lies in the extended table;
                           //    2: AsicLutWideHi applies as well (m_wide set);
                           //    3: and no exact tie is possible (NoTiesPossible, prepare.cpp)
  int32_t fsim_hot;        // >= 1: FsimLutIndexHot applies, same table condition;
                           //    2: FsimLutIndexFma applies as well (|u| < 2^20,
                           //       |bias_acc| + 2^16 + 2^17 < 2^24; mac_* set, O7b);
                           //    3: and no exact tie is possible
  // fp32 forms (fp32-sfu, Quamba order, naive fake-quant)
  float scale;   // fl32(s_w[d] * s_x)
  float bias_f;  // fl32((float)bias[d] * s_b)
  float s_w;     // s_w[d]
  int32_t m_wide;  // M * 2^(32 - shift) when asic_hot >= 2, else 0
  // The int8 kernel's offset MAC of the fast float-sim tiers (fsim_hot >= 2, O7b), exact:
  float mac_w[4];   // weight[d, k] * 2^100
  float mac_start;  // (bias_acc - 128 * sum_k weight[d, k]) * 2^-49
  float mac_ms;     // ms_hi * 2^49
  int32_t pad_[2];
};
static_assert(sizeof(ChannelParams) == 96, "ChannelParams is 96 bytes");

struct LayerParams {
  int32_t B = 0, D = 0, L = 0;
  ElemOp op = ElemOp::kFsimLut;
  Rounding rounding = Rounding::kHalfAway;
  AccOverflow acc_overflow = AccOverflow::kSaturate;
  int32_t acc_bits = 32, index_bits = 10, output_bits = 8;
  // accumulator range, integer and float forms (A = acc_bits)
  int64_t acc_min = 0, acc_max = 0;  // -2^(A-1), 2^(A-1) - 1
  float acc_lim = 0;                 // 2^(A-1) (exact)
  float acc_two_pow = 0;             // 2^A (exact)
  float acc_max_hi = 0, acc_max_lo = 0;  // 2^(A-1) - 1 == hi + lo, hi = fl32(2^(A-1) - 1)
  // table index range: [-2^(N-1), 2^(N-1) - 1], address = idx + 2^(N-1)
  int32_t idx_half = 0;
  // the extended int8 table of the codes8 kernel covers indices [ext_lo, ext_lo + ext_n)
  int32_t ext_lo = 0, ext_n = 0;
  float idx_lo = 0, idx_hi = 0;
  // output code range [-2^(W-1), 2^(W-1) - 1]
  float out_lo = 0, out_hi = 0;
  // scales
  float s_x = 0;           // input scale (naive fake-quant)
  float s_out = 0;         // the layer's s_out
  float s_oe = 0;          // effective output scale (s_out or fl32(s_out / F))
  float after_scale = 0;   // after_quant = fl32(fl32(q * after_scale) * after_factor)
  float after_factor = 1;  // F for research-se-enhance, else 1 (exact identity)
  float inv_s_out = 0;     // ScaleReciprocal(s_out), ScaleReciprocal(s_oe): DivByScale (hd.h)
  float inv_s_oe = 0;
};

}  // namespace cosim::fsim
