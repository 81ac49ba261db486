// InputStream: cuts x [B, D, L] into beats (b, channel group, run of T steps).
#include <algorithm>
#include <cstring>

#include "sim/systemc/sc_stages.h"

namespace cosim {
namespace sc {

InputStream::InputStream(sc_core::sc_module_name name, ModelContext* ctx) : StageBase(name, ctx, kStInput) {
  SC_THREAD(Run);
}

void InputStream::Run() {
  for (;;) {
    while (!ctx_->pending) wait(ctx_->start);
    ctx_->pending = false;
    LayerJob& j = job();
    j.start = sc_core::sc_time_stamp();
    SplitMix64 rng(j.opt->seed * 2 + 1);
    uint64_t seq = 0;
    for (int b = 0; b < j.B; ++b) {
      for (int g = 0; g < j.groups; ++g) {
        const int d0 = g * j.P, lanes = std::min(j.P, j.D - d0);
        for (int t0 = 0; t0 < j.L; t0 += j.T) {
          const int steps = std::min(j.T, j.L - t0);
          Beat* bt = ctx_->pool.Acquire(j.P, j.T, !j.int_lut);
          bt->b = b;
          bt->d0 = d0;
          bt->lanes = lanes;
          bt->t0 = t0;
          bt->steps = steps;
          bt->row_first = t0 == 0;
          bt->row_last = t0 + steps == j.L;
          bt->seq = seq++;
          for (int l = 0; l < lanes; ++l) {
            const int8_t* src = j.in->x + (static_cast<size_t>(b) * j.D + d0 + l) * j.L + t0;
            std::memcpy(bt->xe(l) + kStateLen, src, static_cast<size_t>(steps));
          }
          const sc_core::sc_time start = sc_core::sc_time_stamp();
          uint64_t bubbles = 0;
          if (j.opt->timed) {
            bubbles = rng.IdleCycles(steps, j.opt->source_bubble_rate);
            j.timing->source_bubbles += bubbles;
          }
          // A beat with bubbles is complete (and may start downstream) after them.
          Pass(bt, start, bubbles + static_cast<uint64_t>(j.opt->latency.input), steps + bubbles);
        }
      }
    }
  }
}

}  // namespace sc
}  // namespace cosim
