// run_config.h: the settings of a run, from one JSON run file (--config) with CLI overrides.
//
// Contract: precedence is built-in defaults < run file < command line. Every key of the run file
// is checked (unknown keys, wrong types and out-of-range values are errors naming the file and
// key). The hardware is a named profile plus knob overrides (docs/datapath.md section 3).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/knobs.h"
#include "tb/cli/args.h"
#include "vectors/golden/model.h"

namespace cosim::cli {

struct RunConfig {
  std::string model = gold::kDefaultModel;
  uint64_t seed = 1;
  int batch = 1;
  int seq_len = 2048;
  std::vector<int> layers;  // empty: all
  HwConfig hw = HwConfig::Named(HwConfig::DefaultProfileName());
  WeightScaleMode weight_quant = WeightScaleMode::kPerTensor;
  int threads = 0;          // 0: every core
  std::string out;
  nlohmann::json extra = nlohmann::json::object();  // subcommand-specific keys (regress, sweep)

  gold::SyntheticOptions Synthetic() const;
  int Threads() const;
  nlohmann::json ToJson() const;
};

// The options every model-running subcommand shares, for its OptionSpec table.
std::vector<OptionSpec> CommonRunOptions();
// Builds the config: run file (if --config), then the common CLI options. `extra_keys` lists
// the subcommand-specific run-file keys that are allowed and kept in RunConfig::extra.
RunConfig BuildRunConfig(const ParsedArgs& args, const std::vector<std::string>& extra_keys = {});

}  // namespace cosim::cli
