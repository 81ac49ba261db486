// The users' metrics on arrays whose answers are known by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "tb/check/metrics.h"

namespace cosim::check {
namespace {

TEST(Metrics, HandComputedExample) {
  const float ref[4] = {1, 2, 3, 4};
  const float mode[4] = {1, 2, 3, 6};  // one error of 2
  const ErrorMetrics m = Compare(mode, ref, 4);
  EXPECT_EQ(m.count, 4);
  EXPECT_DOUBLE_EQ(m.reference.mean, 2.5);
  EXPECT_DOUBLE_EQ(m.mode.mean, 3.0);
  EXPECT_DOUBLE_EQ(m.mode.max, 6.0);
  EXPECT_DOUBLE_EQ(m.mean_diff, 0.5);
  EXPECT_DOUBLE_EQ(m.mae, 0.5);
  EXPECT_DOUBLE_EQ(m.max_abs_diff, 2.0);
  EXPECT_DOUBLE_EQ(m.mse, 1.0);
  EXPECT_DOUBLE_EQ(m.rmse, 1.0);
  EXPECT_DOUBLE_EQ(m.relative_mse, 1.0 / 7.5);   // mean(ref^2) = 30/4
  EXPECT_DOUBLE_EQ(m.relative_mae, 0.5 / 2.5);
  EXPECT_DOUBLE_EQ(m.std_diff, std::sqrt(1.0 - 0.25));
  EXPECT_DOUBLE_EQ(m.p50, 0.0);
  EXPECT_DOUBLE_EQ(m.p99, 2.0);
  EXPECT_GT(m.correlation, 0.95);
  EXPECT_LT(m.correlation, 1.0);
}

TEST(Metrics, IdenticalArraysArePerfect) {
  std::vector<float> a(1000);
  for (size_t i = 0; i < a.size(); ++i) a[i] = std::sin(static_cast<float>(i));
  const ErrorMetrics m = Compare(a.data(), a.data(), 1000);
  EXPECT_EQ(m.mse, 0.0);
  EXPECT_EQ(m.max_abs_diff, 0.0);
  EXPECT_NEAR(m.correlation, 1.0, 1e-12);
  EXPECT_EQ(RateMse(m.mse), "excellent");
  EXPECT_EQ(RateCorrelation(m.correlation), "perfect");
}

TEST(Metrics, NearestRankPercentiles) {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(101 - i);  // 100..1
  EXPECT_EQ(Percentile(v, 0.50), 50);
  EXPECT_EQ(Percentile(v, 0.90), 90);
  EXPECT_EQ(Percentile(v, 0.99), 99);
  EXPECT_EQ(Percentile(v, 1.0), 100);
}

}  // namespace
}  // namespace cosim::check
