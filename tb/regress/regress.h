// regress.h: `cosim regress`, the daily job. Layer by layer: golden vectors from the model core,
// the hardware side (SystemC model, RTL), every float-sim mode (GPU when present, else host),
// the bit-exact checks and the characterisation.
//
// Contract: the asserted checks compare integer codes with zero tolerance:
//   float-sim-int8 == ASIC model, int8-asic (float-sim library's integer path) == ASIC model,
//   research-se-refine == ASIC model recompiled at s_out/F, SystemC model == golden, RTL ==
//   golden. Any mismatch fails the run; each is reported with layer, channel, t, the inputs, the
//   intermediate stages, expected vs actual and a cause class (tb/check/classify.h).
// The characterisation asserts nothing: int8-quamba and naive fake-quant vs the ASIC (mismatch
// count, rate, causes), and each quantized mode vs the FP32 upper bound (the users' metrics),
// bits needed and saturation per scale factor.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tb/check/classify.h"
#include "tb/check/metrics.h"
#include "tb/regress/hw_check.h"
#include "vectors/golden/golden.h"

namespace cosim::regress {

struct RegressOptions {
  std::vector<int> layers;        // empty: all
  int batch = 1, seq_len = 2048;
  HwConfig hw;
  int threads = 1;
  std::vector<float> se_factors = {2025.0f};  // research-SE factors F (both readings)
  std::string device = "auto";    // auto | host | gpu
  HardwareOptions hardware;
  std::string dump_vectors;       // when set, each layer's golden folder is written here
  int max_reports = 10;           // mismatch reports kept per check and layer
  int fsim_fault = 0;             // test hook: 1 flips one float-sim code (proves the checker)
  int heatmap_block = 64;         // channels per heatmap cell
};

// One bit-exact comparison of integer codes (asserted) or a characterised one (not asserted).
struct CodeCheck {
  std::string name;               // e.g. "float-sim-int8 vs asic"
  bool asserted = false;
  int64_t elements = 0, mismatches = 0;
  std::array<int64_t, check::kNumCauses> causes{};
  std::vector<std::string> reports;  // the first few mismatches, fully described
  nlohmann::json ToJson() const;
};

struct ModeMetrics {
  std::string mode;               // int8-quamba, float-sim-int8, research-se-enhance, ...
  double factor = 1;              // F for research SE
  double effective_scale = 0;
  int output_bits = 8;
  int bits_needed = 0;            // signed bits to hold every unclamped code
  int64_t saturations = 0;
  check::ErrorMetrics vs_fp32;
  nlohmann::json ToJson() const;
};

struct StageSeconds {
  double golden = 0, hardware = 0, floatsim = 0, analysis = 0, reports = 0;
  StageSeconds& operator+=(const StageSeconds& o);
  nlohmann::json ToJson() const;
};

struct LayerOutcome {
  int layer = 0;
  int64_t elements = 0;
  LayerCounters counters;
  HardwareResult hardware;
  std::vector<CodeCheck> checks;
  std::vector<ModeMetrics> metrics;
  std::vector<int64_t> naive_mismatch_blocks;   // per channel block (heatmap)
  std::vector<int64_t> quamba_mismatch_blocks;
  std::vector<double> fsim_mse_blocks;          // float-sim-int8 vs FP32, MSE per channel block
  std::vector<int64_t> abs_diff_histogram;      // float-sim-int8 vs FP32, |diff| in log2 bins
  nlohmann::json user_samples;                  // first values per mode, for the users' logs
  StageSeconds seconds;
  bool passed() const;
};

struct RegressResult {
  nlohmann::json model;
  nlohmann::json config;
  std::string floatsim_device;    // "host" or the GPU's name
  std::string hardware_parts;     // what RunHardwareCheck could run
  std::vector<LayerOutcome> layers;
  StageSeconds seconds;
  double wall_seconds = 0;
  bool passed() const;
};

constexpr int kHistogramBins = 40;  // |diff| bins: [0], then [2^-30 .. 2^8) by powers of two

RegressResult RunRegress(const gold::Model& model, const RegressOptions& opt,
                         const std::function<void(int, int)>& progress = nullptr);

}  // namespace cosim::regress
