// kernels.h: launchers of the gpu_ref kernels (kernels.cu), over device buffers.
//
// Two kernels per element function:
//  - full:  int32 codes, before_quant, after_quant and the three event counters; any L, any
//           alignment (a 16-element vector path when L % 16 == 0 and buffers are 16-byte aligned).
//  - codes8: int8 codes only, the benchmark path: L % 32 == 0, 16-byte aligned, output_bits <= 8,
//           lut_index_bits <= 17 (the table lives in shared memory).
// Each thread of the vector paths owns 16 (full) or 32 (codes8) consecutive t of one row: 16-byte
// loads plus the 4-byte word before them (the 3-sample halo; the carried state or zeros at t = 0).
// codes8 runs the int-lut hot paths (int_lut.h) on channels whose flags allow them, Quamba and
// fp32-sfu on per-channel acc tables when the layer has them (acctable.h; one block per channel and
// part of the batch), and the fp32 orders on the layer's y-table otherwise, when it has one
// (ytable.h).
#pragma once

#include <cstdint>

#include <cuda_runtime_api.h>

#include "gpu_ref/acctable.h"
#include "gpu_ref/element.h"
#include "gpu_ref/params.h"
#include "gpu_ref/ytable.h"

namespace cosim::fsim {

struct KernelArgs {
  const int8_t* x = nullptr;      // [B, D, L]
  const int8_t* state = nullptr;  // [B, D, 3] or null
  const ChannelParams* ch = nullptr;
  LayerParams lp;
  LutView lut;                    // int-lut tables (full kernel)
  const int8_t* lut8 = nullptr;   // int-lut codes as int8 (codes8 kernel)
  bool has_codes = true;
  int32_t* codes = nullptr;       // full outputs
  float* before = nullptr;
  float* after = nullptr;
  unsigned long long* counters = nullptr;  // [3]: acc overflows, index sats, output sats (added)
  int8_t* codes8 = nullptr;       // codes8 output
  const uint32_t* ytab = nullptr;  // the layer's y-table words (codes8 of the fp32 orders), or null
  YTableParams yt;
  int32_t ytab_copies_log2 = 0;    // 2^this copies of the y-table in shared memory, <= YCopiesLog2(yt)
  // The layer's per-channel acc tables (codes8 of Quamba and fp32-sfu; acctable.h), or null: when
  // set, the codes8 kernel reads them instead of the y-table.
  const AccChannel* acc_ch = nullptr;  // [D]
  const uint32_t* acc_packed = nullptr;  // acc_n_max packed entries (AccEntryPack, 1 word each) per channel
  int32_t acc_n_max = 0;
  int32_t acc_copies_log2 = 0;          // <= AccCopiesLog2(acc_n_max)
  // codes8 (LaunchFull ignores it): launch with programmatic dependent launch where the device and
  // the kernel's code have it (compute capability 9.0 and up). The kernel's prologue (its table
  // copies into shared memory) then overlaps the tail of the kernel before it in the stream, and the
  // kernel waits for that one to complete before it reads x or state or writes codes8. So ch, lut8,
  // ytab, acc_ch and acc_packed must not be written by the kernel just before it in the stream
  // (DeviceLayer writes them once, at construction, and synchronizes).
  bool dependent_launch = false;
};

// Throw std::invalid_argument when the codes8 kernel cannot run this layer.
void CheckCodes8(const KernelArgs& a);

void LaunchFull(const KernelArgs& a, cudaStream_t stream);
void LaunchCodes8(const KernelArgs& a, cudaStream_t stream);

// The y-table scan of a layer's fp32 order on the device (ytable.h): G at every point of `spec`;
// *d_count counts the transitions, the first kYMaxTransitions of them land in d_tr (any order),
// d_ends[0..3] the codes at the first and last point of each side. d_count must start at 0.
void LaunchYScan(const LayerParams& p, const YScanSpec& spec, uint32_t* d_count, int32_t* d_ends,
                 YTransition* d_tr, int capacity, cudaStream_t stream);

}  // namespace cosim::fsim
