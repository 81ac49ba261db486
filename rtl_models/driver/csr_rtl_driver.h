// csr_rtl_driver.h: C++ driver of the Verilated csr RTL (rtl_models/rtl/csr_top.sv).
//
// Contract: a Driver owns one Verilated model of csr_top. Run() takes one layer in memory
// (x int8 [B,D,L], weight [D,4], bias_acc [D], mult [D], shift [D], the SiLU table and the
// knobs), resets the pipeline (tables kept), programs the config port, streams every beat in
// the order of rtl_models/README.md (for each b, each channel group, t = 0..L-1) with optional
// seeded random input bubbles and output back-pressure, and collects the output codes (and the
// per-lane acc/idx debug outputs) into row-major [B,D,L] arrays. Output beat k is matched to
// input beat k (the pipeline is in order); a beat the RTL loses leaves kMissing in its
// elements and complete == false, so a comparison fails instead of hanging.
//
// A layer that the model cannot run (widths other than the model's, knobs other than its
// compile-time knobs, D above D_MAX, a parameter out of range, a fault on a model built
// without ENABLE_FAULTS) throws cosim::Error naming the field. D need not be a multiple of the
// lane count: the last group is padded with zero lanes whose outputs are dropped.
//
// Per-cycle work is a handful of port copies and two eval() calls; the beats are packed before
// the loop and unpacked after it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cosim::rtl {

// docs/datapath.md section 3; the values are the RTL's ROUNDING encoding.
enum class Rounding : int { kHalfAway = 0, kHalfEven = 1, kHalfUp = 2, kTruncate = 3 };
const char* ToString(Rounding r);

struct Knobs {
  Rounding rounding = Rounding::kHalfAway;
  bool acc_wrap = false;    // acc_overflow: false = saturate, true = wrap
  int acc_bits = 32;        // A
  int mult_bits = 16;       // requant_mult_bits, Wm
  int lut_index_bits = 10;  // N
  int output_bits = 8;      // W
};

// One layer, non-owning, row-major (docs/datapath.md section 1, vectors/README.md).
struct LayerView {
  int B = 0, D = 0, L = 0;
  const int8_t* x = nullptr;          // [B, D, L]
  const int8_t* weight = nullptr;     // [D, 4], weight[d*4 + 3] multiplies x[t]
  const int32_t* bias_acc = nullptr;  // [D], fits acc_bits signed
  const uint32_t* mult = nullptr;     // [D], < 2^mult_bits
  const int32_t* shift = nullptr;     // [D], 0..62
  const int32_t* lut = nullptr;       // [2^N], W-bit signed codes, address = idx + 2^(N-1)
  Knobs knobs;
};

// Planted faults of the RTL (csr_pkg.sv); 0 is the clean design.
enum Fault : unsigned {
  kFaultNone = 0,
  kFaultRoundFloor = 1,       // requant always floors, ignoring the rounding mode
  kFaultShiftOffByOne = 2,    // requant shifts by shift + 1
  kFaultLutAddrPlusOne = 3,   // table address idx + 2^(N-1) + 1
  kFaultNoIndexSat = 4,       // index wraps to N bits instead of saturating
  kFaultTapsReversed = 5,     // weight[k] multiplies x[t-k]
  kFaultBiasDropped = 6,      // bias_acc not added
  kFaultNoSosReset = 7,       // line buffer history not cleared on sos
  kFaultSkidDrop = 8,         // output beat lost when it arrives while the output stalls
  kFaultAccAlwaysWrap = 9,    // accumulator wraps in saturate mode
  kFaultOutSignLost = 10,     // top bit of the output code cleared
  kFaultMultSigned = 11,      // M taken as a signed number
  kFaultHalfEvenOdd = 12,     // half-even ties go to the odd neighbour
  kFaultStaleParams = 13,     // a group runs with the previous group's weights/bias
  kFaultShiftOnBubble = 14,   // line buffer shifts on input bubbles
  kNumFaults = 15,
};
const char* FaultName(unsigned fault);

struct RunOptions {
  double bubble_prob = 0.0;   // per cycle, probability that no beat is offered (in_valid low)
  double stall_prob = 0.0;    // per cycle, probability that out_ready is low
  uint64_t seed = 1;          // seeds both random streams (and the garbage on idle inputs)
  bool collect_debug = true;  // fill acc/idx/acc_ovf/idx_sat
  unsigned fault = kFaultNone;  // needs a model built with ENABLE_FAULTS = 1
  bool program = true;        // write the tables through the config port before streaming
                              // (false: keep the tables of the previous Run; the run-time
                              // knobs, reset with the pipeline, are always written)
  std::string trace_path;     // FST waveform file ("" = no trace)
  uint64_t trace_begin = 0;   // trace window, in cycles from the start of Run (config included)
  uint64_t trace_end = UINT64_MAX;
  uint64_t idle_limit = 1000; // cycles without an output beat, once all beats are in, to give up
};

struct RunResult {
  static constexpr int32_t kMissing = INT32_MIN;  // element of a beat that never came out
  std::vector<int32_t> y;         // [B, D, L] output codes (sign-extended W-bit values)
  std::vector<int32_t> acc;       // [B, D, L] accumulator after sat/wrap (collect_debug)
  std::vector<int32_t> idx;       // [B, D, L] table index after saturation (collect_debug)
  std::vector<uint8_t> acc_ovf;   // [B, D, L] exact sum was outside A bits (collect_debug)
  std::vector<uint8_t> idx_sat;   // [B, D, L] index was saturated (collect_debug)
  uint64_t acc_overflows = 0;     // counts over the real channels (collect_debug)
  uint64_t index_saturations = 0;
  uint64_t beats_expected = 0;    // B * ceil(D / LANES) * L
  uint64_t beats_in = 0;          // beats the RTL accepted
  uint64_t beats_out = 0;         // beats the RTL delivered
  uint64_t beat_tag_errors = 0;   // output beats whose ch_base_o / sos_o differ from beat k's
  bool complete = false;          // beats_out == beats_expected and no tag error
  uint64_t config_cycles = 0;     // cycles spent on reset + config writes
  uint64_t stream_cycles = 0;     // cycles from the first offered beat to the last one out
  double stream_seconds = 0;      // wall time of the streaming loop
};

// What a Verilated model was built with (the -G parameters of csr_top).
struct ModelInfo {
  std::string name;     // e.g. "csr_top", "csr_fi_a"
  std::string prefix;   // Verilated class, e.g. "Vcsr_top"
  int lanes = 16, acc_bits = 32, mult_bits = 16, lut_index_bits = 10, output_bits = 8;
  int d_max = 8192;
  Rounding rounding = Rounding::kHalfAway;  // compile-time knob (reset value if runtime_knobs)
  bool acc_wrap = false;
  bool runtime_knobs = false;   // rounding / acc_wrap programmable through the CTRL register
  bool enable_faults = false;   // fault_sel_i honoured
  std::string Describe() const;
  // The knobs of this model (its compile-time widths and knobs).
  Knobs DefaultKnobs() const;
};

class Driver {
 public:
  virtual ~Driver() = default;
  virtual const ModelInfo& info() const = 0;
  virtual RunResult Run(const LayerView& layer, const RunOptions& opt = RunOptions{}) = 0;
  // Total clock cycles simulated by this driver since construction.
  virtual uint64_t cycles() const = 0;
};

// Throws cosim::Error when `layer` / `opt` cannot run on a model described by `info`.
void CheckLayer(const ModelInfo& info, const LayerView& layer, const RunOptions& opt);

}  // namespace cosim::rtl
