// cosim model export / info, cosim profiles.
#include <cstdio>

#include "sim/core/error.h"
#include "tb/cli/commands.h"
#include "tb/cli/run_config.h"
#include "vectors/golden/model.h"
#include "vectors/io/json_util.h"

namespace cosim::cli {

int RunModelExport(const std::vector<std::string>& argv) {
  std::vector<OptionSpec> opts = CommonRunOptions();
  opts.push_back({"out", "DIR", "model folder to write (model.json + layer_NN/*.npy)", ""});
  opts.push_back({"capture-batch", "B", "also store B sequences of activations per layer as captured inputs", "0"});
  const Command cmd("model export", "Write a model (built-in or folder) as a model folder.",
                    "cosim model export --model NAME --out DIR [options]", opts);
  ParsedArgs args;
  if (!cmd.Parse(argv, &args)) return 0;
  RunConfig rc = BuildRunConfig(args);
  if (rc.out.empty()) throw Error(ExitCode::kUsage, "cosim model export: --out DIR is required");
  const auto model = gold::OpenModel(rc.model, rc.Synthetic());
  const int cb = args.GetInt("capture-batch", 0, 0, 4096);
  const int64_t bytes = gold::ExportModel(*model, rc.out, cb, rc.seq_len);
  std::printf("exported %s: %d layers x %d channels%s to %s (%.1f MB)\n", model->Name().c_str(), model->NumLayers(),
              model->Channels(), cb > 0 ? " with captured inputs" : "", rc.out.c_str(), bytes / 1e6);
  return 0;
}

int RunModelInfo(const std::vector<std::string>& argv) {
  std::vector<OptionSpec> opts = CommonRunOptions();
  const Command cmd("model info", "Print a model's description and each layer's scales.", "cosim model info [options]",
                    opts);
  ParsedArgs args;
  if (!cmd.Parse(argv, &args)) return 0;
  RunConfig rc = BuildRunConfig(args);
  const auto model = gold::OpenModel(rc.model, rc.Synthetic());
  std::printf("%s", vec::DumpJsonStable(model->Describe()).c_str());
  std::printf("%-6s %-14s %-14s %-14s %-14s\n", "layer", "input_scale", "weight_scale", "bias_scale", "output_scale");
  std::vector<int> layers = rc.layers;
  if (layers.empty())
    for (int i = 0; i < model->NumLayers(); ++i) layers.push_back(i);
  for (int i : layers) {
    const LayerData l = model->Layer(i);
    std::printf("%-6d %-14.7g %-14.7g %-14.7g %-14.7g%s\n", i, l.input_scale, l.weight_scale[0], l.bias_scale,
                l.output_scale, l.weight_scale.size() > 1 ? " (per-channel weights: first shown)" : "");
  }
  return 0;
}

int RunProfiles(const std::vector<std::string>& argv) {
  const Command cmd("profiles", "List the named hardware profiles and their knobs (sim/profiles.json).",
                    "cosim profiles", {});
  ParsedArgs args;
  if (!cmd.Parse(argv, &args)) return 0;
  for (const auto& name : HwConfig::ProfileNames()) {
    std::printf("%s%s\n  %s\n", name.c_str(), name == HwConfig::DefaultProfileName() ? " (default)" : "",
                HwConfig::Named(name).ToJson().dump().c_str());
  }
  return 0;
}

}  // namespace cosim::cli
