// scoreboard.h: bit-exact comparison of the golden, the SystemC model and the RTL, and the
// mismatch reports.
//
// Contract: every element (b, d, t) of the layer is compared on its output code: model vs
// golden, RTL vs golden, RTL vs model (an element the RTL did not deliver counts as a
// mismatch). Reports are made for the first `max_reports` mismatching elements in (b, d, t)
// order; each names layer, b, channel, t, shows the window and taps, the golden's stages from
// cosim::TraceElement, both sides' acc / index (or pre_act / silu) and the codes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/compile.h"
#include "sim/core/datapath.h"
#include "tb/sc/cosim_check.h"
#include "tb/sc/rtl_harness.h"

namespace cosim {
namespace tb {

struct ScoreInputs {
  const CompiledLayer* c = nullptr;
  const LayerData* layer = nullptr;
  const LayerInput* in = nullptr;
  const LayerResult* golden = nullptr;
  const LayerResult* model = nullptr;  // null when the model did not run
  const RtlCapture* rtl = nullptr;     // null when the RTL did not run
  int max_reports = 10;
};

struct ScoreResult {
  int64_t model_vs_golden = 0, rtl_vs_golden = 0, rtl_vs_model = 0;
  bool have_rtl_mismatch = false;
  uint64_t first_rtl_mismatch_cycle = 0;  // job cycle of the earliest mismatching RTL output beat
  std::vector<std::string> reports;
};

ScoreResult Score(const ScoreInputs& s);

// One element's report (exposed for tests and the CLI).
std::string ElementReport(const ScoreInputs& s, int b, int d, int t);

}  // namespace tb
}  // namespace cosim
