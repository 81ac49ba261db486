// sc_model_bench: throughput of the SystemC model vs the model core on the same layer.
//
// Usage: sc_model_bench [--profile NAME] [--batch B] [--channels D] [--seq-len L] [--lanes P]
//                       [--steps T] [--fifo N] [--reps R] [--timed] [--min-ratio X]
// Prints outputs/s of cosim::RunLayer (1 thread, intermediates kept) and of
// ScAsicModel::RunLayer (untimed unless --timed), best of R runs each, and their ratio; checks
// that both give the same bytes. Exit 1 on a mismatch or when the ratio is below --min-ratio.
// Defaults: one mamba-130m layer (D = 1536, L = 2048), int-lut, P = 16, T = 256.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sim/core/compile.h"
#include "sim/core/datapath.h"
#include "sim/core/error.h"
#include "sim/systemc/sc_model.h"

namespace {

using cosim::sc::ScAsicModel;
using cosim::sc::ScOptions;
using cosim::sc::ScResult;

uint64_t Next(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Seconds(std::chrono::steady_clock::time_point a) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

int Run(int argc, char** argv) {
  std::string profile = "int-lut";
  int B = 1, D = 1536, L = 2048, reps = 3;
  double min_ratio = 0;
  ScOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) throw cosim::Error(cosim::ExitCode::kUsage, a + " needs a value");
      return argv[++i];
    };
    if (a == "--profile") profile = val();
    else if (a == "--batch") B = std::stoi(val());
    else if (a == "--channels") D = std::stoi(val());
    else if (a == "--seq-len") L = std::stoi(val());
    else if (a == "--lanes") o.lanes = std::stoi(val());
    else if (a == "--steps") o.steps_per_beat = std::stoi(val());
    else if (a == "--fifo") o.fifo_depth = std::stoi(val());
    else if (a == "--reps") reps = std::max(1, std::stoi(val()));
    else if (a == "--timed") o.timed = true;
    else if (a == "--min-ratio") min_ratio = std::stod(val());
    else throw cosim::Error(cosim::ExitCode::kUsage, "unknown option " + a + " (see the header of sc_model_bench.cpp)");
  }

  cosim::LayerData layer;
  layer.index = 0;
  layer.channels = D;
  uint64_t s = 12345;
  for (int i = 0; i < D * 4; ++i) layer.weight.push_back(static_cast<int8_t>(Next(s)));
  for (int i = 0; i < D; ++i) layer.bias.push_back(static_cast<int8_t>(Next(s)));
  layer.input_scale = 0.031f;
  layer.weight_scale = {0.0021f};
  layer.bias_scale = 0.0007f;
  layer.output_scale = 0.02f;
  std::vector<int8_t> x(static_cast<size_t>(B) * D * L);
  for (auto& v : x) v = static_cast<int8_t>(Next(s));
  const cosim::CompiledLayer c = cosim::CompileLayer(layer, cosim::HwConfig::Named(profile));
  const cosim::LayerInput in{B, L, x.data(), nullptr};
  const double n = static_cast<double>(x.size());

  ScAsicModel& model = ScAsicModel::Instance(o);
  model.RunLayer(c, layer, in);  // warm-up: first sc_start, pool allocation
  double best_core = 1e30, best_sc = 1e30;
  cosim::LayerResult core;
  ScResult scr;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    core = cosim::RunLayer(c, layer, in);
    best_core = std::min(best_core, Seconds(t0));
    t0 = std::chrono::steady_clock::now();
    scr = model.RunLayer(c, layer, in);
    best_sc = std::min(best_sc, Seconds(t0));
  }
  const bool same = core.y == scr.out.y && core.acc == scr.out.acc && core.index == scr.out.index &&
                    core.state_out == scr.out.state_out &&
                    std::memcmp(core.pre_act.data(), scr.out.pre_act.data(), core.pre_act.size() * 4) == 0 &&
                    core.counters.output_saturated == scr.out.counters.output_saturated;
  const double core_rate = n / best_core, sc_rate = n / best_sc, ratio = sc_rate / core_rate;
  std::printf("layer: profile %s, B=%d D=%d L=%d (%.0f outputs); model: P=%d T=%d fifo=%d %s\n", profile.c_str(), B,
              D, L, n, o.lanes, o.steps_per_beat, o.fifo_depth, o.timed ? "timed" : "untimed");
  std::printf("cosim::RunLayer (1 thread)   : %10.3f ms  %8.2f M outputs/s\n", best_core * 1e3, core_rate / 1e6);
  std::printf("ScAsicModel::RunLayer        : %10.3f ms  %8.2f M outputs/s\n", best_sc * 1e3, sc_rate / 1e6);
  std::printf("ratio SystemC / core         : %10.3f  (target >= 0.5)\n", ratio);
  if (o.timed) {
    const auto& t = scr.timing;
    std::printf("timed: %llu cycles, first-output latency %llu cycles, %.2f outputs/cycle, lane utilization %.3f\n",
                static_cast<unsigned long long>(t.cycles), static_cast<unsigned long long>(t.first_output_latency),
                t.elements_per_cycle, t.lane_utilization);
  }
  std::printf("bit-exact: %s\n", same ? "yes" : "NO");
  if (!same) return 1;
  if (ratio < min_ratio) {
    std::printf("ratio below --min-ratio %.3f\n", min_ratio);
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const cosim::Error& e) {
    std::fprintf(stderr, "sc_model_bench: %s\n", e.what());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sc_model_bench: %s\n", e.what());
    return 2;
  }
}
