// Each cause of the decision list in tb/check/classify.h, produced on purpose.
#include <gtest/gtest.h>

#include <cmath>

#include "tb/check/classify.h"

namespace cosim::check {
namespace {

LayerData OneChannel() {
  LayerData l;
  l.channels = 1;
  l.weight = {1, -2, 3, 4};
  l.bias = {10};
  l.input_scale = 0.05f;
  l.weight_scale = {0.004f};
  l.bias_scale = 0.002f;
  l.output_scale = 0.03f;
  return l;
}

ElementTrace Trace(const CompiledLayer& c, const LayerData& l, std::vector<int8_t> x) {
  return TraceElement(c, l, LayerInput{1, static_cast<int>(x.size()), x.data(), nullptr}, 0, 0,
                      static_cast<int>(x.size()) - 1);
}

TEST(Classify, AccumulatorOverflow) {
  LayerData l = OneChannel();
  l.weight = {127, 127, 127, 127};
  const HwConfig hw = HwConfig::FromJson({{"acc_bits", 16}}, HwConfig::Named("int-lut"), "t");
  const CompiledLayer c = CompileLayer(l, hw);
  const ElementTrace e = Trace(c, l, {127, 127, 127, 127});
  ASSERT_TRUE(e.acc_overflow);
  EXPECT_EQ(Classify(c, l, 0, e, e.code + 1, NAN), Cause::kAccumulatorOverflow);
}

TEST(Classify, Saturation) {
  LayerData l = OneChannel();
  l.output_scale = 0.0005f;  // tiny output scale: large positive values clamp
  const CompiledLayer c = CompileLayer(l, HwConfig::Named("int-lut"));
  const ElementTrace e = Trace(c, l, {100, -100, 100, 100});
  EXPECT_EQ(e.code, 127);
  EXPECT_NE(e.index, e.index_unsat);
  EXPECT_EQ(Classify(c, l, 0, e, 126, NAN), Cause::kSaturation);
}

TEST(Classify, RoundingTie) {
  const LayerData l = OneChannel();
  const CompiledLayer c = CompileLayer(l, HwConfig::Named("fp32-sfu"));
  const ElementTrace e = Trace(c, l, {10, 20, 30, 40});
  // The other side saw a value exactly half-way between two codes.
  EXPECT_EQ(Classify(c, l, 0, e, e.code + 1, (static_cast<float>(e.code) + 0.5f) * 0.03f), Cause::kRoundingTie);
}

TEST(Classify, ScaleRepresentationWithACoarseMultiplier) {
  const LayerData l = OneChannel();
  // A 2-bit multiplier represents s_w*s_x/s_lut very coarsely: the index moves.
  const HwConfig hw = HwConfig::FromJson({{"requant_mult_bits", 2}}, HwConfig::Named("int-lut"), "t");
  const CompiledLayer c = CompileLayer(l, hw);
  int found = 0;
  for (int v = -100; v <= 100 && !found; ++v) {
    const ElementTrace e = Trace(c, l, {static_cast<int8_t>(v), 20, 30, 40});
    const Cause k = Classify(c, l, 0, e, e.code + 1, NAN);
    found += k == Cause::kScaleRepresentation;
  }
  EXPECT_GT(found, 0);
}

TEST(Classify, SiluApproximationOtherwise) {
  const LayerData l = OneChannel();
  const CompiledLayer c = CompileLayer(l, HwConfig::Named("fp32-sfu"));
  const ElementTrace e = Trace(c, l, {10, 20, 30, 40});  // y = 0.064, code 1, far from a tie
  EXPECT_EQ(Classify(c, l, 0, e, 2, 0.064f), Cause::kSiluApproximation);
}

}  // namespace
}  // namespace cosim::check
