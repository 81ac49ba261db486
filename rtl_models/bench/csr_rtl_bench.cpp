// csr_rtl_bench: throughput of the Verilated clean csr_top (16 lanes) through the C++ driver on
// a mamba-130m-size layer (B=1, D=1536, L=2048) with random stimulus.
//
//   csr_rtl_bench [--B n] [--D n] [--L n] [--bubble p] [--stall p] [--seed n] [--debug]
//                 [--repeat n]
//
// Prints, per run, the streaming cycles, wall time, cycles/s and outputs/s (elements y[b,d,t]
// per second), measured over the streaming loop only (config writes and packing excluded).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "csr_rtl_driver.h"
#include "csr_rtl_models.h"
#include "sim/core/error.h"

namespace {

[[noreturn]] void Usage() {
  std::fprintf(stderr,
               "usage: csr_rtl_bench [--B n] [--D n] [--L n] [--bubble p] [--stall p] [--seed n] "
               "[--debug] [--repeat n]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  int B = 1, D = 1536, L = 2048, repeat = 1;
  double bubble = 0.0, stall = 0.0;
  uint64_t seed = 1;
  bool debug = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) Usage();
      return argv[++i];
    };
    if (a == "--B") B = std::atoi(next());
    else if (a == "--D") D = std::atoi(next());
    else if (a == "--L") L = std::atoi(next());
    else if (a == "--bubble") bubble = std::atof(next());
    else if (a == "--stall") stall = std::atof(next());
    else if (a == "--seed") seed = std::strtoull(next(), nullptr, 10);
    else if (a == "--repeat") repeat = std::atoi(next());
    else if (a == "--debug") debug = true;
    else Usage();
  }
  if (B < 1 || D < 1 || L < 1 || repeat < 1) Usage();

  try {
    auto drv = cosim::rtl::MakeCsrTopDriver();
    const cosim::rtl::ModelInfo& info = drv->info();
    const cosim::rtl::Knobs k = info.DefaultKnobs();

    // Random layer: full-range int8 activations and taps, mid-range parameters so that the
    // table index covers its range with some saturation.
    std::mt19937_64 rng(seed);
    const size_t n = static_cast<size_t>(B) * D * L;
    std::vector<int8_t> x(n), w(static_cast<size_t>(D) * 4);
    std::vector<int32_t> bias(D), shift(D), lut(size_t{1} << k.lut_index_bits);
    std::vector<uint32_t> mult(D);
    for (auto& v : x) v = static_cast<int8_t>(rng());
    for (auto& v : w) v = static_cast<int8_t>(rng());
    for (int d = 0; d < D; ++d) {
      bias[d] = static_cast<int32_t>(rng() % 20001) - 10000;
      mult[d] = (1u << (k.mult_bits - 1)) + static_cast<uint32_t>(rng() % (1u << (k.mult_bits - 1)));
      shift[d] = 18 + static_cast<int32_t>(rng() % 6);  // |acc| ~ 2^14 -> |idx| ~ 2^(14+16-shift)
    }
    const int wmin = -(1 << (k.output_bits - 1)), wspan = 1 << k.output_bits;
    for (auto& v : lut) v = wmin + static_cast<int32_t>(rng() % wspan);

    cosim::rtl::LayerView lv;
    lv.B = B; lv.D = D; lv.L = L;
    lv.x = x.data(); lv.weight = w.data(); lv.bias_acc = bias.data(); lv.mult = mult.data();
    lv.shift = shift.data(); lv.lut = lut.data(); lv.knobs = k;

    cosim::rtl::RunOptions opt;
    opt.bubble_prob = bubble;
    opt.stall_prob = stall;
    opt.seed = seed;
    opt.collect_debug = debug;

    std::printf("model: %s\n", info.Describe().c_str());
    std::printf("layer: B=%d D=%d L=%d (%zu outputs), bubble=%.3f stall=%.3f debug=%d\n", B, D, L, n,
                bubble, stall, debug ? 1 : 0);
    for (int r = 0; r < repeat; ++r) {
      const cosim::rtl::RunResult res = drv->Run(lv, opt);
      if (!res.complete) {
        std::fprintf(stderr, "FAIL: %llu of %llu beats came out\n",
                     static_cast<unsigned long long>(res.beats_out),
                     static_cast<unsigned long long>(res.beats_expected));
        return 1;
      }
      const double cps = res.stream_cycles / res.stream_seconds;
      const double ops = static_cast<double>(n) / res.stream_seconds;
      std::printf("run %d: %llu stream cycles (%llu beats, %llu config cycles) in %.3f s: "
                  "%.2f M cycles/s, %.2f M outputs/s\n",
                  r, static_cast<unsigned long long>(res.stream_cycles),
                  static_cast<unsigned long long>(res.beats_expected),
                  static_cast<unsigned long long>(res.config_cycles), res.stream_seconds, cps / 1e6,
                  ops / 1e6);
    }
  } catch (const cosim::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return static_cast<int>(e.code());
  }
  return 0;
}
