// sc_stages.h: the SC_MODULEs of the datapath, one SC_THREAD each, connected in a line by
// sc_fifo<Beat*> (see sc_model.cpp for the binding):
//
//   InputStream -> LineBuffer -> MacArray -> Requantizer -> Activation -> OutputStage
//
// Each thread reads a beat, does its stage for every lane and step by calling the model core's
// stage function (no arithmetic here), and writes the beat on. The profile selects what the
// last stages do: int-lut Requantizer = RequantToIndex, Activation = SiLU ROM (LookupSilu);
// fp32-sfu Requantizer = PreActivation (scale + bias in FP32), Activation = SFU
// (SfuActivateQuantize). Timed mode (ScOptions::timed): a stage holds a beat for `steps` cycles
// (one lane-vector per cycle), makes it visible downstream `latency` cycles after it started,
// and blocks while its output FIFO holds fifo_depth beats (back-pressure, counted as stall).
#pragma once

#include <systemc>

#include "sim/systemc/sc_beat.h"

namespace cosim {
namespace sc {

// The timing and FIFO discipline every stage shares.
class StageBase : public sc_core::sc_module {
 public:
  sc_core::sc_fifo_out<Beat*> out;

 protected:
  StageBase(sc_core::sc_module_name name, ModelContext* ctx, int stage_id)
      : sc_core::sc_module(name), ctx_(ctx), stage_(stage_id) {}
  LayerJob& job() { return *ctx_->job; }
  // Timed: waits until the beat may start here and returns the start time (untimed: now).
  sc_core::sc_time Begin(const Beat* b);
  // Sends the beat on: visible downstream at start + latency cycles; blocks while the output
  // FIFO is full (stall); then keeps the stage busy until start + busy_cycles.
  void Pass(Beat* b, const sc_core::sc_time& start, uint64_t latency, uint64_t busy_cycles);
  uint64_t Cycles(const sc_core::sc_time& t) const;

  ModelContext* ctx_;
  int stage_;
};

// Activation DMA: cuts the layer's x [B, D, L] into beats, order b, channel group, t0.
class InputStream : public StageBase {
 public:
  SC_HAS_PROCESS(InputStream);
  InputStream(sc_core::sc_module_name name, ModelContext* ctx);

 private:
  void Run();
};

// Line buffer: one 3-sample history register per lane (the carried conv state). Loads it at
// the first beat of a row (from LayerInput::state, or zeros), prepends it to every beat, keeps
// the last three samples, and reports them as state_out at the row's last beat.
class LineBuffer : public StageBase {
 public:
  sc_core::sc_fifo_in<Beat*> in;
  SC_HAS_PROCESS(LineBuffer);
  LineBuffer(sc_core::sc_module_name name, ModelContext* ctx);

 private:
  void Run();
  std::vector<int8_t> hist_;  // [lanes][3]
};

// MAC array: P lanes of MacTaps (4 taps, bias, accumulator register).
class MacArray : public StageBase {
 public:
  sc_core::sc_fifo_in<Beat*> in;
  SC_HAS_PROCESS(MacArray);
  MacArray(sc_core::sc_module_name name, ModelContext* ctx);

 private:
  void Run();
};

// Requantizer: int-lut RequantToIndex (multiplier, rounding shift, index saturation);
// fp32-sfu PreActivation (fl32(scale * acc) + bias_f).
class Requantizer : public StageBase {
 public:
  sc_core::sc_fifo_in<Beat*> in;
  SC_HAS_PROCESS(Requantizer);
  Requantizer(sc_core::sc_module_name name, ModelContext* ctx);

 private:
  void Run();
};

// Activation: int-lut SiLU table ROM (LookupSilu, clamp flags); fp32-sfu the SFU
// (SfuActivateQuantize: silu32, divide by s_oe, round, saturate).
class Activation : public StageBase {
 public:
  sc_core::sc_fifo_in<Beat*> in;
  SC_HAS_PROCESS(Activation);
  Activation(sc_core::sc_module_name name, ModelContext* ctx);

 private:
  void Run();
};

// Output stage: writes each beat into the result arrays [B, D, L], sums the counters, returns
// the beat to the pool, and ends the layer (sc_pause) after its last beat.
class OutputStage : public sc_core::sc_module {
 public:
  sc_core::sc_fifo_in<Beat*> in;
  SC_HAS_PROCESS(OutputStage);
  OutputStage(sc_core::sc_module_name name, ModelContext* ctx);

 private:
  void Run();
  ModelContext* ctx_;
};

}  // namespace sc
}  // namespace cosim
