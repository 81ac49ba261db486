#include "tb/cli/run_config.h"

#include <algorithm>
#include <set>
#include <thread>

#include "sim/core/error.h"
#include "vectors/io/json_util.h"

namespace cosim::cli {
namespace {

using nlohmann::json;

WeightScaleMode ParseWeightQuant(const std::string& s, const std::string& where) {
  if (s == "per-tensor") return WeightScaleMode::kPerTensor;
  if (s == "per-channel") return WeightScaleMode::kPerChannel;
  throw Error(ExitCode::kUsage, where + ": weight quantization '" + s + "' (allowed: per-tensor, per-channel)");
}

// "--set key=value": the value is JSON when it parses as JSON (numbers, true), else a string.
json ParseSetValue(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_discarded() && !j.is_object() && !j.is_array()) return j;
  return text;
}

}  // namespace

gold::SyntheticOptions RunConfig::Synthetic() const {
  gold::SyntheticOptions o;
  o.seed = seed;
  o.weight_quant = weight_quant;
  return o;
}

int RunConfig::Threads() const {
  if (threads > 0) return threads;
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

json RunConfig::ToJson() const {
  json j = {{"model", model},     {"seed", seed},   {"batch", batch}, {"seq_len", seq_len},
            {"layers", layers},   {"hardware", hw.ToJson()},
            {"weight_quant", ToString(weight_quant)}};
  for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
  return j;
}

std::vector<OptionSpec> CommonRunOptions() {
  std::string profiles;
  for (const auto& p : HwConfig::ProfileNames()) profiles += (profiles.empty() ? "" : ", ") + p;
  std::string models;
  for (const auto& p : gold::Presets()) models += std::string(models.empty() ? "" : ", ") + p.name;
  return {
      {"config", "FILE", "JSON run file; command-line options override its keys", ""},
      {"model", "NAME|DIR", "built-in model (" + models + ") or a model folder", gold::kDefaultModel},
      {"seed", "N", "seed of the built-in model's weights and activations", "1"},
      {"batch", "B", "sequences per layer", "1"},
      {"seq-len", "L", "sequence length", "2048"},
      {"layers", "LIST", "layers to run: all, 3, 0,5,7, 2-6", "all"},
      {"profile", "NAME", "hardware profile from sim/profiles.json (" + profiles + ")", HwConfig::DefaultProfileName()},
      {"set", "KNOB=VALUE", "override one hardware knob, e.g. --set rounding=half-even --set acc_bits=24", "", true},
      {"weight-quant", "MODE", "quantize the built-in model's weights per-tensor or per-channel", "per-tensor"},
      {"threads", "N", "worker threads; results do not depend on it", "all cores"},
  };
}

RunConfig BuildRunConfig(const ParsedArgs& args, const std::vector<std::string>& extra_keys) {
  RunConfig c;
  json knob_overrides = json::object();
  std::string profile = HwConfig::DefaultProfileName();
  if (args.Has("config")) {
    const std::string path = args.Get("config");
    const json f = vec::ParseJsonFile(path);
    if (!f.is_object()) throw Error(ExitCode::kBadInput, path + ": a run file must be a JSON object");
    static const std::set<std::string> kKeys = {"schema_version", "model", "seed", "batch", "seq_len", "layers",
                                                "profile", "hardware", "weight_quant", "threads", "out"};
    for (auto it = f.begin(); it != f.end(); ++it) {
      const std::string& k = it.key();
      const bool extra = std::find(extra_keys.begin(), extra_keys.end(), k) != extra_keys.end();
      if (!kKeys.count(k) && !extra) {
        std::string allowed;
        for (const auto& x : kKeys) allowed += (allowed.empty() ? "" : ", ") + x;
        for (const auto& x : extra_keys) allowed += ", " + x;
        throw Error(ExitCode::kBadInput, path + ": unknown key '" + k + "' (allowed: " + allowed + ")");
      }
      if (extra) c.extra[k] = it.value();
    }
    if (vec::GetIntOr(f, "schema_version", 1, path) > 1) {
      throw Error(ExitCode::kUnsupported, path + ": schema_version is newer than this tool understands (1)");
    }
    c.model = vec::GetStringOr(f, "model", c.model, path);
    const int64_t seed = vec::GetIntOr(f, "seed", 1, path);
    if (seed < 0) throw Error(ExitCode::kBadInput, path + ": 'seed' must be >= 0");
    c.seed = static_cast<uint64_t>(seed);
    c.batch = static_cast<int>(vec::GetIntOr(f, "batch", c.batch, path));
    c.seq_len = static_cast<int>(vec::GetIntOr(f, "seq_len", c.seq_len, path));
    if (c.batch < 1 || c.batch > 4096) throw Error(ExitCode::kBadInput, path + ": 'batch' out of range [1, 4096]");
    if (c.seq_len < 1 || c.seq_len > (1 << 20)) throw Error(ExitCode::kBadInput, path + ": 'seq_len' out of range [1, 1048576]");
    if (f.contains("layers")) {
      const json& l = f["layers"];
      if (l.is_string()) {
        c.layers = ParseLayerList(l.get<std::string>(), path + ": 'layers'");
      } else if (l.is_array()) {
        for (const auto& v : l) {
          if (!v.is_number_integer() || v.get<int>() < 0) throw Error(ExitCode::kBadInput, path + ": 'layers' entries must be integers >= 0");
          c.layers.push_back(v.get<int>());
        }
      } else {
        throw Error(ExitCode::kBadInput, path + ": 'layers' must be a string (\"all\", \"0-3\") or an array of integers");
      }
    }
    profile = vec::GetStringOr(f, "profile", profile, path);
    if (f.contains("hardware")) knob_overrides = vec::GetObject(f, "hardware", path);
    c.weight_quant = ParseWeightQuant(vec::GetStringOr(f, "weight_quant", "per-tensor", path), path);
    c.threads = static_cast<int>(vec::GetIntOr(f, "threads", 0, path));
    if (c.threads < 0 || c.threads > 1024) throw Error(ExitCode::kBadInput, path + ": 'threads' out of range [0, 1024]");
    c.out = vec::GetStringOr(f, "out", "", path);
  }
  if (args.Has("model")) c.model = args.Get("model");
  if (args.Has("seed")) c.seed = static_cast<uint64_t>(args.GetInt("seed", 1, 0, 2147483647));
  c.batch = args.GetInt("batch", c.batch, 1, 4096);
  c.seq_len = args.GetInt("seq-len", c.seq_len, 1, 1 << 20);
  if (args.Has("layers")) c.layers = ParseLayerList(args.Get("layers"), "--layers");
  if (args.Has("profile")) profile = args.Get("profile");
  if (args.Has("weight-quant")) c.weight_quant = ParseWeightQuant(args.Get("weight-quant"), "--weight-quant");
  c.threads = args.GetInt("threads", c.threads, 0, 1024);
  if (args.Has("out")) c.out = args.Get("out");
  c.hw = HwConfig::Named(profile);
  if (!knob_overrides.empty()) {
    c.hw = HwConfig::FromJson(knob_overrides, c.hw, args.Get("config") + ": hardware");
  }
  for (const std::string& s : args.GetAll("set")) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) throw Error(ExitCode::kUsage, "--set '" + s + "': expected KNOB=VALUE");
    try {
      c.hw = HwConfig::FromJson(json{{s.substr(0, eq), ParseSetValue(s.substr(eq + 1))}}, c.hw, "--set " + s);
    } catch (const Error& e) {
      throw Error(ExitCode::kUsage, e.what());
    }
  }
  return c;
}

}  // namespace cosim::cli
