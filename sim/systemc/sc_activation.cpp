// Activation: int-lut SiLU table ROM (stage_silu_lut.h LookupBlock, docs/datapath.md 5.3);
// fp32-sfu the special-function unit (stage_sfu.h SfuActivateQuantize, 6.3-6.4).
#include "sim/core/stage_sfu.h"
#include "sim/core/stage_silu_lut.h"
#include "sim/systemc/sc_stages.h"

namespace cosim {
namespace sc {

Activation::Activation(sc_core::sc_module_name name, ModelContext* ctx) : StageBase(name, ctx, kStActivation) {
  SC_THREAD(Run);
}

void Activation::Run() {
  for (;;) {
    Beat* bt = in->read();
    const sc_core::sc_time start = Begin(bt);
    const LayerJob& j = job();
    const CompiledLayer& c = *j.c;
    const ScFault fault = j.opt->fault;
    int64_t saturated = 0;
    if (j.int_lut) {
      const int n = c.hw.lut_index_bits;
      const int32_t* lut = c.lut.data();
      const uint8_t* clamped = c.lut_clamped.data();
      const bool off_by_one = fault == ScFault::kLutIndexOffByOne;
      for (int l = 0; l < bt->lanes; ++l) {
        const int32_t* index = bt->index_of(l);
        int32_t* code = bt->code_of(l);
        if (!off_by_one) {
          saturated += LookupBlock(lut, clamped, index, bt->steps, n, code);
          continue;
        }
        for (int t = 0; t < bt->steps; ++t) {
          // The fault presents the next address to the ROM (wrapping at the table's end).
          const int64_t idx = off_by_one ? WrapSigned(int64_t{index[t]} + 1, n) : index[t];
          code[t] = LookupSilu(lut, idx, n);
          saturated += clamped[LutAddress(idx, n)];
        }
      }
    } else {
      const Rounding r = fault == ScFault::kWrongRounding ? WrongRounding(c.hw.rounding) : c.hw.rounding;
      const float s_oe = c.effective_output_scale;
      const int w = c.hw.output_bits;
      for (int l = 0; l < bt->lanes; ++l) {
        const float* pre = bt->pre_of(l);
        float* silu = bt->silu_of(l);
        int32_t* code = bt->code_of(l);
        for (int t = 0; t < bt->steps; ++t) {
          const SfuOutput s = SfuActivateQuantize(pre[t], s_oe, r, w);
          silu[t] = s.silu;
          code[t] = static_cast<int32_t>(s.code);
          saturated += s.saturated;
        }
      }
    }
    bt->cnt.output_saturated += saturated;
    Pass(bt, start, static_cast<uint64_t>(j.opt->latency.activation), static_cast<uint64_t>(bt->steps));
  }
}

}  // namespace sc
}  // namespace cosim
