// floatsim.h: the public host API of gpu_ref (namespace cosim::fsim), small on purpose.
//
// Run one Quamba conv1d + SiLU + requant layer in one of the modes of docs/floatsim.md, on the host
// (RunHost, always built) or on a CUDA device (RunDevice / RunDeviceBatch; without CUDA,
// DeviceAvailable() is false and they throw std::runtime_error). Results of the exactly defined
// modes are bit-identical between host and device, between thread counts and between streams.
//
//   std::vector<float> s_w = {0.004f};
//   cosim::fsim::LayerView v{B, D, L, x, w, b, 0.05f, s_w.data(), 1, 0.002f, 0.03f};
//   auto knobs = cosim::fsim::Knobs::FromJson(nlohmann::json::parse(R"({"rounding":"half-even"})"));
//   auto r = cosim::fsim::RunHost(cosim::fsim::Mode::kFloatSimInt8, v, knobs);
//   // r.codes[(b * D + d) * L + t], r.after_quant[...], r.saturations, r.effective_scale
//
// Bad shapes, scales and knobs throw std::invalid_argument naming the field; so do scales the
// offline compile step rejects (shift out of range, bias not fitting acc_bits; naming the channel).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "gpu_ref/types.h"

namespace cosim::fsim {

// One layer, row-major: x[(b * D + d) * L + t]. Pointers are borrowed, never freed.
struct LayerView {
  int B = 0, D = 0, L = 0;
  const int8_t* x = nullptr;       // [B, D, L] input codes, scale s_x
  const int8_t* weight = nullptr;  // [D, 4] taps; weight[d, 3] multiplies x[t]
  const int8_t* bias = nullptr;    // [D] bias codes, scale s_b
  float s_x = 0.0f;
  const float* s_w = nullptr;      // [n_s_w], n_s_w == 1 (per tensor) or D (per channel)
  int n_s_w = 1;
  float s_b = 0.0f;
  float s_out = 0.0f;
  const int8_t* state = nullptr;   // optional [B, D, 3] carried conv state, oldest first
};

// docs/datapath.md section 3; the defaults are the int-lut profile's.
struct Knobs {
  Profile profile = Profile::kIntLut;
  Rounding rounding = Rounding::kHalfAway;
  int acc_bits = 32;                                // 16..32
  AccOverflow acc_overflow = AccOverflow::kSaturate;
  int requant_mult_bits = 16;                       // 2..31 (int-lut)
  int lut_index_bits = 10;                          // 4..20 (int-lut)
  int output_bits = 8;                              // 2..24
  WeightScale weight_scale = WeightScale::kPerTensor;
  float output_scale_divisor = 1.0f;                // >= 1, binary32

  // Keys absent from `j` keep the value of `base`; unknown keys, wrong types and values out of
  // range throw std::invalid_argument naming the key. "name" and "description" are ignored.
  static Knobs FromJson(const nlohmann::json& j, const Knobs& base);
  static Knobs FromJson(const nlohmann::json& j) { return FromJson(j, Knobs{}); }
  nlohmann::json ToJson() const;
  void Validate() const;  // throws std::invalid_argument naming the first bad field
  bool operator==(const Knobs& o) const;
};

const char* ModeName(Mode m);             // "int8-quamba", "float-sim-int8", ...
Mode ModeFromName(const std::string& s);  // throws std::invalid_argument listing the names
std::vector<Mode> AllModes();
const char* ProfileName(Profile p);       // "int-lut", "fp32-sfu"
const char* RoundingName(Rounding r);     // "half-away", ...
bool ModeUsesKnobs(Mode m);               // int8-asic, float-sim-int8, research-se-*

struct ModeResult {
  std::vector<int32_t> codes;       // [B, D, L] output codes; empty for fp32-upper-bound
  std::vector<float> before_quant;  // [B, D, L] value before output quantization
  std::vector<float> after_quant;   // [B, D, L] value after (the code times the scale)
  double effective_scale = 0.0;     // the grid after_quant lies on
  int64_t saturations = 0;          // output codes clamped to the output width
  int64_t acc_overflows = 0;        // accumulator sums outside acc_bits (int8-asic, float-sim)
  int64_t index_saturations = 0;    // int-lut table indices clamped to lut_index_bits
};

constexpr float kDefaultSeFactor = 2025.0f;

// factor: F of research-se-enhance / research-se-refine, ignored by the other modes.
// threads: 0 = std::thread::hardware_concurrency(); results never depend on it.
ModeResult RunHost(Mode mode, const LayerView& layer, const Knobs& knobs,
                   float factor = kDefaultSeFactor, int threads = 0);

// output_bits that keep research-se-refine's codes unsaturated where base_bits did:
// base_bits + ceil(log2 F), at most 24.
int SuggestedRefineOutputBits(float factor, int base_bits = 8);

bool DeviceAvailable();   // a CUDA device this build can run on
std::string DeviceName(); // "" when none

ModeResult RunDevice(Mode mode, const LayerView& layer, const Knobs& knobs,
                     float factor = kDefaultSeFactor);

struct DeviceJob {
  Mode mode = Mode::kFloatSimInt8;
  LayerView layer;
  Knobs knobs;
  float factor = kDefaultSeFactor;
};

// All jobs checked and compiled before the first launch; up to `streams` layers in flight, each
// on its own CUDA stream with pinned staging buffers. Results in job order.
std::vector<ModeResult> RunDeviceBatch(const std::vector<DeviceJob>& jobs, int streams = 4);

}  // namespace cosim::fsim
