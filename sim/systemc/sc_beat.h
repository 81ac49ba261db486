// sc_beat.h: the transaction that moves through the SystemC model, and the layer job it
// belongs to.
//
// A Beat is P lanes (channels d0 .. d0+lanes-1 of one sequence b) times a run of T time steps
// (t0 .. t0+steps-1). The FIFOs carry Beat* (ownership passes with the pointer); a pool
// recycles them, so a layer allocates only at its start. Payload arrays are lane-major with a
// per-lane stride of `cap` steps. Each stage fills its own arrays:
//   input stream  -> xext[l][3 .. 3+steps)   the new samples x[t0 .. t0+steps)
//   line buffer   -> xext[l][0 .. 3)         the 3 samples before t0 (carried history), so the
//                                            window of step t is xext[l] + t (4 bytes, oldest
//                                            first), and state_out at the row's last beat
//   MAC array     -> acc
//   requantizer   -> index (int-lut) or pre_act (fp32-sfu)
//   activation    -> code, and silu (fp32-sfu)
// and adds its events to `cnt`.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <systemc>

#include "sim/core/compile.h"
#include "sim/core/datapath.h"
#include "sim/core/layer.h"
#include "sim/core/stage_mac.h"
#include "sim/core/stage_requant.h"
#include "sim/systemc/sc_model.h"

namespace cosim {
namespace sc {

// Capacity every sc_fifo is built with; ScOptions::fifo_depth plus the beats inside a stage's
// pipeline registers are enforced at run time (StageBase::Pass).
constexpr int kFifoCapacity = kMaxFifoDepth + kMaxStageLatency + 1;

struct Beat {
  int b = 0, d0 = 0, lanes = 0, t0 = 0, steps = 0;
  bool row_first = false, row_last = false;  // t0 == 0 / t0 + steps == L
  uint64_t seq = 0;                           // position in the layer's stream
  sc_core::sc_time ready;                     // timed: when the next stage may start on it
  int cap = 0;                                // allocated steps per lane
  std::vector<int8_t> xext;                   // [lanes][cap + 3]
  std::vector<int32_t> acc, index, code;      // [lanes][cap]
  std::vector<float> pre_act, silu;           // [lanes][cap]
  std::vector<int8_t> state_out;              // [lanes][3], valid when row_last
  LayerCounters cnt;

  int8_t* xe(int l) { return &xext[static_cast<size_t>(l) * (cap + kStateLen)]; }
  int32_t* acc_of(int l) { return &acc[static_cast<size_t>(l) * cap]; }
  int32_t* index_of(int l) { return &index[static_cast<size_t>(l) * cap]; }
  int32_t* code_of(int l) { return &code[static_cast<size_t>(l) * cap]; }
  float* pre_of(int l) { return &pre_act[static_cast<size_t>(l) * cap]; }
  float* silu_of(int l) { return &silu[static_cast<size_t>(l) * cap]; }

  // Sets the stride for `lanes` x `steps` and grows the payload arrays to fit (never shrinks).
  void Fit(int lanes, int steps, bool sfu) {
    cap = steps;
    const size_t n = static_cast<size_t>(lanes) * steps;
    Grow(xext, static_cast<size_t>(lanes) * (steps + kStateLen));
    Grow(acc, n);
    Grow(code, n);
    if (sfu) {
      Grow(pre_act, n);
      Grow(silu, n);
    } else {
      Grow(index, n);
    }
    Grow(state_out, static_cast<size_t>(lanes) * kStateLen);
  }

 private:
  template <typename V>
  static void Grow(V& v, size_t n) {
    if (v.size() < n) v.resize(n);
  }
};

// One layer streaming through the model: read-only for the stages except the result, the
// timing and the completion fields, which only the output stage (and the stall accounting of
// each stage) writes.
struct LayerJob {
  const CompiledLayer* c = nullptr;
  const LayerData* layer = nullptr;
  const LayerInput* in = nullptr;
  const ScOptions* opt = nullptr;
  LayerResult* out = nullptr;
  ScTiming* timing = nullptr;
  bool int_lut = true;
  // Per channel, the block-form constants of the MAC and (int-lut) requant stages with the
  // planted fault applied (sim/core stage_mac.h, stage_requant.h); a channel whose constants
  // the block forms do not cover has block_ok[d] == 0 and runs the element forms.
  std::vector<MacChannel> mac;
  std::vector<RequantChannel> rq;
  std::vector<uint8_t> block_ok;
  int B = 0, D = 0, L = 0, P = 0, T = 0, groups = 0;
  uint64_t total_beats = 0;
  sc_core::sc_time period, start, end;
  uint64_t delivered = 0;
  bool done = false;
};

// Recycles beats; all model threads run on one OS thread (SystemC coroutines), so no locks.
class BeatPool {
 public:
  Beat* Acquire(int lanes, int steps, bool sfu) {
    if (free_.empty()) {
      all_.push_back(std::make_unique<Beat>());
      free_.push_back(all_.back().get());
    }
    Beat* b = free_.back();
    free_.pop_back();
    b->Fit(lanes, steps, sfu);
    b->cnt = LayerCounters{};
    return b;
  }
  void Release(Beat* b) { free_.push_back(b); }

 private:
  std::vector<std::unique_ptr<Beat>> all_;
  std::vector<Beat*> free_;
};

// What the modules share: the current job, the start event, the pool.
struct ModelContext {
  LayerJob* job = nullptr;   // &job_storage while a layer runs
  LayerJob job_storage;
  ScOptions opt;             // the options of the running layer
  bool pending = false;  // a job was posted and the input stream has not taken it yet
  sc_core::sc_event start{"cosim_sc_job_start"};
  BeatPool pool;
};

// Deterministic, portable generator for bubbles and stalls (SplitMix64).
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Idle cycles added to `steps` busy cycles when each cycle is idle with probability `rate`.
  uint64_t IdleCycles(int steps, double rate) {
    uint64_t k = 0;
    if (rate <= 0) return 0;
    for (int i = 0; i < steps; ++i)
      while (Uniform() < rate) ++k;
    return k;
  }

 private:
  uint64_t s_;
};

}  // namespace sc
}  // namespace cosim
