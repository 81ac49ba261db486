// CheckLayer: runs the SystemC model and the RTL on one layer and scoreboards them.
#include "tb/sc/cosim_check.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include <systemc>

#include "sim/core/error.h"
#include "sim/systemc/sc_model.h"
#include "tb/sc/rtl_build.h"
#include "tb/sc/rtl_harness.h"
#include "tb/sc/scoreboard.h"

namespace cosim {
namespace tb {
namespace {

// The model used for waveforms: the verify model when linked and traced, else the clean one.
int WaveModelTrace() {
  if (RtlHarness::Trace(RtlModel::kVerify) != 0) return RtlHarness::Trace(RtlModel::kVerify);
  return RtlHarness::Trace(RtlModel::kClean);
}
RtlModel WaveModel() { return RtlHarness::Trace(RtlModel::kVerify) != 0 ? RtlModel::kVerify : RtlModel::kClean; }

// The fastest linked model that can run the layer (RtlCannotRun said one can).
RtlModel ChooseModel(const HwConfig& hw, int rtl_fault) {
  const bool clean_ok = kHaveClean && rtl_fault == 0 && hw.rounding == Rounding::kHalfAwayFromZero &&
                        hw.acc_overflow == Overflow::kSaturate;
  return clean_ok ? RtlModel::kClean : RtlModel::kVerify;
}

void Require(bool ok, const std::string& field, const std::string& range) {
  if (!ok) throw Error(ExitCode::kUsage, "cosim testbench option " + field + " out of range (allowed " + range + ")");
}

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void CosimOptions::Validate() const {
  Require(lanes >= 1 && lanes <= 1024, "lanes", "1..1024");
  Require(model_steps >= 1 && model_steps <= 65536, "model_steps", "1..65536");
  Require(std::isfinite(bubble_rate) && bubble_rate >= 0 && bubble_rate <= 0.95, "bubble_rate", "0..0.95");
  Require(std::isfinite(backpressure_rate) && backpressure_rate >= 0 && backpressure_rate <= 0.95,
          "backpressure_rate", "0..0.95");
  Require(wave_window >= 1, "wave_window", ">= 1 cycle");
  Require(max_reports >= 0, "max_reports", ">= 0");
  Require(rtl_fault >= 0 && rtl_fault < kRtlNumFaults, "rtl_fault", "0.." + std::to_string(kRtlNumFaults - 1));
  Require(rtl_fault == 0 || kHaveVerify, "rtl_fault", "0 (no verify RTL model with planted faults is linked)");
  Require(model_fault >= 0 && model_fault < sc::kNumScFaults, "model_fault",
          "0.." + std::to_string(sc::kNumScFaults - 1));
  Require(rtl_timeout_cycles >= 100, "rtl_timeout_cycles", ">= 100");
}

RtlBuildInfo RtlInfo() {
  RtlBuildInfo i;
  i.models = std::string(kHaveClean ? "clean" : "") + (kHaveClean && kHaveVerify ? " + " : "") +
             (kHaveVerify ? "verify" : "");
  i.lanes = kRtlLanes;
  i.acc_bits = kRtlAccBits;
  i.mult_bits = kRtlMultBits;
  i.lut_index_bits = kRtlIndexBits;
  i.output_bits = kRtlOutBits;
  i.d_max = kRtlDMax;
  i.runtime_knobs = kHaveVerify;
  i.faults = kHaveVerify;
  const int t = WaveModelTrace();
  i.trace = t == 1 ? "fst" : (t == 2 ? "vcd" : "");
  i.num_faults = kRtlNumFaults;
  return i;
}

std::string RtlCannotRun(const HwConfig& hw, int channels, int rtl_fault) {
  auto need = [](const char* knob, long layer, long rtl) {
    return std::string("the RTL was built for ") + knob + " " + std::to_string(rtl) + ", the layer needs " +
           std::to_string(layer);
  };
  if (!kHaveClean && !kHaveVerify) return "no RTL model is linked";
  if (hw.profile != Profile::kIntLut) return "the RTL implements the int-lut profile only (layer is fp32-sfu)";
  if (hw.acc_bits != kRtlAccBits) return need("acc_bits", hw.acc_bits, kRtlAccBits);
  if (hw.lut_index_bits != kRtlIndexBits) return need("lut_index_bits", hw.lut_index_bits, kRtlIndexBits);
  if (hw.requant_mult_bits > kRtlMultBits) return need("requant_mult_bits <=", hw.requant_mult_bits, kRtlMultBits);
  if (hw.output_bits > kRtlOutBits) return need("output_bits <=", hw.output_bits, kRtlOutBits);
  if (channels > kRtlDMax) return need("channels <=", channels, kRtlDMax);
  if (!kHaveVerify) {
    if (rtl_fault != 0) return "planted RTL faults need the verify model (COSIM_SC_TB_RTL=both or verify)";
    if (hw.rounding != Rounding::kHalfAwayFromZero || hw.acc_overflow != Overflow::kSaturate) {
      return "the clean RTL model has compile-time knobs (half-away, saturate); other knobs need the verify model";
    }
  }
  return "";
}

void Elaborate() {
  if (sc::ScAsicModel::Elaborated() && RtlHarness::Exists()) return;
  if (!RtlHarness::Exists() && sc_core::sc_get_curr_simcontext()->elaboration_done()) {
    throw Error(ExitCode::kUnsupported,
                "cosim::tb::Elaborate() must run before the first sc_start of the process (the SystemC model "
                "was run before the testbench was built)");
  }
  sc::ScAsicModel::Instance();
  RtlHarness::Instance();
}

LayerCheck CheckLayer(const CompiledLayer& c, const LayerData& layer, const LayerInput& in, const LayerResult& golden,
                      const CosimOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  opt.Validate();
  Elaborate();
  const int B = in.batch, D = layer.channels, L = in.seq_len;
  const std::string where = "layer " + std::to_string(layer.index);
  if (in.x == nullptr || B < 1 || L < 1 || D < 1) throw Error(ExitCode::kBadInput, where + ": empty layer input");
  const size_t n = static_cast<size_t>(B) * D * L;
  if (golden.y.size() != n || golden.batch != B || golden.channels != D || golden.seq_len != L) {
    throw Error(ExitCode::kBadInput, where + ": golden y has " + std::to_string(golden.y.size()) +
                                         " codes, the layer input B*D*L = " + std::to_string(n));
  }
  LayerCheck r;
  r.layer = layer.index;
  r.elements = static_cast<int64_t>(n);

  sc::ScResult model;
  if (opt.use_model) {
    sc::ScOptions so;
    so.lanes = opt.lanes;
    so.steps_per_beat = opt.model_steps;
    so.fault = static_cast<sc::ScFault>(opt.model_fault);
    const auto tm = std::chrono::steady_clock::now();
    model = sc::ScAsicModel::Instance().RunLayer(c, layer, in, so);
    r.model_seconds = Since(tm);
    r.model_ran = true;
  }

  RtlJob job;
  RtlCapture rtl;
  if (opt.use_rtl) {
    r.rtl_note = RtlCannotRun(c.hw, D, opt.rtl_fault);
    if (r.rtl_note.empty()) {
      const RtlModel m = ChooseModel(c.hw, opt.rtl_fault);
      job.B = B;
      job.D = D;
      job.L = L;
      job.x = in.x;
      job.state = in.state;
      job.config = RtlConfigFor(c, layer);
      job.fault = opt.rtl_fault;
      job.seed = opt.seed;
      job.bubble_rate = opt.bubble_rate;
      job.backpressure_rate = opt.backpressure_rate;
      job.timeout_cycles = opt.rtl_timeout_cycles;
      const auto tr = std::chrono::steady_clock::now();
      rtl = RtlHarness::Instance().Run(job, m);
      r.rtl_seconds = Since(tr);
      r.rtl_ran = true;
      r.rtl_model = ToString(m);
      r.rtl_cycles = rtl.stream_cycles;
      r.rtl_config_cycles = rtl.config_cycles;
      r.rtl_protocol_errors = rtl.protocol_error_count;
    }
  } else {
    r.rtl_note = "disabled (use_rtl = false)";
  }

  ScoreInputs si;
  si.c = &c;
  si.layer = &layer;
  si.in = &in;
  si.golden = &golden;
  si.model = r.model_ran ? &model.out : nullptr;
  si.rtl = r.rtl_ran ? &rtl : nullptr;
  si.max_reports = opt.max_reports;
  ScoreResult sr = Score(si);
  r.model_vs_golden_mismatches = sr.model_vs_golden;
  r.rtl_vs_golden_mismatches = sr.rtl_vs_golden;
  r.rtl_vs_model_mismatches = sr.rtl_vs_model;
  // Stream (protocol) errors first, at most half the reports, so that element reports remain.
  const int stream_reports = std::max(opt.max_reports > 0 ? 1 : 0, opt.max_reports / 2);
  for (const std::string& e : rtl.protocol_errors) {
    if (static_cast<int>(r.reports.size()) >= stream_reports) break;
    r.reports.push_back(where + " rtl stream: " + e);
  }
  if (rtl.protocol_error_count > static_cast<int64_t>(r.reports.size()) && opt.max_reports > 0) {
    r.reports.back() += "\n  (" + std::to_string(rtl.protocol_error_count) + " stream errors in total)";
  }
  for (std::string& s : sr.reports) {
    if (static_cast<int>(r.reports.size()) < opt.max_reports) r.reports.push_back(std::move(s));
  }

  // Waveform: the same job again (same seed, same cycles), dumping a window around the first
  // mismatching output beat.
  const bool rtl_failed = sr.have_rtl_mismatch || rtl.protocol_error_count > 0;
  if (!opt.wave_path.empty() && r.rtl_ran && rtl_failed) {
    // The re-run may use the other model (the clean one has no tracing): with the same fault,
    // seed and knobs both are cycle-identical.
    if (WaveModelTrace() == 0 || (WaveModel() == RtlModel::kClean && rtl.model == RtlModel::kVerify)) {
      r.reports.push_back(where + ": no waveform written: no linked RTL model that ran this layer has tracing");
    } else {
      uint64_t first = sr.have_rtl_mismatch ? sr.first_rtl_mismatch_cycle : rtl.total_cycles;
      if (!sr.have_rtl_mismatch && !rtl.protocol_errors.empty()) first = rtl.total_cycles;
      const uint64_t w = static_cast<uint64_t>(opt.wave_window);
      job.wave_path = opt.wave_path;
      job.wave_from = first > w ? first - w : 0;
      job.wave_to = first + w;
      const RtlCapture again = RtlHarness::Instance().Run(job, WaveModel());
      r.wave_file = again.wave_file;
      r.reports.push_back(where + ": waveform of cycles " + std::to_string(job.wave_from) + ".." +
                          std::to_string(job.wave_to) + " (first mismatching output beat at cycle " +
                          std::to_string(first) + ") written to " + again.wave_file);
    }
  }
  r.seconds = Since(t0);
  return r;
}

}  // namespace tb
}  // namespace cosim
