// ytable.cpp: the y-table's range, host scan and builder (ytable_build.h, docs/floatsim.md O11).
#include "gpu_ref/ytable_build.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "gpu_ref/element.h"

namespace cosim::fsim {
namespace {

bool IsSfu(ElemOp op) { return op == ElemOp::kAsicSfu || op == ElemOp::kFsimSfu; }

// The output scale the order divides by: its quiet interval is |y| <= s / 4.
float OutputScaleOf(const Prepared& pr) { return IsSfu(pr.lp.op) ? pr.lp.s_oe : pr.lp.s_out; }

// Orders binary32 values as signed integers (for sorting transitions by y).
int64_t OrderKey(uint32_t bits) {
  return (bits & 0x80000000u) ? -static_cast<int64_t>(bits & 0x7fffffffu) : static_cast<int64_t>(bits);
}

template <ElemOp kOp>
YScan ScanHostOp(const Prepared& pr, int threads) {
  YScan out;
  out.spec = MakeYScanSpec(pr);
  const YScanSpec s = out.spec;
  const LayerParams p = pr.lp;
  const Rounding r = p.rounding;
  const auto g = [&p, r](float y) { return CodeOfY<kOp>(y, p, r); };
  const uint64_t chunks = (s.neg_n + s.pos_n + kYScanChunk - 1) / kYScanChunk;
  int nt = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  nt = static_cast<int>(std::min<uint64_t>(static_cast<uint64_t>(nt), std::max<uint64_t>(chunks, 1)));
  std::mutex mu;
  std::vector<std::thread> pool;
  for (int i = 0; i < nt; ++i) {
    pool.emplace_back([&, i] {
      std::vector<YTransition> local;
      bool overflow = false;
      int32_t ends[4] = {0, 0, 0, 0};
      bool have[4] = {false, false, false, false};
      for (uint64_t c = static_cast<uint64_t>(i); c < chunks; c += static_cast<uint64_t>(nt)) {
        YScanChunk(
            s, c, g,
            [&](const YTransition& t) {
              if (local.size() < kYMaxTransitions) local.push_back(t);
              else overflow = true;
            },
            [&](int slot, int32_t code) {
              ends[slot] = code;
              have[slot] = true;
            });
      }
      std::lock_guard<std::mutex> lock(mu);
      out.transitions.insert(out.transitions.end(), local.begin(), local.end());
      out.overflow = out.overflow || overflow || out.transitions.size() > kYMaxTransitions;
      if (have[0]) out.neg_first = ends[0];
      if (have[1]) out.neg_last = ends[1];
      if (have[2]) out.pos_first = ends[2];
      if (have[3]) out.pos_last = ends[3];
    });
  }
  for (auto& t : pool) t.join();
  return out;
}

float NextBelow(float y) { return std::nextafter(y, -std::numeric_limits<float>::infinity()); }

}  // namespace

const char* YFormName(YForm f) {
  switch (f) {
    case YForm::kOneStep: return "one-step";
    case YForm::kOneStepPlus: return "one-step+side";
    case YForm::kThreeSteps: return "three-step";
    case YForm::kNone: break;
  }
  return "none";
}

bool YTableApplies(const Prepared& pr) {
  return IsYOrder(pr.lp.op) && pr.lp.output_bits <= 8 && OutputScaleOf(pr) >= 0x1p-40f &&
         std::isfinite(YBound(pr));
}

float YBound(const Prepared& pr) {
  // Every step is a round-to-nearest operation, monotone and odd: |RN(a op b)| <= RN(|a| op |b|)
  // for op in {+, *}, so applying the order to the largest magnitudes bounds |y|.
  float y_max = 0.0f;
  for (const ChannelParams& c : pr.ch) {
    float b;
    if (pr.lp.op == ElemOp::kNaive) {
      int w_max = 0;
      for (int k = 0; k < kTaps; ++k) w_max = std::max(w_max, std::abs(ByteS(c.w_packed, k)));
      const float p = Mul(Mul(128.0f, pr.lp.s_x), Mul(static_cast<float>(w_max), c.s_w));
      b = Add(Add(Add(Add(p, p), p), p), std::fabs(c.bias_f));
    } else {
      // |acc| <= 4 * 128 * 128 = 2^16 before and after sat/wrap (A-bit ranges inside it for A <= 17)
      b = Add(Mul(c.scale, 65536.0f), std::fabs(c.bias_f));
    }
    y_max = std::max(y_max, b);
  }
  return y_max;
}

YScanSpec MakeYScanSpec(const Prepared& pr) {
  const float tau = Mul(OutputScaleOf(pr), 0.25f);  // exact (s >= 2^-40)
  const uint32_t tau_bits = FloatBits(tau), y_bits = FloatBits(YBound(pr));
  YScanSpec s;
  // O11: G(y) = 0 for |y| <= tau with every nearest rounding; kTruncate (floor) only for y >= 0.
  const bool floor_mode = IsSfu(pr.lp.op) && pr.lp.rounding == Rounding::kTruncate;
  s.neg_lo = floor_mode ? 0u : tau_bits;
  s.neg_hi = std::max(y_bits, s.neg_lo);
  s.pos_lo = tau_bits;
  s.pos_hi = std::max(y_bits, tau_bits);
  s.neg_n = uint64_t{s.neg_hi} - s.neg_lo + 1;
  s.pos_n = uint64_t{s.pos_hi} - s.pos_lo + 1;
  return s;
}

YScan ScanYHost(const Prepared& pr, int threads) {
  return WithYOrder(pr.lp.op, "ScanYHost", [&](auto op) { return ScanHostOp<decltype(op)::value>(pr, threads); });
}

YTable BuildYTable(const YScan& scan, YForm first) {
  YTable out;
  out.transitions = static_cast<int64_t>(scan.transitions.size());
  out.points = scan.spec.neg_n + scan.spec.pos_n;
  if (scan.overflow) {
    out.why_not = "more than " + std::to_string(kYMaxTransitions) + " code transitions";
    return out;
  }
  std::vector<YTransition> tr = scan.transitions;
  std::sort(tr.begin(), tr.end(),
            [](const YTransition& a, const YTransition& b) { return OrderKey(a.y_bits) < OrderKey(b.y_bits); });
  // The chain: from the first point up, each transition leaves the code the last one entered.
  const bool has_neg = scan.spec.neg_n != 0;
  int32_t cur = has_neg ? scan.neg_first : scan.pos_first;
  const int32_t first_code = cur;
  size_t i = 0;
  const auto walk = [&](bool negative, int32_t end_code, const char* side) {
    for (; i < tr.size() && ((tr[i].y_bits & 0x80000000u) != 0) == negative; ++i) {
      if (tr[i].before != cur) throw std::logic_error("BuildYTable: transitions do not connect");
      cur = tr[i].after;
    }
    if (cur != end_code) throw std::logic_error(std::string("BuildYTable: the ") + side + " side does not end on its last code");
  };
  if (has_neg) walk(true, scan.neg_last, "negative");
  if (has_neg && (scan.neg_last != 0 || scan.pos_first != 0))
    throw std::logic_error("BuildYTable: a non-zero code at the quiet interval (O11)");
  cur = scan.pos_first;
  walk(false, scan.pos_last, "positive");
  if (i != tr.size()) throw std::logic_error("BuildYTable: transition signs out of order");

  // Per bucket: the code it starts with, then its steps.
  const auto fill = [&](const YTableParams& t, auto bucket_of, int words_per, auto put) {
    std::vector<uint32_t> w(static_cast<size_t>(t.n) * words_per);
    int32_t code = first_code;
    size_t k = 0;
    for (int32_t b = 0; b < t.n; ++b) {
      uint32_t th[3] = {0x7f800000u, 0x7f800000u, 0x7f800000u};
      uint8_t codes[4];
      codes[0] = static_cast<uint8_t>(code);
      int used = 0;
      for (; k < tr.size() && bucket_of(BitsToFloat(tr[k].y_bits)) == b; ++k) {
        th[used] = tr[k].y_bits;
        code = tr[k].after;
        codes[++used] = static_cast<uint8_t>(code);
      }
      for (int u = used; u < 3; ++u) codes[u + 1] = static_cast<uint8_t>(code);
      uint32_t packed;
      std::memcpy(&packed, codes, 4);
      put(w.data() + static_cast<size_t>(b) * words_per, th, packed);
    }
    if (k != tr.size()) throw std::logic_error("BuildYTable: a transition outside the buckets");
    return w;
  };
  // The most steps in one bucket, and how many buckets hold more than one.
  const auto bucket_load = [&](int32_t n, auto bucket_of) {
    std::vector<int> steps(static_cast<size_t>(n), 0);
    std::pair<int, int> r{0, 0};
    for (const YTransition& x : tr) {
      const int64_t b = bucket_of(BitsToFloat(x.y_bits));
      if (b < 0 || b >= n) return std::pair<int, int>{1 << 30, 0};
      const int k = ++steps[static_cast<size_t>(b)];
      r.first = std::max(r.first, k);
      r.second += k == 2;
    }
    return r;
  };

  YTableParams t;
  // kOneStep(Plus): the fewest entries (n growing by ~1/8) with at most one step per bucket but
  // for at most n / 128 buckets (and 256) of up to three, which go to side entries.
  if (first != YForm::kThreeSteps) {
    const double t_min = tr.empty() ? 0.0 : BitsToFloat(tr.front().y_bits);
    const double t_max = tr.empty() ? 0.0 : BitsToFloat(tr.back().y_bits);
    YTableParams c;
    if (t_max > t_min) {
      c.a = static_cast<float>(1.0 / (t_max - t_min));
      c.b = static_cast<float>(-t_min * static_cast<double>(c.a));
    }
    const auto bucket_of = [&c](float y) { return static_cast<int64_t>(YBucketOneStep(y, c)) - kYBucketBase; };
    for (int32_t n = 1; n <= kYTableMaxWords / kYWordsOneStep; n = std::max(n + 1, n + n / 8)) {
      c.n = n;
      c.nf = static_cast<float>(n - 1);
      if (tr.size() > 1 && n == 1) continue;
      if (!std::isfinite(c.a) || !std::isfinite(c.b)) break;
      const auto [most, multi] = bucket_load(n, bucket_of);
      if (most > 3 || multi > std::min(n / 128, 256)) continue;
      c.side = multi;
      c.form = multi ? YForm::kOneStepPlus : YForm::kOneStep;
      if (YTableWords(c) > kYTableMaxWords) break;
      t = c;
      std::vector<uint32_t> side;
      out.words = fill(t, bucket_of, kYWordsOneStep, [&side](uint32_t* w, const uint32_t* th, uint32_t codes) {
        w[0] = th[0];
        w[1] = codes & 0xffffu;  // bytes 2, 3 clear: no side flag
        if (th[1] != 0x7f800000u) {  // two or three steps: a side entry
          w[1] = kYSideFlag | static_cast<uint32_t>(side.size() / kYWordsThreeSteps) << 16;
          side.insert(side.end(), {th[0], th[1], th[2], codes});
        }
      });
      out.words.resize(side.empty() ? out.words.size() : static_cast<size_t>(YSideOffsetWords(t)), 0u);
      out.words.insert(out.words.end(), side.begin(), side.end());
      break;
    }
  }
  // kThreeSteps: the coarsest width 2^-e with at most three steps per bucket.
  if (t.form == YForm::kNone && !tr.empty()) {
    const double t_min = BitsToFloat(tr.front().y_bits), t_max = BitsToFloat(tr.back().y_bits);
    const int e_start = -static_cast<int>(std::ceil(std::log2(std::max(t_max - t_min, 0x1p-100)))) - 1;
    for (int e = std::max(e_start, -100); e <= 100; ++e) {
      const double n0 = std::floor(std::ldexp(t_min, e)) - 1, n1 = std::ceil(std::ldexp(t_max, e)) + 1;
      if ((n1 - n0 + 1) * kYWordsThreeSteps > kYTableMaxWords) break;  // finer buckets only grow the table
      if (std::fabs(n0) >= 0x1p22 || std::fabs(n1) >= 0x1p22) continue;
      YTableParams c;
      c.form = YForm::kThreeSteps;
      c.ylo = static_cast<float>(std::ldexp(n0, -e));
      c.yhi = static_cast<float>(std::ldexp(n1, -e));
      c.k = static_cast<float>(std::ldexp(1.0, e));
      c.cm = static_cast<float>(0x1p23 - n0);
      c.n = static_cast<int32_t>(n1 - n0 + 1);
      if (static_cast<double>(c.ylo) != std::ldexp(n0, -e) || static_cast<double>(c.yhi) != std::ldexp(n1, -e)) continue;
      const auto bucket_of = [&c](float y) {
        return static_cast<int64_t>(YTableBucketBits(YTableClamp(y, c), c)) - kYBucketBase;
      };
      if (bucket_load(c.n, bucket_of).first <= 3) {
        t = c;
        out.words = fill(t, bucket_of, kYWordsThreeSteps, [](uint32_t* w, const uint32_t* th, uint32_t codes) {
          w[0] = th[0];
          w[1] = th[1];
          w[2] = th[2];
          w[3] = codes;
        });
        break;
      }
    }
  }
  if (t.form == YForm::kNone) {
    out.why_not = "no bucket map holds at most 3 steps per bucket in " + std::to_string(kYTableMaxWords * 4 / 1024) +
                  " KiB";
    return out;
  }
  out.params = t;
  // Self-check at every transition and the ends of the range.
  for (const YTransition& x : tr) {
    const float y = BitsToFloat(x.y_bits);
    if (YTableLookup(y, t, out.words.data()) != x.after || YTableLookup(NextBelow(y), t, out.words.data()) != x.before)
      throw std::logic_error("BuildYTable: the table misses a transition");
  }
  const float lo = has_neg ? -BitsToFloat(scan.spec.neg_hi) : BitsToFloat(scan.spec.pos_lo);
  if (YTableLookup(lo, t, out.words.data()) != first_code ||
      YTableLookup(BitsToFloat(scan.spec.pos_hi), t, out.words.data()) != scan.pos_last)
    throw std::logic_error("BuildYTable: the table misses an end of the range");
  return out;
}

YTable HostYTable(const Prepared& pr) { return BuildYTable(ScanYHost(pr)); }

}  // namespace cosim::fsim
