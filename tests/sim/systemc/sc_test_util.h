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

namespace cosim {
namespace sc {
namespace testing {

struct RandomLayer {
  LayerData layer;
  std::vector<int8_t> x;
  int B = 1, L = 1;
  LayerInput Input(const int8_t* state = nullptr) const { return LayerInput{B, L, x.data(), state}; }
};

inline RandomLayer MakeLayer(int B, int D, int L, uint32_t seed, bool per_channel = false, int index = 0) {
  std::mt19937 rng(seed);  // test data only
  std::uniform_int_distribution<int> i8(-128, 127);
  RandomLayer r;
  r.B = B;
  r.L = L;
  r.layer.index = index;
  r.layer.channels = D;
  for (int i = 0; i < D * 4; ++i) r.layer.weight.push_back(static_cast<int8_t>(i8(rng)));
  for (int i = 0; i < D; ++i) r.layer.bias.push_back(static_cast<int8_t>(i8(rng)));
  r.layer.input_scale = 0.031f;
  r.layer.bias_scale = 0.0007f;
  r.layer.output_scale = 0.02f;
  if (per_channel) {
    std::uniform_real_distribution<float> s(0.0005f, 0.004f);
    for (int d = 0; d < D; ++d) r.layer.weight_scale.push_back(s(rng));
  } else {
    r.layer.weight_scale = {0.0021f};
  }
  for (int i = 0; i < B * D * L; ++i) r.x.push_back(static_cast<int8_t>(i8(rng)));
  return r;
}

inline HwConfig Knobs(const nlohmann::json& j, const char* base = "int-lut") {
  return HwConfig::FromJson(j, HwConfig::Named(base), "test");
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
