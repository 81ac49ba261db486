// test_rtl: the Verilated csr RTL (rtl_models/) against a plain reference of docs/datapath.md
// section 5 (csr_ref.h), bit for bit, through the C++ driver.
//
// Models: csr_top (the clean synthesizable build, compile-time knobs) and the verification
// builds csr_fi_a/b/c (run-time knobs and planted faults) at three width sets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "csr_ref.h"
#include "csr_test_layers.h"
#include "csr_rtl_driver.h"
#include "csr_rtl_models.h"
#include "sim/core/error.h"

namespace {

using cosim::rtl::Driver;
using cosim::rtl::Knobs;
using cosim::rtl::LayerView;
using cosim::rtl::ModelInfo;
using cosim::rtl::Rounding;
using cosim::rtl::RunOptions;
using cosim::rtl::RunResult;
using csr_test::MakeLayer;
using csr_test::TestLayer;

enum class Model { kTop, kFiA, kFiB, kFiC };

const char* ModelName(Model m) {
  switch (m) {
    case Model::kTop: return "top";
    case Model::kFiA: return "fiA";
    case Model::kFiB: return "fiB";
    case Model::kFiC: return "fiC";
  }
  return "?";
}

// One driver per model and process (tests of one model share it; Run() resets the pipeline).
Driver& GetDriver(Model m) {
  static std::map<Model, std::unique_ptr<Driver>> drivers;
  auto it = drivers.find(m);
  if (it != drivers.end()) return *it->second;
  std::unique_ptr<Driver> d;
  switch (m) {
    case Model::kTop: d = cosim::rtl::MakeCsrTopDriver(); break;
    case Model::kFiA: d = cosim::rtl::MakeCsrFiADriver(); break;
    case Model::kFiB: d = cosim::rtl::MakeCsrFiBDriver(); break;
    case Model::kFiC: d = cosim::rtl::MakeCsrFiCDriver(); break;
  }
  Driver& ref = *d;
  drivers.emplace(m, std::move(d));
  return ref;
}

// ---- comparison ----
struct Compare {
  uint64_t y = 0, acc = 0, idx = 0, flags = 0;
  std::string first;  // the first mismatches, one per line
  uint64_t total() const { return y + acc + idx + flags; }
};

Compare CompareToReference(const TestLayer& t, const RunResult& r, bool debug, int max_report = 8) {
  const csr_test::RefResult ref = csr_test::RunReference(t.View());
  Compare c;
  std::ostringstream os;
  int reported = 0;
  for (int b = 0; b < t.B; ++b) {
    for (int d = 0; d < t.D; ++d) {
      for (int i = 0; i < t.L; ++i) {
        const size_t e = (static_cast<size_t>(b) * t.D + d) * t.L + i;
        const bool by = r.y[e] != ref.y[e];
        const bool ba = debug && r.acc[e] != ref.acc[e];
        const bool bi = debug && r.idx[e] != ref.idx[e];
        const bool bf = debug && (r.acc_ovf[e] != ref.acc_ovf[e] || r.idx_sat[e] != ref.idx_sat[e]);
        c.y += by; c.acc += ba; c.idx += bi; c.flags += bf;
        if ((by || ba || bi || bf) && reported < max_report) {
          ++reported;
          os << "  b=" << b << " d=" << d << " t=" << i << ": y exp " << ref.y[e] << " got " << r.y[e];
          if (debug) {
            os << " | acc exp " << ref.acc[e] << " got " << r.acc[e] << " | idx exp " << ref.idx[e]
               << " got " << r.idx[e] << " | ovf " << int(ref.acc_ovf[e]) << "/" << int(r.acc_ovf[e])
               << " sat " << int(ref.idx_sat[e]) << "/" << int(r.idx_sat[e]);
          }
          os << " (M=" << t.mult[d] << " shift=" << t.shift[d] << " bias_acc=" << t.bias_acc[d] << ")\n";
        }
      }
    }
  }
  c.first = os.str();
  return c;
}

Knobs KnobsFor(Model m, Rounding r, bool wrap) {
  Knobs k = GetDriver(m).info().DefaultKnobs();
  k.rounding = r;
  k.acc_wrap = wrap;
  return k;
}

// ---- 1. every model, knob setting and odd shape against the reference ----
struct Case {
  Model model;
  int B, D, L;
  Rounding rounding;
  bool wrap;
  double bubble, stall;
  uint64_t seed;
};

std::string CaseName(const testing::TestParamInfo<Case>& i) {
  const Case& c = i.param;
  std::ostringstream os;
  os << ModelName(c.model) << "_B" << c.B << "D" << c.D << "L" << c.L << "_"
     << (c.rounding == Rounding::kHalfAway ? "away" : c.rounding == Rounding::kHalfEven ? "even"
         : c.rounding == Rounding::kHalfUp ? "up" : "trunc")
     << (c.wrap ? "_wrap" : "_sat") << (c.bubble > 0 || c.stall > 0 ? "_bp" : "") << "_" << i.index;
  return os.str();
}

std::vector<Case> AllCases() {
  struct Shape { int B, D, L; };
  const Shape shapes[] = {{1, 16, 1}, {2, 16, 2}, {1, 32, 3}, {2, 48, 129}, {1, 40, 7}, {1, 20, 5}, {3, 16, 17}};
  const Rounding modes[] = {Rounding::kHalfAway, Rounding::kHalfEven, Rounding::kHalfUp, Rounding::kTruncate};
  std::vector<Case> v;
  uint64_t seed = 100;
  int n = 0;
  for (const Shape& s : shapes) {  // the clean build: its compile-time knobs only
    const bool bp = (n++ % 2) == 1;
    v.push_back({Model::kTop, s.B, s.D, s.L, Rounding::kHalfAway, false, bp ? 0.3 : 0.0, bp ? 0.4 : 0.0, seed++});
  }
  for (Model m : {Model::kFiA, Model::kFiB, Model::kFiC}) {
    for (Rounding r : modes) {
      for (bool wrap : {false, true}) {
        for (const Shape& s : shapes) {
          const bool bp = (n++ % 2) == 1;
          v.push_back({m, s.B, s.D, s.L, r, wrap, bp ? 0.3 : 0.0, bp ? 0.4 : 0.0, seed++});
        }
      }
    }
  }
  return v;
}

class RtlVsReference : public testing::TestWithParam<Case> {};

TEST_P(RtlVsReference, BitExact) {
  const Case& c = GetParam();
  Driver& drv = GetDriver(c.model);
  const TestLayer t = MakeLayer(KnobsFor(c.model, c.rounding, c.wrap), c.B, c.D, c.L, c.seed);
  RunOptions opt;
  opt.bubble_prob = c.bubble;
  opt.stall_prob = c.stall;
  opt.seed = c.seed;
  const RunResult r = drv.Run(t.View(), opt);
  ASSERT_TRUE(r.complete) << r.beats_out << " of " << r.beats_expected << " beats, "
                          << r.beat_tag_errors << " tag errors";
  const Compare cmp = CompareToReference(t, r, true);
  EXPECT_EQ(cmp.total(), 0u) << drv.info().Describe() << "\nfirst mismatches:\n" << cmp.first;
  // The event counters agree with the reference's flags.
  const csr_test::RefResult ref = csr_test::RunReference(t.View());
  uint64_t ovf = 0, sat = 0;
  for (size_t e = 0; e < ref.y.size(); ++e) { ovf += ref.acc_ovf[e]; sat += ref.idx_sat[e]; }
  EXPECT_EQ(r.acc_overflows, ovf);
  EXPECT_EQ(r.index_saturations, sat);
}

INSTANTIATE_TEST_SUITE_P(All, RtlVsReference, testing::ValuesIn(AllCases()), CaseName);

// The layers above do hit the corners they are built for (otherwise the comparison is weak).
TEST(RtlLayers, CoverCorners) {
  for (Model m : {Model::kFiA, Model::kFiB, Model::kFiC}) {
    for (Rounding r : {Rounding::kHalfEven, Rounding::kHalfAway}) {
      const TestLayer t = MakeLayer(KnobsFor(m, r, false), 2, 48, 129, 7);
      const csr_test::RefResult ref = csr_test::RunReference(t.View());
      uint64_t ovf = 0, sat = 0, ties = 0, negy = 0;
      for (int b = 0; b < t.B; ++b) {
        for (int d = 0; d < t.D; ++d) {
          for (int i = 0; i < t.L; ++i) {
            const size_t e = (static_cast<size_t>(b) * t.D + d) * t.L + i;
            ovf += ref.acc_ovf[e];
            sat += ref.idx_sat[e];
            negy += ref.y[e] < 0;
            const int s = t.shift[d];
            if (s > 0) {
              const csr_test::i128 p = static_cast<csr_test::i128>(ref.acc[e]) * t.mult[d];
              const csr_test::i128 q = csr_test::FloorDivPow2(p, s);
              if (p - q * (static_cast<csr_test::i128>(1) << s) == (static_cast<csr_test::i128>(1) << (s - 1))) ++ties;
            }
          }
        }
      }
      EXPECT_GT(ovf, 10u) << ModelName(m);
      EXPECT_GT(sat, 10u) << ModelName(m);
      EXPECT_GT(ties, 10u) << ModelName(m);
      EXPECT_GT(negy, 10u) << ModelName(m);
    }
  }
}

// ---- 2. flow control ----
TEST(RtlFlowControl, BackpressureDoesNotChangeResults) {
  Driver& drv = GetDriver(Model::kFiA);
  const TestLayer t = MakeLayer(KnobsFor(Model::kFiA, Rounding::kHalfEven, false), 2, 48, 65, 11);
  RunOptions o0;
  const RunResult r0 = drv.Run(t.View(), o0);
  ASSERT_TRUE(r0.complete);
  EXPECT_EQ(CompareToReference(t, r0, true).total(), 0u);
  const struct { double bubble, stall; uint64_t seed; } runs[] = {
      {0.5, 0.0, 2}, {0.0, 0.5, 3}, {0.3, 0.6, 4}, {0.8, 0.8, 5}, {0.05, 0.95, 6}, {0.95, 0.05, 7}};
  for (const auto& rr : runs) {
    RunOptions o;
    o.bubble_prob = rr.bubble;
    o.stall_prob = rr.stall;
    o.seed = rr.seed;
    const RunResult r = drv.Run(t.View(), o);
    ASSERT_TRUE(r.complete) << "bubble " << rr.bubble << " stall " << rr.stall;
    EXPECT_EQ(r.y, r0.y) << "bubble " << rr.bubble << " stall " << rr.stall;
    EXPECT_EQ(r.acc, r0.acc);
    EXPECT_EQ(r.idx, r0.idx);
    EXPECT_GT(r.stream_cycles, r0.stream_cycles);
  }
}

TEST(RtlFlowControl, FullThroughputWithoutBackpressure) {
  for (Model m : {Model::kTop, Model::kFiA, Model::kFiC}) {
    Driver& drv = GetDriver(m);
    const TestLayer t = MakeLayer(drv.info().DefaultKnobs(), 2, 48, 100, 3);
    const RunResult r = drv.Run(t.View(), RunOptions{});
    ASSERT_TRUE(r.complete);
    // One beat per cycle plus the 5-cycle latency of the pipeline.
    EXPECT_EQ(r.stream_cycles, r.beats_expected + 5) << ModelName(m);
  }
}

TEST(RtlFlowControl, TablesSurviveRerunWithoutProgramming) {
  Driver& drv = GetDriver(Model::kFiB);
  const TestLayer t = MakeLayer(KnobsFor(Model::kFiB, Rounding::kHalfUp, true), 1, 32, 9, 5);
  const RunResult r1 = drv.Run(t.View(), RunOptions{});
  RunOptions o;
  o.program = false;
  o.bubble_prob = 0.2;
  const RunResult r2 = drv.Run(t.View(), o);
  EXPECT_EQ(r1.y, r2.y);
  EXPECT_EQ(CompareToReference(t, r2, true).total(), 0u);
}

// ---- 3. docs/datapath.md section 5 worked example, on the clean build ----
TEST(RtlContract, WorkedExample) {
  Driver& drv = GetDriver(Model::kTop);
  TestLayer t = MakeLayer(drv.info().DefaultKnobs(), 1, 16, 4, 1);
  const int8_t taps[4] = {1, -2, 3, 4};
  const int8_t win[4] = {10, 20, 30, 40};
  for (int j = 0; j < 4; ++j) {
    t.weight[j] = taps[j];
    t.x[j] = win[j];
  }
  t.bias_acc[0] = 100;
  t.mult[0] = 55924;
  t.shift[0] = 22;
  t.lut[4 + 512] = 1;
  const RunResult r = drv.Run(t.View(), RunOptions{});
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.acc[3], 320);
  EXPECT_EQ(r.idx[3], 4);
  EXPECT_EQ(r.y[3], 1);
  EXPECT_EQ(CompareToReference(t, r, true).total(), 0u);
}

// ---- 4. every planted fault is caught; the clean design passes the same layers ----
struct FaultCase {
  Model model;
  unsigned fault;
};

class RtlFaults : public testing::TestWithParam<FaultCase> {};

TEST_P(RtlFaults, CaughtOnExposingLayer) {
  const FaultCase& fc = GetParam();
  Driver& drv = GetDriver(fc.model);
  // Two sequences of several channel groups, every channel kind, half-even (ties matter, and
  // floor differs), saturate (wrap differs), random bubbles (garbage on the idle bus) and
  // back-pressure (stalls while beats are in flight).
  const int P = drv.info().lanes;
  const TestLayer t = MakeLayer(KnobsFor(fc.model, Rounding::kHalfEven, false), 2, 3 * P, 33, 40 + fc.fault);
  RunOptions o;
  o.fault = fc.fault;
  o.bubble_prob = 0.3;
  o.stall_prob = 0.3;
  o.seed = 99 + fc.fault;
  o.idle_limit = 200;
  const RunResult r = drv.Run(t.View(), o);
  const Compare cmp = CompareToReference(t, r, false, 3);
  if (fc.fault == cosim::rtl::kFaultNone) {
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(cmp.y, 0u) << cmp.first;
  } else {
    const bool caught = !r.complete || cmp.y > 0;
    EXPECT_TRUE(caught) << "fault " << fc.fault << " (" << cosim::rtl::FaultName(fc.fault)
                        << ") produced no mismatch";
    std::printf("fault %2u %-18s on %s: %llu output mismatches, %llu/%llu beats out\n", fc.fault,
                cosim::rtl::FaultName(fc.fault), ModelName(fc.model),
                static_cast<unsigned long long>(cmp.y), static_cast<unsigned long long>(r.beats_out),
                static_cast<unsigned long long>(r.beats_expected));
  }
}

std::vector<FaultCase> AllFaults() {
  std::vector<FaultCase> v;
  for (Model m : {Model::kFiA, Model::kFiB, Model::kFiC}) {
    for (unsigned f = 0; f < cosim::rtl::kNumFaults; ++f) v.push_back({m, f});
  }
  return v;
}

std::string FaultCaseName(const testing::TestParamInfo<FaultCase>& i) {
  std::string n = std::string(ModelName(i.param.model)) + "_" + std::to_string(i.param.fault) + "_" +
                  cosim::rtl::FaultName(i.param.fault);
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

INSTANTIATE_TEST_SUITE_P(All, RtlFaults, testing::ValuesIn(AllFaults()), FaultCaseName);

// ---- 5. the driver refuses what the model cannot run ----
TEST(RtlDriver, RejectsLayersTheModelCannotRun) {
  Driver& top = GetDriver(Model::kTop);
  const TestLayer good = MakeLayer(top.info().DefaultKnobs(), 1, 16, 4, 1);
  auto expect_error = [&](Driver& d, const TestLayer& t, const RunOptions& o, const char* what) {
    try {
      d.Run(t.View(), o);
      ADD_FAILURE() << "no error for " << what;
    } catch (const cosim::Error& e) {
      SUCCEED() << e.what();
    }
  };
  {
    TestLayer t = good;
    t.knobs.rounding = Rounding::kHalfEven;  // compile-time knob of the clean build
    expect_error(top, t, RunOptions{}, "rounding on a RUNTIME_KNOBS=0 model");
  }
  {
    TestLayer t = good;
    t.knobs.output_bits = 12;
    expect_error(top, t, RunOptions{}, "output_bits mismatch");
  }
  {
    TestLayer t = good;
    t.shift[3] = 63;
    expect_error(top, t, RunOptions{}, "shift 63");
  }
  {
    TestLayer t = good;
    t.mult[2] = 1u << 16;
    expect_error(top, t, RunOptions{}, "mult too wide");
  }
  {
    RunOptions o;
    o.fault = cosim::rtl::kFaultBiasDropped;
    expect_error(top, good, o, "fault on a model without ENABLE_FAULTS");
  }
  {
    Driver& b = GetDriver(Model::kFiB);  // D_MAX = 256
    const TestLayer t = MakeLayer(b.info().DefaultKnobs(), 1, 272, 2, 1);
    expect_error(b, t, RunOptions{}, "D above D_MAX");
  }
}

// ---- 6. waveforms ----
TEST(RtlDriver, WritesAnFstTraceWindow) {
  Driver& drv = GetDriver(Model::kFiA);
  const TestLayer t = MakeLayer(drv.info().DefaultKnobs(), 1, 16, 8, 2);
  const std::string path = testing::TempDir() + "/csr_rtl_trace.fst";
  std::remove(path.c_str());
  RunOptions o;
  o.trace_path = path;
  o.trace_begin = 0;
  o.trace_end = 2000;
  const RunResult r = drv.Run(t.View(), o);
  EXPECT_TRUE(r.complete);
  FILE* f = std::fopen(path.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  std::fseek(f, 0, SEEK_END);
  EXPECT_GT(std::ftell(f), 100);
  std::fclose(f);
  // And tracing off again afterwards.
  const RunResult r2 = drv.Run(t.View(), RunOptions{});
  EXPECT_EQ(r.y, r2.y);
}

}  // namespace
