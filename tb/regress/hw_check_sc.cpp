// The hardware side through the SystemC testbench (tb/sc): the SystemC ASIC model and the
// Verilated RTL, each scoreboarded against the golden codes.
#include "sim/core/error.h"
#include "tb/regress/hw_check.h"
#include "tb/sc/cosim_check.h"

namespace cosim::regress {

std::string HardwareAvailable() {
  const tb::RtlBuildInfo info = tb::RtlInfo();
  return "SystemC model + RTL (" + info.models + ", " + std::to_string(info.lanes) + " lanes)";
}

HardwareResult RunHardwareCheck(const gold::LayerVectors& v, const HardwareOptions& opt) {
  tb::CosimOptions o;
  o.lanes = opt.lanes;
  o.seed = opt.seed;
  o.bubble_rate = opt.bubble_rate;
  o.backpressure_rate = opt.backpressure_rate;
  o.wave_path = opt.wave_path;
  o.use_model = opt.systemc;
  o.use_rtl = opt.rtl;
  o.max_reports = opt.max_reports;
  o.rtl_fault = opt.rtl_fault;
  o.model_fault = opt.model_fault;
  const tb::LayerCheck k = tb::CheckLayer(v.compiled, v.layer, v.View(), v.result, o);
  HardwareResult r;
  r.systemc_ran = k.model_ran;
  r.rtl_ran = k.rtl_ran;
  r.systemc_mismatches = k.model_vs_golden_mismatches;
  r.rtl_mismatches = k.rtl_vs_golden_mismatches + k.rtl_protocol_errors;
  r.rtl_vs_model_mismatches = k.rtl_vs_model_mismatches;
  r.rtl_cycles = k.rtl_cycles;
  r.systemc_seconds = k.model_seconds;
  r.rtl_seconds = k.rtl_seconds;
  r.reports = k.reports;
  if (!k.rtl_ran && opt.rtl && !k.rtl_note.empty()) r.notes.push_back("RTL not run: " + k.rtl_note);
  if (!k.wave_file.empty()) r.notes.push_back("waveform: " + k.wave_file);
  return r;
}

}  // namespace cosim::regress
