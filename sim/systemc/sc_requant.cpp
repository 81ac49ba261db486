// Requantizer: int-lut RequantToIndex (stage_requant.h, docs/datapath.md 5.2);
// fp32-sfu PreActivation (stage_sfu.h, 6.2).
#include <algorithm>
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
      const Rounding r = fault == ScFault::kWrongRounding ? WrongRounding(c.hw.rounding) : c.hw.rounding;
      const int index_bits = c.hw.lut_index_bits;
      int64_t saturated = 0;
      for (int l = 0; l < bt->lanes; ++l) {
        const int d = bt->d0 + l;
        const int64_t mult = c.mult[d];
        const int shift = fault == ScFault::kShiftOffByOne ? std::min(c.shift[d] + 1, 62) : c.shift[d];
        const int32_t* acc = bt->acc_of(l);
        int32_t* index = bt->index_of(l);
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
