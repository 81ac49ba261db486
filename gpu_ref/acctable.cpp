// acctable.cpp: the per-channel acc tables of acctable.h (ytable_build.h, docs/floatsim.md O12).
#include <algorithm>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

#include "gpu_ref/element.h"
#include "gpu_ref/ytable_build.h"

namespace cosim::fsim {
namespace {

// Every finite threshold of a y-table, ascending: the only y where its code can change.
std::vector<float> YBreakpoints(const YTable& t) {
  std::vector<float> out;
  const auto add = [&out](uint32_t bits) {
    if ((bits & kAccNoStepBits) != kAccNoStepBits) out.push_back(BitsToFloat(bits));
  };
  const YTableParams& p = t.params;
  if (YOneStepMap(p.form)) {
    for (int b = 0; b < p.n; ++b) add(t.words[static_cast<size_t>(kYWordsOneStep) * b]);
    for (int s = 0; s < p.side; ++s)
      for (int k = 0; k < 3; ++k) add(t.words[static_cast<size_t>(YSideOffsetWords(p) + kYWordsThreeSteps * s + k)]);
  } else {
    for (int b = 0; b < p.n; ++b)
      for (int k = 0; k < 3; ++k) add(t.words[static_cast<size_t>(kYWordsThreeSteps) * b + k]);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

struct Step {
  int32_t acc;  // code(acc - 1) = before, code(acc) = after
  int32_t before, after;
};

uint32_t CodeByte(int32_t code) { return static_cast<uint32_t>(code) & 0xffu; }

// One channel: its steps from the breakpoints, then the fewest one-step buckets that separate them.
// Returns false (no table within kAccMaxEntries entries) or fills ch and words (2 * ch.n).
template <ElemOp kOp>
bool BuildChannel(const Prepared& pr, const YTable& yt, const std::vector<float>& bp, int d, AccChannel& ch,
                  std::vector<uint32_t>& words, int64_t& n_steps) {
  const ChannelParams& c = pr.ch[static_cast<size_t>(d)];
  const LayerParams& p = pr.lp;
  const AccRange r = ChannelAccRange(c.w_packed);
  const auto y_of = [&](int32_t acc) { return YOfAcc<kOp>(acc, c, p); };
  const auto code = [&](int32_t acc) { return YTableLookup(y_of(acc), yt.params, yt.words.data()); };
  // The smallest acc in (l, h] with y >= t, given y(l) < t <= y(h): first probes at the linear
  // estimate, then bisection.
  const auto first_reaching = [&](float t, int32_t l, int32_t h) {
    const double est = std::ceil((static_cast<double>(t) - c.bias_f) / c.scale);
    if (std::isfinite(est)) {
      const int32_t g = static_cast<int32_t>(std::clamp<double>(est, l + 1.0, static_cast<double>(h)));
      for (int32_t probe : {g, g - 1, g + 1}) {
        if (probe <= l || probe >= h) continue;
        if (y_of(probe) >= t) h = probe;
        else l = probe;
      }
    }
    while (h - l > 1) {
      const int32_t m = l + (h - l) / 2;
      if (y_of(m) >= t) h = m;
      else l = m;
    }
    return h;
  };
  std::vector<Step> steps;
  const float y_hi = y_of(r.hi);
  int32_t last = r.lo;  // y(last) < every breakpoint still to come, or the last step's acc
  for (const float t : bp) {
    if (t > y_hi) break;
    if (y_of(last) >= t) continue;  // reached at or before the last step
    const int32_t a = first_reaching(t, last, r.hi);
    last = a;
    const int32_t before = code(a - 1), after = code(a);
    if (before != after) steps.push_back(Step{a, before, after});
  }
  const int32_t code_lo = code(r.lo), code_hi = code(r.hi);
  int32_t cur = code_lo;
  for (const Step& s : steps) {
    if (s.before != cur) throw std::logic_error("BuildAccTables: the steps of channel " + std::to_string(d) + " do not chain");
    cur = s.after;
  }
  if (cur != code_hi)
    throw std::logic_error("BuildAccTables: channel " + std::to_string(d) + " does not end on its last code");
  n_steps = static_cast<int64_t>(steps.size());

  AccChannel t;
  if (steps.size() > 1) {
    const double v1 = AccKey(steps.front().acc), vm = AccKey(steps.back().acc);
    t.a = static_cast<float>(1.0 / (vm - v1));
    t.b = static_cast<float>(-v1 * static_cast<double>(t.a));
  }
  int32_t min_gap = 1 << 30;
  for (size_t i = 1; i < steps.size(); ++i) min_gap = std::min(min_gap, steps[i].acc - steps[i - 1].acc);
  const int32_t span = steps.size() > 1 ? steps.back().acc - steps.front().acc : 0;
  const auto bucket_of = [&t](int32_t acc) {
    return static_cast<int64_t>(YBucketOneStep(AccKey(acc), AccBucketMap(t))) - kYBucketBase;
  };
  bool ok = false;
  for (int32_t n = std::max(1, span / std::max(min_gap, 1) + 1); n <= kAccMaxEntries; n = std::max(n + 1, n + n / 16)) {
    t.n = n;
    t.nf = static_cast<float>(n - 1);
    ok = true;
    int64_t prev = -1;
    for (const Step& s : steps) {
      const int64_t b = bucket_of(s.acc);
      if (b <= prev || b >= n) {
        ok = false;
        break;
      }
      prev = b;
    }
    if (ok) break;
  }
  if (!ok) return false;
  ch = t;
  words.assign(static_cast<size_t>(t.n) * kYWordsOneStep, 0u);
  cur = code_lo;
  size_t k = 0;
  for (int32_t b = 0; b < t.n; ++b) {
    uint32_t* e = &words[static_cast<size_t>(b) * kYWordsOneStep];
    if (k < steps.size() && bucket_of(steps[k].acc) == b) {
      e[0] = FloatBits(AccKey(steps[k].acc));
      e[1] = CodeByte(steps[k].before) | CodeByte(steps[k].after) << 8;
      cur = steps[k].after;
      ++k;
    } else {
      e[0] = kAccNoStepBits;
      e[1] = CodeByte(cur) | CodeByte(cur) << 8;
    }
  }
  // Self-check: both sides of every step and both ends of the range.
  const auto lookup = [&](int32_t acc) { return AccTableLookup(AccKey(acc), t, words.data()); };
  for (const Step& s : steps)
    if (lookup(s.acc) != s.after || lookup(s.acc - 1) != s.before)
      throw std::logic_error("BuildAccTables: the table of channel " + std::to_string(d) + " misses a step");
  if (lookup(r.lo) != code_lo || lookup(r.hi) != code_hi)
    throw std::logic_error("BuildAccTables: the table of channel " + std::to_string(d) + " misses an end of its range");
  return true;
}

template <ElemOp kOp>
AccTables BuildOp(const Prepared& pr, const YTable& yt, int threads) {
  const std::vector<float> bp = YBreakpoints(yt);
  const int D = static_cast<int>(pr.ch.size());
  std::vector<AccChannel> ch(static_cast<size_t>(D));
  std::vector<std::vector<uint32_t>> words(static_cast<size_t>(D));
  std::vector<int64_t> steps(static_cast<size_t>(D), 0);
  std::vector<char> ok(static_cast<size_t>(D), 0);
  int nt = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  nt = std::max(1, std::min(nt, D));
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(static_cast<size_t>(nt));
  for (int i = 0; i < nt; ++i) {
    pool.emplace_back([&, i] {
      try {
        for (int d = i; d < D; d += nt) {
          const size_t k = static_cast<size_t>(d);
          ok[k] = BuildChannel<kOp>(pr, yt, bp, d, ch[k], words[k], steps[k]);
        }
      } catch (...) {
        errors[static_cast<size_t>(i)] = std::current_exception();
      }
    });
  }
  for (auto& t : pool) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  AccTables out;
  for (int d = 0; d < D; ++d) {
    if (!ok[static_cast<size_t>(d)]) {
      out.why_not = "channel " + std::to_string(d) + ": " + std::to_string(steps[static_cast<size_t>(d)]) +
                    " code steps do not separate in " + std::to_string(kAccMaxEntries) + " buckets";
      return out;
    }
    out.n_max = std::max(out.n_max, ch[static_cast<size_t>(d)].n);
    out.steps += steps[static_cast<size_t>(d)];
  }
  out.packed.assign(static_cast<size_t>(D) * static_cast<size_t>(out.n_max), 0u);
  for (int d = 0; d < D; ++d) {
    const std::vector<uint32_t>& w = words[static_cast<size_t>(d)];
    uint32_t* packed = out.packed.data() + static_cast<size_t>(d) * static_cast<size_t>(out.n_max);
    for (size_t b = 0; b < w.size() / kYWordsOneStep; ++b) {
      if (!AccEntryPack(w[kYWordsOneStep * b], w[kYWordsOneStep * b + 1], packed[b])) {
        out.why_not = "channel " + std::to_string(d) + ", entry " + std::to_string(b) +
                      ": no packed form (AccEntryPack: a code step outside [-64, 63])";
        out.packed.clear();
        return out;
      }
    }
  }
  out.ch = std::move(ch);
  return out;
}

}  // namespace

bool AccTablesApply(const Prepared& pr) {
  if (!IsAccOrder(pr.lp.op) || !YTableApplies(pr)) return false;
  const bool stage = pr.lp.op == ElemOp::kAsicSfu || (pr.lp.op == ElemOp::kFsimSfu && pr.lp.acc_bits <= 24);
  for (const ChannelParams& c : pr.ch) {
    if (!(c.scale >= 0.0f) || !std::isfinite(c.scale)) return false;
    const AccRange r = ChannelAccRange(c.w_packed);
    if (stage && pr.lp.acc_overflow == AccOverflow::kWrap && (r.lo < pr.lp.acc_min || r.hi > pr.lp.acc_max)) return false;
  }
  return true;
}

AccTables BuildAccTables(const Prepared& pr, const YTable& yt, int threads) {
  if (!AccTablesApply(pr)) throw std::invalid_argument("BuildAccTables: the layer's order has no acc tables (AccTablesApply)");
  if (yt.params.form == YForm::kNone) throw std::invalid_argument("BuildAccTables: the layer has no y-table");
  switch (pr.lp.op) {
    case ElemOp::kQuamba: return BuildOp<ElemOp::kQuamba>(pr, yt, threads);
    case ElemOp::kQuambaFastExp: return BuildOp<ElemOp::kQuambaFastExp>(pr, yt, threads);
    case ElemOp::kAsicSfu: return BuildOp<ElemOp::kAsicSfu>(pr, yt, threads);
    case ElemOp::kFsimSfu: return BuildOp<ElemOp::kFsimSfu>(pr, yt, threads);
    default: break;
  }
  throw std::invalid_argument("BuildAccTables: the layer's order has no acc tables");
}

}  // namespace cosim::fsim
