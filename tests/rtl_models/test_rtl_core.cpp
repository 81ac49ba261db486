// test_rtl_core: the Verilated csr RTL against the project's model core (sim/core,
// cosim::RunLayer), bit for bit, on the same random hardware parameters: a third opinion next to
// test_rtl's own plain reference. Built only when the cosim_core target exists.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "csr_rtl_driver.h"
#include "csr_rtl_models.h"
#include "csr_test_layers.h"
#include "sim/core/compile.h"
#include "sim/core/datapath.h"

namespace {

using cosim::rtl::Rounding;

cosim::Rounding CoreRounding(Rounding r) {
  switch (r) {
    case Rounding::kHalfAway: return cosim::Rounding::kHalfAwayFromZero;
    case Rounding::kHalfEven: return cosim::Rounding::kHalfToEven;
    case Rounding::kHalfUp: return cosim::Rounding::kHalfUp;
    case Rounding::kTruncate: return cosim::Rounding::kTruncate;
  }
  return cosim::Rounding::kHalfAwayFromZero;
}

// The model core's view of a test layer: compiled parameters given directly (no scales).
cosim::LayerResult RunCore(const csr_test::TestLayer& t) {
  cosim::CompiledLayer c;
  c.hw.rounding = CoreRounding(t.knobs.rounding);
  c.hw.acc_bits = t.knobs.acc_bits;
  c.hw.acc_overflow = t.knobs.acc_wrap ? cosim::Overflow::kWrap : cosim::Overflow::kSaturate;
  c.hw.requant_mult_bits = t.knobs.mult_bits;
  c.hw.lut_index_bits = t.knobs.lut_index_bits;
  c.hw.output_bits = t.knobs.output_bits;
  c.hw.name = "custom";
  c.mult.assign(t.mult.begin(), t.mult.end());
  c.shift.assign(t.shift.begin(), t.shift.end());
  c.bias_acc.assign(t.bias_acc.begin(), t.bias_acc.end());
  c.lut.assign(t.lut.begin(), t.lut.end());
  c.lut_clamped.assign(t.lut.size(), 0);
  cosim::LayerData layer;
  layer.channels = t.D;
  layer.weight = t.weight;
  layer.bias.assign(t.D, 0);
  cosim::LayerInput in;
  in.batch = t.B;
  in.seq_len = t.L;
  in.x = t.x.data();
  return cosim::RunLayer(c, layer, in);
}

struct CoreCase {
  int model;  // 0 top, 1..3 fi a/b/c
  Rounding rounding;
  bool wrap;
};

class RtlVsCore : public testing::TestWithParam<CoreCase> {};

TEST_P(RtlVsCore, BitExact) {
  const CoreCase& cc = GetParam();
  static std::unique_ptr<cosim::rtl::Driver> drivers[4];
  if (!drivers[cc.model]) {
    drivers[cc.model] = cc.model == 0   ? cosim::rtl::MakeCsrTopDriver()
                        : cc.model == 1 ? cosim::rtl::MakeCsrFiADriver()
                        : cc.model == 2 ? cosim::rtl::MakeCsrFiBDriver()
                                        : cosim::rtl::MakeCsrFiCDriver();
  }
  cosim::rtl::Driver& drv = *drivers[cc.model];
  cosim::rtl::Knobs k = drv.info().DefaultKnobs();
  k.rounding = cc.rounding;
  k.acc_wrap = cc.wrap;
  const csr_test::TestLayer t = csr_test::MakeLayer(k, 2, 40, 67, 500 + cc.model * 16 + static_cast<int>(cc.rounding) * 2 + cc.wrap);
  cosim::rtl::RunOptions o;
  o.bubble_prob = 0.2;
  o.stall_prob = 0.3;
  const cosim::rtl::RunResult r = drv.Run(t.View(), o);
  ASSERT_TRUE(r.complete);
  const cosim::LayerResult core = RunCore(t);
  ASSERT_EQ(core.y.size(), r.y.size());
  size_t bad = 0, first = r.y.size();
  for (size_t e = 0; e < r.y.size(); ++e) {
    if (r.y[e] != core.y[e] || r.acc[e] != core.acc[e] || r.idx[e] != core.index[e]) {
      if (bad++ == 0) first = e;
    }
  }
  EXPECT_EQ(bad, 0u) << drv.info().Describe() << ": first mismatch at element " << first << ": y rtl "
                     << (first < r.y.size() ? r.y[first] : 0) << " core " << (first < r.y.size() ? core.y[first] : 0);
  EXPECT_EQ(static_cast<int64_t>(r.acc_overflows), core.counters.acc_overflow);
  EXPECT_EQ(static_cast<int64_t>(r.index_saturations), core.counters.index_saturated);
}

std::vector<CoreCase> Cases() {
  std::vector<CoreCase> v{{0, Rounding::kHalfAway, false}};
  for (int m = 1; m <= 3; ++m) {
    for (Rounding rr : {Rounding::kHalfAway, Rounding::kHalfEven, Rounding::kHalfUp, Rounding::kTruncate}) {
      for (bool w : {false, true}) v.push_back({m, rr, w});
    }
  }
  return v;
}

std::string CoreCaseName(const testing::TestParamInfo<CoreCase>& i) {
  static const char* const m[] = {"top", "fiA", "fiB", "fiC"};
  static const char* const r[] = {"away", "even", "up", "trunc"};
  return std::string(m[i.param.model]) + "_" + r[static_cast<int>(i.param.rounding)] +
         (i.param.wrap ? "_wrap" : "_sat");
}

INSTANTIATE_TEST_SUITE_P(All, RtlVsCore, testing::ValuesIn(Cases()), CoreCaseName);

}  // namespace
