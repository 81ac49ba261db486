// host_run.cpp: RunHost, the element functions of element.h over a layer, threads over rows.
#include <algorithm>
#include <thread>
#include <vector>

#include "gpu_ref/element.h"
#include "gpu_ref/floatsim.h"
#include "gpu_ref/prepare.h"

namespace cosim::fsim {
namespace {

struct Counts {
  int64_t acc = 0, idx = 0, out = 0;
};

template <ElemOp kOp>
void RunRows(const Prepared& pr, const LayerView& v, int64_t row_begin, int64_t row_end,
             ModeResult& res, Counts& n) {
  const LayerParams& p = pr.lp;
  const LutView lut{pr.lut.data(), pr.lut_clamped.data(), pr.lut_before.data()};
  const int L = v.L;
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int d = static_cast<int>(row % v.D);
    const ChannelParams& c = pr.ch[d];
    const int8_t* xr = v.x + row * L;
    int hist[3] = {0, 0, 0};  // x[t-3], x[t-2], x[t-1]
    if (v.state)
      for (int j = 0; j < 3; ++j) hist[j] = v.state[row * 3 + j];
    for (int t = 0; t < L; ++t) {
      Window w;
      w.x[0] = hist[0];
      w.x[1] = hist[1];
      w.x[2] = hist[2];
      w.x[3] = xr[t];
      w.packed = 0;
      for (int k = 0; k < kTaps; ++k)
        w.packed |= static_cast<uint32_t>(static_cast<uint8_t>(w.x[k])) << (8 * k);
      const ElemOut o = EvalElement<kOp>(c, p, lut, w, p.rounding);
      const int64_t i = row * L + t;
      if (pr.has_codes) res.codes[i] = o.code;
      res.before_quant[i] = o.before;
      res.after_quant[i] = o.after;
      n.acc += (o.flags & kFlagAccOverflow) != 0;
      n.idx += (o.flags & kFlagIndexSat) != 0;
      n.out += (o.flags & kFlagOutputSat) != 0;
      hist[0] = hist[1];
      hist[1] = hist[2];
      hist[2] = w.x[3];
    }
  }
}

using RowFn = void (*)(const Prepared&, const LayerView&, int64_t, int64_t, ModeResult&, Counts&);

RowFn RowFnFor(ElemOp op) {
  switch (op) {
    case ElemOp::kQuamba: return RunRows<ElemOp::kQuamba>;
    case ElemOp::kQuambaFastExp: return RunRows<ElemOp::kQuambaFastExp>;
    case ElemOp::kUpperBound: return RunRows<ElemOp::kUpperBound>;
    case ElemOp::kNaive: return RunRows<ElemOp::kNaive>;
    case ElemOp::kAsicLut: return RunRows<ElemOp::kAsicLut>;
    case ElemOp::kAsicSfu: return RunRows<ElemOp::kAsicSfu>;
    case ElemOp::kFsimLut: return RunRows<ElemOp::kFsimLut>;
    case ElemOp::kFsimSfu:
    default: return RunRows<ElemOp::kFsimSfu>;
  }
}

}  // namespace

ModeResult RunHost(Mode mode, const LayerView& v, const Knobs& knobs, float factor, int threads) {
  const Prepared pr = Prepare(mode, v, knobs, factor);
  const int64_t rows = int64_t{v.B} * v.D, n = rows * v.L;
  ModeResult res;
  if (pr.has_codes) res.codes.resize(n);
  res.before_quant.resize(n);
  res.after_quant.resize(n);
  res.effective_scale = pr.effective_scale;

  int nt = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
  nt = static_cast<int>(std::clamp<int64_t>(std::min<int64_t>(nt, n / 4096 + 1), 1, rows));
  const RowFn fn = RowFnFor(pr.lp.op);
  std::vector<Counts> counts(nt);
  if (nt == 1) {
    fn(pr, v, 0, rows, res, counts[0]);
  } else {
    std::vector<std::thread> pool;
    for (int i = 0; i < nt; ++i) {
      const int64_t b = rows * i / nt, e = rows * (i + 1) / nt;
      pool.emplace_back([&, i, b, e] { fn(pr, v, b, e, res, counts[i]); });
    }
    for (auto& t : pool) t.join();
  }
  for (const Counts& c : counts) {
    res.acc_overflows += c.acc;
    res.index_saturations += c.idx;
    res.saturations += c.out;
  }
  return res;
}

}  // namespace cosim::fsim
