// layer.h: what one conv1d layer gives the datapath (docs/datapath.md section 1).
//
// Contract: LayerData owns int8 weights/bias and binary32 scales exactly as the checkpoint
// stores them; Validate() rejects wrong shapes and NaN, Inf, non-positive, subnormal or absurd
// scales with a message naming the layer and the field. Activations are passed separately
// (LayerInput) so that one layer's parameters can run on many inputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cosim {

constexpr int kTaps = 4;       // conv width (d_conv)
constexpr int kStateLen = 3;   // carried history per channel: kTaps - 1

struct LayerData {
  int index = 0;               // layer number in the model
  int channels = 0;            // D
  std::vector<int8_t> weight;  // [D, 4], weight[d*4 + k] multiplies x[t-3+k]
  std::vector<int8_t> bias;    // [D]
  float input_scale = 0;       // s_x
  std::vector<float> weight_scale;  // s_w: 1 (per tensor) or D (per channel) entries
  float bias_scale = 0;        // s_b
  float output_scale = 0;      // s_out

  float WeightScale(int d) const { return weight_scale.size() == 1 ? weight_scale[0] : weight_scale[d]; }
  void Validate(const std::string& where) const;
};

// Activations of one layer: int8 codes [B, D, L], row-major, and an optional carried state
// [B, D, 3] (oldest first). An empty state means zero history.
struct LayerInput {
  int batch = 1;               // B
  int seq_len = 0;             // L
  const int8_t* x = nullptr;   // B*D*L codes
  const int8_t* state = nullptr;  // B*D*3 or nullptr
};

// Validates one binary32 scale: finite, > 0, normal, and within [1e-30, 1e30].
void ValidateScale(float s, const std::string& what);

}  // namespace cosim
