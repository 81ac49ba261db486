// Exhaustive: every accumulator value reachable by 4 int8 taps (conv in [-2^16, 2^16]) plus a
// bias, through the int-lut requant of the float-sim (two-term and general paths) and of the
// integer form, against the doc's int64 formulas (reference.h), for many (M, shift) pairs, every
// rounding mode, saturate and wrap, narrow and wide accumulators, and with the exact ties counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gpu_ref/int_lut.h"
#include "gpu_ref/prepare.h"
#include "reference.h"

namespace {

using cosim::fsim::AccOverflow;
using cosim::fsim::ChannelParams;
using cosim::fsim::Knobs;
using cosim::fsim::LayerParams;
using cosim::fsim::Rounding;

struct Pair {
  int64_t M;
  int shift;
  int N;  // lut_index_bits used with this pair
};

// Chosen so that the index range is partly inside the table and partly saturated, with powers
// of two and small odd factors (many exact ties), 24-bit and 31-bit multipliers (the general
// path), shift 0 and 62.
const std::vector<Pair> kPairs = {
    {55924, 22, 10},           {32768, 20, 10},          {49152, 17, 16},
    {32768, 13, 20},           {200, 10, 8},             {129, 0, 20},
    {255, 1, 20},              {3000, 25, 4},            {16777215, 40, 12},
    {12345679, 30, 16},        {2147483647, 62, 10},     {1518500250, 45, 20},
    {(int64_t{1} << 30) + 1, 35, 16}, {(int64_t{1} << 30) + 192, 31, 8}, {2147483520, 44, 12},
};

struct Stats {
  std::atomic<int64_t> cases{0}, ties{0}, general{0}, fast{0}, hot{0}, redo{0}, wide{0}, fma{0}, notie{0};
};

// One (pair, bias, knobs) sweep over every conv value; returns "" or the first mismatch.
// The general (expansion) path is also forced on two-term channels for every 5th conv value and
// for every exact tie.
std::string Sweep(const Pair& pr, int64_t bias, const Knobs& k, Stats& st) {
  LayerParams p = cosim::fsim::MakeLayerParams(k);
  ChannelParams c{};
  c.bias_acc = static_cast<int32_t>(bias);
  c.mult = static_cast<int32_t>(pr.M);
  c.shift = pr.shift;
  cosim::fsim::DeriveFloatSimFields(c, p);
  (c.fsim_fast ? st.fast : st.general) += 1;
  st.hot += c.fsim_hot != 0;
  st.wide += c.asic_hot >= 2;
  st.fma += c.fsim_hot >= 2;
  st.notie += c.fsim_hot == 3;
  const int64_t half = int64_t{1} << (k.lut_index_bits - 1);
  int64_t ties = 0;
  for (int conv = -65536; conv <= 65536; ++conv) {
    const int64_t sum = bias + conv;
    const int64_t acc = k.acc_overflow == AccOverflow::kSaturate ? fsimtest::RefSat(sum, k.acc_bits)
                                                                 : fsimtest::RefWrap(sum, k.acc_bits);
    const int64_t prod = acc * pr.M;
    const int64_t i = fsimtest::RefRoundShift(prod, pr.shift, k.rounding);
    const int64_t idx = fsimtest::RefSat(i, k.lut_index_bits);
    const uint32_t want_addr = static_cast<uint32_t>(idx + half);
    const uint32_t want_flags = (acc != sum ? cosim::fsim::kFlagAccOverflow : 0u) |
                                (idx != i ? cosim::fsim::kFlagIndexSat : 0u);
    const bool tie = pr.shift > 0 && (prod & ((int64_t{1} << pr.shift) - 1)) == (int64_t{1} << (pr.shift - 1));
    ties += tie;
    uint32_t f_asic = 0, f_fast = 0, f_gen = want_flags;
    const uint32_t a_asic = cosim::fsim::AsicLutAddressFromConv(conv, c, p, k.rounding, f_asic);
    const uint32_t a_fast = cosim::fsim::FsimLutAddressFromConv(static_cast<float>(conv), c, p, k.rounding, f_fast);
    uint32_t a_gen = want_addr;
    if (!c.fsim_fast || tie || conv % 5 == 0) {
      f_gen = 0;
      a_gen = cosim::fsim::FsimLutAddressFromConv(static_cast<float>(conv), c, p, k.rounding, f_gen, true);
    }
    // the hot paths (no flags) where the channel allows them
    // (they return the index before saturation: compare it with i itself)
    const int64_t i_ahot = c.asic_hot ? cosim::fsim::AsicLutIndexHot(static_cast<int>(sum), c, k.rounding) : i;
    bool redo = false;
    int64_t i_fhot = c.fsim_hot ? cosim::fsim::FsimLutIndexHot(static_cast<float>(sum), c, k.rounding, redo) : i;
    if (redo) i_fhot = i;  // the caller recomputes these with the two-term path
    // the fast forms (hi_add = 0 returns i itself)
    const int64_t i_awide = c.asic_hot >= 2
        ? int64_t{static_cast<int32_t>(cosim::fsim::AsicLutWideHi(static_cast<int>(sum), c, k.rounding, 0u,
                                                                   c.asic_hot == 3))} : i;
    const int64_t i_ffma =
        c.fsim_hot >= 2 ? cosim::fsim::FsimLutIndexFma(static_cast<float>(sum), c, k.rounding, c.fsim_hot == 3) : i;
    if (tie && (c.asic_hot == 3 || c.fsim_hot == 3)) {
      std::ostringstream os;
      os << "a channel flagged tie-free met an exact tie: M " << pr.M << " shift " << pr.shift << " bias " << bias
         << " conv " << conv;
      return os.str();
    }
    const uint32_t a_ahot = (i_ahot == i && i_awide == i) ? want_addr : ~0u;
    const uint32_t a_fhot = (i_fhot == i && i_ffma == i) ? want_addr : ~0u;
    if (c.fsim_hot && tie && k.rounding != Rounding::kTruncate && !redo) {
      std::ostringstream os;
      os << "hot float-sim path missed an exact tie: M " << pr.M << " shift " << pr.shift << " conv " << conv;
      return os.str();
    }
    st.redo += redo;
    if (a_asic != want_addr || a_fast != want_addr || a_gen != want_addr || f_asic != want_flags ||
        f_fast != want_flags || f_gen != want_flags || a_ahot != want_addr || a_fhot != want_addr) {
      std::ostringstream os;
      os << "M " << pr.M << " shift " << pr.shift << " N " << k.lut_index_bits << " bias "
                    << bias << " acc_bits " << k.acc_bits << " " << (k.acc_overflow == AccOverflow::kWrap ? "wrap" : "saturate")
                    << " rounding " << cosim::fsim::RoundingName(k.rounding) << " conv " << conv
                    << ": want index " << idx << " flags " << want_flags << "; asic " << int64_t{a_asic} - half
                    << "/" << f_asic << ", float-sim (" << (c.fsim_fast ? "two-term" : "general") << ") "
                    << int64_t{a_fast} - half << "/" << f_fast << ", float-sim general " << int64_t{a_gen} - half
                    << "/" << f_gen << ", hot asic " << i_ahot << " wide " << i_awide << " float-sim "
                    << i_fhot << " fma " << i_ffma;
      return os.str();
    }
  }
  st.cases += 2 * 65536 + 1;
  st.ties += ties;
  return "";
}

struct Case {
  Pair pair;
  int64_t bias;
  Knobs knobs;
};

// Runs the sweeps on all hardware threads; reports the first failures.
void RunSweeps(const std::vector<Case>& cases, Stats& st) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::vector<std::string> errors;
  auto worker = [&] {
    for (size_t i = next++; i < cases.size(); i = next++) {
      std::string e = Sweep(cases[i].pair, cases[i].bias, cases[i].knobs, st);
      if (!e.empty()) {
        std::lock_guard<std::mutex> lock(mu);
        errors.push_back(std::move(e));
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < std::max(1u, std::thread::hardware_concurrency()); ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  for (size_t i = 0; i < std::min<size_t>(errors.size(), 5); ++i) ADD_FAILURE() << errors[i];
  EXPECT_TRUE(errors.empty()) << errors.size() << " of " << cases.size() << " sweeps failed";
}

Knobs MakeKnobs(int N, Rounding r, int A, AccOverflow ovf) {
  Knobs k;
  k.lut_index_bits = N;
  k.rounding = r;
  k.acc_bits = A;
  k.acc_overflow = ovf;
  return k;
}

TEST(FsimRequantExhaustive, EveryAccEveryPairEveryRounding) {
  Stats st;
  std::vector<Case> cases;
  for (const Pair& pr : kPairs)
    for (int r = 0; r < 4; ++r)
      for (int64_t bias : {int64_t{0}, int64_t{137}, int64_t{-30001}})
        cases.push_back({pr, bias, MakeKnobs(pr.N, static_cast<Rounding>(r), 32, AccOverflow::kSaturate)});
  RunSweeps(cases, st);
  std::printf("cases %lld, exact ties %lld, hot-path redos %lld, channels hot %lld (wide %lld, fma %lld) "
              "two-term %lld general %lld\n",
              static_cast<long long>(st.cases.load()), static_cast<long long>(st.ties.load()),
              static_cast<long long>(st.redo.load()), static_cast<long long>(st.hot.load()),
              static_cast<long long>(st.wide.load()), static_cast<long long>(st.fma.load()),
              static_cast<long long>(st.fast.load()), static_cast<long long>(st.general.load()));
  EXPECT_GT(st.ties, 10000) << "the pairs must produce many exact ties";
  EXPECT_GT(st.hot.load(), 0);
  EXPECT_GT(st.wide.load(), 0) << "no sweep exercised AsicLutWideHi";
  EXPECT_GT(st.fma.load(), 0) << "no sweep exercised FsimLutIndexFma";
  EXPECT_GT(st.notie.load(), 0) << "no sweep exercised the tie-free forms";
  EXPECT_GT(st.fma.load(), st.notie.load()) << "no sweep exercised the forms that handle ties";
  EXPECT_GT(st.fast.load(), st.hot.load());
  EXPECT_GT(st.general.load(), 0);
  ::testing::Test::RecordProperty("exact_ties", std::to_string(st.ties.load()));
}

// Narrow accumulators: sums leave the A-bit range on both sides; saturate and wrap.
TEST(FsimRequantExhaustive, AccumulatorOverflow) {
  Stats st;
  std::vector<Case> cases;
  const Pair pairs[] = {{55924, 22, 10}, {32768, 13, 20}, {2147483647, 62, 10}};
  for (int A : {16, 17, 24, 25, 32})
    for (AccOverflow ovf : {AccOverflow::kSaturate, AccOverflow::kWrap})
      for (const Pair& pr : pairs) {
        const int64_t lim = (int64_t{1} << (A - 1)) - 1;
        int i = 0;
        for (int64_t bias : {lim, -lim - 1, lim / 2, int64_t{-12345}})
          cases.push_back({pr, bias, MakeKnobs(pr.N, static_cast<Rounding>((A + i++) % 4), A, ovf)});
      }
  RunSweeps(cases, st);
  EXPECT_GT(st.cases.load(), 0);
}

// Biases that leave the two-term path (|bias_acc| + 2^16 >= 2^24) up to the 32-bit limits.
TEST(FsimRequantExhaustive, LargeBiasGeneralPath) {
  Stats st;
  std::vector<Case> cases;
  const Pair pairs[] = {{55924, 38, 10}, {32768, 30, 20}, {16777215, 55, 16}, {2147483647, 62, 12}};
  for (int64_t bias : {(int64_t{1} << 24) - 65537, (int64_t{1} << 24) - 65536, int64_t{2147483647},
                       int64_t{-2147483647} - 1, int64_t{1500000001}, int64_t{-987654321}})
    for (AccOverflow ovf : {AccOverflow::kSaturate, AccOverflow::kWrap})
      for (const Pair& pr : pairs)
        cases.push_back({pr, bias, MakeKnobs(pr.N, static_cast<Rounding>(cases.size() % 4), 32, ovf)});
  RunSweeps(cases, st);
  EXPECT_GT(st.general.load(), st.fast.load());
}

}  // namespace
