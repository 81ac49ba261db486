// cosim regress on a small model: a clean run passes, planted faults fail with reports that
// point at the element, and every report file is written.
#include <gtest/gtest.h>

#include "tb/regress/reports.h"
#include "tests/vectors/golden/temp_dir.h"
#include "vectors/io/atomic_file.h"
#include "vectors/io/json_util.h"

namespace cosim::regress {
namespace {

std::unique_ptr<gold::Model> Small() {
  gold::SyntheticOptions o;
  o.calib_len = 128;
  return gold::MakeSyntheticModel("small", 2, 64, o);
}

RegressOptions Opts(const char* profile = "int-lut") {
  RegressOptions o;
  o.seq_len = 300;
  o.hw = HwConfig::Named(profile);
  o.threads = 2;
  o.se_factors = {16.0f, 2025.0f};
  o.device = "host";
  o.hardware.rtl = false;  // the hardware side has its own tests (tests/tb/sc)
  o.hardware.systemc = false;
  return o;
}

const CodeCheck& Find(const LayerOutcome& l, const std::string& prefix) {
  for (const auto& c : l.checks)
    if (c.name.rfind(prefix, 0) == 0) return c;
  static CodeCheck none;
  ADD_FAILURE() << "no check " << prefix;
  return none;
}

TEST(Regress, CleanRunPassesForEveryProfile) {
  for (const auto& name : HwConfig::ProfileNames()) {
    RegressOptions o = Opts(name.c_str());
    std::unique_ptr<gold::Model> m = Small();
    if (o.hw.weight_scale == WeightScaleMode::kPerChannel) {
      gold::SyntheticOptions so;
      so.calib_len = 128;
      so.weight_quant = WeightScaleMode::kPerChannel;
      m = gold::MakeSyntheticModel("small", 2, 64, so);
    }
    const RegressResult r = RunRegress(*m, o);
    ASSERT_EQ(r.layers.size(), 2u);
    EXPECT_TRUE(r.passed()) << name;
    for (const auto& l : r.layers) {
      EXPECT_EQ(Find(l, "float-sim-int8").mismatches, 0) << name;
      EXPECT_EQ(Find(l, "int8-asic").mismatches, 0) << name;
      EXPECT_EQ(Find(l, "research-se-refine F=16").mismatches, 0) << name;
      EXPECT_EQ(Find(l, "research-se-refine F=2025").mismatches, 0) << name;
      EXPECT_EQ(l.elements, 64 * 300);
      EXPECT_FALSE(l.hardware.systemc_ran);  // not run is reported as not run
    }
  }
}

TEST(Regress, OneFlippedFloatSimCodeFailsWithAPointedReport) {
  RegressOptions o = Opts();
  o.fsim_fault = 1;
  o.layers = {1};
  const RegressResult r = RunRegress(*Small(), o);
  EXPECT_FALSE(r.passed());
  const CodeCheck& c = Find(r.layers[0], "float-sim-int8");
  ASSERT_EQ(c.mismatches, 1);
  ASSERT_EQ(c.reports.size(), 1u);
  // The flipped element is n/2 + 7 of [1, 64, 300]: channel 32, t 7.
  EXPECT_NE(c.reports[0].find("layer 1 channel 32 t 7"), std::string::npos) << c.reports[0];
  EXPECT_NE(c.reports[0].find("expected"), std::string::npos);
  EXPECT_NE(c.reports[0].find("window"), std::string::npos);
  EXPECT_NE(c.reports[0].find("cause:"), std::string::npos);
  EXPECT_EQ(Find(r.layers[0], "int8-asic").mismatches, 0);
}

// A layer built so that the requant shift drops exactly one half for every odd input: s_w*s_x
// is a quarter of the output step and the table step is half of it, so the index is x / 2.
class TieModel final : public gold::Model {
 public:
  std::string Name() const override { return "ties"; }
  int NumLayers() const override { return 1; }
  int Channels() const override { return 16; }
  bool HasCapturedInputs() const override { return false; }
  LayerData Layer(int) const override {
    LayerData l;
    l.channels = 16;
    for (int d = 0; d < 16; ++d) {
      l.weight.insert(l.weight.end(), {0, 0, 0, 1});
      l.bias.push_back(0);
    }
    l.input_scale = 0.125f;
    l.weight_scale = {0.125f};
    l.bias_scale = 0.01f;
    l.output_scale = 0.0625f;
    return l;
  }
  gold::Activations Inputs(int, int b, int len) const override {
    gold::Activations a{b, len, {}};
    for (int i = 0; i < b * 16 * len; ++i) a.x.push_back(static_cast<int8_t>((i * 37) % 256 - 128));
    return a;
  }
  nlohmann::json Describe() const override { return {{"name", "ties"}}; }
};

TEST(Regress, WrongRoundingModeInTheFloatSimIsCaughtAsRoundingTies) {
  RegressOptions o = Opts();
  o.fsim_fault = 2;
  o.seq_len = 256;
  o.se_factors = {};
  const RegressResult r = RunRegress(TieModel(), o);
  const CodeCheck& c = Find(r.layers[0], "float-sim-int8");
  EXPECT_GT(c.mismatches, 100);
  EXPECT_FALSE(r.passed());
  // half-away and half-even differ only on exact ties; the classifier must say so.
  EXPECT_EQ(c.causes[static_cast<int>(check::Cause::kRoundingTie)], c.mismatches);
  ASSERT_FALSE(c.reports.empty());
  EXPECT_NE(c.reports[0].find("cause: rounding tie"), std::string::npos) << c.reports[0];
  // On random data the same fault is rare: ties need the shifted-out bits to be exactly half.
  o.seq_len = 300;
  const RegressResult rnd = RunRegress(*Small(), o);
  int64_t m = 0;
  for (const auto& l : rnd.layers) m += Find(l, "float-sim-int8").mismatches;
  EXPECT_LT(m, 10);
}

TEST(Regress, WritesEveryReport) {
  cosim::testing::TempDir d;
  RegressOptions o = Opts();
  RegressResult r = RunRegress(*Small(), o);
  r.config = {{"heatmap_block", 64}};
  const auto files = WriteReports(r, d.path());
  const auto rep = vec::ParseJsonFile(d.path() + "/report.json");
  EXPECT_EQ(rep["schema"], "asic-cosim-regress-report");
  EXPECT_EQ(rep["schema_version"], kReportSchemaVersion);
  EXPECT_TRUE(rep["passed"].get<bool>());
  EXPECT_EQ(rep["layers"].size(), 2u);
  EXPECT_EQ(rep["aggregate"]["checks"]["float-sim-int8 vs asic"]["mismatches"], 0);
  const std::string junit = vec::ReadFile(d.path() + "/junit.xml");
  EXPECT_NE(junit.find("failures=\"0\""), std::string::npos);
  EXPECT_NE(junit.find("<skipped"), std::string::npos);  // hardware not run is skipped, not passed
  for (const char* f : {"int8_baseline.json", "fp32_upper_bound.json", "float_sim_int8.json",
                        "float_sim_research_se_2025.json", "float_sim_research_se_16.json",
                        "floatsim_betterscale_2025.json"}) {
    const auto log = vec::ParseJsonFile(d.path() + "/yzCheckFloatSim/" + f);
    ASSERT_EQ(log["layers"].size(), 2u) << f;
    EXPECT_EQ(log["layers"][1]["layer_idx"], 1);
    EXPECT_EQ(log["layers"][0]["after_quant"].size(), 10u);
    EXPECT_TRUE(log["config"].contains("mode"));
  }
  const auto se = vec::ParseJsonFile(d.path() + "/yzCheckFloatSim/float_sim_research_se_2025.json");
  const double s = se["layers"][0]["output_scale"].get<double>();
  EXPECT_NEAR(se["layers"][0]["effective_scale"].get<double>(), s * 2025, s * 2025 * 1e-6);
  const auto fs = vec::ParseJsonFile(d.path() + "/yzCheckFloatSim/float_sim_int8.json");
  // after_quant lies on the INT8 grid: q * s exactly.
  for (const auto& v : fs["layers"][0]["after_quant"]) {
    const double q = v.get<double>() / fs["layers"][0]["effective_scale"].get<double>();
    EXPECT_NEAR(q, std::round(q), 1e-4);
  }
  o.fsim_fault = 1;
  r = RunRegress(*Small(), o);
  WriteReports(r, d.path());
  EXPECT_NE(vec::ReadFile(d.path() + "/junit.xml").find("<failure"), std::string::npos);
  EXPECT_FALSE(vec::ParseJsonFile(d.path() + "/report.json")["passed"].get<bool>());
}

}  // namespace
}  // namespace cosim::regress
