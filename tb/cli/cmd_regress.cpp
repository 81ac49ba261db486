// cosim regress: the main job (tb/regress/regress.h).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <sys/resource.h>

#include "sim/core/error.h"
#include "tb/cli/commands.h"
#include "tb/cli/progress.h"
#include "tb/cli/run_config.h"
#include "tb/regress/reports.h"
#include "vectors/io/json_util.h"

namespace cosim::cli {
namespace {

std::vector<float> ParseFactors(const std::string& text, const std::string& what) {
  std::vector<float> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string part = text.substr(start, comma - start);
    char* end = nullptr;
    const double f = std::strtod(part.c_str(), &end);
    if (part.empty() || end != part.c_str() + part.size() || !std::isfinite(f) || f < 1 || f > 1e6) {
      throw Error(ExitCode::kUsage, what + ": '" + part + "' is not a scale factor in [1, 1e6] (example: 16,256,2025)");
    }
    out.push_back(static_cast<float>(f));
    start = comma + 1;
  }
  return out;
}

double ParseRate(const ParsedArgs& a, const std::string& name, double def) {
  if (!a.Has(name)) return def;
  const std::string v = a.Get(name);
  char* end = nullptr;
  const double r = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || !(r >= 0 && r < 1)) {
    throw Error(ExitCode::kUsage, "--" + name + " '" + v + "' must be a number in [0, 1)");
  }
  return r;
}

// Peak resident set size of this process so far, in MiB (Linux reports ru_maxrss in KiB).
double PeakRssMiB() {
  struct rusage u;
  if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

}  // namespace

int RunRegress(const std::vector<std::string>& argv) {
  std::vector<OptionSpec> opts = CommonRunOptions();
  opts.push_back({"out", "DIR", "report folder: report.json, junit.xml, report.html, yzCheckFloatSim/", "cosim_report"});
  opts.push_back({"se-factors", "LIST", "research-SE scale factors F, both readings (env FLOAT_SIM_SCALE_FACTOR)", "2025"});
  opts.push_back({"device", "WHERE", "float-sim on: auto (GPU if present), host, gpu", "auto"});
  opts.push_back({"no-rtl", "", "skip the Verilated RTL", ""});
  opts.push_back({"no-systemc", "", "skip the SystemC model", ""});
  opts.push_back({"lanes", "P", "RTL / SystemC lanes", "16"});
  opts.push_back({"bubble-rate", "R", "probability of an input bubble per RTL cycle", "0.05"});
  opts.push_back({"backpressure-rate", "R", "probability of output back-pressure per RTL cycle", "0.05"});
  opts.push_back({"wave", "FILE", "write an FST waveform of a window around the first RTL mismatch", ""});
  opts.push_back({"dump-vectors", "DIR", "also write each layer's golden vector folder", ""});
  opts.push_back({"max-reports", "N", "mismatch reports kept per check and layer", "10"});
  opts.push_back({"rtl-fault", "N", "plant RTL bug N (rtl_models/README.md) to see the checker catch it", "0"});
  opts.push_back({"model-fault", "N", "plant SystemC-model bug N (sim/systemc/README.md)", "0"});
  opts.push_back({"fsim-fault", "N", "plant a float-sim bug: 1 one code off by one, 2 wrong rounding mode", "0"});
  const Command cmd(
      "regress",
      "Run every layer through the ASIC model core (golden), the SystemC model and RTL (when built) and\n"
      "every float-sim mode (GPU when present, else host); assert float-sim INT8 == ASIC and RTL == ASIC\n"
      "bit for bit; characterise INT8 baseline, naive fake-quant and research SE against FP32.",
      "cosim regress [options]", opts,
      "Exit code 0: every asserted check matched bit for bit; 1: a mismatch (reports name layer,\n"
      "channel, t, inputs, stages, expected vs actual and a cause). Run file keys: those of the common\n"
      "options (model, seed, batch, seq_len, layers, profile, hardware, weight_quant, threads, out) and\n"
      "se_factors, device, rtl, systemc, lanes, dump_vectors.");
  ParsedArgs args;
  if (!cmd.Parse(argv, &args)) return 0;
  if (!args.positionals().empty()) throw Error(ExitCode::kUsage, "cosim regress: unexpected argument '" + args.positionals()[0] + "'");
  RunConfig rc = BuildRunConfig(args, {"se_factors", "device", "rtl", "systemc", "lanes", "dump_vectors"});
  regress::RegressOptions o;
  o.layers = rc.layers;
  o.batch = rc.batch;
  o.seq_len = rc.seq_len;
  o.hw = rc.hw;
  o.threads = rc.Threads();
  if (rc.extra.contains("se_factors")) {
    o.se_factors.clear();
    for (const auto& f : rc.extra["se_factors"]) {
      if (!f.is_number() || !(f.get<double>() >= 1) || f.get<double>() > 1e6) {
        throw Error(ExitCode::kBadInput, "run file: 'se_factors' entries must be numbers in [1, 1e6]");
      }
      o.se_factors.push_back(f.get<float>());
    }
  } else if (const char* env = std::getenv("FLOAT_SIM_SCALE_FACTOR")) {
    o.se_factors = ParseFactors(env, "environment variable FLOAT_SIM_SCALE_FACTOR");
  }
  if (args.Has("se-factors")) o.se_factors = ParseFactors(args.Get("se-factors"), "--se-factors");
  const std::string rf = args.Get("config") + " (run file)";
  o.device = args.Get("device", vec::GetStringOr(rc.extra, "device", "auto", rf));
  o.hardware.rtl = !args.Has("no-rtl") && vec::GetBoolOr(rc.extra, "rtl", true, rf);
  o.hardware.systemc = !args.Has("no-systemc") && vec::GetBoolOr(rc.extra, "systemc", true, rf);
  o.hardware.lanes = args.GetInt("lanes", static_cast<int>(vec::GetIntOr(rc.extra, "lanes", 16, rf)), 1, 64);
  o.hardware.seed = rc.seed;
  o.hardware.bubble_rate = ParseRate(args, "bubble-rate", o.hardware.bubble_rate);
  o.hardware.backpressure_rate = ParseRate(args, "backpressure-rate", o.hardware.backpressure_rate);
  o.hardware.wave_path = args.Get("wave");
  o.hardware.rtl_fault = args.GetInt("rtl-fault", 0, 0, 64);
  o.hardware.model_fault = args.GetInt("model-fault", 0, 0, 64);
  o.fsim_fault = args.GetInt("fsim-fault", 0, 0, 2);
  o.max_reports = args.GetInt("max-reports", 10, 0, 100000);
  o.hardware.max_reports = o.max_reports;
  o.dump_vectors = args.Get("dump-vectors", vec::GetStringOr(rc.extra, "dump_vectors", "", rf));
  const std::string out_dir = rc.out.empty() ? "cosim_report" : rc.out;

  const auto model = gold::OpenModel(rc.model, rc.Synthetic());
  Progress bar("regress");
  regress::RegressResult r = regress::RunRegress(*model, o, [&](int d, int t) { bar.Update(d, t); });
  bar.Done();
  r.config = rc.ToJson();
  r.config["se_factors"] = o.se_factors;
  r.config["device"] = o.device;
  r.config["heatmap_block"] = o.heatmap_block;
  const auto t0 = std::chrono::steady_clock::now();
  regress::WriteReports(r, out_dir);  // written twice: the second copy carries the report time
  r.seconds.reports = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto files = regress::WriteReports(r, out_dir);
  regress::PrintSummary(r, stdout);
  std::printf("peak memory: %.0f MiB resident (RSS high-water mark of the whole run)\n", PeakRssMiB());
  std::printf("reports: %s/{report.json, junit.xml, report.html, yzCheckFloatSim/}\n", out_dir.c_str());
  return r.passed() ? 0 : static_cast<int>(ExitCode::kCheckFailed);
}

}  // namespace cosim::cli
