// cosim cosim: the three-way hardware check (SystemC model, RTL, golden) on chosen layers.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>

#include "sim/core/error.h"
#include "tb/cli/commands.h"
#include "tb/cli/run_config.h"
#include "tb/regress/hw_check.h"
#include "vectors/golden/golden.h"
#include "vectors/io/atomic_file.h"
#include "vectors/io/json_util.h"

namespace cosim::cli {

int RunCosim(const std::vector<std::string>& argv) {
  std::vector<OptionSpec> opts = CommonRunOptions();
  opts.push_back({"vectors", "DIR", "take the layers and expected outputs from a golden vector folder (cosim vectors)", ""});
  opts.push_back({"lanes", "P", "SystemC model lanes", "16"});
  opts.push_back({"bubble-rate", "R", "probability of an input bubble per RTL cycle", "0.1"});
  opts.push_back({"backpressure-rate", "R", "probability of output back-pressure per RTL cycle", "0.1"});
  opts.push_back({"wave", "FILE", "FST waveform of a window around the first RTL mismatch", ""});
  opts.push_back({"rtl-fault", "N", "plant RTL bug N (rtl_models/README.md)", "0"});
  opts.push_back({"model-fault", "N", "plant SystemC-model bug N (sim/systemc/README.md)", "0"});
  opts.push_back({"max-reports", "N", "mismatch reports kept per layer", "10"});
  const Command cmd("cosim",
                    "Three-way hardware check: the SystemC ASIC model and the Verilated RTL, driven with random\n"
                    "bubbles and back-pressure, scoreboarded bit for bit against the golden outputs and each other.",
                    "cosim cosim [--model M | --vectors DIR] [--layers LIST] [options]", opts,
                    "Exit code 0: model == RTL == golden on every layer; 1: a mismatch (reported with layer,\n"
                    "channel, t, the inputs, the intermediate stages, expected vs actual).");
  ParsedArgs args;
  if (!cmd.Parse(argv, &args)) return 0;
  if (!args.positionals().empty()) throw Error(ExitCode::kUsage, "cosim cosim: unexpected argument '" + args.positionals()[0] + "'");
  RunConfig rc = BuildRunConfig(args);
  if (regress::HardwareAvailable().empty()) {
    throw Error(ExitCode::kUnsupported, "cosim cosim: this build has no SystemC model / RTL (install verilator and "
                                        "libsystemc-dev, then reconfigure)");
  }
  regress::HardwareOptions h;
  h.lanes = args.GetInt("lanes", 16, 1, 64);
  h.seed = rc.seed;
  auto rate = [&](const char* name, double def) {
    if (!args.Has(name)) return def;
    char* end = nullptr;
    const std::string v = args.Get(name);
    const double r = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(r >= 0 && r < 1)) throw Error(ExitCode::kUsage, std::string("--") + name + " must be in [0, 1)");
    return r;
  };
  h.bubble_rate = rate("bubble-rate", 0.1);
  h.backpressure_rate = rate("backpressure-rate", 0.1);
  h.wave_path = args.Get("wave");
  h.rtl_fault = args.GetInt("rtl-fault", 0, 0, 64);
  h.model_fault = args.GetInt("model-fault", 0, 0, 64);
  h.max_reports = args.GetInt("max-reports", 10, 0, 100000);

  // The layers: from a vector folder (expected outputs as the folder says) or computed.
  std::vector<std::pair<int, std::string>> from_folder;
  std::unique_ptr<gold::Model> model;
  std::vector<int> layers = rc.layers;
  const std::string vdir = args.Get("vectors");
  if (!vdir.empty()) {
    const std::string manifest = vdir + "/manifest.json";
    const auto top = vec::ParseJsonFile(manifest);
    for (const auto& l : vec::GetArray(top, "layers", manifest)) {
      const int idx = static_cast<int>(vec::GetInt(l, "index", vdir));
      if (layers.empty() || std::find(layers.begin(), layers.end(), idx) != layers.end()) {
        from_folder.emplace_back(idx, vdir + "/" + vec::GetString(l, "dir", vdir));
      }
    }
    if (from_folder.empty()) throw Error(ExitCode::kUsage, "cosim cosim: no requested layer in " + vdir);
  } else {
    model = gold::OpenModel(rc.model, rc.Synthetic());
    if (layers.empty())
      for (int i = 0; i < model->NumLayers(); ++i) layers.push_back(i);
  }
  const size_t n = from_folder.empty() ? layers.size() : from_folder.size();
  int failed = 0;
  int64_t elements = 0;
  uint64_t cycles = 0;
  const auto t0 = std::chrono::steady_clock::now();
  std::printf("%-6s %12s %10s %10s %12s %9s  %s\n", "layer", "elements", "model", "rtl", "rtl cycles", "seconds", "notes");
  for (size_t k = 0; k < n; ++k) {
    const auto tl = std::chrono::steady_clock::now();
    const gold::LayerVectors v = from_folder.empty()
                                     ? gold::ComputeLayer(*model, layers[k], rc.batch, rc.seq_len, rc.hw, rc.Threads())
                                     : gold::LoadLayerFolder(from_folder[k].second);
    const regress::HardwareResult r = regress::RunHardwareCheck(v, h);
    const bool ok = r.systemc_mismatches == 0 && r.rtl_mismatches == 0 && r.rtl_vs_model_mismatches == 0;
    failed += !ok;
    elements += static_cast<int64_t>(v.result.y.size());
    cycles += r.rtl_cycles;
    std::string notes;
    for (const auto& s : r.notes) notes += s + "; ";
    std::printf("%-6d %12zu %10s %10s %12llu %9.2f  %s\n", v.layer.index, v.result.y.size(),
                r.systemc_ran ? std::to_string(r.systemc_mismatches).c_str() : "not run",
                r.rtl_ran ? std::to_string(r.rtl_mismatches + r.rtl_vs_model_mismatches).c_str() : "not run",
                static_cast<unsigned long long>(r.rtl_cycles),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - tl).count(), notes.c_str());
    for (const auto& s : r.reports) std::printf("MISMATCH %s\n", s.c_str());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("\n%s: %zu layer(s), %lld elements, %llu RTL cycles, %.1f s (%s)\n", failed ? "FAIL" : "PASS", n,
              static_cast<long long>(elements), static_cast<unsigned long long>(cycles), secs,
              regress::HardwareAvailable().c_str());
  return failed ? static_cast<int>(ExitCode::kCheckFailed) : 0;
}

}  // namespace cosim::cli
