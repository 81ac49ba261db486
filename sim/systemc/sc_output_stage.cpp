// OutputStage: the result memory writer and end-of-layer detection.
#include <cmath>
#include <cstring>

#include "sim/systemc/sc_stages.h"

namespace cosim {
namespace sc {

OutputStage::OutputStage(sc_core::sc_module_name name, ModelContext* ctx) : sc_core::sc_module(name), ctx_(ctx) {
  SC_THREAD(Run);
}

namespace {
template <typename T>
void CopyRow(std::vector<T>& dst, size_t offset, const T* src, int n) {
  if (!dst.empty()) std::memcpy(&dst[offset], src, sizeof(T) * static_cast<size_t>(n));
}
}  // namespace

void OutputStage::Run() {
  SplitMix64 rng(0);
  for (;;) {
    Beat* bt = in->read();
    LayerJob& j = *ctx_->job;
    if (bt->seq == 0) rng = SplitMix64(j.opt->seed * 2 + 2);  // stalls: reproducible per layer
    const bool timed = j.opt->timed;
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (timed && bt->ready > now) wait(bt->ready - now);
    const sc_core::sc_time start = sc_core::sc_time_stamp();
    LayerResult& r = *j.out;
    for (int l = 0; l < bt->lanes; ++l) {
      const size_t row = static_cast<size_t>(bt->b) * j.D + bt->d0 + l;
      const size_t o = row * j.L + bt->t0;
      CopyRow(r.y, o, bt->code_of(l), bt->steps);
      CopyRow(r.acc, o, bt->acc_of(l), bt->steps);
      if (j.int_lut) {
        CopyRow(r.index, o, bt->index_of(l), bt->steps);
      } else {
        CopyRow(r.pre_act, o, bt->pre_of(l), bt->steps);
        CopyRow(r.silu, o, bt->silu_of(l), bt->steps);
      }
      if (bt->row_last) std::memcpy(&r.state_out[row * kStateLen], &bt->state_out[l * size_t{kStateLen}], kStateLen);
    }
    r.counters += bt->cnt;
    const int steps = bt->steps;
    ctx_->pool.Release(bt);
    ++j.delivered;
    if (timed) {
      const uint64_t stalls = rng.IdleCycles(steps, j.opt->sink_stall_rate);
      j.timing->sink_stalls += stalls;
      const double lat = j.opt->latency.output;
      if (j.delivered == 1) {
        j.timing->first_output_latency = static_cast<uint64_t>(std::llround((start - j.start) / j.period + lat));
      }
      j.end = start + j.period * (static_cast<double>(steps + stalls) + lat);
      if (j.delivered < j.total_beats) wait(j.period * static_cast<double>(steps + stalls));
    }
    if (j.delivered == j.total_beats) {
      j.done = true;
      sc_core::sc_pause();
    }
  }
}

}  // namespace sc
}  // namespace cosim
