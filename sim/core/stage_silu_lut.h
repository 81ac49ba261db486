// stage_silu_lut.h: stage 3 of int-lut, the SiLU table ROM (docs/datapath.md sections 4.4, 5.3).
//
// Contract: the table has 2^N entries of W-bit codes generated offline (CompileLayer); the
// address is the signed index plus 2^(N-1), i.e. offset binary. The lookup itself cannot
// overflow: the index is already saturated to N bits.
// Example: N = 10, index -512 -> address 0; index 9 -> address 521.
#pragma once

#include <cstdint>

namespace cosim {

constexpr int64_t LutAddress(int64_t index, int index_bits) { return index + (int64_t{1} << (index_bits - 1)); }

inline int32_t LookupSilu(const int32_t* lut, int64_t index, int index_bits) {
  return lut[LutAddress(index, index_bits)];
}

}  // namespace cosim
