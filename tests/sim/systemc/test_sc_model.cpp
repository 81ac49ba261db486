// The SystemC model equals cosim::RunLayer bit for bit: odd sizes, both profiles, knob sets,
// model options, several layers through the one elaborated model, chunked input with state.
#include <gtest/gtest.h>

#include "sim/core/error.h"
#include "sim/systemc/sc_model.h"
#include "tests/sim/systemc/sc_test_util.h"

namespace cosim {
namespace sc {
namespace {

using testing::Knobs;
using testing::MakeLayer;
using testing::RandomLayer;
using testing::SameResult;

ScOptions Opts(int lanes, int steps, int fifo = 2, bool timed = false) {
  ScOptions o;
  o.lanes = lanes;
  o.steps_per_beat = steps;
  o.fifo_depth = fifo;
  o.timed = timed;
  return o;
}

TEST(ScModel, EqualsRunLayerAcrossKnobsAndOddSizes) {
  struct Setting {
    const char* base;
    nlohmann::json knobs;
    bool per_channel;
  };
  const std::vector<Setting> settings = {
      {"int-lut", nlohmann::json::object(), false},
      {"int-lut", {{"rounding", "half-even"}}, false},
      {"int-lut", {{"rounding", "half-up"}, {"lut_index_bits", 8}}, false},
      {"int-lut", {{"rounding", "truncate"}, {"requant_mult_bits", 8}}, false},
      {"int-lut", {{"acc_bits", 16}, {"acc_overflow", "wrap"}}, false},
      {"int-lut", {{"acc_bits", 16}, {"acc_overflow", "saturate"}}, false},
      {"int-lut", {{"output_bits", 12}, {"lut_index_bits", 14}, {"output_scale_divisor", 16}}, false},
      {"int-lut", {{"lut_index_bits", 4}, {"output_bits", 4}}, false},
      {"int-lut-small", nlohmann::json::object(), false},
      {"int-lut-per-channel", nlohmann::json::object(), true},
      {"fp32-sfu", nlohmann::json::object(), false},
      {"fp32-sfu", {{"rounding", "half-even"}}, false},
      {"fp32-sfu", {{"rounding", "truncate"}, {"output_bits", 6}}, false},
      {"fp32-sfu", {{"acc_bits", 16}, {"acc_overflow", "wrap"}, {"weight_scale", "per-channel"}}, true},
  };
  ScAsicModel& m = ScAsicModel::Instance(Opts(16, 64));
  for (const auto& s : settings)
    for (int L : {1, 2, 3, 129}) {
      // D = 33: two full groups of 16 lanes and one group with a single active lane.
      const RandomLayer r = MakeLayer(2, 33, L, 100 + L, s.per_channel);
      const CompiledLayer c = CompileLayer(r.layer, Knobs(s.knobs, s.base));
      const LayerResult want = RunLayer(c, r.layer, r.Input());
      ASSERT_TRUE(SameResult(want, m.RunLayer(c, r.layer, r.Input()).out)) << s.base << " " << s.knobs.dump()
                                                                         << " L=" << L;
    }
}

TEST(ScModel, ResultsDoNotDependOnLanesStepsFifoDepthOrTiming) {
  const RandomLayer r = MakeLayer(3, 37, 70, 5);
  for (const char* profile : {"int-lut", "fp32-sfu"}) {
    const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named(profile));
    const LayerResult want = RunLayer(c, r.layer, r.Input());
    for (int lanes : {1, 5, 16, 37, 64})
      for (int steps : {1, 3, 70, 256})
        for (int fifo : {1, 64}) {
          ScOptions o = Opts(lanes, steps, fifo);
          ASSERT_TRUE(SameResult(want, ScAsicModel::Instance().RunLayer(c, r.layer, r.Input(), o).out))
              << profile << " P=" << lanes << " T=" << steps << " fifo=" << fifo;
        }
    ScOptions timed = Opts(8, 4, 1, true);
    timed.source_bubble_rate = 0.3;
    timed.sink_stall_rate = 0.4;
    ASSERT_TRUE(SameResult(want, ScAsicModel::Instance().RunLayer(c, r.layer, r.Input(), timed).out)) << profile;
  }
}

TEST(ScModel, WithoutIntermediatesOnlyOutputsAndStateAreFilled) {
  const RandomLayer r = MakeLayer(1, 20, 40, 8);
  const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  const LayerResult want = RunLayer(c, r.layer, r.Input(), RunOptions{false, 1});
  ScOptions o = Opts(16, 16);
  o.keep_intermediates = false;
  EXPECT_TRUE(SameResult(want, ScAsicModel::Instance().RunLayer(c, r.layer, r.Input(), o).out));
}

TEST(ScModel, SeveralLayersStreamThroughTheOneElaboratedModel) {
  ScAsicModel& m = ScAsicModel::Instance(Opts(16, 32));
  EXPECT_TRUE(ScAsicModel::Elaborated());
  EXPECT_EQ(&m, &ScAsicModel::Instance());
  // A small stack: layers of different widths, lengths and profiles, back to back, twice.
  std::vector<RandomLayer> layers;
  std::vector<CompiledLayer> compiled;
  const char* profiles[] = {"int-lut", "fp32-sfu", "int-lut-small", "int-lut-per-channel", "int-lut"};
  for (int i = 0; i < 5; ++i) {
    layers.push_back(MakeLayer(1 + i % 2, 16 + 7 * i, 50 + 31 * i, 40 + i, i == 3, i));
    compiled.push_back(CompileLayer(layers.back().layer, HwConfig::Named(profiles[i])));
  }
  for (int pass = 0; pass < 2; ++pass)
    for (int i = 0; i < 5; ++i) {
      const LayerResult want = RunLayer(compiled[i], layers[i].layer, layers[i].Input());
      ASSERT_TRUE(SameResult(want, m.RunLayer(compiled[i], layers[i].layer, layers[i].Input()).out))
          << "layer " << i << " pass " << pass;
    }
}

TEST(ScModel, ChunkedInputWithCarriedStateEqualsOneSequence) {
  const int B = 2, D = 19, L = 100;
  const RandomLayer r = MakeLayer(B, D, L, 77);
  for (const char* profile : {"int-lut", "fp32-sfu"}) {
    const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named(profile));
    const LayerResult whole = RunLayer(c, r.layer, r.Input());
    for (const std::vector<int>& cuts : {std::vector<int>{1, 2, 97}, {50, 50}, {3, 3, 3, 91}, {99, 1}}) {
      std::vector<int8_t> state(B * D * 3, 0);
      int t0 = 0;
      for (int len : cuts) {
        std::vector<int8_t> chunk(static_cast<size_t>(B) * D * len);
        for (int row = 0; row < B * D; ++row)
          for (int t = 0; t < len; ++t) chunk[row * len + t] = r.x[row * L + t0 + t];
        const LayerInput in{B, len, chunk.data(), state.data()};
        const ScResult part = ScAsicModel::Instance().RunLayer(c, r.layer, in, Opts(8, 16));
        ASSERT_TRUE(SameResult(RunLayer(c, r.layer, in), part.out)) << profile;
        for (int row = 0; row < B * D; ++row)
          for (int t = 0; t < len; ++t)
            ASSERT_EQ(part.out.y[row * len + t], whole.y[row * L + t0 + t]) << profile << " row " << row;
        state = part.out.state_out;
        t0 += len;
      }
      EXPECT_EQ(state, whole.state_out) << profile;
    }
  }
}

TEST(ScModel, RejectsBadOptionsAndInput) {
  const RandomLayer r = MakeLayer(1, 4, 8, 1);
  const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  ScAsicModel& m = ScAsicModel::Instance();
  for (ScOptions o : {Opts(0, 1), Opts(1, 0), Opts(1, 1, 0), Opts(1, 1, kMaxFifoDepth + 1)}) {
    try {
      m.RunLayer(c, r.layer, r.Input(), o);
      FAIL() << "accepted bad options";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kUsage) << e.what();
    }
  }
  ScOptions bad_rate;
  bad_rate.sink_stall_rate = 1.0;
  EXPECT_THROW(m.SetOptions(bad_rate), Error);
  EXPECT_THROW(m.RunLayer(c, r.layer, LayerInput{1, 0, r.x.data(), nullptr}), Error);
  EXPECT_THROW(m.RunLayer(c, r.layer, LayerInput{1, 8, nullptr, nullptr}), Error);
  const CompiledLayer other = CompileLayer(MakeLayer(1, 5, 8, 1).layer, HwConfig::Named("int-lut"));
  EXPECT_THROW(m.RunLayer(other, r.layer, r.Input()), Error);
  // The model still works after rejected calls.
  EXPECT_TRUE(SameResult(RunLayer(c, r.layer, r.Input()), m.RunLayer(c, r.layer, r.Input(), Opts(4, 4)).out));
}

}  // namespace
}  // namespace sc
}  // namespace cosim
