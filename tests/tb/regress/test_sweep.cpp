// cosim sweep: the trends the users expect from the research-SE refine reading.
#include <gtest/gtest.h>

#include "tb/regress/sweep.h"

namespace cosim::regress {
namespace {

TEST(Sweep, RefineErrorFallsWithFactorAndBitsGrowByLog2F) {
  gold::SyntheticOptions so;
  so.calib_len = 256;
  const auto m = gold::MakeSyntheticModel("sweep", 2, 96, so);
  const HwConfig hw = HwConfig::Named("int-lut");
  std::vector<SweepVariant> v;
  for (const auto& x : DefaultSweep(hw, 0))
    if (x.group.rfind("scale factor", 0) == 0 && x.factor != 2025) v.push_back(x);
  ASSERT_EQ(v.size(), 13u);  // 1, 2, 4, ..., 4096
  const SweepResult r = RunSweep(*m, nullptr, {}, 1, 512, hw, v, 2);
  std::vector<const SweepRow*> agg;
  for (const auto& row : r.rows)
    if (row.layer < 0) agg.push_back(&row);
  ASSERT_EQ(agg.size(), 13u);
  // The mean absolute error against FP32 falls as the grid gets finer (until the table's index
  // width, capped at 20 bits, stops it), and the bits needed grow by one per doubling.
  for (size_t k = 1; k < 8; ++k) {
    EXPECT_LT(agg[k]->vs_fp32.mae, agg[k - 1]->vs_fp32.mae) << "F=" << agg[k]->variant.factor;
  }
  EXPECT_LT(agg[12]->vs_fp32.mae, agg[0]->vs_fp32.mae / 20);
  for (size_t k = 1; k < 13; ++k) EXPECT_EQ(agg[k]->bits_needed, agg[0]->bits_needed + static_cast<int>(k));
  // With the output width fixed at 12 bits, large factors saturate.
  std::vector<SweepVariant> fixed;
  for (const auto& x : DefaultSweep(hw, 12))
    if (x.group.rfind("scale factor", 0) == 0 && (x.factor == 1 || x.factor == 4096)) fixed.push_back(x);
  const SweepResult f = RunSweep(*m, nullptr, {}, 1, 512, hw, fixed, 2);
  int64_t sat_small = -1, sat_large = -1;
  for (const auto& row : f.rows)
    if (row.layer < 0) (row.variant.factor == 1 ? sat_small : sat_large) = row.saturations;
  EXPECT_GT(sat_large, 100 * (sat_small + 1));
}

}  // namespace
}  // namespace cosim::regress
