#include "tb/check/metrics.h"

#include <algorithm>
#include <cmath>

namespace cosim::check {

double Percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  const size_t k = rank == 0 ? 0 : rank - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

ErrorMetrics Compare(const float* mode, const float* ref, int64_t n) {
  ErrorMetrics m;
  m.count = n;
  if (n <= 0) return m;
  double sa = 0, sb = 0, sd = 0, sad = 0, sdd = 0, saa = 0, sbb = 0, sab = 0, sabs_ref = 0;
  m.mode.min = m.mode.max = mode[0];
  m.reference.min = m.reference.max = ref[0];
  std::vector<double> abs_diff(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double a = mode[i], b = ref[i], d = a - b;
    sa += a;
    sb += b;
    sd += d;
    sad += std::fabs(d);
    sdd += d * d;
    saa += a * a;
    sbb += b * b;
    sab += a * b;
    sabs_ref += std::fabs(b);
    m.mode.min = std::min(m.mode.min, a);
    m.mode.max = std::max(m.mode.max, a);
    m.reference.min = std::min(m.reference.min, b);
    m.reference.max = std::max(m.reference.max, b);
    m.max_abs_diff = std::max(m.max_abs_diff, std::fabs(d));
    abs_diff[static_cast<size_t>(i)] = std::fabs(d);
  }
  const double N = static_cast<double>(n);
  m.mode.mean = sa / N;
  m.reference.mean = sb / N;
  m.mode.std = std::sqrt(std::max(0.0, saa / N - m.mode.mean * m.mode.mean));
  m.reference.std = std::sqrt(std::max(0.0, sbb / N - m.reference.mean * m.reference.mean));
  m.mean_diff = sd / N;
  m.std_diff = std::sqrt(std::max(0.0, sdd / N - m.mean_diff * m.mean_diff));
  m.mean_abs_diff = m.mae = sad / N;
  m.mse = sdd / N;
  m.rmse = std::sqrt(m.mse);
  m.relative_mse = sbb > 0 ? m.mse / (sbb / N) : 0;
  m.relative_mae = sabs_ref > 0 ? m.mae / (sabs_ref / N) : 0;
  const double cov = sab / N - m.mode.mean * m.reference.mean;
  m.correlation = (m.mode.std > 0 && m.reference.std > 0) ? cov / (m.mode.std * m.reference.std) : 0;
  // Ascending ranks on the shrinking upper part: after nth_element at k, everything right of k is
  // >= v[k], so the next (larger) rank is selected among those only.
  double* out[4] = {&m.p50, &m.p90, &m.p95, &m.p99};
  const double qs[4] = {0.50, 0.90, 0.95, 0.99};
  auto first = abs_diff.begin();
  for (int j = 0; j < 4; ++j) {
    const size_t rank = static_cast<size_t>(std::ceil(qs[j] * N));
    const auto kth = abs_diff.begin() + static_cast<std::ptrdiff_t>(rank == 0 ? 0 : rank - 1);
    std::nth_element(first, kth, abs_diff.end());
    *out[j] = *kth;
    first = kth;
  }
  return m;
}

nlohmann::json ErrorMetrics::ToJson() const {
  auto mom = [](const Moments& x) { return nlohmann::json{{"mean", x.mean}, {"std", x.std}, {"min", x.min}, {"max", x.max}}; };
  return {{"count", count},         {"mode", mom(mode)},         {"reference", mom(reference)},
          {"mean_diff", mean_diff}, {"std_diff", std_diff},      {"mean_abs_diff", mean_abs_diff},
          {"max_abs_diff", max_abs_diff}, {"mse", mse},          {"rmse", rmse},
          {"mae", mae},             {"relative_mse", relative_mse}, {"relative_mae", relative_mae},
          {"correlation", correlation}, {"p50_abs_diff", p50},  {"p90_abs_diff", p90},
          {"p95_abs_diff", p95},    {"p99_abs_diff", p99}};
}

std::string RateMse(double mse) {
  if (mse < 1e-5) return "excellent";
  if (mse < 1e-4) return "good";
  if (mse < 1e-3) return "fair";
  return "poor";
}

std::string RateCorrelation(double c) {
  if (c > 0.9999) return "perfect";
  if (c > 0.999) return "excellent";
  if (c > 0.99) return "good";
  return "poor";
}

std::string RateRelativeMae(double r) {
  if (r < 0.001) return "excellent";
  if (r < 0.01) return "good";
  if (r < 0.05) return "fair";
  return "poor";
}

}  // namespace cosim::check
