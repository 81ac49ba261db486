// hw_check.h: the hardware side of a regression, one layer at a time: the SystemC ASIC model
// and the Verilated RTL, each scoreboarded bit for bit against the golden outputs.
//
// Contract: RunHardwareCheck never changes the golden vectors; it reports what it ran (a part
// that was not built is reported as not run, never as passed) and every mismatch it found,
// with layer/channel/t, inputs, intermediate stages and expected vs actual.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vectors/golden/golden.h"

namespace cosim::regress {

struct HardwareOptions {
  bool systemc = true;          // run the SystemC model when built
  bool rtl = true;              // run the Verilated RTL when built
  int lanes = 16;
  uint64_t seed = 1;            // random bubbles and back-pressure
  double bubble_rate = 0.05;
  double backpressure_rate = 0.05;
  int rtl_fault = 0;            // planted RTL bug (rtl_models/README.md); 0 = clean
  int model_fault = 0;          // planted SystemC-model bug (sim/systemc/README.md); 0 = clean
  std::string wave_path;        // FST/VCD of a window around the first RTL mismatch; empty = none
  int max_reports = 10;
};

struct HardwareResult {
  bool systemc_ran = false, rtl_ran = false;
  int64_t systemc_mismatches = 0;  // SystemC model vs golden
  int64_t rtl_mismatches = 0;      // RTL vs golden
  int64_t rtl_vs_model_mismatches = 0;
  uint64_t rtl_cycles = 0;
  double systemc_seconds = 0, rtl_seconds = 0;
  std::vector<std::string> reports;
  std::vector<std::string> notes;  // e.g. why the RTL did not run, where the waveform went
};

// What this build can run: "SystemC model + RTL", "SystemC model", or "" (neither built).
std::string HardwareAvailable();

HardwareResult RunHardwareCheck(const gold::LayerVectors& v, const HardwareOptions& opt);

}  // namespace cosim::regress
