// sc_test_util.h: random layers and a bit-exact comparison of two LayerResults for the
// SystemC model tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "sim/core/compile.h"
#include "sim/core/datapath.h"
#include "tests/sim/core/random_layer.h"

namespace cosim {
namespace sc {
namespace testing {

using cosim::testing::Knobs;
using cosim::testing::RandomLayer;
inline RandomLayer MakeLayer(int B, int D, int L, uint32_t seed, bool per_channel = false, int index = 0) {
  return cosim::testing::MakeRandomLayer(B, D, L, seed, per_channel, index);
}

template <typename T>
bool SameBytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// Every output, intermediate, the state and the counters, bit for bit.
inline ::testing::AssertionResult SameResult(const LayerResult& want, const LayerResult& got) {
  auto fail = [](const std::string& what) { return ::testing::AssertionFailure() << what << " differs"; };
  if (want.batch != got.batch || want.channels != got.channels || want.seq_len != got.seq_len) return fail("shape");
  if (!SameBytes(want.y, got.y)) {
    for (size_t i = 0; i < std::min(want.y.size(), got.y.size()); ++i)
      if (want.y[i] != got.y[i])
        return ::testing::AssertionFailure() << "y differs first at flat index " << i << ": want " << want.y[i]
                                             << " got " << got.y[i];
    return fail("y size");
  }
  if (!SameBytes(want.acc, got.acc)) return fail("acc");
  if (!SameBytes(want.index, got.index)) return fail("index");
  if (!SameBytes(want.pre_act, got.pre_act)) return fail("pre_act");
  if (!SameBytes(want.silu, got.silu)) return fail("silu");
  if (!SameBytes(want.state_out, got.state_out)) return fail("state_out");
  if (want.counters.acc_overflow != got.counters.acc_overflow) return fail("acc_overflow counter");
  if (want.counters.index_saturated != got.counters.index_saturated) return fail("index_saturated counter");
  if (want.counters.output_saturated != got.counters.output_saturated) return fail("output_saturated counter");
  return ::testing::AssertionSuccess();
}

inline int64_t CountDiff(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  int64_t n = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) n += a[i] != b[i];
  return n;
}

}  // namespace testing
}  // namespace sc
}  // namespace cosim
