// The SystemC model's planted faults are each detected against cosim::RunLayer, and the timed
// mode reports the cycles and latency of a one-lane-vector-per-cycle pipeline.
#include <gtest/gtest.h>

#include "sim/core/error.h"
#include "sim/systemc/sc_model.h"
#include "tests/sim/systemc/sc_test_util.h"

namespace cosim {
namespace sc {
namespace {

using testing::CountDiff;
using testing::Knobs;
using testing::MakeLayer;
using testing::RandomLayer;
using testing::SameResult;

TEST(ScFaults, NamesRoundTrip) {
  for (int i = 0; i < kNumScFaults; ++i) {
    const ScFault f = static_cast<ScFault>(i);
    EXPECT_EQ(ScFaultFromString(ToString(f)), f);
    EXPECT_EQ(ScFaultFromString(std::to_string(i)), f);
  }
  EXPECT_THROW(ScFaultFromString("no-such-fault"), Error);
  EXPECT_EQ(AllScFaults().size(), static_cast<size_t>(kNumScFaults - 1));
}

TEST(ScFaults, EveryFaultIsDetectedAgainstRunLayer) {
  // A 16-bit saturating accumulator so that acc-always-wrap has overflows to act on; two
  // sequences and several groups so that state-not-reset has rows that follow other rows.
  const RandomLayer r = MakeLayer(2, 21, 90, 31);
  for (const char* profile : {"int-lut", "fp32-sfu"}) {
    const CompiledLayer c = CompileLayer(r.layer, Knobs({{"acc_bits", 16}, {"acc_overflow", "saturate"}}, profile));
    const LayerResult want = RunLayer(c, r.layer, r.Input());
    ASSERT_GT(want.counters.acc_overflow, 0) << profile;
    for (ScFault f : AllScFaults()) {
      ScOptions o;
      o.lanes = 8;
      o.steps_per_beat = 32;
      o.fault = f;
      const ScResult got = ScAsicModel::Instance().RunLayer(c, r.layer, r.Input(), o);
      const int64_t diff = CountDiff(want.y, got.out.y);
      if (ScFaultApplies(f, c.hw.profile == Profile::kIntLut)) {
        EXPECT_GT(diff, 0) << profile << " fault " << ToString(f) << " not detected";
      } else {
        EXPECT_EQ(diff, 0) << profile << " fault " << ToString(f) << " should not apply";
      }
    }
    // No fault leaks into the next clean run (registers are reset per layer).
    ScOptions clean;
    EXPECT_TRUE(SameResult(want, ScAsicModel::Instance().RunLayer(c, r.layer, r.Input(), clean).out)) << profile;
  }
}

TEST(ScFaults, StateNotResetOnlyCorruptsTheStartOfLaterRows) {
  const RandomLayer r = MakeLayer(2, 4, 20, 9);
  const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  const LayerResult want = RunLayer(c, r.layer, r.Input());
  ScOptions o;
  o.lanes = 4;
  o.fault = ScFault::kStateNotReset;
  const LayerResult got = ScAsicModel::Instance().RunLayer(c, r.layer, r.Input(), o).out;
  for (int row = 0; row < 8; ++row)
    for (int t = 0; t < 20; ++t) {
      const size_t i = static_cast<size_t>(row) * 20 + t;
      if (row < 4 || t >= 3) {
        EXPECT_EQ(want.acc[i], got.acc[i]) << "row " << row << " t " << t;
      }
    }
  EXPECT_GT(CountDiff(want.acc, got.acc), 0);
}

ScOptions Timed(int lanes, int steps, int fifo) {
  ScOptions o;
  o.timed = true;
  o.lanes = lanes;
  o.steps_per_beat = steps;
  o.fifo_depth = fifo;
  return o;
}

int SumLatency(const ScLatency& l) {
  return l.input + l.line_buffer + l.mac + l.requant + l.activation + l.output;
}

TEST(ScTimed, CyclesAreLaneVectorsPlusPipelineLatencyWithoutStalls) {
  const RandomLayer r = MakeLayer(2, 40, 33, 4);
  const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  for (int steps : {1, 5, 33}) {
    const ScOptions o = Timed(16, steps, 2);
    const ScResult res = ScAsicModel::Instance().RunLayer(c, r.layer, r.Input(), o);
    const uint64_t vectors = 2ull * 3 * 33;  // B * ceil(40/16) groups * L
    EXPECT_EQ(res.timing.lane_vectors, vectors);
    EXPECT_EQ(res.timing.cycles, vectors + SumLatency(o.latency)) << "T=" << steps;
    EXPECT_EQ(res.timing.first_output_latency, static_cast<uint64_t>(SumLatency(o.latency)));
    EXPECT_NEAR(res.timing.lane_utilization, 40.0 / 48.0, 1e-12);
    for (int s = 0; s < kNumStages; ++s) EXPECT_EQ(res.timing.stall_cycles[s], 0u) << StageName(s);
    EXPECT_EQ(res.timing.config_cycles, 40u * 4 + 1024);
  }
  ScOptions deep = Timed(16, 1, 2);
  deep.latency.activation = 20;
  const ScResult res = ScAsicModel::Instance().RunLayer(c, r.layer, r.Input(), deep);
  EXPECT_EQ(res.timing.first_output_latency, static_cast<uint64_t>(SumLatency(deep.latency)));
  EXPECT_EQ(res.timing.cycles, 2ull * 3 * 33 + SumLatency(deep.latency));
}

TEST(ScTimed, SinkStallsBackPressureTheFifosAndAreReproducible) {
  const RandomLayer r = MakeLayer(1, 32, 200, 6);
  const CompiledLayer c = CompileLayer(r.layer, HwConfig::Named("int-lut"));
  ScOptions o = Timed(16, 1, 1);
  o.sink_stall_rate = 0.25;
  o.source_bubble_rate = 0.1;
  o.seed = 42;
  const ScResult a = ScAsicModel::Instance().RunLayer(c, r.layer, r.Input(), o);
  const ScResult b = ScAsicModel::Instance().RunLayer(c, r.layer, r.Input(), o);
  EXPECT_EQ(a.timing.cycles, b.timing.cycles);
  EXPECT_GT(a.timing.sink_stalls, 0u);
  EXPECT_GT(a.timing.source_bubbles, 0u);
  EXPECT_GE(a.timing.cycles, a.timing.lane_vectors + a.timing.sink_stalls);
  EXPECT_GT(a.timing.stall_cycles[kStActivation], 0u);  // the FIFO in front of the sink filled
  EXPECT_LT(a.timing.elements_per_cycle, 16.0);
  o.seed = 43;
  EXPECT_NE(ScAsicModel::Instance().RunLayer(c, r.layer, r.Input(), o).timing.cycles, a.timing.cycles);
  // Untimed runs report no cycles.
  ScOptions untimed;
  const ScResult u = ScAsicModel::Instance().RunLayer(c, r.layer, r.Input(), untimed);
  EXPECT_FALSE(u.timing.timed);
  EXPECT_EQ(u.timing.cycles, 0u);
}

}  // namespace
}  // namespace sc
}  // namespace cosim
