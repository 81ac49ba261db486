// csr_rtl_driver_detail.h: model-independent helpers of the RTL driver, shared by
// csr_rtl_driver.cpp and the per-model template (csr_rtl_driver_impl.h). Not a public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "csr_rtl_driver.h"

namespace cosim::rtl::detail {

struct Rng {  // xorshift64*: cheap, seeded, identical on every platform
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL) { if (!s) s = 1; }
  uint64_t Next() {
    s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
    return s * 0x2545F4914F6CDD1DULL;
  }
};
uint64_t ProbThreshold(double p);  // P(Next() < threshold) == p

// Beats of a layer in stream order, words_per_beat 32-bit words each (lane l in byte l).
std::vector<uint32_t> PackBeats(const ModelInfo& info, const LayerView& layer, size_t words_per_beat);

// Raw output beats in arrival order, as copied from the ports.
struct RawOutputs {
  uint64_t beats = 0;
  size_t y_words = 0, acc_words = 0, idx_words = 0, flag_words = 0;
  std::vector<uint32_t> y, acc, idx, ovf, sat;
  std::vector<uint32_t> ch_base;
  std::vector<uint8_t> sos;
};
void Unpack(const ModelInfo& info, const LayerView& layer, const RawOutputs& raw, bool debug,
            RunResult* r);

[[noreturn]] void ThrowNoTrace(const ModelInfo& info);

enum CfgSel : uint32_t { kSelWeight = 0, kSelBias = 1, kSelMult = 2, kSelShift = 3, kSelLut = 4, kSelCtrl = 5 };

}  // namespace cosim::rtl::detail
