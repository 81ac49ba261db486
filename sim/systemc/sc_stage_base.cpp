#include <cmath>

#include "sim/systemc/sc_stages.h"

namespace cosim {
namespace sc {

using sc_core::sc_time;
using sc_core::sc_time_stamp;

uint64_t StageBase::Cycles(const sc_time& t) const {
  return static_cast<uint64_t>(std::llround(t / ctx_->job->period));
}

sc_time StageBase::Begin(const Beat* b) {
  if (!job().opt->timed) return sc_time_stamp();
  const sc_time now = sc_time_stamp();
  if (b->ready > now) wait(b->ready - now);
  return sc_time_stamp();
}

void StageBase::Pass(Beat* b, const sc_time& start, uint64_t latency, uint64_t busy_cycles) {
  LayerJob& j = job();
  const bool timed = j.opt->timed;
  if (timed) b->ready = start + j.period * static_cast<double>(latency);
  // The FIFOs are built kMaxFifoDepth deep; fifo_depth is enforced here at run time.
  const int reserve = kMaxFifoDepth - j.opt->fifo_depth;
  const sc_time before = sc_time_stamp();
  while (out->num_free() <= reserve) wait(out->data_read_event());
  out->write(b);
  if (!timed) return;
  const sc_time after = sc_time_stamp();
  j.timing->stall_cycles[stage_] += Cycles(after - before);
  const sc_time end = start + j.period * static_cast<double>(busy_cycles);
  if (end > after) wait(end - after);
}

}  // namespace sc
}  // namespace cosim
