// sweep.h: `cosim sweep`, hardware what-ifs. For each layer, the ASIC model core runs the
// default profile and every variant (research-SE scale factors in the refine reading, rounding
// modes, multiplier widths, table index widths, output widths, per-channel scales); each is
// measured against the FP32 upper bound and against the default profile.
//
// Contract: measures only. "Mismatch vs default" counts elements whose value (code times its
// grid) differs from the default profile's value by at least one default output step, which for
// variants on the default grid is exactly the number of differing codes. "Bits needed" is the
// signed width that holds round(max |FP32 value| / grid), the code an unclamped output would need.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tb/check/metrics.h"
#include "vectors/golden/model.h"

namespace cosim::regress {

struct SweepVariant {
  std::string group;   // "scale factor", "rounding", "multiplier bits", ...
  std::string label;   // "F=2025", "half-even", ...
  double factor = 1;   // for the scale factor group
  HwConfig hw;
};

// The default set: F in {1, 2, 4, ..., 4096, 2025} (refine, output and index bits widened by
// ceil(log2 F) unless refine_output_bits > 0 fixes the output width), every rounding mode,
// multiplier bits {4, 8, 12, 16, 24}, index bits {6, 8, 10, 12, 14}, output bits {4, 6, 8, 10},
// per-channel scales.
std::vector<SweepVariant> DefaultSweep(const HwConfig& base, int refine_output_bits);

struct SweepRow {
  int layer = -1;  // -1: aggregate over layers
  SweepVariant variant;
  check::ErrorMetrics vs_fp32;
  int64_t mismatches_vs_default = 0, elements = 0;
  int bits_needed = 0;
  int64_t saturations = 0;       // output and index saturations
  int64_t acc_overflows = 0;
};

struct SweepResult {
  nlohmann::json model, config;
  std::vector<SweepRow> rows;    // per layer, then the aggregates (layer = -1)
  double wall_seconds = 0;
};

// `per_channel_model` (optional) is the same model with per-channel weight quantization; the
// per-channel variants run on it (a per-tensor model on per-channel hardware changes nothing).
SweepResult RunSweep(const gold::Model& model, const gold::Model* per_channel_model, const std::vector<int>& layers,
                     int batch, int seq_len, const HwConfig& base, const std::vector<SweepVariant>& variants,
                     int threads, const std::function<void(int, int)>& progress = nullptr);

nlohmann::json SweepJson(const SweepResult& r);
std::string SweepHtml(const SweepResult& r);
void PrintSweep(const SweepResult& r, std::FILE* out);

}  // namespace cosim::regress
