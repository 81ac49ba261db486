// random_layer.h: random int8 layers for tests (std::mt19937: test data only; the built-in
// models use the portable generator of vectors/golden/rng.h).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/datapath.h"
#include "sim/core/knobs.h"

namespace cosim::testing {

struct RandomLayer {
  LayerData layer;
  std::vector<int8_t> x;
  int B = 1, L = 1;
  LayerInput Input(const int8_t* state = nullptr) const { return LayerInput{B, L, x.data(), state}; }
};

// Uniform int8 weights, biases and activations; fixed scales (or random per-channel weight scales).
inline RandomLayer MakeRandomLayer(int B, int D, int L, uint32_t seed, bool per_channel = false, int index = 0) {
  std::mt19937 rng(seed);
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

// A named profile with some knobs overridden.
inline HwConfig Knobs(const nlohmann::json& j, const char* base = "int-lut") {
  return HwConfig::FromJson(j, HwConfig::Named(base), "test");
}

}  // namespace cosim::testing
