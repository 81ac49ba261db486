// datapath.h: the model core, one layer through every stage of the active profile.
//
// Contract: RunLayer computes docs/datapath.md sections 2, 5 and 6 for every (b, d, t) by
// calling the stage primitives (stage_mac.h, stage_requant.h, stage_silu_lut.h, stage_sfu.h);
// it holds no arithmetic of its own. Results are independent of `threads` byte for byte (rows
// are independent; counters are integer sums). The carried state follows section 2: zero
// history when LayerInput::state is null, and state_out holds the last three inputs.
// An int-lut row runs through the block forms of the stages (MacBlock, RequantBlock,
// LookupBlock: blocks of 256 elements, branch-free, vectorised by the compiler); they equal the
// element forms (MacTaps, RequantToIndex, LookupSilu) bit for bit, counters included, and
// RunOptions::element_by_element runs the element forms instead (tests compare the two).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/compile.h"
#include "sim/core/layer.h"

namespace cosim {

struct LayerCounters {
  int64_t acc_overflow = 0;      // elements whose exact sum left the accumulator's range
  int64_t index_saturated = 0;   // int-lut: elements whose table index was clamped
  int64_t output_saturated = 0;  // elements whose output code was clamped
  LayerCounters& operator+=(const LayerCounters& o) {
    acc_overflow += o.acc_overflow;
    index_saturated += o.index_saturated;
    output_saturated += o.output_saturated;
    return *this;
  }
};

struct RunOptions {
  bool keep_intermediates = true;  // fill acc and index / pre_act and silu
  int threads = 1;                 // >= 1; the result does not depend on it
  bool element_by_element = false; // int-lut: the element-form stage calls, not the block forms
};

struct LayerResult {
  int batch = 0, channels = 0, seq_len = 0;
  std::vector<int32_t> y;        // [B, D, L] output codes (W-bit signed values)
  std::vector<int32_t> acc;      // [B, D, L] accumulator after overflow handling
  std::vector<int32_t> index;    // [B, D, L] table index (int-lut)
  std::vector<float> pre_act;    // [B, D, L] y before SiLU (fp32-sfu)
  std::vector<float> silu;       // [B, D, L] SiLU output (fp32-sfu)
  std::vector<int8_t> state_out; // [B, D, 3]
  LayerCounters counters;
};

LayerResult RunLayer(const CompiledLayer& c, const LayerData& layer, const LayerInput& in,
                     const RunOptions& opt = RunOptions{});

// Everything about one element, for mismatch reports: the window, each stage's value.
struct ElementTrace {
  int8_t window[4] = {0, 0, 0, 0};  // x[t-3..t]
  int8_t taps[4] = {0, 0, 0, 0};
  int64_t bias_term = 0;            // bias_acc (int-lut) or 0 (fp32-sfu)
  int64_t exact_sum = 0;            // before overflow handling
  int64_t acc = 0;
  bool acc_overflow = false;
  int64_t index_unsat = 0;          // int-lut
  int64_t index = 0;                // int-lut
  float pre_act = 0, silu = 0;      // fp32-sfu
  int64_t code = 0;
  bool output_saturated = false;
};
ElementTrace TraceElement(const CompiledLayer& c, const LayerData& layer, const LayerInput& in, int b, int d,
                          int t);

}  // namespace cosim
