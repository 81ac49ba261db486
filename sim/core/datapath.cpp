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

// One row (b, d) of an int-lut layer, element by element through the stage primitives: the
// definition the block form is tested against (RunOptions::element_by_element).
template <bool kKeep>
void RunRowIntLutScalar(const CompiledLayer& c, const LayerData& layer, const LayerInput& in, int64_t row,
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

// The block form of the same row: each stage runs over a block of kBlock elements
// (stage_mac.h, stage_requant.h, stage_silu_lut.h say why each equals its element form).
constexpr int kBlock = 256;

// The last three inputs of the row (the history when L < 3), oldest first.
void FinalState(const int8_t hist[kStateLen], const int8_t* x, int L, int8_t* state_out) {
  for (int j = 0; j < kStateLen; ++j) {
    const int pos = L - kStateLen + j;
    state_out[j] = pos >= 0 ? x[pos] : hist[kStateLen + pos];
  }
}

// Where one row's stage outputs go: acc and index into the result (intermediates kept) or
// into per-block scratch (nullptr).
struct RowOut {
  int32_t* acc;
  int32_t* index;
  int32_t* y;
};

// On x86-64 with GCC the block loop is also compiled for AVX2 and the loader picks that version
// when the CPU has it (function multi-versioning); every other host runs the baseline version.
// The arithmetic is integer, so both give the same bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__gnu_linux__)
#define COSIM_BLOCK_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define COSIM_BLOCK_CLONES
#endif

COSIM_BLOCK_CLONES
LayerCounters RunRowIntLutBlocks(const MacChannel& mac, Overflow ov, const RequantChannel& rq, const int32_t* lut,
                                 const uint8_t* lut_clamped, int index_bits, const int8_t* x, int L,
                                 const int8_t hist[kStateLen], RowOut out) {
  int32_t acc_buf[kBlock], index_buf[kBlock];
  int8_t head[kBlock + kStateLen];  // history + the first block's inputs
  int64_t overflowed = 0, saturated = 0, clamped = 0;
  for (int t0 = 0; t0 < L; t0 += kBlock) {
    const int n = std::min(kBlock, L - t0);
    const int8_t* xw = head;  // x[t0-3 .. t0+n-1]
    if (t0 < kStateLen) {
      std::copy(hist, hist + kStateLen, head);
      std::copy(x, x + n, head + kStateLen);
    } else {
      xw = x + (t0 - kStateLen);
    }
    int32_t* acc = out.acc ? out.acc + t0 : acc_buf;
    int32_t* index = out.index ? out.index + t0 : index_buf;
    overflowed += ov == Overflow::kSaturate ? MacBlock<Overflow::kSaturate>(mac, xw, n, acc)
                                            : MacBlock<Overflow::kWrap>(mac, xw, n, acc);
    switch (rq.mode) {
      case Rounding::kHalfAwayFromZero: saturated += RequantBlock<Rounding::kHalfAwayFromZero>(rq, acc, n, index); break;
      case Rounding::kHalfToEven: saturated += RequantBlock<Rounding::kHalfToEven>(rq, acc, n, index); break;
      case Rounding::kHalfUp: saturated += RequantBlock<Rounding::kHalfUp>(rq, acc, n, index); break;
      case Rounding::kTruncate: saturated += RequantBlock<Rounding::kTruncate>(rq, acc, n, index); break;
    }
    clamped += LookupBlock(lut, lut_clamped, index, n, index_bits, out.y + t0);
  }
  LayerCounters cnt;
  cnt.acc_overflow = overflowed;
  cnt.index_saturated = saturated;
  cnt.output_saturated = clamped;
  return cnt;
}

// Row (b, d) of an int-lut layer by the block form, or false when its constants fall outside
// what the block form covers (never for a CompileLayer result; the caller then runs the element form).
bool RunRowIntLutFast(const CompiledLayer& c, const LayerData& layer, const LayerInput& in, bool keep, int64_t row,
                      LayerResult& r, LayerCounters& cnt) {
  const int D = layer.channels, L = in.seq_len;
  const int d = static_cast<int>(row % D);
  const HwConfig& hw = c.hw;
  MacChannel mac;
  RequantChannel rq;
  if (!MakeMacChannel(&layer.weight[static_cast<size_t>(d) * kTaps], c.bias_acc[d], hw.acc_bits, &mac) ||
      !MakeRequantChannel(c.mult[d], c.shift[d], hw.rounding, hw.lut_index_bits, hw.acc_bits, &rq) ||
      c.lut.size() != (size_t{1} << hw.lut_index_bits) || c.lut_clamped.size() != c.lut.size()) {
    return false;
  }
  const int8_t* x = in.x + row * L;
  int8_t hist[kStateLen];
  InitialHistory(in, row, hist);
  const size_t o = static_cast<size_t>(row) * L;
  const RowOut out{keep ? &r.acc[o] : nullptr, keep ? &r.index[o] : nullptr, &r.y[o]};
  cnt += RunRowIntLutBlocks(mac, hw.acc_overflow, rq, c.lut.data(), c.lut_clamped.data(), hw.lut_index_bits, x, L,
                            hist, out);
  FinalState(hist, x, L, &r.state_out[row * kStateLen]);
  return true;
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

void RunRow(const CompiledLayer& c, const LayerData& layer, const LayerInput& in, const RunOptions& opt,
            int64_t row, LayerResult& r, LayerCounters& cnt) {
  const bool keep = opt.keep_intermediates;
  if (c.hw.profile == Profile::kIntLut) {
    const bool done = !opt.element_by_element && RunRowIntLutFast(c, layer, in, keep, row, r, cnt);
    if (!done) {
      keep ? RunRowIntLutScalar<true>(c, layer, in, row, r, cnt) : RunRowIntLutScalar<false>(c, layer, in, row, r, cnt);
    }
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
    for (int64_t row = begin; row < end; ++row) RunRow(c, layer, in, opt, row, r, per_thread[tid]);
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
