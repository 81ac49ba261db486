// sc_tb_bench: RTL checking speed of the SystemC testbench on a mamba-sized stack.
//
// Usage: sc_tb_bench [--layers N] [--batch B] [--channels D] [--seq-len L] [--bubble R]
//                    [--backpressure R] [--no-model] [--seed S] [--rtl-fault F] [--model-fault F]
//                    [--wave PATH]
// Default: mamba-130m (24 layers, D = 1536, L = 2048, int-lut), 10% bubbles and back-pressure.
// For every layer: golden = cosim::RunLayer, then cosim::tb::CheckLayer (SystemC model + RTL,
// scoreboard). Prints per-layer and total wall time, RTL cycles and cycles/s; exit 1 on any
// mismatch.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>
#include <vector>

#include "sim/core/compile.h"
#include "sim/core/datapath.h"
#include "sim/core/error.h"
#include "tb/sc/cosim_check.h"

namespace {

uint64_t Next(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int Run(int argc, char** argv) {
  int layers = 24, B = 1, D = 1536, L = 2048;
  cosim::tb::CosimOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) throw cosim::Error(cosim::ExitCode::kUsage, a + " needs a value");
      return argv[++i];
    };
    if (a == "--layers") layers = std::stoi(val());
    else if (a == "--batch") B = std::stoi(val());
    else if (a == "--channels") D = std::stoi(val());
    else if (a == "--seq-len") L = std::stoi(val());
    else if (a == "--bubble") o.bubble_rate = std::stod(val());
    else if (a == "--backpressure") o.backpressure_rate = std::stod(val());
    else if (a == "--seed") o.seed = std::stoull(val());
    else if (a == "--no-model") o.use_model = false;
    else if (a == "--rtl-fault") o.rtl_fault = std::stoi(val());
    else if (a == "--model-fault") o.model_fault = std::stoi(val());
    else if (a == "--wave") o.wave_path = val();
    else throw cosim::Error(cosim::ExitCode::kUsage, "unknown option " + a + " (see sc_tb_bench.cpp)");
  }
  cosim::tb::Elaborate();
  const auto info = cosim::tb::RtlInfo();
  std::printf("RTL models: %s; %d lanes, acc %d, mult %d, index %d, out %d bits; stack %d x (B=%d D=%d L=%d); bubbles %.2f, "
              "back-pressure %.2f\n",
              info.models.c_str(), info.lanes, info.acc_bits, info.mult_bits, info.lut_index_bits, info.output_bits, layers, B, D, L,
              o.bubble_rate, o.backpressure_rate);
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t cpu0 = std::clock();
  double golden_s = 0, model_s = 0, rtl_s = 0;
  uint64_t cycles = 0, beats = 0;
  int64_t bad = 0;
  for (int li = 0; li < layers; ++li) {
    uint64_t s = 1000 + static_cast<uint64_t>(li);
    cosim::LayerData layer;
    layer.index = li;
    layer.channels = D;
    for (int i = 0; i < D * 4; ++i) layer.weight.push_back(static_cast<int8_t>(Next(s)));
    for (int i = 0; i < D; ++i) layer.bias.push_back(static_cast<int8_t>(Next(s)));
    layer.input_scale = 0.031f;
    layer.weight_scale = {0.0021f};
    layer.bias_scale = 0.0007f;
    layer.output_scale = 0.02f;
    std::vector<int8_t> x(static_cast<size_t>(B) * D * L);
    for (auto& v : x) v = static_cast<int8_t>(Next(s));
    const cosim::CompiledLayer c = cosim::CompileLayer(layer, cosim::HwConfig::Named("int-lut"));
    const cosim::LayerInput in{B, L, x.data(), nullptr};
    const auto tg = std::chrono::steady_clock::now();
    const cosim::LayerResult golden = cosim::RunLayer(c, layer, in, cosim::RunOptions{false, 1});
    golden_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - tg).count();
    const cosim::tb::LayerCheck r = cosim::tb::CheckLayer(c, layer, in, golden, o);
    model_s += r.model_seconds;
    rtl_s += r.rtl_seconds;
    cycles += r.rtl_cycles + r.rtl_config_cycles;
    beats += static_cast<uint64_t>(B) * ((D + info.lanes - 1) / info.lanes) * L;
    const int64_t mism = r.model_vs_golden_mismatches + r.rtl_vs_golden_mismatches + r.rtl_vs_model_mismatches +
                         r.rtl_protocol_errors;
    bad += mism;
    std::printf("layer %2d: %s  rtl (%s) %llu cycles (+%llu config) in %.3f s = %.2f M cycles/s; model %.3f s; total %.3f s\n",
                li, mism ? "MISMATCH" : "ok", r.rtl_model.c_str(), static_cast<unsigned long long>(r.rtl_cycles),
                static_cast<unsigned long long>(r.rtl_config_cycles), r.rtl_seconds,
                (r.rtl_cycles + r.rtl_config_cycles) / r.rtl_seconds / 1e6, r.model_seconds, r.seconds);
    for (const auto& rep : r.reports) std::printf("%s\n", rep.c_str());
    std::fflush(stdout);
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  std::printf("total: %.2f s wall, %.2f s CPU for %d layers (golden %.2f s, SystemC model %.2f s, RTL %.2f s); RTL %llu cycles for %llu "
              "beats, %.2f M cycles/s; %s\n",
              total, cpu, layers, golden_s, model_s, rtl_s, static_cast<unsigned long long>(cycles),
              static_cast<unsigned long long>(beats), cycles / rtl_s / 1e6, bad ? "MISMATCHES" : "all bit-exact");
  return bad ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const cosim::Error& e) {
    std::fprintf(stderr, "sc_tb_bench: %s\n", e.what());
    return static_cast<int>(e.code());
  }
}
