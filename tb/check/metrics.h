// metrics.h: the users' layer-comparison metrics (../docs/users.md "How they compare layers").
//
// Contract: Compare(mode, reference) over two equally long float arrays computes, in binary64
// and in a fixed order (so results are deterministic): mean/std/min/max of both, mean and std
// of the difference, mean and max |diff|, MSE, RMSE, MAE, relative MSE (MSE / mean(ref^2)),
// relative MAE (MAE / mean|ref|), Pearson correlation, and the P50/P90/P95/P99 of |diff|
// (nearest-rank percentiles). No tolerance is involved: these measure, they do not assert.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cosim::check {

struct Moments {
  double mean = 0, std = 0, min = 0, max = 0;
};

struct ErrorMetrics {
  int64_t count = 0;
  Moments mode, reference;
  double mean_diff = 0, std_diff = 0;
  double mean_abs_diff = 0, max_abs_diff = 0;
  double mse = 0, rmse = 0, mae = 0;
  double relative_mse = 0, relative_mae = 0;
  double correlation = 0;
  double p50 = 0, p90 = 0, p95 = 0, p99 = 0;  // of |diff|
  nlohmann::json ToJson() const;
};

ErrorMetrics Compare(const float* mode, const float* reference, int64_t n);

// Nearest-rank percentile (q in [0, 1]) of |diff|, computed in place on `abs_diff`.
double Percentile(std::vector<double>& abs_diff, double q);

// Rating bands the users apply (MSE < 1e-5 excellent, correlation > 0.9999 perfect, relative
// MAE < 0.1% excellent, ...), as words for the console and HTML reports.
std::string RateMse(double mse);
std::string RateCorrelation(double corr);
std::string RateRelativeMae(double rel_mae);

}  // namespace cosim::check
