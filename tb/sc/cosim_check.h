// cosim_check.h: the SystemC co-simulation testbench (public API).
//
// Contract: CheckLayer feeds one layer (compiled parameters + activations) to the SystemC model
// (cosim::sc::ScAsicModel) and to the Verilated RTL (csr_top, clocked by an sc_clock, driven
// per cycle with seeded random bubbles on its input and back-pressure on its output), and
// scoreboards every output code (b, channel, t) bit for bit: model vs golden, RTL vs golden,
// RTL vs model. `golden` is cosim::RunLayer's result or a layer loaded from a vector folder
// (only its `y` is used). A mismatch report names the layer, b, channel and t, the window of
// 4 inputs, the golden's intermediate stages (cosim::TraceElement), each side's acc / index
// (the RTL's debug ports) and expected vs actual. With wave_path set and an RTL mismatch, the
// layer is run again with the same seed and the cycles [first - wave_window, first +
// wave_window] around the first mismatching output beat are dumped (FST or VCD, as the RTL
// library was built).
//
// The RTL implements the int-lut profile for the widths it was built with (see RtlInfo); up to
// two Verilated models are linked: "clean" (rtl_models' csr_rtl_sc: compile-time knobs
// half-away / saturate, no fault logic, the fastest) and "verify" (built in tb/sc: run-time
// knobs, planted faults, FST tracing). A layer runs on the clean model when it can (no fault,
// default knobs), else on the verify model; layers neither can run (fp32-sfu, other widths)
// are checked against the model only, with LayerCheck::rtl_ran false and the reason in
// rtl_note.
//
// SystemC elaborates once per process: Elaborate() (called by CheckLayer) builds the model and
// the RTL harness; it must run before anything in the process calls sc_start (so call it, or
// CheckLayer, before using cosim::sc::ScAsicModel directly).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/compile.h"
#include "sim/core/datapath.h"
#include "sim/core/layer.h"

namespace cosim {
namespace tb {

struct CosimOptions {
  int lanes = 16;                 // SystemC model lanes (the RTL's are fixed by its build)
  int model_steps = 256;          // SystemC model time steps per transaction
  uint64_t seed = 1;              // bubbles and back-pressure (the same seed gives the same cycles)
  double bubble_rate = 0.1;       // probability that the driver idles a cycle before a beat
  double backpressure_rate = 0.1; // probability that the monitor refuses a cycle's output
  std::string wave_path;          // "" = no waveform
  int wave_window = 200;          // cycles each side of the first RTL mismatch
  bool use_model = true;          // run the SystemC model
  bool use_rtl = true;            // run the RTL (when the layer fits its build)
  int max_reports = 10;           // mismatch reports kept per layer
  int rtl_fault = 0;              // csr_pkg fault id (0 = clean; needs an ENABLE_FAULTS build)
  int model_fault = 0;            // cosim::sc::ScFault id (0 = clean)
  uint64_t rtl_timeout_cycles = 20000;  // cycles without an output beat before giving up

  void Validate() const;          // throws cosim::Error(kUsage) naming the field
};

struct LayerCheck {
  int layer = 0;
  int64_t elements = 0;                        // B * D * L
  int64_t model_vs_golden_mismatches = 0;
  int64_t rtl_vs_golden_mismatches = 0;
  int64_t rtl_vs_model_mismatches = 0;
  int64_t rtl_protocol_errors = 0;             // beats out of order, lost, extra, or a stall timeout
  bool model_ran = false, rtl_ran = false;
  std::string rtl_model;                       // "clean" or "verify" (when rtl_ran)
  std::string rtl_note;                        // why the RTL did not run (when !rtl_ran)
  uint64_t rtl_cycles = 0;                     // streaming cycles (first input to last output)
  uint64_t rtl_config_cycles = 0;              // reset + parameter and table writes
  double seconds = 0, model_seconds = 0, rtl_seconds = 0;
  std::string wave_file;                       // the waveform written, if any
  std::vector<std::string> reports;            // at most max_reports

  bool passed() const {
    return model_vs_golden_mismatches == 0 && rtl_vs_golden_mismatches == 0 && rtl_vs_model_mismatches == 0 &&
           rtl_protocol_errors == 0;
  }
};

LayerCheck CheckLayer(const CompiledLayer& c, const LayerData& layer, const LayerInput& in,
                      const LayerResult& golden, const CosimOptions& opt);

// What the linked RTL models were built with.
struct RtlBuildInfo {
  std::string models;          // e.g. "clean + verify"
  int lanes = 0, acc_bits = 0, mult_bits = 0, lut_index_bits = 0, output_bits = 0, d_max = 0;
  bool runtime_knobs = false;  // any rounding and overflow mode (the verify model)
  bool faults = false;         // planted faults selectable (the verify model)
  std::string trace;           // "fst", "vcd" or "" (no waveform support)
  int num_faults = 0;          // csr_pkg fault ids 0 .. num_faults-1
};
RtlBuildInfo RtlInfo();

// "" when a linked RTL model can run a layer compiled with `hw` and D channels (with a planted
// fault when rtl_fault != 0), else the reason.
std::string RtlCannotRun(const HwConfig& hw, int channels, int rtl_fault = 0);

// Builds the SystemC model and the RTL harness (idempotent). Throws cosim::Error when the
// SystemC kernel has already started without them.
void Elaborate();

}  // namespace tb
}  // namespace cosim
