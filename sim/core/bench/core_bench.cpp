// core_bench: the model core's throughput against a plain scalar reference loop on the same
// data, in the same run. Prints outputs/s of each and the ratio: RunLayer (block forms of the
// stages), on one thread and on all, and RunLayer's element-by-element path (the stage
// primitives called once per element, as the core ran before it had block forms).
//   core_bench [D L reps]      (default: a mamba-130m layer, 1536 x 2048, 5 repetitions)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#include "sim/core/datapath.h"

namespace {

using Clock = std::chrono::steady_clock;

// The datapath written as directly as the contract reads: division and remainder for the
// rounding, no stage functions, no templates. It is the baseline the core is measured against.
void ScalarReference(const cosim::CompiledLayer& c, const cosim::LayerData& l, const int8_t* x, int L,
                     std::vector<int32_t>& y) {
  const int D = l.channels, N = c.hw.lut_index_bits;
  for (int d = 0; d < D; ++d)
    for (int t = 0; t < L; ++t) {
      long long sum = c.bias_acc[d];
      for (int k = 0; k < 4; ++k) {
        const int pos = t - 3 + k;
        sum += static_cast<long long>(l.weight[d * 4 + k]) * (pos >= 0 ? x[static_cast<size_t>(d) * L + pos] : 0);
      }
      const long long lo = -(1LL << 31), hi = (1LL << 31) - 1;
      sum = sum < lo ? lo : (sum > hi ? hi : sum);
      const long long p = sum * c.mult[d];
      const long long den = 1LL << c.shift[d];
      long long q = p / den, r = p % den;
      if (r < 0) { q -= 1; r += den; }
      if (2 * r > den || (2 * r == den && p > 0)) q += 1;  // half away from zero
      const long long imin = -(1LL << (N - 1)), imax = (1LL << (N - 1)) - 1;
      q = q < imin ? imin : (q > imax ? imax : q);
      y[static_cast<size_t>(d) * L + t] = c.lut[q + (1LL << (N - 1))];
    }
}

}  // namespace

int main(int argc, char** argv) {
  const int D = argc > 1 ? std::atoi(argv[1]) : 1536;
  const int L = argc > 2 ? std::atoi(argv[2]) : 2048;
  const int reps = argc > 3 ? std::atoi(argv[3]) : 5;
  if (D < 1 || L < 1 || reps < 1) {
    std::fprintf(stderr, "usage: core_bench [D L reps]\n");
    return 2;
  }
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> i8(-128, 127);
  cosim::LayerData l;
  l.channels = D;
  for (int i = 0; i < D * 4; ++i) l.weight.push_back(static_cast<int8_t>(i8(rng) / 4));
  for (int i = 0; i < D; ++i) l.bias.push_back(static_cast<int8_t>(i8(rng)));
  l.input_scale = 0.03f;
  l.weight_scale = {0.002f};
  l.bias_scale = 0.001f;
  l.output_scale = 0.02f;
  std::vector<int8_t> x(static_cast<size_t>(D) * L);
  for (auto& v : x) v = static_cast<int8_t>(i8(rng) / 3);
  const cosim::CompiledLayer c = cosim::CompileLayer(l, cosim::HwConfig::Named("int-lut"));
  const cosim::LayerInput in{1, L, x.data(), nullptr};
  const double n = static_cast<double>(D) * L * reps;

  std::vector<int32_t> ref(static_cast<size_t>(D) * L);
  auto t0 = Clock::now();
  for (int r = 0; r < reps; ++r) ScalarReference(c, l, x.data(), L, ref);
  const double t_ref = std::chrono::duration<double>(Clock::now() - t0).count();

  cosim::LayerResult got;
  t0 = Clock::now();
  for (int r = 0; r < reps; ++r) got = cosim::RunLayer(c, l, in, cosim::RunOptions{false, 1, true});
  const double t_elem = std::chrono::duration<double>(Clock::now() - t0).count();
  const bool same_elem = got.y == ref;

  t0 = Clock::now();
  for (int r = 0; r < reps; ++r) got = cosim::RunLayer(c, l, in, cosim::RunOptions{false, 1});
  const double t_core = std::chrono::duration<double>(Clock::now() - t0).count();

  const int th = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  t0 = Clock::now();
  for (int r = 0; r < reps; ++r) got = cosim::RunLayer(c, l, in, cosim::RunOptions{false, th});
  const double t_core_mt = std::chrono::duration<double>(Clock::now() - t0).count();

  const bool same = got.y == ref && same_elem;
  std::printf("core_bench D=%d L=%d reps=%d (int-lut, outputs identical: %s)\n", D, L, reps, same ? "yes" : "NO");
  std::printf("%-34s %12.1f M outputs/s   1.00x\n", "scalar reference loop (1 thread)", n / t_ref / 1e6);
  std::printf("%-34s %12.1f M outputs/s %6.2fx\n", "element-by-element path (1 thread)", n / t_elem / 1e6, t_ref / t_elem);
  std::printf("%-34s %12.1f M outputs/s %6.2fx\n", "model core RunLayer (1 thread)", n / t_core / 1e6, t_ref / t_core);
  char label[64];
  std::snprintf(label, sizeof label, "model core RunLayer (%d threads)", th);
  std::printf("%-34s %12.1f M outputs/s %6.2fx\n", label, n / t_core_mt / 1e6, t_ref / t_core_mt);
  return same ? 0 : 1;
}
