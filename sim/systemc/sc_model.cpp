// ScAsicModel: elaboration of the module tree (once per process) and the per-layer API.
#include "sim/systemc/sc_model.h"

#include <chrono>
#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <string>

#include "sim/core/error.h"
#include "sim/systemc/sc_stages.h"

namespace cosim {
namespace sc {
namespace {

// The block-form constants of every channel, with the job's planted fault applied the way the
// stages apply it to the element forms (sc_faults.h).
void PrepareBlockForms(LayerJob& j) {
  const CompiledLayer& c = *j.c;
  const HwConfig& hw = c.hw;
  const ScFault f = j.opt->fault;
  j.mac.assign(static_cast<size_t>(j.D), MacChannel{});
  j.rq.assign(static_cast<size_t>(j.D), RequantChannel{});
  j.block_ok.assign(static_cast<size_t>(j.D), 0);
  for (int d = 0; d < j.D; ++d) {
    int8_t taps[kTaps];
    FaultedTaps(f, &j.layer->weight[static_cast<size_t>(d) * kTaps], taps);
    bool ok = MakeMacChannel(taps, FaultedMacBias(f, j.int_lut, j.int_lut ? c.bias_acc[d] : 0), hw.acc_bits,
                             &j.mac[static_cast<size_t>(d)]);
    if (j.int_lut) {
      ok = ok && MakeRequantChannel(c.mult[d], FaultedShift(f, c.shift[d]), FaultedRounding(f, hw.rounding),
                                    hw.lut_index_bits, hw.acc_bits, &j.rq[static_cast<size_t>(d)]);
    }
    j.block_ok[static_cast<size_t>(d)] = ok ? 1 : 0;
  }
}

bool g_elaborated = false;

// The top module: six stages in a line, five FIFOs of Beat*.
class ScTop : public sc_core::sc_module {
 public:
  ScTop(sc_core::sc_module_name name, ModelContext* ctx)
      : sc_core::sc_module(name),
        input("input_stream", ctx),
        line_buffer("line_buffer", ctx),
        mac("mac_array", ctx),
        requant("requantizer", ctx),
        activation("activation", ctx),
        output("output_stage", ctx),
        f_input("fifo_input", kFifoCapacity),
        f_line("fifo_line_buffer", kFifoCapacity),
        f_mac("fifo_mac", kFifoCapacity),
        f_requant("fifo_requant", kFifoCapacity),
        f_activation("fifo_activation", kFifoCapacity) {
    input.out(f_input);
    line_buffer.in(f_input);
    line_buffer.out(f_line);
    mac.in(f_line);
    mac.out(f_mac);
    requant.in(f_mac);
    requant.out(f_requant);
    activation.in(f_requant);
    activation.out(f_activation);
    output.in(f_activation);
  }

  InputStream input;
  LineBuffer line_buffer;
  MacArray mac;
  Requantizer requant;
  Activation activation;
  OutputStage output;
  sc_core::sc_fifo<Beat*> f_input, f_line, f_mac, f_requant, f_activation;
};

void Require(bool ok, const std::string& field, const std::string& range) {
  if (!ok) throw Error(ExitCode::kUsage, "SystemC model option " + field + " out of range (allowed " + range + ")");
}

// The same checks and messages as cosim::RunLayer.
void CheckInput(const CompiledLayer& c, const LayerData& layer, const LayerInput& in) {
  const std::string w = "layer " + std::to_string(layer.index);
  if (in.batch < 1 || in.seq_len < 1) {
    throw Error(ExitCode::kBadInput, w + ": batch and seq_len must be >= 1 (got B=" + std::to_string(in.batch) +
                                         ", L=" + std::to_string(in.seq_len) + ")");
  }
  if (in.x == nullptr) throw Error(ExitCode::kBadInput, w + ": no input activations");
  const size_t D = static_cast<size_t>(layer.channels);
  if (layer.weight.size() != D * kTaps) throw Error(ExitCode::kBadInput, w + ": weight must have D*4 entries");
  const bool ok = c.hw.profile == Profile::kIntLut
                      ? (c.mult.size() == D && c.shift.size() == D && c.bias_acc.size() == D &&
                         c.lut.size() == (size_t{1} << c.hw.lut_index_bits) && c.lut_clamped.size() == c.lut.size())
                      : (c.acc_scale32.size() == D && c.bias_f32.size() == D);
  if (!ok) throw Error(ExitCode::kInternal, w + ": compiled parameters do not match the layer");
}

}  // namespace

const char* StageName(int stage) {
  static const char* const kNames[kNumStages] = {"input", "line_buffer", "mac", "requant", "activation", "output"};
  return stage >= 0 && stage < kNumStages ? kNames[stage] : "?";
}

void ScOptions::Validate() const {
  Require(lanes >= 1 && lanes <= 1024, "lanes", "1..1024");
  Require(steps_per_beat >= 1 && steps_per_beat <= 65536, "steps_per_beat", "1..65536");
  Require(fifo_depth >= 1 && fifo_depth <= kMaxFifoDepth, "fifo_depth", "1.." + std::to_string(kMaxFifoDepth));
  Require(std::isfinite(clock_ns) && clock_ns >= 0.001 && clock_ns <= 1e6, "clock_ns", "0.001..1e6");
  for (int v : {latency.input, latency.line_buffer, latency.mac, latency.requant, latency.activation, latency.output})
    Require(v >= 0 && v <= kMaxStageLatency, "latency", "0.." + std::to_string(kMaxStageLatency) + " cycles per stage");
  Require(source_bubble_rate >= 0 && source_bubble_rate <= 0.95, "source_bubble_rate", "0..0.95");
  Require(sink_stall_rate >= 0 && sink_stall_rate <= 0.95, "sink_stall_rate", "0..0.95");
  Require(static_cast<int>(fault) >= 0 && static_cast<int>(fault) < kNumScFaults, "fault",
          "0.." + std::to_string(kNumScFaults - 1));
}

struct ScAsicModel::Impl {
  ModelContext ctx;
  ScTop top{"cosim_sc_asic", &ctx};
};

ScAsicModel::ScAsicModel() {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  if (sc_core::sc_get_curr_simcontext()->elaboration_done()) {
    throw Error(ExitCode::kInternal,
                "the SystemC model must be elaborated before the first sc_start of the process "
                "(call cosim::sc::ScAsicModel::Instance() before starting other SystemC modules)");
  }
  impl_ = new Impl();  // never deleted: SystemC objects live until process exit
  g_elaborated = true;
}

ScAsicModel& ScAsicModel::Instance() {
  static ScAsicModel* model = new ScAsicModel();
  return *model;
}

ScAsicModel& ScAsicModel::Instance(const ScOptions& opt) {
  ScAsicModel& m = Instance();
  m.SetOptions(opt);
  return m;
}

bool ScAsicModel::Elaborated() { return g_elaborated; }

void ScAsicModel::SetOptions(const ScOptions& opt) {
  opt.Validate();
  opt_ = opt;
}

ScResult ScAsicModel::RunLayer(const CompiledLayer& c, const LayerData& layer, const LayerInput& in) {
  return RunLayer(c, layer, in, opt_);
}

ScResult ScAsicModel::RunLayer(const CompiledLayer& c, const LayerData& layer, const LayerInput& in,
                               const ScOptions& opt_in) {
  opt_in.Validate();
  CheckInput(c, layer, in);
  const auto wall0 = std::chrono::steady_clock::now();
  const ScOptions opt = opt_in;  // the stages read it during the run
  ScResult res;
  LayerResult& r = res.out;
  const int B = in.batch, D = layer.channels, L = in.seq_len;
  const size_t rows = static_cast<size_t>(B) * D, n = rows * L;
  const bool int_lut = c.hw.profile == Profile::kIntLut;
  r.batch = B;
  r.channels = D;
  r.seq_len = L;
  r.y.resize(n);
  r.state_out.resize(rows * kStateLen);
  if (opt.keep_intermediates) {
    r.acc.resize(n);
    if (int_lut) {
      r.index.resize(n);
    } else {
      r.pre_act.resize(n);
      r.silu.resize(n);
    }
  }
  ScTiming& tm = res.timing;
  tm.timed = opt.timed;
  if (n == 0) return res;  // D == 0: nothing streams

  // The job lives in the context (not on this stack) so that no thread can see a dead one.
  ModelContext& ctx = impl_->ctx;
  ctx.opt = opt;
  LayerJob& job = ctx.job_storage;
  job = LayerJob{};
  job.c = &c;
  job.layer = &layer;
  job.in = &in;
  job.opt = &ctx.opt;
  job.out = &r;
  job.timing = &tm;
  job.int_lut = int_lut;
  job.B = B;
  job.D = D;
  job.L = L;
  job.P = opt.lanes;
  job.T = std::min(opt.steps_per_beat, L);
  job.groups = (D + job.P - 1) / job.P;
  const uint64_t runs = static_cast<uint64_t>((L + job.T - 1) / job.T);
  job.total_beats = static_cast<uint64_t>(B) * job.groups * runs;
  job.period = sc_core::sc_time(opt.clock_ns, sc_core::SC_NS);
  PrepareBlockForms(job);

  ctx.job = &job;
  ctx.pending = true;
  ctx.start.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();
  ctx.job = nullptr;
  if (!job.done) {
    throw Error(ExitCode::kInternal, "layer " + std::to_string(layer.index) + ": SystemC model stopped after " +
                                         std::to_string(job.delivered) + " of " +
                                         std::to_string(job.total_beats) + " beats");
  }
  tm.beats = job.total_beats;
  tm.lane_vectors = static_cast<uint64_t>(B) * job.groups * static_cast<uint64_t>(L);
  tm.lane_utilization = static_cast<double>(n) / (static_cast<double>(tm.lane_vectors) * job.P);
  if (opt.timed) {
    tm.cycles = static_cast<uint64_t>(std::llround((job.end - job.start) / job.period));
    tm.elements_per_cycle = static_cast<double>(n) / static_cast<double>(tm.cycles);
    tm.config_cycles = static_cast<uint64_t>(D) * 4 + (int_lut ? (uint64_t{1} << c.hw.lut_index_bits) : 0);
  }
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return res;
}

}  // namespace sc
}  // namespace cosim

// libsystemc.so carries a main() that calls sc_main(), and the shared library needs the symbol
// at link time. Programs of this project have their own main() and start the kernel through
// ScAsicModel, so this weak stub is never called; a program that defines sc_main overrides it.
__attribute__((weak)) int sc_main(int, char*[]) {
  std::fprintf(stderr, "cosim: sc_main called; this program must define main() or sc_main()\n");
  return 70;
}
