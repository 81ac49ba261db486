// The float-sim against the integer model core of sim/core (the official implementation of
// docs/datapath.md): compile results and every output element, for every named profile of
// sim/profiles.json and variants. The tests may link both; gpu_ref itself never includes sim/.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gpu_ref/compile.h"
#include "gpu_ref/floatsim.h"
#include "sim/core/compile.h"
#include "sim/core/datapath.h"
#include "sim/core/knobs.h"
#include "test_layers.h"

namespace {

using cosim::fsim::Knobs;
using cosim::fsim::Mode;

cosim::LayerData ToCore(const fsimtest::OwnedLayer& l) {
  cosim::LayerData d;
  d.channels = l.D;
  d.weight = l.weight;
  d.bias = l.bias;
  d.input_scale = l.s_x;
  d.weight_scale = l.s_w;
  d.bias_scale = l.s_b;
  d.output_scale = l.s_out;
  return d;
}

void CompareWithCore(const fsimtest::OwnedLayer& l, const cosim::HwConfig& hw, const std::string& what) {
  const Knobs k = Knobs::FromJson(hw.ToJson());
  const cosim::LayerData data = ToCore(l);
  const cosim::CompiledLayer cc = cosim::CompileLayer(data, hw);
  cosim::LayerInput in;
  in.batch = l.B;
  in.seq_len = l.L;
  in.x = l.x.data();
  in.state = l.use_state ? l.state.data() : nullptr;
  const cosim::LayerResult core = cosim::RunLayer(cc, data, in);
  if (k.profile == cosim::fsim::Profile::kIntLut) {
    const auto fc = cosim::fsim::CompileIntLut(l.view(), k);
    EXPECT_EQ(fc.s_lut, cc.lut_step) << what;
    for (int d = 0; d < l.D; ++d) {
      EXPECT_EQ(fc.mult[d], cc.mult[d]) << what << " channel " << d;
      EXPECT_EQ(fc.shift[d], cc.shift[d]) << what << " channel " << d;
      EXPECT_EQ(fc.bias_acc[d], cc.bias_acc[d]) << what << " channel " << d;
    }
    EXPECT_EQ(fc.lut, cc.lut) << what;
  }
  for (Mode m : {Mode::kFloatSimInt8, Mode::kInt8Asic}) {
    const auto r = cosim::fsim::RunHost(m, l.view(), k);
    ASSERT_EQ(r.codes.size(), core.y.size());
    int64_t diffs = 0, first = -1;
    for (size_t i = 0; i < core.y.size(); ++i) {
      bool bad = r.codes[i] != core.y[i];
      if (k.profile == cosim::fsim::Profile::kFp32Sfu && !core.silu.empty())
        bad = bad || !fsimtest::SameBits(r.before_quant[i], core.silu[i]);
      if (bad && first < 0) first = static_cast<int64_t>(i);
      diffs += bad;
    }
    EXPECT_EQ(diffs, 0) << cosim::fsim::ModeName(m) << " " << what << " first at " << first;
    EXPECT_EQ(r.acc_overflows, core.counters.acc_overflow) << what;
    EXPECT_EQ(r.index_saturations, core.counters.index_saturated) << what;
    EXPECT_EQ(r.saturations, core.counters.output_saturated) << what;
  }
}

TEST(FsimVsCore, NamedProfilesAndVariants) {
  int n = 0;
  for (const std::string& name : cosim::HwConfig::ProfileNames()) {
    const cosim::HwConfig base = cosim::HwConfig::Named(name);
    for (int v = 0; v < 6; ++v) {
      nlohmann::json over = nlohmann::json::object();
      if (v == 1) over = {{"rounding", "half-even"}, {"acc_bits", 16}, {"acc_overflow", "wrap"}};
      if (v == 2) over = {{"rounding", "half-up"}, {"requant_mult_bits", 31}, {"lut_index_bits", 16}};
      if (v == 3) over = {{"rounding", "truncate"}, {"output_bits", 16}, {"output_scale_divisor", 2025}};
      if (v == 4) over = {{"weight_scale", "per-channel"}, {"output_bits", 4}, {"lut_index_bits", 4}};
      if (v == 5) over = {{"requant_mult_bits", 8}, {"output_bits", 12}, {"output_scale_divisor", 3.7}};
      const cosim::HwConfig hw = cosim::HwConfig::FromJson(over, base, "test");
      const bool pc = hw.weight_scale == cosim::WeightScaleMode::kPerChannel;
      const auto l = fsimtest::RandomLayer(300 + n, 2, 17, 45, pc, v % 2 == 1);
      CompareWithCore(l, hw, name + " " + over.dump());
      ++n;
    }
  }
  EXPECT_GT(n, 0);
}

}  // namespace
