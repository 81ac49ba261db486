// rtl_harness.h: the cycle-accurate side of the testbench: the Verilated csr_top (SystemC
// flavour) clocked from one sc_clock, and one SC_THREAD per model that drives and monitors it.
// Up to two models are elaborated (rtl_build.h): the clean one and the verification one. Each
// gets the clock through a gate that is open only while it runs a layer, so an idle model costs
// nothing per cycle.
//
// Per layer (RtlHarness::Run, called outside simulation; it runs sc_start until the layer is
// done): a reset pulse, the config writes (one per cycle: weights, bias_acc, M, shift per
// channel, the SiLU table, the CTRL register), then the stream. The thread wakes once per
// cycle on the falling edge, where every DUT output is stable (in_ready_o and out_valid_o are
// registers in csr_top), and decides the inputs for the next rising edge:
//   driver:  a new beat is presented after a random bubble (valid low) with probability
//            bubble_rate; once presented it is held until in_ready_o accepts it.
//   monitor: out_ready_i is low with probability backpressure_rate; a beat with out_valid_o
//            and out_ready_i is captured (y, debug acc and index) and checked for order
//            (ch_base_o, sos_o).
// Beat order: for b, channel group g (ch_base = g * LANES), t; sos on the first beat of a
// row. A carried conv state is fed as 3 preamble beats (the state's samples, sos on the
// first) whose outputs are dropped; lanes past D are fed zeros and ignored.
// Waveforms: with RtlJob::wave_path set, cycles [wave_from, wave_to] of the job are dumped
// (two samples per cycle: after the rising edge, and after the inputs change at the falling
// edge).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/compile.h"
#include "sim/core/layer.h"
#include "tb/sc/cosim_check.h"

namespace cosim {
namespace tb {

struct RtlConfigWrite {
  uint32_t sel, addr, wdata;
};

// The config writes that load one layer into csr_top (see rtl_models/rtl/csr_pkg.sv).
std::vector<RtlConfigWrite> RtlConfigFor(const CompiledLayer& c, const LayerData& layer);

struct RtlJob {
  int B = 0, D = 0, L = 0;
  const int8_t* x = nullptr;      // [B, D, L]
  const int8_t* state = nullptr;  // [B, D, 3] or null
  std::vector<RtlConfigWrite> config;
  int fault = 0;
  uint64_t seed = 1;
  double bubble_rate = 0, backpressure_rate = 0;
  uint64_t timeout_cycles = 20000;
  std::string wave_path;          // "" = no trace
  uint64_t wave_from = 0, wave_to = 0;  // job cycles
};

enum class RtlModel : uint8_t { kClean, kVerify };
const char* ToString(RtlModel m);

struct RtlCapture {
  RtlModel model = RtlModel::kVerify;
  int lanes = 0, groups = 0;           // RTL lanes, channel groups ceil(D / lanes)
  std::vector<int32_t> y, acc, index;  // [B, D, L], sign-extended from the port widths
  std::vector<uint8_t> received;       // [B, D, L]: 1 where an output was captured
  std::vector<uint64_t> beat_cycle;    // [(b * groups + g) * L + t]: job cycle of the output beat
  uint64_t stream_cycles = 0, config_cycles = 0, total_cycles = 0;
  uint64_t beats_in = 0, beats_out = 0, expected_beats = 0;
  std::vector<std::string> protocol_errors;  // the first few, with cycles
  int64_t protocol_error_count = 0;
  std::string wave_file;
};

class RtlHarness {
 public:
  static bool Exists();
  static RtlHarness& Instance();  // builds the modules on first call (before sc_start)
  static bool Has(RtlModel m);     // linked into this build
  static int Trace(RtlModel m);    // 0 none, 1 FST, 2 VCD
  RtlCapture Run(const RtlJob& job, RtlModel m);

 private:
  RtlHarness();
  struct Impl;
  Impl* impl_;  // lives until process exit
};

}  // namespace tb
}  // namespace cosim
