// cosim sweep: hardware what-ifs (tb/regress/sweep.h).
#include <cstdio>

#include "sim/core/error.h"
#include "tb/cli/commands.h"
#include "tb/cli/progress.h"
#include "tb/cli/run_config.h"
#include "tb/regress/sweep.h"
#include "vectors/io/atomic_file.h"
#include "vectors/io/json_util.h"

namespace cosim::cli {

int RunSweep(const std::vector<std::string>& argv) {
  std::vector<OptionSpec> opts = CommonRunOptions();
  opts.push_back({"out", "DIR", "report folder: sweep.json, sweep.html", "cosim_sweep"});
  opts.push_back({"refine-output-bits", "W", "fix the output width of the scale-factor variants (0: 8 + ceil(log2 F))", "0"});
  opts.push_back({"groups", "LIST", "only these variant groups, comma-separated prefixes (e.g. scale,rounding)", "all"});
  const Command cmd("sweep",
                    "Sweep hardware what-ifs against the default profile and the FP32 upper bound: research-SE\n"
                    "scale factors (refine reading, powers of two up to 4096 and 2025), rounding modes, multiplier\n"
                    "widths, table index widths, output widths, per-channel weight scales.",
                    "cosim sweep [options]", opts,
                    "Measures only (exit code 0 unless the input is bad). Per layer and aggregate: error vs FP32,\n"
                    "mismatch vs the default profile, integer bits needed, saturation.");
  ParsedArgs args;
  if (!cmd.Parse(argv, &args)) return 0;
  if (!args.positionals().empty()) throw Error(ExitCode::kUsage, "cosim sweep: unexpected argument '" + args.positionals()[0] + "'");
  RunConfig rc = BuildRunConfig(args);
  const std::string out = rc.out.empty() ? "cosim_sweep" : rc.out;
  const int rbits = args.GetInt("refine-output-bits", 0, 0, 24);
  std::vector<regress::SweepVariant> variants = regress::DefaultSweep(rc.hw, rbits);
  if (args.Has("groups") && args.Get("groups") != "all") {
    std::vector<std::string> want;
    const std::string g = args.Get("groups");
    for (size_t s = 0, e; s <= g.size(); s = e + 1) {
      e = g.find(',', s);
      if (e == std::string::npos) e = g.size();
      want.push_back(g.substr(s, e - s));
    }
    std::vector<regress::SweepVariant> kept;
    for (const auto& v : variants)
      for (const auto& w : want)
        if (!w.empty() && v.group.rfind(w, 0) == 0) {
          kept.push_back(v);
          break;
        }
    if (kept.empty()) throw Error(ExitCode::kUsage, "--groups '" + g + "' matches no variant group (scale, rounding, multiplier, table, output, weight)");
    variants = kept;
  }
  const auto model = gold::OpenModel(rc.model, rc.Synthetic());
  std::unique_ptr<gold::Model> pc;
  if (gold::FindPreset(rc.model) && rc.weight_quant == WeightScaleMode::kPerTensor) {
    gold::SyntheticOptions so = rc.Synthetic();
    so.weight_quant = WeightScaleMode::kPerChannel;
    pc = gold::OpenModel(rc.model, so);
  }
  Progress bar("sweep");
  regress::SweepResult r = regress::RunSweep(*model, pc.get(), rc.layers, rc.batch, rc.seq_len, rc.hw, variants,
                                             rc.Threads(), [&](int d, int t) { bar.Update(d, t); });
  bar.Done();
  r.config = rc.ToJson();
  r.config["refine_output_bits"] = rbits;
  vec::MakeDirs(out);
  vec::WriteFileAtomic(out + "/sweep.json", vec::DumpJsonStable(regress::SweepJson(r)));
  vec::WriteFileAtomic(out + "/sweep.html", regress::SweepHtml(r));
  regress::PrintSweep(r, stdout);
  std::printf("reports: %s/{sweep.json, sweep.html}\n", out.c_str());
  return 0;
}

}  // namespace cosim::cli
