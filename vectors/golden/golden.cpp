#include "vectors/golden/golden.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "sim/core/error.h"
#include "sim/core/sfu_fp32.h"
#include "vectors/io/atomic_file.h"
#include "vectors/io/hex.h"
#include "vectors/io/json_util.h"
#include "vectors/io/npy.h"
#include "vectors/io/sha256.h"

namespace cosim::gold {
namespace {

using nlohmann::json;
using vec::DType;

// The smallest signed npy dtype that holds `bits`-bit codes.
DType CodeDType(int bits) { return bits <= 8 ? DType::kI8 : (bits <= 16 ? DType::kI16 : DType::kI32); }

// Copies int32 codes into the byte layout of `dt` (little-endian, as npy stores it).
std::string NpyOfCodes(const std::vector<int32_t>& v, int bits, const std::vector<int64_t>& shape) {
  const DType dt = CodeDType(bits);
  if (dt == DType::kI8) {
    std::vector<int8_t> n(v.begin(), v.end());
    return vec::EncodeNpy(dt, shape, n.data(), n.size());
  }
  if (dt == DType::kI16) {
    std::vector<int16_t> n(v.begin(), v.end());
    return vec::EncodeNpy(dt, shape, n.data(), n.size() * 2);
  }
  return vec::EncodeNpy(dt, shape, v.data(), v.size() * 4);
}

json ScaleJson(float f) {
  char bits[16];
  std::snprintf(bits, sizeof bits, "0x%08x", BitsFromFloat(f));
  char text[40];
  std::snprintf(text, sizeof text, "%.9g", static_cast<double>(f));
  return {{"value", json::parse(text)}, {"binary32", bits}};
}

struct FileSet {
  std::vector<std::pair<std::string, std::string>> files;  // name, bytes
  json meta = json::object();
  void Npy(const std::string& name, const std::string& bytes, const std::string& dtype, std::vector<int64_t> shape) {
    files.emplace_back(name, bytes);
    meta[name] = {{"dtype", dtype}, {"shape", shape}};
  }
  void Hex(const std::string& name, std::string bytes, int bits, bool is_signed, size_t count) {
    files.emplace_back(name, std::move(bytes));
    meta[name] = {{"bits", bits}, {"signed", is_signed}, {"count", count}};
  }
  void Json(const std::string& name, const json& j) { files.emplace_back(name, vec::DumpJsonStable(j)); }
};

std::string HexComment(const std::string& what, const std::vector<int64_t>& shape, int bits, bool is_signed) {
  return what + " " + vec::ShapeToString(shape) + " row-major, one " + std::to_string(bits) + "-bit " +
         (is_signed ? "two's complement" : "unsigned") + " word per line";
}

}  // namespace

std::string LayerFolderName(int layer) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "layer_%02d", layer);
  return buf;
}

LayerVectors ComputeLayer(const Model& model, int layer, int batch, int seq_len, const HwConfig& hw, int threads) {
  LayerVectors v;
  v.layer = model.Layer(layer);
  v.input = model.Inputs(layer, batch, seq_len);
  v.compiled = CompileLayer(v.layer, hw);
  v.result = RunLayer(v.compiled, v.layer, v.View(), RunOptions{true, threads});
  return v;
}

std::string WriteLayerFolder(const std::string& dir, const LayerVectors& v, const json& model_desc,
                             const WriteOptions& opt) {
  const std::string ld = dir + "/" + LayerFolderName(v.layer.index);
  vec::MakeDirs(ld);
  const HwConfig& hw = v.compiled.hw;
  const int64_t B = v.input.batch, D = v.layer.channels, L = v.input.seq_len;
  const std::vector<int64_t> bdl = {B, D, L};
  const bool lut = hw.profile == Profile::kIntLut;
  const LayerResult& r = v.result;
  FileSet fs;

  fs.Npy("x.npy", vec::EncodeNpy(DType::kI8, bdl, v.input.x.data(), v.input.x.size()), "int8", bdl);
  fs.Npy("weight.npy", vec::EncodeNpy(DType::kI8, {D, kTaps}, v.layer.weight.data(), v.layer.weight.size()), "int8",
         {D, kTaps});
  fs.Npy("bias.npy", vec::EncodeNpy(DType::kI8, {D}, v.layer.bias.data(), v.layer.bias.size()), "int8", {D});
  const int64_t nws = static_cast<int64_t>(v.layer.weight_scale.size());
  fs.Npy("weight_scale.npy",
         vec::EncodeNpy(DType::kF32, {nws}, v.layer.weight_scale.data(), v.layer.weight_scale.size() * 4), "float32",
         {nws});
  fs.Npy("y.npy", NpyOfCodes(r.y, hw.output_bits, bdl), vec::DTypeName(CodeDType(hw.output_bits)), bdl);
  fs.Npy("acc.npy", vec::EncodeNpy(DType::kI32, bdl, r.acc.data(), r.acc.size() * 4), "int32", bdl);
  fs.Npy("state_out.npy", vec::EncodeNpy(DType::kI8, {B, D, kStateLen}, r.state_out.data(), r.state_out.size()),
         "int8", {B, D, kStateLen});
  const CompiledLayer& c = v.compiled;
  if (lut) {
    std::vector<int32_t> mult(c.mult.begin(), c.mult.end()), bias_acc(c.bias_acc.begin(), c.bias_acc.end());
    const int64_t entries = static_cast<int64_t>(c.lut.size());
    fs.Npy("mult.npy", vec::EncodeNpy(DType::kI32, {D}, mult.data(), mult.size() * 4), "int32", {D});
    fs.Npy("shift.npy", vec::EncodeNpy(DType::kI32, {D}, c.shift.data(), c.shift.size() * 4), "int32", {D});
    fs.Npy("bias_acc.npy", vec::EncodeNpy(DType::kI32, {D}, bias_acc.data(), bias_acc.size() * 4), "int32", {D});
    fs.Npy("silu_lut.npy", NpyOfCodes(c.lut, hw.output_bits, {entries}), vec::DTypeName(CodeDType(hw.output_bits)),
           {entries});
    fs.Npy("index.npy", NpyOfCodes(r.index, hw.lut_index_bits <= 8 ? 9 : hw.lut_index_bits, bdl),
           vec::DTypeName(CodeDType(hw.lut_index_bits <= 8 ? 9 : hw.lut_index_bits)), bdl);
    if (opt.hex) {
      fs.Hex("mult.hex", vec::EncodeHex(mult.data(), mult.size(), hw.requant_mult_bits,
                                        HexComment("mult", {D}, hw.requant_mult_bits, false)),
             hw.requant_mult_bits, false, mult.size());
      fs.Hex("shift.hex", vec::EncodeHex(c.shift.data(), c.shift.size(), 8, HexComment("shift", {D}, 8, false)), 8,
             false, c.shift.size());
      fs.Hex("bias_acc.hex", vec::EncodeHex(bias_acc.data(), bias_acc.size(), 32, HexComment("bias_acc", {D}, 32, true)),
             32, true, bias_acc.size());
      fs.Hex("silu_lut.hex",
             vec::EncodeHex(c.lut.data(), c.lut.size(), hw.output_bits,
                            HexComment("silu_lut (address = index + 2^(N-1))", {entries}, hw.output_bits, true)),
             hw.output_bits, true, c.lut.size());
      if (opt.hex_intermediates) {
        fs.Hex("index.hex", vec::EncodeHex(r.index.data(), r.index.size(), hw.lut_index_bits,
                                           HexComment("index", bdl, hw.lut_index_bits, true)),
               hw.lut_index_bits, true, r.index.size());
      }
    }
  } else {
    fs.Npy("acc_scale.npy", vec::EncodeNpy(DType::kF32, {D}, c.acc_scale32.data(), c.acc_scale32.size() * 4),
           "float32", {D});
    fs.Npy("bias_f32.npy", vec::EncodeNpy(DType::kF32, {D}, c.bias_f32.data(), c.bias_f32.size() * 4), "float32", {D});
    fs.Npy("pre_act.npy", vec::EncodeNpy(DType::kF32, bdl, r.pre_act.data(), r.pre_act.size() * 4), "float32", bdl);
    fs.Npy("silu.npy", vec::EncodeNpy(DType::kF32, bdl, r.silu.data(), r.silu.size() * 4), "float32", bdl);
  }
  if (opt.hex) {
    fs.Hex("x.hex", vec::EncodeHex(v.input.x.data(), v.input.x.size(), 8, HexComment("x", bdl, 8, true)), 8, true,
           v.input.x.size());
    fs.Hex("weight.hex",
           vec::EncodeHex(v.layer.weight.data(), v.layer.weight.size(), 8, HexComment("weight", {D, kTaps}, 8, true)), 8,
           true, v.layer.weight.size());
    fs.Hex("bias.hex", vec::EncodeHex(v.layer.bias.data(), v.layer.bias.size(), 8, HexComment("bias", {D}, 8, true)),
           8, true, v.layer.bias.size());
    fs.Hex("y.hex", vec::EncodeHex(r.y.data(), r.y.size(), hw.output_bits, HexComment("y", bdl, hw.output_bits, true)),
           hw.output_bits, true, r.y.size());
    fs.Hex("state_out.hex",
           vec::EncodeHex(r.state_out.data(), r.state_out.size(), 8, HexComment("state_out", {B, D, kStateLen}, 8, true)),
           8, true, r.state_out.size());
    if (opt.hex_intermediates) {
      fs.Hex("acc.hex", vec::EncodeHex(r.acc.data(), r.acc.size(), 32, HexComment("acc", bdl, 32, true)), 32, true,
             r.acc.size());
    }
  }

  json params = {{"layer", v.layer.index},
                 {"batch", B},
                 {"channels", D},
                 {"seq_len", L},
                 {"hardware", hw.ToJson()},
                 {"scales",
                  {{"input_scale", ScaleJson(v.layer.input_scale)},
                   {"bias_scale", ScaleJson(v.layer.bias_scale)},
                   {"output_scale", ScaleJson(v.layer.output_scale)},
                   {"effective_output_scale", ScaleJson(c.effective_output_scale)},
                   {"weight_scale", nws == 1 ? ScaleJson(v.layer.weight_scale[0]) : json("weight_scale.npy")}}},
                 {"counters",
                  {{"acc_overflow", r.counters.acc_overflow},
                   {"index_saturated", r.counters.index_saturated},
                   {"output_saturated", r.counters.output_saturated}}}};
  if (lut) params["scales"]["lut_step"] = ScaleJson(c.lut_step);
  fs.Json("params.json", params);

  json files = json::object();
  for (const auto& [name, bytes] : fs.files) {
    vec::WriteFileAtomic(ld + "/" + name, bytes);
    json entry = fs.meta.contains(name) ? fs.meta[name] : json::object();
    entry["sha256"] = vec::Sha256Hex(bytes);
    entry["bytes"] = bytes.size();
    files[name] = entry;
  }
  const json manifest = {{"schema", "asic-cosim-vectors"},
                         {"schema_version", kVectorSchemaVersion},
                         {"tool", std::string(kToolName) + " " + kToolVersion},
                         {"layer", v.layer.index},
                         {"model", model_desc},
                         {"hardware", hw.ToJson()},
                         {"shape", {{"batch", B}, {"channels", D}, {"seq_len", L}}},
                         {"files", files}};
  const std::string text = vec::DumpJsonStable(manifest);
  vec::WriteFileAtomic(ld + "/manifest.json", text);
  return vec::Sha256Hex(text);
}

VectorSetSummary WriteVectorSet(const Model& model, const HwConfig& hw, const std::string& dir,
                                const VectorSetOptions& opt, const std::function<void(int, int)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<int> layers = opt.layers;
  if (layers.empty()) {
    for (int i = 0; i < model.NumLayers(); ++i) layers.push_back(i);
  }
  for (int i : layers) {
    if (i < 0 || i >= model.NumLayers()) {
      throw Error(ExitCode::kUsage, "layer " + std::to_string(i) + " does not exist (model has " +
                                        std::to_string(model.NumLayers()) + " layers)");
    }
  }
  vec::MakeDirs(dir);
  // A stale top manifest must not survive a partial rewrite.
  std::remove((dir + "/manifest.json").c_str());
  const json desc = model.Describe();
  std::vector<std::string> shas(layers.size());
  VectorSetSummary s;
  std::atomic<size_t> next{0};
  std::atomic<int> done{0};
  std::mutex mu;
  std::exception_ptr failure;
  const int workers = std::max(1, std::min<int>(opt.threads, static_cast<int>(layers.size())));
  const int inner = std::max(1, opt.threads / workers);
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < layers.size();) {
      try {
        {
          std::lock_guard<std::mutex> lock(mu);
          if (failure) return;
        }
        const LayerVectors v = ComputeLayer(model, layers[k], opt.batch, opt.seq_len, hw, inner);
        shas[k] = WriteLayerFolder(dir, v, desc, opt.write);
        const int d = ++done;
        std::lock_guard<std::mutex> lock(mu);
        if (progress) progress(d, static_cast<int>(layers.size()));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!failure) failure = std::current_exception();
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);

  json list = json::array();
  for (size_t k = 0; k < layers.size(); ++k) {
    list.push_back({{"index", layers[k]}, {"dir", LayerFolderName(layers[k])}, {"manifest_sha256", shas[k]}});
  }
  const json top = {{"schema", "asic-cosim-vector-set"},
                    {"schema_version", kVectorSchemaVersion},
                    {"tool", std::string(kToolName) + " " + kToolVersion},
                    {"model", desc},
                    {"hardware", hw.ToJson()},
                    {"batch", opt.batch},
                    {"seq_len", opt.seq_len},
                    {"layers", list}};
  vec::WriteFileAtomic(dir + "/manifest.json", vec::DumpJsonStable(top));
  s.layers_written = static_cast<int>(layers.size());
  for (size_t k = 0; k < layers.size(); ++k) {
    const json m = vec::ParseJsonFile(dir + "/" + LayerFolderName(layers[k]) + "/manifest.json");
    for (const auto& f : m["files"]) s.bytes += f["bytes"].get<int64_t>();
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

namespace {

// Checks one layer folder's manifest against the files; appends problems.
void VerifyLayer(const std::string& ld, const std::string& expected_manifest_sha, VerifyResult& out) {
  const std::string mpath = ld + "/manifest.json";
  if (!vec::FileExists(mpath)) {
    out.problems.push_back(mpath + ": missing (the layer was not completed)");
    return;
  }
  const std::string text = vec::ReadFile(mpath);
  if (!expected_manifest_sha.empty() && vec::Sha256Hex(text) != expected_manifest_sha) {
    out.problems.push_back(mpath + ": sha256 differs from the one recorded in the top manifest");
  }
  json m;
  try {
    m = vec::ParseJsonText(text, mpath);
  } catch (const Error& e) {
    out.problems.push_back(e.what());
    return;
  }
  if (!m.is_object() || vec::GetStringOr(m, "schema", "", mpath) != "asic-cosim-vectors") {
    out.problems.push_back(mpath + ": not a layer manifest (field 'schema')");
    return;
  }
  if (!m.contains("schema_version") || !m["schema_version"].is_number_integer() ||
      m["schema_version"].get<int>() > kVectorSchemaVersion) {
    out.problems.push_back(mpath + ": schema_version missing or newer than this tool (" +
                           std::to_string(kVectorSchemaVersion) + ")");
    return;
  }
  if (!m.contains("files") || !m["files"].is_object()) {
    out.problems.push_back(mpath + ": field 'files' missing");
    return;
  }
  for (auto it = m["files"].begin(); it != m["files"].end(); ++it) {
    const std::string path = ld + "/" + it.key();
    ++out.files;
    if (!vec::FileExists(path)) {
      out.problems.push_back(path + ": missing");
      continue;
    }
    const std::string want = it.value().is_object() && it.value().contains("sha256") && it.value()["sha256"].is_string()
                                 ? it.value()["sha256"].get<std::string>()
                                 : "";
    if (want.empty()) {
      out.problems.push_back(mpath + ": entry '" + it.key() + "' has no sha256 string");
      continue;
    }
    const std::string got = vec::Sha256FileHex(path);
    if (got != want) out.problems.push_back(path + ": sha256 " + got + " does not match the manifest's " + want);
  }
}

}  // namespace

VerifyResult VerifyVectorSet(const std::string& dir) {
  VerifyResult out;
  const std::string top_path = dir + "/manifest.json";
  if (!vec::FileExists(top_path)) {
    // A single layer folder verifies on its own.
    if (vec::FileExists(dir + "/params.json") || vec::FileExists(dir + "/x.npy")) {
      out.layers = 1;
      VerifyLayer(dir, "", out);
      return out;
    }
    throw Error(ExitCode::kIntegrity, top_path + ": missing: the vector set is incomplete (interrupted run?) "
                                                 "or this is not a vector folder");
  }
  const json top = vec::ParseJsonFile(top_path);
  if (!top.is_object() || vec::GetStringOr(top, "schema", "", top_path) != "asic-cosim-vector-set") {
    throw Error(ExitCode::kIntegrity, top_path + ": field 'schema' is not \"asic-cosim-vector-set\"");
  }
  const int64_t ver = vec::GetInt(top, "schema_version", top_path);
  if (ver > kVectorSchemaVersion) {
    throw Error(ExitCode::kUnsupported, top_path + ": schema_version " + std::to_string(ver) +
                                            " is newer than this tool understands (" +
                                            std::to_string(kVectorSchemaVersion) + ")");
  }
  for (const auto& l : vec::GetArray(top, "layers", top_path)) {
    ++out.layers;
    VerifyLayer(dir + "/" + vec::GetString(l, "dir", top_path), vec::GetString(l, "manifest_sha256", top_path), out);
  }
  return out;
}

LayerVectors LoadLayerFolder(const std::string& ld) {
  VerifyResult vr;
  VerifyLayer(ld, "", vr);
  if (!vr.problems.empty()) throw Error(ExitCode::kIntegrity, vr.problems.front());
  const json p = vec::ParseJsonFile(ld + "/params.json");
  const std::string ctx = ld + "/params.json";
  LayerVectors v;
  const HwConfig hw = HwConfig::FromJson(vec::GetObject(p, "hardware", ctx), HwConfig{}, ctx + ": hardware");
  const json& sc = vec::GetObject(p, "scales", ctx);
  const std::string scales_ctx = ctx + ": scales";
  auto scale = [&](const char* key) {
    const json& s = vec::GetObject(sc, key, scales_ctx);
    const std::string bits = vec::GetString(s, "binary32", ctx + ": scales." + key);
    const bool hex = bits.size() == 10 && bits[0] == '0' && bits[1] == 'x' &&
                     bits.find_first_not_of("0123456789abcdef", 2) == std::string::npos;
    if (!hex) {
      throw Error(ExitCode::kBadInput, ctx + ": scales." + key + ".binary32 = \"" + bits +
                                           "\" is not 0x followed by 8 lowercase hex digits");
    }
    return FloatFromBits(static_cast<uint32_t>(std::stoul(bits, nullptr, 16)));
  };
  v.layer.index = static_cast<int>(vec::GetInt(p, "layer", ctx));
  const int B = static_cast<int>(vec::GetInt(p, "batch", ctx));
  const int D = static_cast<int>(vec::GetInt(p, "channels", ctx));
  const int L = static_cast<int>(vec::GetInt(p, "seq_len", ctx));
  v.layer.channels = D;
  v.layer.input_scale = scale("input_scale");
  v.layer.bias_scale = scale("bias_scale");
  v.layer.output_scale = scale("output_scale");
  const vec::NpyArray ws = vec::ReadNpy(ld + "/weight_scale.npy");
  vec::ExpectNpy(ws, DType::kF32, {-1}, "weight_scale.npy");
  v.layer.weight_scale.assign(ws.as<float>(), ws.as<float>() + ws.count());
  const vec::NpyArray w = vec::ReadNpy(ld + "/weight.npy");
  vec::ExpectNpy(w, DType::kI8, {D, kTaps}, "weight.npy");
  v.layer.weight.assign(w.as<int8_t>(), w.as<int8_t>() + w.count());
  const vec::NpyArray b = vec::ReadNpy(ld + "/bias.npy");
  vec::ExpectNpy(b, DType::kI8, {D}, "bias.npy");
  v.layer.bias.assign(b.as<int8_t>(), b.as<int8_t>() + b.count());
  // The [B, D, L] tensors are opened in place (memory-mapped when large): one copy, into the
  // result, and none through an intermediate buffer.
  const vec::NpyFile x = vec::OpenNpy(ld + "/x.npy");
  vec::ExpectNpy(x, DType::kI8, {B, D, L}, "x.npy");
  v.input = Activations{B, L, std::vector<int8_t>(x.as<int8_t>(), x.as<int8_t>() + x.count())};
  v.compiled = CompileLayer(v.layer, hw);
  // The expected outputs come from the folder, not from a recomputation: a testbench checks
  // against what the folder says.
  const vec::NpyFile y = vec::OpenNpy(ld + "/y.npy");
  vec::ExpectNpy(y, CodeDType(hw.output_bits), {B, D, L}, "y.npy");
  v.result.batch = B;
  v.result.channels = D;
  v.result.seq_len = L;
  v.result.y.resize(y.count());
  auto widen = [&](const auto* codes) { std::copy(codes, codes + y.count(), v.result.y.begin()); };
  if (y.dtype == DType::kI8) {
    widen(y.as<int8_t>());
  } else if (y.dtype == DType::kI16) {
    widen(y.as<int16_t>());
  } else {
    widen(y.as<int32_t>());
  }
  const vec::NpyFile acc = vec::OpenNpy(ld + "/acc.npy");
  vec::ExpectNpy(acc, DType::kI32, {B, D, L}, "acc.npy");
  v.result.acc.assign(acc.as<int32_t>(), acc.as<int32_t>() + acc.count());
  if (hw.profile == Profile::kIntLut) {
    const vec::NpyArray mult = vec::ReadNpy(ld + "/mult.npy");
    vec::ExpectNpy(mult, DType::kI32, {D}, "mult.npy");
    const vec::NpyArray shift = vec::ReadNpy(ld + "/shift.npy");
    vec::ExpectNpy(shift, DType::kI32, {D}, "shift.npy");
    for (int d = 0; d < D; ++d) {
      if (mult.as<int32_t>()[d] != v.compiled.mult[d] || shift.as<int32_t>()[d] != v.compiled.shift[d]) {
        throw Error(ExitCode::kIntegrity, ld + ": mult/shift of channel " + std::to_string(d) +
                                              " differ from the compile step of docs/datapath.md section 4");
      }
    }
  }
  return v;
}

}  // namespace cosim::gold
