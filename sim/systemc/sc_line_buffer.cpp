// LineBuffer: the per-lane 3-sample history (carried conv state), docs/datapath.md section 2.
#include <cstring>

#include "sim/systemc/sc_stages.h"

namespace cosim {
namespace sc {

LineBuffer::LineBuffer(sc_core::sc_module_name name, ModelContext* ctx) : StageBase(name, ctx, kStLineBuffer) {
  SC_THREAD(Run);
}

void LineBuffer::Run() {
  for (;;) {
    Beat* bt = in->read();
    const sc_core::sc_time start = Begin(bt);
    const LayerJob& j = job();
    if (bt->seq == 0) hist_.assign(static_cast<size_t>(j.P) * kStateLen, 0);  // reset per layer
    const bool reset = bt->row_first && j.opt->fault != ScFault::kStateNotReset;
    for (int l = 0; l < bt->lanes; ++l) {
      int8_t* h = &hist_[static_cast<size_t>(l) * kStateLen];
      if (reset) {
        const size_t row = static_cast<size_t>(bt->b) * j.D + bt->d0 + l;
        if (j.in->state != nullptr) {
          std::memcpy(h, j.in->state + row * kStateLen, kStateLen);
        } else {
          std::memset(h, 0, kStateLen);
        }
      }
      int8_t* xe = bt->xe(l);
      std::memcpy(xe, h, kStateLen);                // x[t0-3 .. t0-1]
      std::memcpy(h, xe + bt->steps, kStateLen);    // the last three samples of the run
      if (bt->row_last) std::memcpy(&bt->state_out[static_cast<size_t>(l) * kStateLen], h, kStateLen);
    }
    Pass(bt, start, static_cast<uint64_t>(j.opt->latency.line_buffer), static_cast<uint64_t>(bt->steps));
  }
}

}  // namespace sc
}  // namespace cosim
