// sc_model.h: the SystemC transaction-level model of the ASIC datapath (public API).
//
// Contract: ScAsicModel::RunLayer streams one layer (compiled parameters + activations) through
// a pipeline of SC_MODULEs (input stream, line buffer, MAC array, requantizer, activation,
// output stage) connected by sc_fifo<Beat*> and returns exactly what cosim::RunLayer returns,
// bit for bit, for every profile and knob set (with ScFault::kNone). All arithmetic is done by
// the model core's stage functions (sim/core/stage_*.h); this model only moves data.
//
// SystemC elaborates once per process: the first Instance() call builds the module tree, and
// every later RunLayer streams another layer through the same modules. Every option below is a
// run-time option (it may change between RunLayer calls). One model per process; not
// thread-safe. If the process also needs other SystemC modules (the tb/sc testbench), those
// must be constructed before the first RunLayer (the first sc_start).
//
// Example:
//   ScOptions o; o.lanes = 16; o.timed = true;
//   ScResult r = ScAsicModel::Instance(o).RunLayer(compiled, layer, input);
//   // r.out == cosim::RunLayer(compiled, layer, input); r.timing.cycles, first_output_latency
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/compile.h"
#include "sim/core/datapath.h"
#include "sim/core/layer.h"
#include "sim/systemc/sc_faults.h"

namespace cosim {
namespace sc {

// Pipeline latency of each stage in cycles (timed mode): a lane-vector entering a stage at
// cycle c is visible to the next stage at c + latency. Throughput is one lane-vector per cycle
// per stage regardless of latency.
struct ScLatency {
  int input = 1;      // input stream (activation DMA) to line buffer
  int line_buffer = 1;
  int mac = 2;        // 4 multipliers + adder tree + accumulator register
  int requant = 2;    // int-lut: 32x16 multiply + rounding shift; fp32-sfu: fmul + fadd
  int activation = 1; // int-lut: SiLU ROM read; fp32-sfu: exp + div + quantize (set it higher)
  int output = 1;     // output register
  // Each 0..kMaxStageLatency.
};

struct ScOptions {
  int lanes = 16;             // P: channels processed in parallel (1..1024)
  int steps_per_beat = 256;   // T: time steps per transaction (1..65536); T = 1 is cycle-like
  int fifo_depth = 2;         // beats each inter-stage FIFO holds (1..kMaxFifoDepth)
  bool timed = false;         // false: untimed, zero simulated time (regressions)
  double clock_ns = 1.0;      // timed: clock period
  ScLatency latency;          // timed: per-stage latency in cycles
  double source_bubble_rate = 0.0;  // timed: probability that an input cycle carries no data
  double sink_stall_rate = 0.0;     // timed: probability that the output sink stalls a cycle
  uint64_t seed = 1;          // timed: bubbles and stalls (deterministic per layer)
  bool keep_intermediates = true;   // fill acc and index / pre_act and silu in the result
  ScFault fault = ScFault::kNone;   // planted bug, see sc_faults.h

  // Throws cosim::Error(kUsage) naming the field when a value is out of range.
  void Validate() const;
};

constexpr int kMaxFifoDepth = 64;
constexpr int kMaxStageLatency = 1000;

// Pipeline stages, in order, for per-stage statistics.
enum ScStage : int { kStInput, kStLineBuffer, kStMac, kStRequant, kStActivation, kStOutput, kNumStages };
const char* StageName(int stage);

struct ScTiming {
  bool timed = false;
  uint64_t beats = 0;                  // transactions streamed
  uint64_t lane_vectors = 0;           // beats * steps: cycles of work per stage
  double lane_utilization = 0;         // elements / (lane_vectors * lanes); < 1 when P does not divide D
  // Timed mode only (zero otherwise):
  uint64_t cycles = 0;                 // first input cycle to the cycle after the last output
  uint64_t first_output_latency = 0;   // cycles from the first input to the first output
  uint64_t stall_cycles[kNumStages] = {};  // cycles a stage waited on a full output FIFO
  uint64_t source_bubbles = 0;         // idle input cycles
  uint64_t sink_stalls = 0;            // output cycles refused by the sink
  uint64_t config_cycles = 0;          // one config write per cycle: D * 4 params (+ 2^N table)
  double elements_per_cycle = 0;       // B*D*L / cycles
};

struct ScResult {
  LayerResult out;     // same layout and meaning as cosim::RunLayer's result
  ScTiming timing;
  double wall_seconds = 0;
};

class ScAsicModel {
 public:
  // The one model of the process; elaborates the SystemC modules on the first call. The
  // overload with options also makes them the current options.
  static ScAsicModel& Instance();
  static ScAsicModel& Instance(const ScOptions& opt);
  // True once the modules exist (whether or not simulation has started).
  static bool Elaborated();

  void SetOptions(const ScOptions& opt);  // validates
  const ScOptions& options() const { return opt_; }

  // Streams one layer through the model with the current options (or `opt`). Throws
  // cosim::Error with the same messages as cosim::RunLayer for bad input.
  ScResult RunLayer(const CompiledLayer& c, const LayerData& layer, const LayerInput& in);
  ScResult RunLayer(const CompiledLayer& c, const LayerData& layer, const LayerInput& in, const ScOptions& opt);

  ScAsicModel(const ScAsicModel&) = delete;
  ScAsicModel& operator=(const ScAsicModel&) = delete;

 private:
  ScAsicModel();
  struct Impl;
  Impl* impl_;  // owned; lives until process exit (SystemC modules cannot be destroyed safely)
  ScOptions opt_;
};

}  // namespace sc
}  // namespace cosim
