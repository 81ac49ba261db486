// test_layers.h: owned random layers for the gpu_ref tests (deterministic per seed).
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "gpu_ref/floatsim.h"

namespace fsimtest {

struct OwnedLayer {
  int B = 1, D = 1, L = 1;
  std::vector<int8_t> x, weight, bias, state;
  std::vector<float> s_w;
  float s_x = 0.05f, s_b = 0.002f, s_out = 0.03f;
  bool use_state = false;

  cosim::fsim::LayerView view() const {
    cosim::fsim::LayerView v;
    v.B = B;
    v.D = D;
    v.L = L;
    v.x = x.data();
    v.weight = weight.data();
    v.bias = bias.data();
    v.s_x = s_x;
    v.s_w = s_w.data();
    v.n_s_w = static_cast<int>(s_w.size());
    v.s_b = s_b;
    v.s_out = s_out;
    v.state = use_state ? state.data() : nullptr;
    return v;
  }
};

// x: mostly activation-like values with some full-range extremes; weight, bias uniform int8.
inline OwnedLayer RandomLayer(uint32_t seed, int B, int D, int L, bool per_channel = false,
                              bool with_state = false) {
  std::mt19937 rng(seed);
  OwnedLayer l;
  l.B = B;
  l.D = D;
  l.L = L;
  std::normal_distribution<float> nd(0.0f, 40.0f);
  std::uniform_int_distribution<int> u8(-128, 127), pick(0, 15);
  l.x.resize(size_t(B) * D * L);
  for (auto& v : l.x) {
    const int k = pick(rng);
    v = static_cast<int8_t>(k == 0 ? (u8(rng) < 0 ? -128 : 127)
                                   : std::max(-128, std::min(127, static_cast<int>(std::lround(nd(rng))))));
  }
  l.weight.resize(size_t(D) * 4);
  for (auto& v : l.weight) v = static_cast<int8_t>(u8(rng));
  l.bias.resize(D);
  for (auto& v : l.bias) v = static_cast<int8_t>(u8(rng));
  l.state.resize(size_t(B) * D * 3);
  for (auto& v : l.state) v = static_cast<int8_t>(u8(rng));
  l.use_state = with_state;
  std::uniform_real_distribution<float> sw(0.002f, 0.006f);
  l.s_w.assign(per_channel ? D : 1, 0.004f);
  if (per_channel)
    for (auto& s : l.s_w) s = sw(rng);
  return l;
}

inline bool SameBits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }

}  // namespace fsimtest
