// Models: the built-in synthetic models and model folders (export, load, validation).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "sim/core/error.h"
#include "tests/vectors/golden/temp_dir.h"
#include "vectors/golden/model.h"
#include "vectors/io/atomic_file.h"
#include "vectors/io/json_util.h"
#include "vectors/io/npy.h"

namespace cosim::gold {
namespace {

using cosim::testing::TempDir;

std::unique_ptr<Model> Tiny(WeightScaleMode wq = WeightScaleMode::kPerTensor) {
  SyntheticOptions o;
  o.calib_len = 64;
  o.weight_quant = wq;
  return MakeSyntheticModel("tiny", 2, 24, o);
}

TEST(Model, PresetsHaveTheMambaSizes) {
  ASSERT_NE(FindPreset("mamba-130m"), nullptr);
  EXPECT_EQ(FindPreset("mamba-130m")->n_layers, 24);
  EXPECT_EQ(FindPreset("mamba-130m")->d_inner, 1536);
  EXPECT_EQ(FindPreset("mamba-2.8b")->n_layers, 64);
  EXPECT_EQ(FindPreset("mamba-2.8b")->d_inner, 5120);
  EXPECT_EQ(FindPreset("mamba-1.4b")->d_inner, 4096);
  EXPECT_EQ(FindPreset("mamba-7b"), nullptr);
  EXPECT_THROW(OpenModel("mamba-7b", SyntheticOptions{}), Error);
}

TEST(Model, SyntheticLayersAreDeterministicAndRealistic) {
  const auto m = Tiny();
  const LayerData a = m->Layer(1), b = m->Layer(1);
  EXPECT_EQ(a.weight, b.weight);
  EXPECT_EQ(a.output_scale, b.output_scale);
  EXPECT_EQ(m->Inputs(1, 2, 50).x, m->Inputs(1, 2, 50).x);
  EXPECT_NE(m->Layer(0).weight, a.weight);
  // Quamba-style quantization: the largest |weight| maps to 127, scales positive.
  int wmax = 0;
  for (int8_t w : a.weight) wmax = std::max(wmax, std::abs(static_cast<int>(w)));
  EXPECT_EQ(wmax, 127);
  // Heavy tails within a channel: median per-channel kurtosis above the Gaussian's 3.
  SyntheticOptions o;
  o.calib_len = 512;
  const auto wide = MakeSyntheticModel("wide", 1, 128, o);
  const Activations x = wide->Inputs(0, 1, 1024);
  std::vector<double> kurt;
  for (int d = 0; d < 128; ++d) {
    double m2 = 0, m4 = 0;
    for (int t = 0; t < 1024; ++t) {
      const double v = x.x[static_cast<size_t>(d) * 1024 + t];
      m2 += v * v;
      m4 += v * v * v * v;
    }
    kurt.push_back(m2 > 0 ? (m4 / 1024) / ((m2 / 1024) * (m2 / 1024)) : 0.0);
  }
  std::nth_element(kurt.begin(), kurt.begin() + 64, kurt.end());
  EXPECT_GT(kurt[64], 3.5);
  const auto pc = Tiny(WeightScaleMode::kPerChannel)->Layer(1);
  EXPECT_EQ(pc.weight_scale.size(), 24u);
}

TEST(Model, ExportThenLoadGivesExactlyTheSameLayers) {
  for (WeightScaleMode wq : {WeightScaleMode::kPerTensor, WeightScaleMode::kPerChannel}) {
    TempDir d;
    const auto m = Tiny(wq);
    ExportModel(*m, d.path(), 2, 40);
    const auto f = OpenModel(d.path(), SyntheticOptions{});
    ASSERT_EQ(f->NumLayers(), 2);
    EXPECT_TRUE(f->HasCapturedInputs());
    for (int i = 0; i < 2; ++i) {
      const LayerData a = m->Layer(i), b = f->Layer(i);
      EXPECT_EQ(a.weight, b.weight);
      EXPECT_EQ(a.bias, b.bias);
      EXPECT_EQ(a.input_scale, b.input_scale);  // binary32 values survive the JSON text exactly
      EXPECT_EQ(a.weight_scale, b.weight_scale);
      EXPECT_EQ(a.bias_scale, b.bias_scale);
      EXPECT_EQ(a.output_scale, b.output_scale);
      const Activations xi = f->Inputs(i, 9, 9);  // captured inputs keep their own shape
      EXPECT_EQ(xi.batch, 2);
      EXPECT_EQ(xi.seq_len, 40);
      EXPECT_EQ(xi.x, m->Inputs(i, 2, 40).x);
    }
  }
}

// Writes a valid folder, applies `damage` to its model.json, and expects an error mentioning `needle`.
void ExpectDamaged(const std::function<void(nlohmann::json&, const std::string&)>& damage, const std::string& needle,
                   ExitCode code = ExitCode::kBadInput) {
  TempDir d;
  ExportModel(*Tiny(), d.path(), 0, 0);
  nlohmann::json j = vec::ParseJsonFile(d.path() + "/model.json");
  damage(j, d.path());
  vec::WriteFileAtomic(d.path() + "/model.json", j.dump());
  try {
    const auto m = LoadModelFolder(d.path());
    m->Layer(0);
    m->Layer(1);
    FAIL() << "no error for " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Model, DamagedFoldersGetClearErrors) {
  ExpectDamaged([](auto& j, auto&) { j.erase("d_inner"); }, "d_inner");
  ExpectDamaged([](auto& j, auto&) { j["schema"] = "something-else"; }, "schema");
  ExpectDamaged([](auto& j, auto&) { j["schema_version"] = 99; }, "newer", ExitCode::kUnsupported);
  ExpectDamaged([](auto& j, auto&) { j["d_conv"] = 3; }, "d_conv");
  ExpectDamaged([](auto& j, auto&) { j["n_layers"] = 5; }, "n_layers");
  ExpectDamaged([](auto& j, auto&) { j["layers"][1].erase("output_scale"); }, "output_scale");
  ExpectDamaged([](auto& j, auto&) { j["layers"][0]["input_scale"] = -1.0; }, "input_scale");
  ExpectDamaged([](auto& j, auto&) { j["layers"][0]["input_scale"] = 0.0; }, "not positive");
  ExpectDamaged([](auto& j, auto&) { j["layers"][0]["bias_scale"] = "0.1"; }, "bias_scale");
  ExpectDamaged([](auto& j, auto&) { j["layers"][0]["weight"] = "nope.npy"; }, "nope.npy", ExitCode::kIo);
  ExpectDamaged([](auto& j, auto&) { j["layers"][0]["weight"] = "/dev/zero"; }, "stay inside");
  ExpectDamaged([](auto& j, auto&) { j["layers"][1]["bias"] = "layer_01/../../x.npy"; }, "stay inside");
  ExpectDamaged(
      [](auto& j, const std::string& dir) {
        const std::vector<int16_t> w(24 * 4, 1);  // wrong dtype
        vec::WriteFileAtomic(dir + "/w16.npy", vec::EncodeNpy(vec::DType::kI16, {24, 4}, w.data(), w.size() * 2));
        j["layers"][0]["weight"] = "w16.npy";
      },
      "weight");
  ExpectDamaged(
      [](auto& j, const std::string& dir) {
        const std::vector<int8_t> w(24 * 3, 1);  // wrong shape
        vec::WriteFileAtomic(dir + "/w3.npy", vec::EncodeNpy(vec::DType::kI8, {24, 3}, w.data(), w.size()));
        j["layers"][1]["weight"] = "w3.npy";
      },
      "weight");
  ExpectDamaged(
      [](auto&, const std::string& dir) {
        std::string b = vec::ReadFile(dir + "/layer_00/bias.npy");
        vec::WriteFileAtomic(dir + "/layer_00/bias.npy", b.substr(0, b.size() - 5));  // truncated
      },
      "truncated", ExitCode::kIo);
  TempDir d;
  vec::WriteFileAtomic(d.path() + "/model.json", "{ \"schema\": ");
  EXPECT_THROW(LoadModelFolder(d.path()), Error);
}

}  // namespace
}  // namespace cosim::gold
