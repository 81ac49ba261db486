// Requantizer: int-lut RequantBlock, or RequantToIndex for constants the block form does not
// cover (stage_requant.h, docs/datapath.md 5.2);
// fp32-sfu PreActivation (stage_sfu.h, 6.2).
#include <cmath>

#include "sim/core/stage_requant.h"
#include "sim/core/stage_sfu.h"
#include "sim/systemc/sc_stages.h"

namespace cosim {
namespace sc {

Requantizer::Requantizer(sc_core::sc_module_name name, ModelContext* ctx) : StageBase(name, ctx, kStRequant) {
  SC_THREAD(Run);
}

void Requantizer::Run() {
  for (;;) {
    Beat* bt = in->read();
    const sc_core::sc_time start = Begin(bt);
    const LayerJob& j = job();
    const CompiledLayer& c = *j.c;
    const ScFault fault = j.opt->fault;
    if (j.int_lut) {
      const Rounding r = FaultedRounding(fault, c.hw.rounding);
      const int index_bits = c.hw.lut_index_bits;
      int64_t saturated = 0;
      for (int l = 0; l < bt->lanes; ++l) {
        const int d = bt->d0 + l;
        const int32_t* acc = bt->acc_of(l);
        int32_t* index = bt->index_of(l);
        if (j.block_ok[static_cast<size_t>(d)]) {  // the block form (constants with the fault applied)
          const RequantChannel& q = j.rq[static_cast<size_t>(d)];
          const int n = bt->steps;
          switch (q.mode) {
            case Rounding::kHalfAwayFromZero: saturated += RequantBlock<Rounding::kHalfAwayFromZero>(q, acc, n, index); break;
            case Rounding::kHalfToEven: saturated += RequantBlock<Rounding::kHalfToEven>(q, acc, n, index); break;
            case Rounding::kHalfUp: saturated += RequantBlock<Rounding::kHalfUp>(q, acc, n, index); break;
            case Rounding::kTruncate: saturated += RequantBlock<Rounding::kTruncate>(q, acc, n, index); break;
          }
          continue;
        }
        const int64_t mult = c.mult[d];
        const int shift = FaultedShift(fault, c.shift[d]);
        for (int t = 0; t < bt->steps; ++t) {
          const RequantResult q = RequantToIndex(acc[t], mult, shift, r, index_bits);
          index[t] = static_cast<int32_t>(q.index);
          saturated += q.saturated;
        }
      }
      bt->cnt.index_saturated += saturated;
    } else {
      for (int l = 0; l < bt->lanes; ++l) {
        const int d = bt->d0 + l;
        // Shift fault on the SFU: the scale's exponent is off by one (scale / 2).
        const float scale = fault == ScFault::kShiftOffByOne ? std::ldexp(c.acc_scale32[d], -1) : c.acc_scale32[d];
        const float bias_f = fault == ScFault::kBiasDropped ? 0.0f : c.bias_f32[d];
        const int32_t* acc = bt->acc_of(l);
        float* pre = bt->pre_of(l);
        for (int t = 0; t < bt->steps; ++t) pre[t] = PreActivation(acc[t], scale, bias_f);
      }
    }
    Pass(bt, start, static_cast<uint64_t>(j.opt->latency.requant), static_cast<uint64_t>(bt->steps));
  }
}

}  // namespace sc
}  // namespace cosim
