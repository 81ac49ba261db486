// Hardware knobs and named profiles (docs/datapath.md section 3, sim/profiles.json).
#include <gtest/gtest.h>

#include "sim/core/error.h"
#include "sim/core/knobs.h"

namespace cosim {
namespace {

TEST(Knobs, EveryNamedProfileGivesEveryKnobAndRoundTrips) {
  const auto doc = nlohmann::json::parse(ProfilesJsonText());
  ASSERT_FALSE(HwConfig::ProfileNames().empty());
  EXPECT_EQ(HwConfig::DefaultProfileName(), "int-lut");
  for (const auto& name : HwConfig::ProfileNames()) {
    const auto& p = doc["profiles"][name];
    for (const char* key : {"profile", "rounding", "acc_bits", "acc_overflow", "requant_mult_bits",
                            "lut_index_bits", "output_bits", "weight_scale", "output_scale_divisor"})
      EXPECT_TRUE(p.contains(key)) << name << " lacks " << key;
    const HwConfig c = HwConfig::Named(name);
    const HwConfig again = HwConfig::FromJson(c.ToJson(), HwConfig{}, "roundtrip");
    EXPECT_EQ(again.ToJson().dump(), [&] { auto j = c.ToJson(); j["name"] = again.name; return j.dump(); }());
  }
}

TEST(Knobs, ErrorsNameTheFieldAndTheAllowedValues) {
  auto expect_error = [](const nlohmann::json& j, const std::string& needle) {
    try {
      HwConfig::FromJson(j, HwConfig{}, "run.json");
      FAIL() << j.dump();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kBadInput);
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("run.json"), std::string::npos) << e.what();
    }
  };
  expect_error({{"rounding", "nearest"}}, "half-away");
  expect_error({{"acc_bits", 40}}, "acc_bits");
  expect_error({{"acc_bits", 24.5}}, "integer");
  expect_error({{"output_bits", 1}}, "output_bits");
  expect_error({{"lut_index_bits", "ten"}}, "integer");
  expect_error({{"output_scale_divisor", 0.5}}, "output_scale_divisor");
  expect_error({{"colour", "red"}}, "unknown knob 'colour'");
  expect_error(nlohmann::json::array(), "JSON object");
  try {
    HwConfig::Named("int-lot");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("int-lut"), std::string::npos);
  }
}

TEST(Knobs, PartialOverridesKeepTheRest) {
  const HwConfig c = HwConfig::FromJson({{"rounding", "truncate"}}, HwConfig::Named("fp32-sfu"), "cli");
  EXPECT_EQ(c.profile, Profile::kFp32Sfu);
  EXPECT_EQ(c.rounding, Rounding::kTruncate);
  EXPECT_EQ(c.name, "custom");
}

}  // namespace
}  // namespace cosim
