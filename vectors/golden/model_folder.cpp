// Model folders: model.json + per-layer npy files, the format real checkpoints are brought in
// with (scripts/export_quamba.py writes it). Layout and fields: vectors/golden/README.md.
#include <cmath>
#include <algorithm>
#include <cstdio>

#include "sim/core/error.h"
#include "sim/core/sfu_fp32.h"
#include "vectors/golden/model.h"
#include "vectors/golden/rng.h"
#include "vectors/io/atomic_file.h"
#include "vectors/io/json_util.h"
#include "vectors/io/npy.h"

namespace cosim::gold {
namespace {

using nlohmann::json;

// Paths in model.json are relative to the folder and stay inside it: no absolute paths, no
// ".." components (a path like /dev/zero would make a loader read forever).
std::string JoinPath(const std::string& dir, const std::string& rel) {
  bool dotdot = false;
  for (size_t s = 0, e; s <= rel.size(); s = e + 1) {
    e = rel.find('/', s);
    if (e == std::string::npos) e = rel.size();
    dotdot = dotdot || rel.compare(s, e - s, "..") == 0;
  }
  if (rel.empty() || rel[0] == '/' || dotdot) {
    throw Error(ExitCode::kBadInput, dir + "/model.json: path '" + rel +
                                         "' must be relative to the model folder and stay inside it");
  }
  return dir + "/" + rel;
}

std::string LayerDirName(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "layer_%02d", i);
  return buf;
}

// Scales are JSON numbers holding binary32 values; readers round them to binary32 (exact for
// numbers written with 9 significant digits, or from a Python float of a numpy float32).
float ReadScale(const json& j, const char* key, const std::string& ctx) {
  const double v = vec::GetNumber(j, key, ctx);
  const float f = static_cast<float>(v);
  ValidateScale(f, ctx + ": " + key);
  return f;
}

class FolderModel final : public Model {
 public:
  explicit FolderModel(const std::string& path) {
    std::string file = path;
    if (vec::DirExists(path)) file = path + "/model.json";
    dir_ = file.substr(0, file.find_last_of('/') == std::string::npos ? 0 : file.find_last_of('/'));
    if (dir_.empty()) dir_ = ".";
    file_ = file;
    doc_ = vec::ParseJsonFile(file);
    const std::string ctx = file;
    if (vec::GetStringOr(doc_, "schema", "", ctx) != "asic-cosim-model") {
      throw Error(ExitCode::kBadInput, ctx + ": field 'schema' must be \"asic-cosim-model\" (is this a model folder?)");
    }
    const int64_t ver = vec::GetInt(doc_, "schema_version", ctx);
    if (ver > kModelSchemaVersion) {
      throw Error(ExitCode::kUnsupported, ctx + ": schema_version " + std::to_string(ver) +
                                              " is newer than this tool understands (" +
                                              std::to_string(kModelSchemaVersion) + "); update asic-cosim");
    }
    if (ver < 1) throw Error(ExitCode::kBadInput, ctx + ": schema_version must be >= 1");
    name_ = vec::GetString(doc_, "name", ctx);
    channels_ = static_cast<int>(vec::GetInt(doc_, "d_inner", ctx));
    if (channels_ < 1 || channels_ > (1 << 20)) throw Error(ExitCode::kBadInput, ctx + ": d_inner out of range");
    if (vec::GetIntOr(doc_, "d_conv", 4, ctx) != kTaps) {
      throw Error(ExitCode::kBadInput, ctx + ": d_conv must be 4 (the datapath is width 4)");
    }
    const json& layers = vec::GetArray(doc_, "layers", ctx);
    if (layers.empty()) throw Error(ExitCode::kBadInput, ctx + ": 'layers' is empty");
    const int64_t n = vec::GetIntOr(doc_, "n_layers", static_cast<int64_t>(layers.size()), ctx);
    if (n != static_cast<int64_t>(layers.size())) {
      throw Error(ExitCode::kBadInput, ctx + ": n_layers = " + std::to_string(n) + " but 'layers' has " +
                                           std::to_string(layers.size()) + " entries");
    }
    for (size_t i = 0; i < layers.size(); ++i) {
      const std::string lctx = ctx + ": layers[" + std::to_string(i) + "]";
      if (!layers[i].is_object()) throw Error(ExitCode::kBadInput, lctx + " must be an object");
      if (vec::GetInt(layers[i], "index", lctx) != static_cast<int64_t>(i)) {
        throw Error(ExitCode::kBadInput, lctx + ": 'index' must be " + std::to_string(i));
      }
      captured_ = captured_ || layers[i].contains("inputs");
    }
  }

  std::string Name() const override { return name_; }
  int NumLayers() const override { return static_cast<int>(doc_["layers"].size()); }
  int Channels() const override { return channels_; }
  bool HasCapturedInputs() const override { return captured_; }

  LayerData Layer(int i) const override {
    const json& j = LayerJson(i);
    const std::string ctx = file_ + ": layers[" + std::to_string(i) + "]";
    const int D = channels_;
    LayerData l;
    l.index = i;
    l.channels = D;
    const vec::NpyArray w = vec::ReadNpy(JoinPath(dir_, vec::GetString(j, "weight", ctx)));
    vec::ExpectNpy(w, vec::DType::kI8, {D, kTaps}, ctx + " weight");
    l.weight.assign(w.as<int8_t>(), w.as<int8_t>() + w.count());
    const vec::NpyArray b = vec::ReadNpy(JoinPath(dir_, vec::GetString(j, "bias", ctx)));
    vec::ExpectNpy(b, vec::DType::kI8, {D}, ctx + " bias");
    l.bias.assign(b.as<int8_t>(), b.as<int8_t>() + b.count());
    l.input_scale = ReadScale(j, "input_scale", ctx);
    l.bias_scale = ReadScale(j, "bias_scale", ctx);
    l.output_scale = ReadScale(j, "output_scale", ctx);
    if (!j.contains("weight_scale")) throw Error(ExitCode::kBadInput, ctx + ": missing field 'weight_scale'");
    if (j["weight_scale"].is_string()) {
      const vec::NpyArray s = vec::ReadNpy(JoinPath(dir_, j["weight_scale"].get<std::string>()));
      vec::ExpectNpy(s, vec::DType::kF32, {-1}, ctx + " weight_scale");
      if (s.count() != 1 && s.count() != D) {
        throw Error(ExitCode::kBadInput, ctx + ": weight_scale npy must have 1 or D = " + std::to_string(D) + " values");
      }
      l.weight_scale.assign(s.as<float>(), s.as<float>() + s.count());
    } else {
      l.weight_scale = {ReadScale(j, "weight_scale", ctx)};
    }
    l.Validate(file_);
    return l;
  }

  Activations Inputs(int i, int batch, int seq_len) const override {
    const json& j = LayerJson(i);
    const std::string ctx = file_ + ": layers[" + std::to_string(i) + "]";
    Activations a;
    if (j.contains("inputs")) {
      // Opened in place (memory-mapped when large): copied once, into the activations.
      const vec::NpyFile x = vec::OpenNpy(JoinPath(dir_, vec::GetString(j, "inputs", ctx)));
      vec::ExpectNpy(x, vec::DType::kI8, {-1, channels_, -1}, ctx + " inputs");
      a.batch = static_cast<int>(x.shape[0]);
      a.seq_len = static_cast<int>(x.shape[2]);
      if (a.batch < 1 || a.seq_len < 1) throw Error(ExitCode::kBadInput, ctx + ": inputs must have B, L >= 1");
      a.x.assign(x.as<int8_t>(), x.as<int8_t>() + x.count());
      return a;
    }
    // No captured activations: deterministic heavy-tailed codes with the layer's channel count.
    if (batch < 1 || seq_len < 1) throw Error(ExitCode::kUsage, "batch and seq-len must be >= 1");
    a.batch = batch;
    a.seq_len = seq_len;
    a.x.resize(static_cast<size_t>(batch) * channels_ * seq_len);
    for (int b = 0; b < batch; ++b)
      for (int d = 0; d < channels_; ++d) {
        Rng r(DeriveSeed(0x5eed, static_cast<uint64_t>(i), static_cast<uint64_t>(b), static_cast<uint64_t>(d)));
        int8_t* dst = &a.x[(static_cast<size_t>(b) * channels_ + d) * seq_len];
        for (int t = 0; t < seq_len; ++t) {
          const int64_t q = RintEven(r.HeavyTailed() * 25.0);
          dst[t] = static_cast<int8_t>(std::max<int64_t>(-128, std::min<int64_t>(127, q)));
        }
      }
    return a;
  }

  nlohmann::json Describe() const override {
    json d = {{"name", name_}, {"source", file_}, {"n_layers", NumLayers()}, {"d_inner", channels_},
              {"captured_inputs", captured_}};
    if (doc_.contains("source") && doc_["source"].is_object()) d["origin"] = doc_["source"];
    return d;
  }

 private:
  const json& LayerJson(int i) const {
    if (i < 0 || i >= NumLayers()) {
      throw Error(ExitCode::kUsage, "layer " + std::to_string(i) + " does not exist in " + file_ + " (layers 0.." +
                                        std::to_string(NumLayers() - 1) + ")");
    }
    return doc_["layers"][static_cast<size_t>(i)];
  }

  std::string dir_, file_, name_;
  json doc_;
  int channels_ = 0;
  bool captured_ = false;
};

std::string ScaleText(float f) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(f));
  return buf;
}

}  // namespace

std::unique_ptr<Model> LoadModelFolder(const std::string& path) { return std::make_unique<FolderModel>(path); }

std::unique_ptr<Model> OpenModel(const std::string& spec, const SyntheticOptions& opt) {
  if (const ModelPreset* p = FindPreset(spec)) return MakeSyntheticModel(*p, opt);
  if (vec::DirExists(spec) || vec::FileExists(spec)) return LoadModelFolder(spec);
  std::string names;
  for (const auto& p : Presets()) names += std::string(names.empty() ? "" : ", ") + p.name;
  throw Error(ExitCode::kUsage, "model '" + spec + "' is neither a built-in model (" + names +
                                    ") nor an existing model folder");
}

int64_t ExportModel(const Model& model, const std::string& dir, int capture_batch, int capture_len) {
  vec::MakeDirs(dir);
  int64_t bytes = 0;
  auto put = [&](const std::string& rel, const std::string& data) {
    vec::WriteFileAtomic(dir + "/" + rel, data);
    bytes += static_cast<int64_t>(data.size());
  };
  json layers = json::array();
  for (int i = 0; i < model.NumLayers(); ++i) {
    const LayerData l = model.Layer(i);
    const std::string ld = LayerDirName(i);
    vec::MakeDirs(dir + "/" + ld);
    const int64_t D = l.channels;
    put(ld + "/weight.npy", vec::EncodeNpy(vec::DType::kI8, {D, kTaps}, l.weight.data(), l.weight.size()));
    put(ld + "/bias.npy", vec::EncodeNpy(vec::DType::kI8, {D}, l.bias.data(), l.bias.size()));
    json lj = {{"index", i},
               {"weight", ld + "/weight.npy"},
               {"bias", ld + "/bias.npy"},
               {"input_scale", json::parse(ScaleText(l.input_scale))},
               {"bias_scale", json::parse(ScaleText(l.bias_scale))},
               {"output_scale", json::parse(ScaleText(l.output_scale))}};
    if (l.weight_scale.size() == 1) {
      lj["weight_scale"] = json::parse(ScaleText(l.weight_scale[0]));
    } else {
      put(ld + "/weight_scale.npy", vec::EncodeNpy(vec::DType::kF32, {D}, l.weight_scale.data(),
                                                   l.weight_scale.size() * sizeof(float)));
      lj["weight_scale"] = ld + "/weight_scale.npy";
    }
    if (capture_batch > 0) {
      const Activations a = model.Inputs(i, capture_batch, capture_len);
      put(ld + "/inputs.npy", vec::EncodeNpy(vec::DType::kI8, {a.batch, D, a.seq_len}, a.x.data(), a.x.size()));
      lj["inputs"] = ld + "/inputs.npy";
    }
    layers.push_back(lj);
  }
  const json doc = {{"schema", "asic-cosim-model"},     {"schema_version", kModelSchemaVersion},
                    {"name", model.Name()},             {"d_inner", model.Channels()},
                    {"d_conv", kTaps},                  {"n_layers", model.NumLayers()},
                    {"source", model.Describe()},       {"layers", layers}};
  put("model.json", vec::DumpJsonStable(doc));
  return bytes;
}

}  // namespace cosim::gold
