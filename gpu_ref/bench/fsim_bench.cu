// fsim_bench: bandwidth of the int8-in/int8-out kernels against a device-to-device copy.
//
//   fsim_bench [--size BxDxL]... [--iters N] [--ytable-copies N] [--acc-tables on|off|auto] [--pdl on|off]
// Per size: the cudaMemcpy D2D bandwidth of B*D*L bytes (read + write counted), then per mode the
// codes-only kernel's bandwidth counting the int8 bytes read and written (2 * B*D*L), and the
// ratio. The fp32 orders (Quamba, naive, fp32-sfu) run on a y-table their DeviceLayer builds once
// (gpu_ref/ytable.h), Quamba and fp32-sfu on per-channel acc tables built from it (acctable.h);
// their build time is printed next to them (plan_ms), outside the timed launches.
// --ytable-copies N (1, 2, 4, 8 or 16) caps the copies of that table in each block's shared memory
// (default: as many as the layout allows), to measure what the copies are worth; it caps the copies
// of the per-channel acc tables (acctable.h) too. --acc-tables on|off runs Quamba and fp32-sfu on
// their acc tables or on the y-table (default auto: AccTablesPreferred), to measure both.
// --pdl on|off: the codes8 launches as programmatic dependent launches (default on where the device
// has them: DeviceLayer::UseDependentLaunch), each launch copying its tables while the one before it
// finishes, or one after the other. The copy runs the same either way (cudaMemcpyAsync).
// Lines starting with "RESULT" are for scripts/gpu_check.sh.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gpu_ref/cuda_check.h"
#include "gpu_ref/floatsim.h"
#include "gpu_ref/floatsim_cuda.h"
#include "gpu_ref/ytable.h"

namespace {

using cosim::fsim::Knobs;
using cosim::fsim::Mode;
using cosim::fsim::Profile;

struct Size {
  int B, D, L;
};

struct BenchMode {
  const char* label;
  Mode mode;
  Profile profile;
};

constexpr BenchMode kModes[] = {
    {"int8-quamba", Mode::kInt8Quamba, Profile::kIntLut},
    {"int8-quamba-fastexp", Mode::kInt8QuambaFastExp, Profile::kIntLut},
    {"naive-fake-quant", Mode::kNaiveFakeQuant, Profile::kIntLut},
    {"int8-asic/int-lut", Mode::kInt8Asic, Profile::kIntLut},
    {"int8-asic/fp32-sfu", Mode::kInt8Asic, Profile::kFp32Sfu},
    {"float-sim-int8/int-lut", Mode::kFloatSimInt8, Profile::kIntLut},
    {"float-sim-int8/fp32-sfu", Mode::kFloatSimInt8, Profile::kFp32Sfu},
};

// Activation-like int8 codes: a sum of four hashed uniforms (roughly normal, std ~ 37).
__global__ void FillX(int8_t* x, size_t n) {
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n; i += size_t{gridDim.x} * blockDim.x) {
    uint32_t h = static_cast<uint32_t>(i) * 2654435761u ^ static_cast<uint32_t>(i >> 32) * 40503u;
    int s = 0;
    for (int k = 0; k < 4; ++k) {
      h ^= h >> 15;
      h *= 2246822519u;
      h ^= h >> 13;
      s += static_cast<int>(h & 63u) - 32;
    }
    x[i] = static_cast<int8_t>(s);
  }
}

template <class F>
double TimeMs(F&& launch, int iters) {
  cudaEvent_t a, b;
  FSIM_CUDA_CHECK(cudaEventCreate(&a));
  FSIM_CUDA_CHECK(cudaEventCreate(&b));
  for (int i = 0; i < 3; ++i) launch();
  FSIM_CUDA_CHECK(cudaEventRecord(a));
  for (int i = 0; i < iters; ++i) launch();
  FSIM_CUDA_CHECK(cudaEventRecord(b));
  FSIM_CUDA_CHECK(cudaEventSynchronize(b));
  float ms = 0;
  FSIM_CUDA_CHECK(cudaEventElapsedTime(&ms, a, b));
  FSIM_CUDA_CHECK(cudaEventDestroy(a));
  FSIM_CUDA_CHECK(cudaEventDestroy(b));
  return ms / iters;
}

int Usage() {
  std::fprintf(stderr,
               "usage: fsim_bench [--size BxDxL]... [--iters N] [--ytable-copies 1|2|4|8|16] [--acc-tables on|off|auto] "
               "[--pdl on|off]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Size> sizes;
  int iters = 0;
  int copies_cap = cosim::fsim::kYCopiesLog2Max;  // log2
  std::string acc_tables = "auto";
  bool pdl = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--size" && i + 1 < argc) {
      Size s{};
      if (std::sscanf(argv[++i], "%dx%dx%d", &s.B, &s.D, &s.L) != 3 || s.B < 1 || s.D < 1 || s.L < 1)
        return Usage();
      sizes.push_back(s);
    } else if (a == "--iters" && i + 1 < argc) {
      iters = std::atoi(argv[++i]);
    } else if (a == "--ytable-copies" && i + 1 < argc) {
      const std::string v = argv[++i];
      copies_cap = -1;
      for (int lg = 0; lg <= cosim::fsim::kYCopiesLog2Max; ++lg)
        if (v == std::to_string(1 << lg)) copies_cap = lg;
      if (copies_cap < 0) {
        std::fprintf(stderr, "fsim_bench: --ytable-copies %s: expected 1, 2, 4, 8 or 16\n", v.c_str());
        return Usage();
      }
    } else if (a == "--acc-tables" && i + 1 < argc) {
      acc_tables = argv[++i];
      if (acc_tables != "on" && acc_tables != "off" && acc_tables != "auto") {
        std::fprintf(stderr, "fsim_bench: --acc-tables %s: expected on, off or auto\n", acc_tables.c_str());
        return Usage();
      }
    } else if (a == "--pdl" && i + 1 < argc) {
      const std::string v = argv[++i];
      if (v != "on" && v != "off") {
        std::fprintf(stderr, "fsim_bench: --pdl %s: expected on or off\n", v.c_str());
        return Usage();
      }
      pdl = v == "on";
    } else {
      return Usage();
    }
  }
  if (sizes.empty()) sizes = {{1, 1536, 2048}, {8, 1536, 4096}, {16, 5120, 4096}};
  if (!cosim::fsim::DeviceAvailable()) {
    std::fprintf(stderr, "fsim_bench: no usable CUDA device\n");
    return 1;
  }
  try {
    std::printf("device: %s\n", cosim::fsim::DeviceName().c_str());
    std::printf("%-26s %-16s %10s %10s %10s %7s\n", "mode", "size", "ms", "GB/s", "copy GB/s", "ratio");
    for (const Size& sz : sizes) {
      const size_t n = size_t{static_cast<size_t>(sz.B)} * sz.D * sz.L;
      const int it = iters > 0 ? iters : static_cast<int>(std::clamp<size_t>((size_t{4} << 30) / n, 10, 200));
      int8_t *d_x = nullptr, *d_y = nullptr;
      FSIM_CUDA_CHECK(cudaMalloc(&d_x, n));
      FSIM_CUDA_CHECK(cudaMalloc(&d_y, n));
      FillX<<<1024, 256>>>(d_x, n);
      FSIM_CUDA_CHECK(cudaGetLastError());
      std::mt19937 rng(1234);
      std::uniform_int_distribution<int> u(-127, 127);
      std::vector<int8_t> w(size_t{static_cast<size_t>(sz.D)} * 4), b(sz.D);
      for (auto& v : w) v = static_cast<int8_t>(u(rng));
      for (auto& v : b) v = static_cast<int8_t>(u(rng));
      const float s_w = 0.004f;
      cosim::fsim::LayerView view{sz.B, sz.D, sz.L, nullptr, w.data(), b.data(), 0.05f, &s_w, 1, 0.002f, 0.03f};
      const double copy_ms = TimeMs([&] { FSIM_CUDA_CHECK(cudaMemcpyAsync(d_y, d_x, n, cudaMemcpyDeviceToDevice)); }, it);
      const double copy_gbps = 2.0 * n / (copy_ms * 1e6);
      char size_s[64];
      std::snprintf(size_s, sizeof size_s, "%dx%dx%d", sz.B, sz.D, sz.L);
      std::printf("%-26s %-16s %10.4f %10.1f %10.1f %7.3f\n", "cudaMemcpy D2D", size_s, copy_ms, copy_gbps, copy_gbps, 1.0);
      std::printf("RESULT mode=memcpy-d2d size=%s ms=%.5f gbps=%.2f copy_gbps=%.2f ratio=1.000 pdl=%s\n", size_s, copy_ms,
                  copy_gbps, copy_gbps, pdl ? "on" : "off");
      for (const BenchMode& m : kModes) {
        Knobs k;
        k.profile = m.profile;
        cosim::fsim::DeviceLayer layer(m.mode, view, k);
        layer.CapYTableCopies(copies_cap);
        if (acc_tables != "auto") layer.UseAccTables(acc_tables == "on");
        layer.UseDependentLaunch(pdl);
        const cosim::fsim::CodesPlan& plan = layer.codes_plan();
        const double ms = TimeMs([&] { layer.LaunchCodesInt8(d_x, d_y, nullptr); }, it);
        const double gbps = 2.0 * n / (ms * 1e6);
        std::printf("%-26s %-16s %10.4f %10.1f %10.1f %7.3f\n", m.label, size_s, ms, gbps, copy_gbps, gbps / copy_gbps);
        char plan_s[64] = "-";
        if (plan.y_table) {
          std::snprintf(plan_s, sizeof plan_s, "%.2f", plan.build_ms + (plan.acc_in_use ? plan.acc_build_ms : 0.0));
          std::printf("  y-table: %s, %d entries (%d side) x %d copies, %lld transitions, %llu binary32 scanned, built in "
                      "%.2f ms (%.1f launches)\n",
                      plan.form.c_str(), plan.entries, plan.side_entries, plan.copies, static_cast<long long>(plan.transitions),
                      static_cast<unsigned long long>(plan.points), plan.build_ms, plan.build_ms / ms);
        } else if (!plan.note.empty()) {
          std::printf("  no y-table: %s\n", plan.note.c_str());
        }
        if (plan.acc_tables) {
          std::printf("  acc tables%s: %d channels, up to %d entries x %d copies, %lld steps, built in %.2f ms\n",
                      plan.acc_in_use ? "" : " (built, not read: the y-table runs)", sz.D, plan.acc_entries_max, plan.acc_copies,
                      static_cast<long long>(plan.acc_steps), plan.acc_build_ms);
        } else if (!plan.acc_note.empty()) {
          std::printf("  no acc tables: %s\n", plan.acc_note.c_str());
        }
        std::printf("RESULT mode=%s size=%s ms=%.5f gbps=%.2f copy_gbps=%.2f ratio=%.3f plan_ms=%s pdl=%s\n", m.label,
                    size_s, ms, gbps, copy_gbps, gbps / copy_gbps, plan_s, pdl ? "on" : "off");
      }
      FSIM_CUDA_CHECK(cudaFree(d_x));
      FSIM_CUDA_CHECK(cudaFree(d_y));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fsim_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
