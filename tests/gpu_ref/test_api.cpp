// The host API: knobs from JSON, mode names, checks with messages that name the field.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gpu_ref/floatsim.h"
#include "test_layers.h"

namespace {

using cosim::fsim::Knobs;
using cosim::fsim::Mode;

// The message of the std::invalid_argument thrown by f (empty when none is thrown).
template <class F>
std::string InvalidArgument(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(FsimApi, KnobsFromJsonAllKeys) {
  // The shape of an entry of sim/profiles.json.
  const auto j = nlohmann::json::parse(R"({
    "description": "x", "profile": "fp32-sfu", "rounding": "truncate", "acc_bits": 24,
    "acc_overflow": "wrap", "requant_mult_bits": 8, "lut_index_bits": 8, "output_bits": 12,
    "weight_scale": "per-channel", "output_scale_divisor": 2.5 })");
  const Knobs k = Knobs::FromJson(j);
  EXPECT_EQ(k.profile, cosim::fsim::Profile::kFp32Sfu);
  EXPECT_EQ(k.rounding, cosim::fsim::Rounding::kTruncate);
  EXPECT_EQ(k.acc_bits, 24);
  EXPECT_EQ(k.acc_overflow, cosim::fsim::AccOverflow::kWrap);
  EXPECT_EQ(k.requant_mult_bits, 8);
  EXPECT_EQ(k.lut_index_bits, 8);
  EXPECT_EQ(k.output_bits, 12);
  EXPECT_EQ(k.weight_scale, cosim::fsim::WeightScale::kPerChannel);
  EXPECT_EQ(k.output_scale_divisor, 2.5f);
  EXPECT_TRUE(Knobs::FromJson(k.ToJson()) == k);
  // A run config overrides some keys of a base.
  const Knobs o = Knobs::FromJson(nlohmann::json::parse(R"({"rounding": "half-even"})"), k);
  EXPECT_EQ(o.rounding, cosim::fsim::Rounding::kHalfEven);
  EXPECT_EQ(o.acc_bits, 24);
  EXPECT_TRUE(Knobs::FromJson(nlohmann::json::object()) == Knobs{});
}

TEST(FsimApi, KnobsErrorsNameTheKey) {
  auto err = [](const char* text) {
    return InvalidArgument([&] { Knobs::FromJson(nlohmann::json::parse(text)); });
  };
  EXPECT_NE(err(R"({"acc_bits": 33})").find("acc_bits"), std::string::npos);
  EXPECT_NE(err(R"({"acc_bits": "32"})").find("acc_bits"), std::string::npos);
  EXPECT_NE(err(R"({"rounding": "nearest"})").find("rounding"), std::string::npos);
  EXPECT_NE(err(R"({"lut_index_bits": 3})").find("lut_index_bits"), std::string::npos);
  EXPECT_NE(err(R"({"output_scale_divisor": 0.5})").find("output_scale_divisor"), std::string::npos);
  EXPECT_NE(err(R"({"acc_bitz": 32})").find("acc_bitz"), std::string::npos);
  EXPECT_NE(err(R"([1, 2])").find("object"), std::string::npos);
}

TEST(FsimApi, ModeNames) {
  for (Mode m : cosim::fsim::AllModes()) EXPECT_EQ(cosim::fsim::ModeFromName(cosim::fsim::ModeName(m)), m);
  EXPECT_EQ(cosim::fsim::AllModes().size(), 8u);
  EXPECT_STREQ(cosim::fsim::ModeName(Mode::kFloatSimInt8), "float-sim-int8");
  const std::string e = InvalidArgument([] { cosim::fsim::ModeFromName("float_sim"); });
  EXPECT_NE(e.find("float-sim-int8"), std::string::npos) << "the message lists the valid names";
}

TEST(FsimApi, LayerChecksNameTheField) {
  const auto l = fsimtest::RandomLayer(1, 1, 4, 8, true);
  auto run = [&](cosim::fsim::LayerView v, Knobs k = Knobs{}, Mode m = Mode::kFloatSimInt8, float f = 2025.0f) {
    return InvalidArgument([&] { cosim::fsim::RunHost(m, v, k, f); });
  };
  Knobs pc;
  pc.weight_scale = cosim::fsim::WeightScale::kPerChannel;
  EXPECT_EQ(run(l.view(), pc), "");
  auto v = l.view();
  v.L = 0;
  EXPECT_NE(run(v, pc).find("L"), std::string::npos);
  v = l.view();
  v.x = nullptr;
  EXPECT_NE(run(v, pc).find("LayerView.x"), std::string::npos);
  v = l.view();
  v.s_out = -1.0f;
  EXPECT_NE(run(v, pc).find("s_out"), std::string::npos);
  v = l.view();
  v.s_x = INFINITY;
  EXPECT_NE(run(v, pc).find("s_x"), std::string::npos);
  v = l.view();
  v.n_s_w = 3;
  EXPECT_NE(run(v, pc).find("n_s_w"), std::string::npos);
  // per-channel scales on per-tensor hardware
  EXPECT_NE(run(l.view()).find("per-tensor"), std::string::npos);
  // the fixed-semantics modes ignore the knobs, even invalid ones
  Knobs bad;
  bad.acc_bits = 99;
  EXPECT_EQ(run(l.view(), bad, Mode::kInt8Quamba), "");
  EXPECT_NE(run(l.view(), bad, Mode::kInt8Asic).find("acc_bits"), std::string::npos);
  EXPECT_NE(run(l.view(), pc, Mode::kResearchSeRefine, 0.5f).find("factor"), std::string::npos);
}

TEST(FsimApi, DeviceEntryPoints) {
  if (cosim::fsim::DeviceAvailable()) GTEST_SKIP() << "a device is present: covered by test_fsim_device";
  const auto l = fsimtest::RandomLayer(1, 1, 4, 8);
  EXPECT_EQ(cosim::fsim::DeviceName(), "");
  try {
    cosim::fsim::RunDevice(Mode::kFloatSimInt8, l.view(), Knobs{});
    FAIL() << "RunDevice must throw without a device";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("RunHost"), std::string::npos) << e.what();
  }
}

}  // namespace
