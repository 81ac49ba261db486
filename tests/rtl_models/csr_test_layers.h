// csr_test_layers.h: random test layers for the RTL tests, with channels of several kinds, each
// aimed at a corner of docs/datapath.md section 5 (ties, shift 0, accumulator overflow, huge
// shifts, index saturation). Test helper only.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "csr_rtl_driver.h"

namespace csr_test {

using cosim::rtl::Knobs;
using cosim::rtl::LayerView;

struct TestLayer {
  int B = 0, D = 0, L = 0;
  std::vector<int8_t> x, weight;
  std::vector<int32_t> bias_acc, shift, lut;
  std::vector<uint32_t> mult;
  Knobs knobs;

  LayerView View() const {
    LayerView v;
    v.B = B; v.D = D; v.L = L;
    v.x = x.data(); v.weight = weight.data(); v.bias_acc = bias_acc.data(); v.mult = mult.data();
    v.shift = shift.data(); v.lut = lut.data(); v.knobs = knobs;
    return v;
  }
};

enum ChannelKind {
  kNormal = 0,     // full-range data, M with its top bit set, shift aimed at the index range
  kTies = 1,       // small data, tiny M and shift: many exact halves (rounding ties)
  kShiftZero = 2,  // shift 0: i = p exactly
  kOverflow = 3,   // bias_acc at the edge of the accumulator range: sum leaves A bits
  kBigShift = 4,   // shift 50..62: i is 0 or -1 (floor of negatives)
  kSaturate = 5,   // shift too small: the index saturates
  kNumKinds = 6,
};

inline TestLayer MakeLayer(const Knobs& k, int B, int D, int L, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uni = [&](int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
  };
  TestLayer t;
  t.B = B; t.D = D; t.L = L; t.knobs = k;
  t.weight.resize(static_cast<size_t>(D) * 4);
  t.bias_acc.resize(D);
  t.shift.resize(D);
  t.mult.resize(D);
  std::vector<int> amp(D);
  const int A = k.acc_bits, Wm = k.mult_bits, N = k.lut_index_bits;
  const int64_t mmax = (int64_t{1} << Wm) - 1;
  for (int d = 0; d < D; ++d) {
    const int kind = static_cast<int>((d + seed) % kNumKinds);
    amp[d] = 127;
    int wamp = 128;
    int64_t bias = uni(-(int64_t{1} << std::min(A - 3, 18)), (int64_t{1} << std::min(A - 3, 18)));
    int64_t m = uni(int64_t{1} << (Wm - 1), mmax);
    // |acc| ~ 2^13 + |bias|; aim |p / 2^shift| at ~2^(N-1) give or take a few bits.
    const double lacc = std::log2(8192.0 + std::fabs(static_cast<double>(bias)));
    int s = static_cast<int>(std::lround(lacc + Wm - (N - 1))) + static_cast<int>(uni(-2, 2));
    switch (kind) {
      case kTies:
        amp[d] = 6; wamp = 4; bias = uni(-20, 20);
        m = uni(1, std::min<int64_t>(4, mmax));
        s = static_cast<int>(uni(1, 3));
        break;
      case kShiftZero:
        amp[d] = 6; wamp = 4; bias = uni(-20, 20);
        m = uni(0, std::min<int64_t>(3, mmax));
        s = 0;
        break;
      case kOverflow: {
        const int64_t edge = (int64_t{1} << (A - 1)) - uni(0, 1 << 15);
        bias = (rng() & 1) ? edge - 1 : -edge;
        s = static_cast<int>(std::lround(A - 1 + Wm - (N - 1))) + static_cast<int>(uni(-1, 1));
        break;
      }
      case kBigShift:
        s = static_cast<int>(uni(50, 62));
        break;
      case kSaturate:
        s -= 6;
        break;
      default:
        break;
    }
    t.bias_acc[d] = static_cast<int32_t>(bias);
    t.mult[d] = static_cast<uint32_t>(m);
    t.shift[d] = std::clamp(s, 0, 62);
    for (int j = 0; j < 4; ++j) t.weight[d * 4 + j] = static_cast<int8_t>(uni(-wamp, wamp - 1));
  }
  t.x.resize(static_cast<size_t>(B) * D * L);
  for (int b = 0; b < B; ++b) {
    for (int d = 0; d < D; ++d) {
      for (int i = 0; i < L; ++i) {
        t.x[(static_cast<size_t>(b) * D + d) * L + i] = static_cast<int8_t>(uni(-amp[d] - 1, amp[d]));
      }
    }
  }
  const int W = k.output_bits;
  t.lut.resize(size_t{1} << N);
  for (auto& v : t.lut) v = static_cast<int32_t>(uni(-(int64_t{1} << (W - 1)), (int64_t{1} << (W - 1)) - 1));
  return t;
}

}  // namespace csr_test
