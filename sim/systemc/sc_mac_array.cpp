// MacArray: P lanes of the 4-tap MAC (stage_mac.h MacTaps), docs/datapath.md 5.1 / 6.1.
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
    const Overflow ov = fault == ScFault::kAccAlwaysWrap ? Overflow::kWrap : hw.acc_overflow;
    const int acc_bits = hw.acc_bits;
    int64_t overflows = 0;
    for (int l = 0; l < bt->lanes; ++l) {
      const int d = bt->d0 + l;
      const int8_t* w = &j.layer->weight[static_cast<size_t>(d) * kTaps];
      int8_t taps[kTaps];
      for (int k = 0; k < kTaps; ++k) taps[k] = fault == ScFault::kTapsReversed ? w[kTaps - 1 - k] : w[k];
      // fp32-sfu adds its bias after the scale (Requantizer), int-lut folds it in here.
      const int64_t bias = (j.int_lut && fault != ScFault::kBiasDropped) ? j.c->bias_acc[d] : 0;
      const int8_t* xe = bt->xe(l);
      int32_t* acc = bt->acc_of(l);
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
