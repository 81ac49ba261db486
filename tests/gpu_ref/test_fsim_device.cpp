// The device against the host, bit for bit for every exactly defined mode; the modes that call the
// platform expf on purpose report their device-vs-host difference counts instead (RecordProperty).
// Every test skips without a usable GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <cuda_runtime_api.h>

#include "device_kernels.h"
#include "gpu_ref/cuda_check.h"
#include "gpu_ref/exp32.h"
#include "gpu_ref/floatsim.h"
#include "gpu_ref/floatsim_cuda.h"
#include "gpu_ref/int_lut.h"
#include "gpu_ref/prepare.h"
#include "gpu_ref/ytable_build.h"
#include "reference.h"
#include "test_layers.h"

namespace {

using cosim::fsim::AccOverflow;
using cosim::fsim::Knobs;
using cosim::fsim::Mode;
using cosim::fsim::ModeResult;
using cosim::fsim::Profile;
using cosim::fsim::Rounding;
using fsimtest::SameBits;

#define SKIP_WITHOUT_GPU() \
  if (!cosim::fsim::DeviceAvailable()) GTEST_SKIP() << "no usable CUDA device"

struct Diff {
  int64_t codes = 0, before = 0, after = 0;
  bool counters_equal = true;
  int64_t first = -1;
  int64_t Total() const { return codes + before + after + (counters_equal ? 0 : 1); }
};

Diff Compare(const ModeResult& a, const ModeResult& b) {
  Diff d;
  if (a.codes.size() != b.codes.size() || a.after_quant.size() != b.after_quant.size()) {
    d.codes = 1 << 30;
    return d;
  }
  for (size_t i = 0; i < a.after_quant.size(); ++i) {
    const bool c = !a.codes.empty() && a.codes[i] != b.codes[i];
    const bool be = !SameBits(a.before_quant[i], b.before_quant[i]);
    const bool af = !SameBits(a.after_quant[i], b.after_quant[i]);
    d.codes += c;
    d.before += be;
    d.after += af;
    if ((c || be || af) && d.first < 0) d.first = static_cast<int64_t>(i);
  }
  d.counters_equal = a.saturations == b.saturations && a.acc_overflows == b.acc_overflows &&
                     a.index_saturations == b.index_saturations && a.effective_scale == b.effective_scale;
  return d;
}

bool IsExact(Mode m) {
  return m == Mode::kInt8Asic || m == Mode::kFloatSimInt8 || m == Mode::kResearchSeEnhance ||
         m == Mode::kResearchSeRefine;
}

std::vector<Knobs> KnobSets() {
  std::vector<Knobs> ks;
  for (Profile p : {Profile::kIntLut, Profile::kFp32Sfu}) {
    for (int r = 0; r < 4; ++r) {
      Knobs k;
      k.profile = p;
      k.rounding = static_cast<Rounding>(r);
      ks.push_back(k);
    }
    Knobs k;
    k.profile = p;
    k.acc_bits = 16;
    k.acc_overflow = AccOverflow::kWrap;
    k.requant_mult_bits = 31;
    k.lut_index_bits = 16;
    k.output_bits = 12;
    k.weight_scale = cosim::fsim::WeightScale::kPerChannel;
    ks.push_back(k);
    k = Knobs{};
    k.profile = p;
    k.requant_mult_bits = 24;
    k.output_scale_divisor = 3.7f;
    k.output_bits = 16;
    k.rounding = Rounding::kHalfEven;
    ks.push_back(k);
  }
  return ks;
}

// The same layer through RunDevice and RunHost, every mode, every knob set; vector (L % 16 == 0)
// and scalar (odd L) kernel paths; per-channel scales and a carried state.
TEST(FsimDevice, DeviceEqualsHost) {
  SKIP_WITHOUT_GPU();
  std::printf("device: %s\n", cosim::fsim::DeviceName().c_str());
  struct Shape { int B, D, L; bool state; };
  const Shape shapes[] = {{2, 33, 64, false}, {1, 7, 129, true}, {3, 5, 1, true}, {1, 4128, 16, true}};
  int64_t platform_diffs[8] = {0};
  for (const Shape& s : shapes) {
    const auto l = fsimtest::RandomLayer(s.B * 1000 + s.D + s.L, s.B, s.D, s.L, true, s.state);
    for (const Knobs& k0 : KnobSets()) {
      Knobs k = k0;
      k.weight_scale = cosim::fsim::WeightScale::kPerChannel;
      for (Mode m : cosim::fsim::AllModes()) {
        if (!IsExact(m) && !(k0 == KnobSets()[0])) continue;  // knobs do not apply to them
        const auto host = cosim::fsim::RunHost(m, l.view(), k);
        const auto dev = cosim::fsim::RunDevice(m, l.view(), k);
        const Diff d = Compare(host, dev);
        if (IsExact(m)) {
          EXPECT_EQ(d.Total(), 0) << cosim::fsim::ModeName(m) << " " << k.ToJson().dump() << " shape "
                                  << s.B << "x" << s.D << "x" << s.L << ": codes " << d.codes << " before "
                                  << d.before << " after " << d.after << " first " << d.first;
        } else {
          platform_diffs[static_cast<int>(m)] += d.codes + d.before;
        }
      }
    }
  }
  for (Mode m : cosim::fsim::AllModes()) {
    if (IsExact(m)) continue;
    std::printf("platform expf mode %-20s device vs host differing values: %lld\n", cosim::fsim::ModeName(m),
                static_cast<long long>(platform_diffs[static_cast<int>(m)]));
    ::testing::Test::RecordProperty(std::string(cosim::fsim::ModeName(m)) + "_small_layers_diffs",
                                    std::to_string(platform_diffs[static_cast<int>(m)]));
  }
}

// Several layers in flight on 3 streams equal one-by-one host runs, in job order.
TEST(FsimDevice, BatchOnStreams) {
  SKIP_WITHOUT_GPU();
  std::vector<fsimtest::OwnedLayer> layers;
  std::vector<cosim::fsim::DeviceJob> jobs;
  for (int i = 0; i < 10; ++i) layers.push_back(fsimtest::RandomLayer(70 + i, 1 + i % 3, 16 + i * 5, 32 * (1 + i % 4) + (i % 2), false, i % 3 == 0));
  for (int i = 0; i < 10; ++i) {
    cosim::fsim::DeviceJob j;
    j.mode = i % 2 ? Mode::kFloatSimInt8 : Mode::kResearchSeRefine;
    j.layer = layers[i].view();
    j.knobs.profile = i % 4 < 2 ? Profile::kIntLut : Profile::kFp32Sfu;
    j.knobs.output_bits = j.mode == Mode::kResearchSeRefine ? 16 : 8;
    j.factor = 100.0f + i;
    jobs.push_back(j);
  }
  const auto dev = cosim::fsim::RunDeviceBatch(jobs, 3);
  ASSERT_EQ(dev.size(), jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto host = cosim::fsim::RunHost(jobs[i].mode, jobs[i].layer, jobs[i].knobs, jobs[i].factor);
    EXPECT_EQ(Compare(host, dev[i]).Total(), 0) << "job " << i;
  }
  // checks before launch: a bad job fails the whole batch with the field named
  jobs[4].layer.s_out = 0.0f;
  try {
    cosim::fsim::RunDeviceBatch(jobs, 3);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("s_out"), std::string::npos);
  }
}

// A layer's x and state on the device; Codes() runs a DeviceLayer's codes8 kernel over them.
class Codes8Inputs {
 public:
  explicit Codes8Inputs(const fsimtest::OwnedLayer& l) : n_(l.x.size()), use_state_(l.use_state) {
    FSIM_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&dx_), n_));
    FSIM_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&dy_), n_));
    FSIM_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&ds_), l.state.size()));
    FSIM_CUDA_CHECK(cudaMemcpy(dx_, l.x.data(), n_, cudaMemcpyHostToDevice));
    FSIM_CUDA_CHECK(cudaMemcpy(ds_, l.state.data(), l.state.size(), cudaMemcpyHostToDevice));
  }
  ~Codes8Inputs() {
    cudaFree(dx_);
    cudaFree(dy_);
    cudaFree(ds_);
  }
  Codes8Inputs(const Codes8Inputs&) = delete;
  Codes8Inputs& operator=(const Codes8Inputs&) = delete;
  std::vector<int8_t> Codes(const cosim::fsim::DeviceLayer& dl) const {
    dl.LaunchCodesInt8(dx_, dy_, nullptr, use_state_ ? ds_ : nullptr);
    FSIM_CUDA_CHECK(cudaDeviceSynchronize());
    std::vector<int8_t> got(n_);
    FSIM_CUDA_CHECK(cudaMemcpy(got.data(), dy_, n_, cudaMemcpyDeviceToHost));
    return got;
  }

 private:
  size_t n_;
  bool use_state_;
  int8_t *dx_ = nullptr, *dy_ = nullptr, *ds_ = nullptr;
};

// Codes that differ between two results.
int64_t CodeDiffs(const std::vector<int8_t>& got, const ModeResult& r) {
  int64_t d = 0;
  for (size_t i = 0; i < got.size(); ++i) d += got[i] != r.codes[i];
  return d;
}

// The codes-only int8 kernels of the benchmark against the host codes.
void CodesInt8Check(const fsimtest::OwnedLayer& l);

TEST(FsimDevice, CodesInt8Kernels) {
  SKIP_WITHOUT_GPU();
  CodesInt8Check(fsimtest::RandomLayer(5, 2, 96, 256, false, true));
  // power-of-two scales: every 32nd element an exact tie (the float-sim hot path's redo)
  auto l = fsimtest::RandomLayer(6, 2, 40, 128, false, true);
  l.s_x = 0.0625f;
  l.s_w = {0.03125f};
  l.s_b = 0.0078125f;
  l.s_out = 0.125f;
  CodesInt8Check(l);
  // large folded biases: channels leave the hot tier
  l = fsimtest::RandomLayer(7, 1, 64, 96, false, false);
  l.s_b = 40.0f;
  CodesInt8Check(l);
}

void CodesInt8Check(const fsimtest::OwnedLayer& l) {
  const Codes8Inputs in(l);
  const size_t n = l.x.size();
  for (const Knobs& k : KnobSets()) {
    if (k.output_bits > 8) continue;
    for (Mode m : {Mode::kInt8Asic, Mode::kFloatSimInt8, Mode::kInt8Quamba, Mode::kInt8QuambaFastExp,
                   Mode::kNaiveFakeQuant}) {
      if (!IsExact(m) && !(k == KnobSets()[0])) continue;
      const cosim::fsim::DeviceLayer dl(m, l.view(), k);
      const std::vector<int8_t> got = in.Codes(dl);
      // The fp32 orders run on the layer's y-table (ytable.h): it must have been built, and the
      // codes must equal the full kernel's, which evaluates the order per element.
      if (cosim::fsim::YTableApplies(dl.prepared())) {
        EXPECT_TRUE(dl.codes_plan().y_table) << cosim::fsim::ModeName(m) << ": " << dl.codes_plan().note;
      }
      EXPECT_EQ(CodeDiffs(got, cosim::fsim::RunDevice(m, l.view(), k)), 0)
          << cosim::fsim::ModeName(m) << " codes8 vs full kernel " << k.ToJson().dump();
      const int64_t diffs = CodeDiffs(got, cosim::fsim::RunHost(m, l.view(), k));
      if (IsExact(m)) {
        EXPECT_EQ(diffs, 0) << cosim::fsim::ModeName(m) << " " << k.ToJson().dump();
      } else {
        std::printf("codes8 %-20s device vs host differing codes: %lld of %zu\n", cosim::fsim::ModeName(m),
                    static_cast<long long>(diffs), n);
        ::testing::Test::RecordProperty(std::string("codes8_") + cosim::fsim::ModeName(m) + "_diffs", std::to_string(diffs));
      }
    }
  }
}

// The fp32 orders and knobs the y-table tests run: every order with its own rounding; fp32-sfu
// with the nearest roundings, truncate, and 16- (wrap) and 17-bit (saturate) accumulators, which
// the codes8 kernel applies before the table.
struct YCase {
  Mode m;
  Knobs k;
};
std::vector<YCase> YTableCases() {
  Knobs sfu;
  sfu.profile = Profile::kFp32Sfu;
  Knobs trunc = sfu, even16 = sfu, sat17 = sfu;
  trunc.rounding = Rounding::kTruncate;
  even16.rounding = Rounding::kHalfEven;
  even16.acc_bits = 16;
  even16.acc_overflow = AccOverflow::kWrap;
  sat17.acc_bits = 17;
  return {{Mode::kInt8Quamba, Knobs{}}, {Mode::kInt8QuambaFastExp, Knobs{}}, {Mode::kNaiveFakeQuant, Knobs{}},
          {Mode::kInt8Asic, sfu},       {Mode::kFloatSimInt8, sfu},         {Mode::kFloatSimInt8, trunc},
          {Mode::kInt8Asic, even16},    {Mode::kFloatSimInt8, even16},      {Mode::kInt8Asic, sat17},
          {Mode::kFloatSimInt8, sat17}, {Mode::kResearchSeEnhance, sfu}};
}

// The y-table of every fp32 order against the order itself on EVERY binary32 y with |y| <= Y (the
// layer's bound), the quiet interval of O11 included: 0 mismatches. Layers: the benchmark's scales,
// a per-channel one, and a fine output grid.
TEST(FsimDevice, YTableEveryBinary32) {
  SKIP_WITHOUT_GPU();
  auto bench = fsimtest::RandomLayer(21, 1, 64, 32, false, false);
  auto per_channel = fsimtest::RandomLayer(22, 1, 64, 32, true, false);
  auto fine = fsimtest::RandomLayer(23, 1, 64, 32, false, false);
  fine.s_out = 0.004f;
  for (const fsimtest::OwnedLayer* l : {&bench, &per_channel, &fine}) {
    for (const YCase& c : YTableCases()) {
      Knobs k = c.k;
      if (l->s_w.size() > 1) k.weight_scale = cosim::fsim::WeightScale::kPerChannel;
      const auto pr = cosim::fsim::Prepare(c.m, l->view(), k, cosim::fsim::kDefaultSeFactor);
      ASSERT_TRUE(cosim::fsim::YTableApplies(pr));
      const auto t = cosim::fsim::DeviceYTable(pr);
      if (t.params.form == cosim::fsim::YForm::kNone) {
        // Only the fine grid may lack a table: its code boundary -69.5 * 0.004 = -0.278 lies just
        // above SiLU's minimum (-0.27846), so SiLU crosses it where its slope is about 0.0145
        // (y near -1.345 and -1.214): one ulp of the value spans about 17 binary32 y there, and
        // the order's rounding flips the code back and forth, more than three steps per bucket. CodesInt8EveryYTableForm checks
        // that layer's codes8 path.
        EXPECT_EQ(l, &fine) << cosim::fsim::ModeName(c.m) << ": " << t.why_not;
        EXPECT_FALSE(t.why_not.empty());
        std::printf("y-table %-20s s_out %.4g rounding %-10s: no table (%lld transitions): %s\n",
                    cosim::fsim::ModeName(c.m), l->s_out, cosim::fsim::RoundingName(pr.lp.rounding),
                    static_cast<long long>(t.transitions), t.why_not.c_str());
        continue;
      }
      const float bound = cosim::fsim::YBound(pr);
      const auto chk = fsimtest::DeviceYTableAll(pr.lp, t, bound);
      EXPECT_EQ(chk.mismatches, 0) << cosim::fsim::ModeName(c.m) << " " << k.ToJson().dump()
                                   << " first y bits " << std::hex << chk.first_bits;
      std::printf("y-table %-20s s_out %.4g rounding %-10s: Y %.4g, %lld transitions, %s, %d entries (%d side), "
                  "%llu points scanned, %llu checked\n",
                  cosim::fsim::ModeName(c.m), l->s_out, cosim::fsim::RoundingName(pr.lp.rounding), bound,
                  static_cast<long long>(t.transitions), cosim::fsim::YFormName(t.params.form), t.params.n, t.params.side,
                  static_cast<unsigned long long>(t.points), static_cast<unsigned long long>(chk.points));
    }
  }
}

// The codes8 kernel in every y-table form (one-step, one-step+side, three-step), with every copy
// count of its shared layout (1 to 16 of 8-byte, 1 to 8 of 16-byte entries; ytable.h), and without a
// table, and on the per-channel acc tables (acctable.h) with 1 to 16 copies, for every fp32 order, with fp32-sfu accumulators of 16 and 17 bits (wrap and saturate
// before the table) and carried state: equal to the full kernel, which evaluates the order per
// element, and to the host for the exact modes.
TEST(FsimDevice, CodesInt8EveryYTableForm) {
  SKIP_WITHOUT_GPU();
  auto l = fsimtest::RandomLayer(26, 2, 48, 256, false, true);
  auto fine = l;
  fine.s_out = 0.004f;  // no table for the nearest roundings (O11)
  std::vector<YCase> cases = YTableCases();
  Knobs sfu;
  sfu.profile = Profile::kFp32Sfu;
  cases.push_back({Mode::kResearchSeRefine, sfu});  // s_out / 2025: steps too dense for a table
  const Codes8Inputs in(l);  // fine has the same x and state
  std::map<std::string, int> forms, copies;
  int64_t overflows = 0;
  for (const fsimtest::OwnedLayer* layer : {&l, &fine}) {
    for (const YCase& c : cases) {
      for (auto choice : {cosim::fsim::YTableChoice::kSmallest, cosim::fsim::YTableChoice::kThreeStepForm}) {
        cosim::fsim::DeviceLayer dl(c.m, layer->view(), c.k, cosim::fsim::kDefaultSeFactor, choice);
        ASSERT_TRUE(cosim::fsim::YTableApplies(dl.prepared())) << cosim::fsim::ModeName(c.m);
        const auto& plan = dl.codes_plan();
        if (plan.y_table && choice == cosim::fsim::YTableChoice::kThreeStepForm) {
          EXPECT_EQ(plan.form, "three-step");
        }
        ++forms[plan.y_table ? plan.form : "none"];
        const auto full = cosim::fsim::RunDevice(c.m, layer->view(), c.k);
        overflows += full.acc_overflows;
        const ModeResult host = IsExact(c.m) ? cosim::fsim::RunHost(c.m, layer->view(), c.k) : ModeResult{};
        if (cosim::fsim::AccTablesApply(dl.prepared()) && plan.y_table) {
          EXPECT_TRUE(plan.acc_tables) << cosim::fsim::ModeName(c.m) << ": " << plan.acc_note;
        }
        for (int cap = cosim::fsim::kYCopiesLog2Max; cap >= 0; --cap) {
          dl.CapYTableCopies(cap);
          for (bool acc : {true, false}) {
            if (acc && !plan.acc_tables) continue;
            dl.UseAccTables(acc);
            const std::string path = acc ? "acc" : (plan.y_table ? plan.form : "none");
            const int n_copies = acc ? plan.acc_copies : plan.copies;
            if (plan.y_table) ++copies[path + " x" + std::to_string(n_copies)];
            const std::vector<int8_t> got = in.Codes(dl);
            EXPECT_EQ(CodeDiffs(got, full), 0) << cosim::fsim::ModeName(c.m) << " " << c.k.ToJson().dump() << " s_out "
                                               << layer->s_out << " " << (plan.y_table ? path : plan.note) << " copies "
                                               << n_copies;
            if (IsExact(c.m)) {
              EXPECT_EQ(CodeDiffs(got, host), 0) << cosim::fsim::ModeName(c.m) << " " << c.k.ToJson().dump() << " " << path
                                                 << " copies " << n_copies;
            }
          }
          if (!plan.y_table) break;  // the per-element path has no table to copy
        }
      }
    }
  }
  for (const auto& [form, count] : forms) std::printf("codes8 y-table form %-14s: %d layers\n", form.c_str(), count);
  for (const char* form : {"one-step", "one-step+side", "three-step", "none"})
    EXPECT_GT(forms[form], 0) << form << " never ran";
  for (const auto& [layout, count] : copies) std::printf("codes8 y-table layout %-20s: %d runs\n", layout.c_str(), count);
  for (int n : {1, 2, 4, 8, 16}) {
    EXPECT_GT(copies["one-step x" + std::to_string(n)], 0) << n << " copies never ran";
    EXPECT_GT(copies["acc x" + std::to_string(n)], 0) << n << " copies of acc tables never ran";
    if (n <= 8) {
      EXPECT_GT(copies["three-step x" + std::to_string(n)], 0) << n << " copies never ran";
    }
  }
  EXPECT_GT(overflows, 0);  // the 16- and 17-bit accumulators overflowed somewhere
}

// The acc-table kernel's schedules (kernels.cu AccCodes8Kernel: a block per channel and part of the
// batch, runs a block apart). The register prefetch, where a row's runs do not divide the block: a
// part with more runs than a block, the batch row stepping on where a row's runs end (16x600x1184: 2
// parts of 8 rows, 74 runs per row), and a row with fewer runs than a block (1x7x96). The staged
// schedule (cp.async), where they do: one or two channels, a part per batch row (5x1x512,
// 9x2x4096), and a part of 24 to 40 rows whose runs go round the ring of slots, the loop (unrolled
// by the ring's 3 slots) ending on each slot: 4, 5 and 6 runs per thread (32x800x512, 40x800x512,
// 24x800x1024; one part per channel where 2 x 132 SMs x 3 blocks <= 800 channels). The carried
// state feeds the halo at t = 0. The table fill (FillAccCopies) takes two entries per thread and
// iteration: tables of more than one block of entries at 16 copies, and of more than two (s_out =
// 0.016: the steps about twice as close) at fewer copies. Equal to the full kernel and, for the exact
// modes, the host.
TEST(FsimDevice, CodesInt8AccTableShapes) {
  SKIP_WITHOUT_GPU();
  Knobs sfu;
  sfu.profile = Profile::kFp32Sfu;
  int ran = 0, entries16 = 0, entries_fewer = 0;
  struct Shape {
    int B, D, L;
    float s_out;
  };
  for (const Shape& shape : {Shape{16, 600, 1184, 0.03f}, {1, 7, 96, 0.03f}, {5, 1, 512, 0.03f}, {9, 2, 4096, 0.03f},
                             {32, 800, 512, 0.03f}, {40, 800, 512, 0.03f}, {24, 800, 1024, 0.03f}, {3, 40, 512, 0.016f}}) {
    auto l = fsimtest::RandomLayer(60 + shape.B, shape.B, shape.D, shape.L, false, true);
    l.s_out = shape.s_out;
    const Codes8Inputs in(l);
    for (const auto& [m, k] : {std::pair<Mode, Knobs>{Mode::kInt8Quamba, Knobs{}}, {Mode::kInt8QuambaFastExp, Knobs{}},
                               {Mode::kInt8Asic, sfu}, {Mode::kFloatSimInt8, sfu}}) {
      cosim::fsim::DeviceLayer dl(m, l.view(), k);
      dl.UseAccTables(true);  // the default on a one-step y-table below 4 rows of 4096 is the y-table
      const auto& plan = dl.codes_plan();
      ASSERT_TRUE(plan.acc_in_use) << cosim::fsim::ModeName(m) << " s_out " << shape.s_out << ": "
                                   << (plan.y_table ? plan.acc_note : plan.note);
      int& entries = plan.acc_copies == 16 ? entries16 : entries_fewer;
      entries = std::max(entries, plan.acc_entries_max);
      const std::string what = std::string(cosim::fsim::ModeName(m)) + " " + std::to_string(shape.B) + "x" +
                               std::to_string(shape.D) + "x" + std::to_string(shape.L) + " s_out " +
                               std::to_string(shape.s_out) + ", " + std::to_string(plan.acc_entries_max) + " entries x " +
                               std::to_string(plan.acc_copies);
      const std::vector<int8_t> got = in.Codes(dl);
      EXPECT_EQ(CodeDiffs(got, cosim::fsim::RunDevice(m, l.view(), k)), 0) << what;
      if (IsExact(m)) {
        EXPECT_EQ(CodeDiffs(got, cosim::fsim::RunHost(m, l.view(), k)), 0) << what;
      }
      ++ran;
    }
  }
  EXPECT_EQ(ran, 32);
  std::printf("acc tables: up to %d entries at 16 copies, %d at fewer\n", entries16, entries_fewer);
  EXPECT_GT(entries16, 256);       // a thread's second entry at 16 copies
  EXPECT_GT(entries_fewer, 2 * 256);  // a second iteration of the fill at fewer copies
}

// Programmatic dependent launch (DeviceLayer::UseDependentLaunch, on by default). Before each codes8
// launch the stream runs LaunchDelayedCopy: it lets the launch start at once, sleeps 2 ms, then
// writes the launch's input (garbage until then) and takes a snapshot of its output buffer (zeros
// until the launch writes it). A launch that read x or wrote codes before waiting for it would show
// garbage codes or a snapshot with codes in it. Every codes8 kernel: the staged acc kernel (L =
// 4096) and the register-prefetch one (L = 4160), the y-table, int-lut and naive kernels; the codes
// must equal those of the same launch without a dependent launch.
TEST(FsimDevice, CodesInt8DependentLaunchWaits) {
  SKIP_WITHOUT_GPU();
  int dev = 0, major = 0;
  FSIM_CUDA_CHECK(cudaGetDevice(&dev));
  FSIM_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev));
  std::printf("dependent launches: %s (compute capability %d.x)\n", major >= 9 ? "used" : "not available", major);
  Knobs sfu;
  sfu.profile = Profile::kFp32Sfu;
  struct Case {
    Mode m;
    Knobs k;
    bool acc;
  };
  const std::vector<Case> cases = {{Mode::kInt8Quamba, Knobs{}, true},       {Mode::kFloatSimInt8, sfu, true},
                                   {Mode::kInt8QuambaFastExp, Knobs{}, false}, {Mode::kInt8Asic, Knobs{}, false},
                                   {Mode::kFloatSimInt8, Knobs{}, false},      {Mode::kNaiveFakeQuant, Knobs{}, false}};
  for (const int L : {4096, 4160}) {
    const auto l = fsimtest::RandomLayer(93, 2, 512, L, false, true);
    const size_t n = l.x.size();
    int8_t *d_x = nullptr, *d_in = nullptr, *d_out = nullptr, *d_seen = nullptr, *d_state = nullptr;
    for (int8_t** b : {&d_x, &d_in, &d_out, &d_seen}) FSIM_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(b), n));
    FSIM_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&d_state), l.state.size()));
    FSIM_CUDA_CHECK(cudaMemcpy(d_x, l.x.data(), n, cudaMemcpyHostToDevice));
    FSIM_CUDA_CHECK(cudaMemcpy(d_state, l.state.data(), l.state.size(), cudaMemcpyHostToDevice));
    cudaStream_t s = nullptr;
    FSIM_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    for (const Case& c : cases) {
      cosim::fsim::DeviceLayer dl(c.m, l.view(), c.k);
      dl.UseAccTables(c.acc);
      const std::string what = std::string(cosim::fsim::ModeName(c.m)) + (c.acc ? " (acc tables)" : "") + " L " +
                               std::to_string(L);
      ASSERT_EQ(dl.codes_plan().acc_in_use, c.acc) << what;
      std::vector<int8_t> plain(n), dependent(n), seen(n);
      dl.UseDependentLaunch(false);
      dl.LaunchCodesInt8(d_x, d_out, s, d_state);
      FSIM_CUDA_CHECK(cudaMemcpyAsync(plain.data(), d_out, n, cudaMemcpyDeviceToHost, s));
      FSIM_CUDA_CHECK(cudaMemsetAsync(d_in, 0x5a, n, s));
      FSIM_CUDA_CHECK(cudaMemsetAsync(d_out, 0, n, s));
      fsimtest::LaunchDelayedCopy(d_x, d_in, d_out, d_seen, n, 2000000, s);
      dl.UseDependentLaunch(true);
      dl.LaunchCodesInt8(d_in, d_out, s, d_state);
      FSIM_CUDA_CHECK(cudaMemcpyAsync(dependent.data(), d_out, n, cudaMemcpyDeviceToHost, s));
      FSIM_CUDA_CHECK(cudaMemcpyAsync(seen.data(), d_seen, n, cudaMemcpyDeviceToHost, s));
      FSIM_CUDA_CHECK(cudaStreamSynchronize(s));
      int64_t diffs = 0, written_early = 0;
      for (size_t i = 0; i < n; ++i) {
        diffs += plain[i] != dependent[i];
        written_early += seen[i] != 0;
      }
      EXPECT_EQ(diffs, 0) << what << ": codes from input read before the kernel ahead wrote it";
      EXPECT_EQ(written_early, 0) << what << ": codes written before the kernel ahead read the buffer";
    }
    FSIM_CUDA_CHECK(cudaStreamDestroy(s));
    for (int8_t* b : {d_x, d_in, d_out, d_seen, d_state}) FSIM_CUDA_CHECK(cudaFree(b));
  }
}

// Platform-expf modes on a realistic layer size: how many codes differ between device and host.
TEST(FsimDevice, PlatformExpDifferenceReport) {
  SKIP_WITHOUT_GPU();
  const auto l = fsimtest::RandomLayer(8, 1, 1536, 2048);
  for (Mode m : {Mode::kInt8Quamba, Mode::kInt8QuambaFastExp, Mode::kNaiveFakeQuant, Mode::kFp32UpperBound}) {
    const auto host = cosim::fsim::RunHost(m, l.view(), Knobs{});
    const auto dev = cosim::fsim::RunDevice(m, l.view(), Knobs{});
    const Diff d = Compare(host, dev);
    std::printf("%-20s 1x1536x2048: codes differ %lld, before_quant bits differ %lld (of %zu)\n",
                cosim::fsim::ModeName(m), static_cast<long long>(d.codes), static_cast<long long>(d.before),
                l.x.size());
    ::testing::Test::RecordProperty(std::string(cosim::fsim::ModeName(m)) + "_code_diffs", std::to_string(d.codes));
    ::testing::Test::RecordProperty(std::string(cosim::fsim::ModeName(m)) + "_before_diffs", std::to_string(d.before));
  }
}

// exp32 and silu32 on the device == on the host, every binary32 with |x| <= 89 (both signs).
TEST(FsimDevice, Exp32EveryBinary32) {
  SKIP_WITHOUT_GPU();
  const uint32_t last = fsimtest::Bits(89.0f);
  const uint32_t chunk = 1u << 26;
  std::vector<float> e, s;
  std::atomic<int64_t> bad{0};
  int64_t checked = 0;
  for (uint32_t sign : {0u, 0x80000000u}) {
    for (uint64_t first = 0; first <= last; first += chunk) {
      const uint32_t count = static_cast<uint32_t>(std::min<uint64_t>(chunk, uint64_t{last} + 1 - first));
      fsimtest::DeviceExp32Silu32(static_cast<uint32_t>(first) | sign, count, e, s);
      const unsigned nt = std::max(1u, std::thread::hardware_concurrency());
      std::vector<std::thread> pool;
      for (unsigned t = 0; t < nt; ++t)
        pool.emplace_back([&, t] {
          int64_t nb = 0;
          for (uint64_t i = count * uint64_t{t} / nt; i < count * uint64_t{t + 1} / nt; ++i) {
            const float x = fsimtest::F32(static_cast<uint32_t>(first + i) | sign);
            nb += fsimtest::Bits(cosim::fsim::Exp32(x)) != fsimtest::Bits(e[i]);
            nb += fsimtest::Bits(cosim::fsim::Silu32(x)) != fsimtest::Bits(s[i]);
          }
          bad += nb;
        });
      for (auto& t : pool) t.join();
      checked += count;
    }
  }
  EXPECT_EQ(bad.load(), 0);
  ::testing::Test::RecordProperty("exp32_device_values", std::to_string(checked));
}

// The int-lut requant of both forms on the device, every conv value, vs the host.
TEST(FsimDevice, RequantSweepEqualsHost) {
  SKIP_WITHOUT_GPU();
  const int64_t pairs[][3] = {{55924, 22, 10}, {32768, 20, 10}, {2147483647, 62, 10}, {(1 << 30) + 1, 35, 16}, {200, 10, 8}};
  for (const auto& pr : pairs)
    for (int r = 0; r < 4; ++r)
      for (int64_t bias : {int64_t{0}, int64_t{-30001}, int64_t{2147483647}})
        for (bool general : {false, true}) {
          Knobs k;
          k.lut_index_bits = static_cast<int>(pr[2]);
          k.rounding = static_cast<Rounding>(r);
          k.acc_overflow = r % 2 ? AccOverflow::kWrap : AccOverflow::kSaturate;
          cosim::fsim::LayerParams p = cosim::fsim::MakeLayerParams(k);
          cosim::fsim::ChannelParams c{};
          c.bias_acc = static_cast<int32_t>(bias);
          c.mult = static_cast<int32_t>(pr[0]);
          c.shift = static_cast<int32_t>(pr[1]);
          cosim::fsim::DeriveFloatSimFields(c, p);
          std::vector<uint32_t> fa, ff, aa, af;
          fsimtest::DeviceRequantSweep(c, p, general, fa, ff, aa, af);
          int64_t bad = 0;
          for (int conv = -65536; conv <= 65536; ++conv) {
            uint32_t f1 = 0, f2 = 0;
            const uint32_t a1 = cosim::fsim::FsimLutAddressFromConv(static_cast<float>(conv), c, p, k.rounding, f1, general);
            const uint32_t a2 = cosim::fsim::AsicLutAddressFromConv(conv, c, p, k.rounding, f2);
            const size_t i = static_cast<size_t>(conv + 65536);
            bad += a1 != fa[i] || f1 != ff[i] || a2 != aa[i] || f2 != af[i] || a1 != a2;
          }
          EXPECT_EQ(bad, 0) << "M " << pr[0] << " shift " << pr[1] << " bias " << bias << " rounding " << r
                            << (general ? " general" : "");
        }
}

// The __fmaf_rd intrinsic against the host's exact emulation (hd.h FmaDown): the index forms'
// operands (integer acc, M * 2^-shift, the magic constants) and general normal operands.
TEST(FsimDevice, FmaDownEqualsHost) {
  SKIP_WITHOUT_GPU();
  std::mt19937 rng(77);
  std::uniform_int_distribution<int> acc(-(1 << 24) + 1, (1 << 24) - 1), mant(1, (1 << 24) - 1), sh(0, 62),
      ex(-30, 30);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> a, b, c;
  for (int i = 0; i < 400000; ++i) {
    if (i % 2 == 0) {  // index forms
      a.push_back(static_cast<float>(acc(rng) >> (i % 9)));
      b.push_back(std::ldexp(static_cast<float>(mant(rng)), -sh(rng)));
      c.push_back(i % 4 == 0 ? cosim::fsim::kMagic : cosim::fsim::kMagicHalfUp);
    } else {  // general normal operands with a normal result
      a.push_back(std::ldexp(u(rng), ex(rng)));
      b.push_back(std::ldexp(u(rng), ex(rng)));
      c.push_back(std::ldexp(u(rng), ex(rng)));
    }
  }
  std::vector<float> dev;
  fsimtest::DeviceFmaDown(a, b, c, dev);
  int64_t bad = 0, checked = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const float h = cosim::fsim::FmaDown(a[i], b[i], c[i]);
    if (!(std::fabs(h) >= 0x1p-126f) && h != 0.0f) continue;  // outside the emulation's domain
    if (h == 0.0f) continue;  // an exact zero: RD gives -0 on the device, the host +0
    ++checked;
    bad += cosim::fsim::FloatBits(h) != cosim::fsim::FloatBits(dev[i]);
  }
  EXPECT_EQ(bad, 0) << "of " << checked;
  EXPECT_GT(checked, 390000);
}

// O9: Markstein's division by a layer constant equals the IEEE division for every binary32
// dividend (NaN aside), for output scales of real layers and the range's edges.
TEST(FsimDevice, DivByScaleEveryBinary32) {
  SKIP_WITHOUT_GPU();
  for (float b : {0.03f, 0.002f, 0.0123f, 1.0f / 3.0f, 0.1f, 1.0f, 0x1.fffffep-1f, 0x1.fffffep-8f,
                  0x1.000002p-5f, 0x1p-40f, 0x1.fffffep19f, 1e-6f, 7.3e-5f, 0x1.5555p-12f}) {
    const float y = cosim::fsim::ScaleReciprocal(b);
    ASSERT_NE(y, 0.0f) << b;
    const fsimtest::DivCheck r = fsimtest::DeviceDivByScaleAll(b, y);
    EXPECT_EQ(r.mismatches, 0) << "b = " << b << ", first a bits 0x" << std::hex << r.first_bits;
    EXPECT_EQ(r.subnormal_mismatches, 0) << "b = " << b;
    std::printf("DivByScale b = %a: %lld mismatches (normal, zero, inf), %lld with subnormal a\n", b,
                static_cast<long long>(r.mismatches), static_cast<long long>(r.subnormal_mismatches));
  }
}

}  // namespace
