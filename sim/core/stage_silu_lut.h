// stage_silu_lut.h: stage 3 of int-lut, the SiLU table ROM (docs/datapath.md sections 4.4, 5.3).
//
// Contract: the table has 2^N entries of W-bit codes generated offline (CompileLayer); the
// address is the signed index plus 2^(N-1), i.e. offset binary. The lookup itself cannot
// overflow: the index is already saturated to N bits. LookupBlock is the same lookup for a block
// of indices, also counting the entries that were saturated to W bits when the table was made.
// Example: N = 10, index -512 -> address 0; index 9 -> address 521.
#pragma once

#include <cstdint>

namespace cosim {

constexpr int64_t LutAddress(int64_t index, int index_bits) { return index + (int64_t{1} << (index_bits - 1)); }

inline int32_t LookupSilu(const int32_t* lut, int64_t index, int index_bits) {
  return lut[LutAddress(index, index_bits)];
}

// y[i] = LookupSilu(lut, index[i], index_bits) for i in [0, n); returns how many of the n
// entries read have clamped[address] != 0. Every index must already fit index_bits.
inline int LookupBlock(const int32_t* lut, const uint8_t* clamped, const int32_t* index, int n, int index_bits,
                       int32_t* y) {
  const int32_t base = int32_t{1} << (index_bits - 1);
  int n_clamped = 0;
  for (int i = 0; i < n; ++i) {
    const int32_t addr = index[i] + base;
    y[i] = lut[addr];
    n_clamped += clamped[addr];
  }
  return n_clamped;
}

}  // namespace cosim
