// MacArray: P lanes of the 4-tap MAC (stage_mac.h: MacBlock, or MacTaps for constants the block
// form does not cover), docs/datapath.md 5.1 / 6.1.
#include "sim/core/stage_mac.h"
#include "sim/systemc/sc_stages.h"

namespace cosim {
namespace sc {

MacArray::MacArray(sc_core::sc_module_name name, ModelContext* ctx) : StageBase(name, ctx, kStMac) {
  SC_THREAD(Run);
}

void MacArray::Run() {
  for (;;) {
    Beat* bt = in->read();
    const sc_core::sc_time start = Begin(bt);
    const LayerJob& j = job();
    const HwConfig& hw = j.c->hw;
    const ScFault fault = j.opt->fault;
    const Overflow ov = FaultedOverflow(fault, hw.acc_overflow);
    const int acc_bits = hw.acc_bits;
    int64_t overflows = 0;
    for (int l = 0; l < bt->lanes; ++l) {
      const int d = bt->d0 + l;
      const int8_t* xe = bt->xe(l);
      int32_t* acc = bt->acc_of(l);
      if (j.block_ok[static_cast<size_t>(d)]) {  // the block form (constants with the fault applied)
        const MacChannel& m = j.mac[static_cast<size_t>(d)];
        overflows += ov == Overflow::kSaturate ? MacBlock<Overflow::kSaturate>(m, xe, bt->steps, acc)
                                               : MacBlock<Overflow::kWrap>(m, xe, bt->steps, acc);
        continue;
      }
      int8_t taps[kTaps];
      FaultedTaps(fault, &j.layer->weight[static_cast<size_t>(d) * kTaps], taps);
      // fp32-sfu adds its bias after the scale (Requantizer), int-lut folds it in here.
      const int64_t bias = FaultedMacBias(fault, j.int_lut, j.int_lut ? j.c->bias_acc[d] : 0);
      for (int t = 0; t < bt->steps; ++t) {
        const MacResult m = MacTaps(taps, xe + t, bias, acc_bits, ov);
        acc[t] = static_cast<int32_t>(m.acc);
        overflows += m.overflow;
      }
    }
    bt->cnt.acc_overflow += overflows;
    Pass(bt, start, static_cast<uint64_t>(j.opt->latency.mac), static_cast<uint64_t>(bt->steps));
  }
}

}  // namespace sc
}  // namespace cosim
