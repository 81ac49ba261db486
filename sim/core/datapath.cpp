#include "sim/core/datapath.h"

#include <algorithm>
#include <string>
#include <thread>

#include "sim/core/error.h"
#include "sim/core/stage_mac.h"
#include "sim/core/stage_requant.h"
#include "sim/core/stage_sfu.h"
#include "sim/core/stage_silu_lut.h"

namespace cosim {
namespace {

// The history of row (b, d) before t = 0: the carried state or zeros.
void InitialHistory(const LayerInput& in, int64_t row, int8_t hist[3]) {
  for (int j = 0; j < kStateLen; ++j) hist[j] = in.state ? in.state[row * kStateLen + j] : 0;
}

template <bool kKeep>
void RunRowIntLut(const CompiledLayer& c, const LayerData& layer, const LayerInput& in, int64_t row,
                  LayerResult& r, LayerCounters& cnt) {
  const int D = layer.channels, L = in.seq_len;
  const int d = static_cast<int>(row % D);
  const HwConfig& hw = c.hw;
  const int8_t* x = in.x + row * L;
  const int8_t* taps = &layer.weight[static_cast<size_t>(d) * kTaps];
  const int64_t bias = c.bias_acc[d], mult = c.mult[d];
  const int shift = c.shift[d];
  int8_t win[4];
  InitialHistory(in, row, win);
  for (int t = 0; t < L; ++t) {
    win[3] = x[t];
    const MacResult m = MacTaps(taps, win, bias, hw.acc_bits, hw.acc_overflow);
    const RequantResult q = RequantToIndex(m.acc, mult, shift, hw.rounding, hw.lut_index_bits);
    const int64_t addr = LutAddress(q.index, hw.lut_index_bits);
    const size_t o = static_cast<size_t>(row) * L + t;
    r.y[o] = c.lut[addr];
    cnt.acc_overflow += m.overflow;
    cnt.index_saturated += q.saturated;
    cnt.output_saturated += c.lut_clamped[addr];
    if (kKeep) {
      r.acc[o] = static_cast<int32_t>(m.acc);
      r.index[o] = static_cast<int32_t>(q.index);
    }
    win[0] = win[1];
    win[1] = win[2];
    win[2] = win[3];
  }
  std::copy(win, win + kStateLen, &r.state_out[row * kStateLen]);
}

template <bool kKeep>
void RunRowFp32Sfu(const CompiledLayer& c, const LayerData& layer, const LayerInput& in, int64_t row,
                   LayerResult& r, LayerCounters& cnt) {
  const int D = layer.channels, L = in.seq_len;
  const int d = static_cast<int>(row % D);
  const HwConfig& hw = c.hw;
  const int8_t* x = in.x + row * L;
  const int8_t* taps = &layer.weight[static_cast<size_t>(d) * kTaps];
  const float scale = c.acc_scale32[d], bias_f = c.bias_f32[d], s_oe = c.effective_output_scale;
  int8_t win[4];
  InitialHistory(in, row, win);
  for (int t = 0; t < L; ++t) {
    win[3] = x[t];
    const MacResult m = MacTaps(taps, win, 0, hw.acc_bits, hw.acc_overflow);
    const float pre = PreActivation(m.acc, scale, bias_f);
    const SfuOutput s = SfuActivateQuantize(pre, s_oe, hw.rounding, hw.output_bits);
    const size_t o = static_cast<size_t>(row) * L + t;
    r.y[o] = static_cast<int32_t>(s.code);
    cnt.acc_overflow += m.overflow;
    cnt.output_saturated += s.saturated;
    if (kKeep) {
      r.acc[o] = static_cast<int32_t>(m.acc);
      r.pre_act[o] = pre;
      r.silu[o] = s.silu;
    }
    win[0] = win[1];
    win[1] = win[2];
    win[2] = win[3];
  }
  std::copy(win, win + kStateLen, &r.state_out[row * kStateLen]);
}

void RunRow(const CompiledLayer& c, const LayerData& layer, const LayerInput& in, bool keep, int64_t row,
            LayerResult& r, LayerCounters& cnt) {
  if (c.hw.profile == Profile::kIntLut) {
    keep ? RunRowIntLut<true>(c, layer, in, row, r, cnt) : RunRowIntLut<false>(c, layer, in, row, r, cnt);
  } else {
    keep ? RunRowFp32Sfu<true>(c, layer, in, row, r, cnt) : RunRowFp32Sfu<false>(c, layer, in, row, r, cnt);
  }
}

void CheckInput(const CompiledLayer& c, const LayerData& layer, const LayerInput& in) {
  const std::string w = "layer " + std::to_string(layer.index);
  if (in.batch < 1 || in.seq_len < 1) {
    throw Error(ExitCode::kBadInput, w + ": batch and seq_len must be >= 1 (got B=" + std::to_string(in.batch) +
                                         ", L=" + std::to_string(in.seq_len) + ")");
  }
  if (in.x == nullptr) throw Error(ExitCode::kBadInput, w + ": no input activations");
  const size_t D = static_cast<size_t>(layer.channels);
  if (c.hw.profile == Profile::kIntLut && (c.mult.size() != D || c.lut.empty())) {
    throw Error(ExitCode::kInternal, w + ": compiled parameters do not match the layer");
  }
  if (c.hw.profile == Profile::kFp32Sfu && c.acc_scale32.size() != D) {
    throw Error(ExitCode::kInternal, w + ": compiled parameters do not match the layer");
  }
}

}  // namespace

LayerResult RunLayer(const CompiledLayer& c, const LayerData& layer, const LayerInput& in, const RunOptions& opt) {
  CheckInput(c, layer, in);
  const int64_t rows = static_cast<int64_t>(in.batch) * layer.channels;
  const size_t n = static_cast<size_t>(rows) * in.seq_len;
  LayerResult r;
  r.batch = in.batch;
  r.channels = layer.channels;
  r.seq_len = in.seq_len;
  r.y.resize(n);
  r.state_out.resize(static_cast<size_t>(rows) * kStateLen);
  if (opt.keep_intermediates) {
    r.acc.resize(n);
    if (c.hw.profile == Profile::kIntLut) {
      r.index.resize(n);
    } else {
      r.pre_act.resize(n);
      r.silu.resize(n);
    }
  }
  const int threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(opt.threads, rows)));
  std::vector<LayerCounters> per_thread(threads);
  auto work = [&](int tid) {
    // Contiguous blocks of rows: each thread writes disjoint ranges of every output.
    const int64_t begin = rows * tid / threads, end = rows * (tid + 1) / threads;
    for (int64_t row = begin; row < end; ++row) RunRow(c, layer, in, opt.keep_intermediates, row, r, per_thread[tid]);
  };
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (auto& th : pool) th.join();
  }
  for (const auto& pc : per_thread) r.counters += pc;
  return r;
}

ElementTrace TraceElement(const CompiledLayer& c, const LayerData& layer, const LayerInput& in, int b, int d,
                          int t) {
  ElementTrace e;
  const int64_t row = static_cast<int64_t>(b) * layer.channels + d;
  int8_t hist[3];
  InitialHistory(in, row, hist);
  for (int k = 0; k < kTaps; ++k) {
    const int pos = t - 3 + k;
    e.window[k] = pos >= 0 ? in.x[row * in.seq_len + pos] : hist[kStateLen + pos];
    e.taps[k] = layer.weight[static_cast<size_t>(d) * kTaps + k];
  }
  const HwConfig& hw = c.hw;
  e.bias_term = hw.profile == Profile::kIntLut ? c.bias_acc[d] : 0;
  e.exact_sum = e.bias_term;
  for (int k = 0; k < kTaps; ++k) e.exact_sum += int64_t{e.taps[k]} * e.window[k];
  const MacResult m = MacTaps(e.taps, e.window, e.bias_term, hw.acc_bits, hw.acc_overflow);
  e.acc = m.acc;
  e.acc_overflow = m.overflow;
  if (hw.profile == Profile::kIntLut) {
    e.index_unsat = RoundingShiftRight(m.acc * c.mult[d], c.shift[d], hw.rounding);
    const RequantResult q = RequantToIndex(m.acc, c.mult[d], c.shift[d], hw.rounding, hw.lut_index_bits);
    e.index = q.index;
    const int64_t addr = LutAddress(q.index, hw.lut_index_bits);
    e.code = c.lut[addr];
    e.output_saturated = c.lut_clamped[addr] != 0;
  } else {
    e.pre_act = PreActivation(m.acc, c.acc_scale32[d], c.bias_f32[d]);
    const SfuOutput s = SfuActivateQuantize(e.pre_act, c.effective_output_scale, hw.rounding, hw.output_bits);
    e.silu = s.silu;
    e.code = s.code;
    e.output_saturated = s.saturated;
  }
  return e;
}

}  // namespace cosim
