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
  const bool last = b->seq + 1 == j.total_beats;  // read before the beat leaves this stage
  if (timed) b->ready = start + j.period * static_cast<double>(latency);
  // The FIFOs are built kFifoCapacity deep; the depth is enforced here at run time. The
  // beats inside this stage's pipeline registers (latency cycles = ceil(latency / T) beats)
  // wait in the FIFO too (the consumer takes them when they are ready), so they add to it.
  const uint64_t in_pipeline = (latency + static_cast<uint64_t>(j.T) - 1) / static_cast<uint64_t>(j.T);
  const int capacity = j.opt->fifo_depth + static_cast<int>(in_pipeline);
  const int reserve = kFifoCapacity - capacity;
  const sc_time before = sc_time_stamp();
  while (out->num_free() <= reserve) wait(out->data_read_event());
  out->write(b);
  // After the layer's last beat nothing follows: no busy wait, so that every thread is idle
  // (blocked on a FIFO read) when the output stage ends the layer.
  if (!timed) return;
  const sc_time after = sc_time_stamp();
  j.timing->stall_cycles[stage_] += Cycles(after - before);
  if (last) return;
  const sc_time end = start + j.period * static_cast<double>(busy_cycles);
  if (end > after) wait(end - after);
}

}  // namespace sc
}  // namespace cosim
