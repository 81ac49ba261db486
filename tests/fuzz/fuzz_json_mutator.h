// fuzz_json_mutator.h: a JSON-aware libFuzzer mutator for the JSON targets.
//
// Byte-level mutations rarely turn one valid JSON document into another valid one with a value
// of a different type, which is exactly what the manifest and config readers get wrong (a
// number where a string is expected, an array where an object is expected). Half of the time
// this mutator parses the input, changes one node (a value of another type, a deleted or added
// member, a copied subtree, a nearby number, a known string) and writes it back; otherwise, or
// when the input is not JSON, it uses libFuzzer's own byte-level mutations.
//
// Use: #include it in exactly one file of a target and add
//   COSIM_FUZZ_JSON_MUTATOR()
// at namespace scope.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace cosim_fuzz {

// Keys and strings of the project's JSON formats (knobs, run files, manifests, params, models).
inline const std::vector<const char*>& JsonKeys() {
  static const std::vector<const char*> k = {
      "schema", "schema_version", "layers", "dir", "index", "manifest_sha256", "files", "sha256", "bytes",
      "shape", "dtype", "bits", "signed", "count", "layer", "batch", "channels", "seq_len", "hardware",
      "scales", "binary32", "value", "input_scale", "bias_scale", "output_scale", "weight_scale",
      "lut_step", "name", "d_inner", "d_conv", "n_layers", "weight", "bias", "inputs", "source",
      "profile", "profiles", "default", "rounding", "acc_bits", "acc_overflow", "requant_mult_bits",
      "lut_index_bits", "output_bits", "output_scale_divisor", "description", "model", "seed"};
  return k;
}

inline const std::vector<const char*>& JsonStrings() {
  static const std::vector<const char*> s = {
      "", "x", "asic-cosim-vector-set", "asic-cosim-vectors", "asic-cosim-model", "layer_00", ".", "..",
      "layer_00/weight.npy", "layer_00/bias.npy", "layer_00/inputs.npy", "layer_00/weight_scale.npy",
      "x.npy", "y.npy", "params.json", "manifest.json", "0x3c826820", "0x7f800000", "0x00000001",
      "0xffffffffffffffffff", "-1", "zz", "int-lut", "int-lut-small", "int-lut-per-channel", "fp32-sfu",
      "half-away", "half-even", "half-up", "truncate", "saturate", "wrap", "per-tensor", "per-channel",
      "custom"};
  return s;
}

inline nlohmann::json RandomScalar(std::minstd_rand& rng) {
  using nlohmann::json;
  switch (rng() % 16) {
    case 0: return json(nullptr);
    case 1: return json(true);
    case 2: return json(false);
    case 3: return json(0);
    case 4: return json(-1);
    case 5: return json(1);
    case 6: return json(1.5);
    case 7: return json(int64_t{4294967304});
    case 8: return json(INT64_MIN);
    case 9: return json(UINT64_MAX);
    case 10: return json(1e308);
    case 11: return json::array();
    case 12: return json::object();
    case 13: return json::array({1, 2});
    default: {
      const auto& s = JsonStrings();
      return json(s[rng() % s.size()]);
    }
  }
}

inline void CollectNodes(nlohmann::json& root, std::vector<nlohmann::json*>& out) {
  std::vector<nlohmann::json*> stack = {&root};
  while (!stack.empty() && out.size() < 4096) {
    nlohmann::json* n = stack.back();
    stack.pop_back();
    out.push_back(n);
    if (n->is_structured()) {
      for (auto& child : *n) stack.push_back(&child);
    }
  }
}

inline size_t MutateJson(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  std::minstd_rand rng(seed);
  if (rng() % 2 == 0) return LLVMFuzzerMutate(data, size, max_size);
  nlohmann::json doc = nlohmann::json::parse(data, data + size, nullptr, false);
  if (doc.is_discarded()) return LLVMFuzzerMutate(data, size, max_size);

  std::vector<nlohmann::json*> nodes;
  CollectNodes(doc, nodes);
  nlohmann::json& n = *nodes[rng() % nodes.size()];
  switch (rng() % 6) {
    case 0:  // a value of another type
      n = RandomScalar(rng);
      break;
    case 1:  // drop a member or an element
      if (n.is_object() && !n.empty()) {
        auto it = n.begin();
        std::advance(it, static_cast<long>(rng() % n.size()));
        n.erase(it);
      } else if (n.is_array() && !n.empty()) {
        n.erase(n.begin() + static_cast<long>(rng() % n.size()));
      } else {
        n = RandomScalar(rng);
      }
      break;
    case 2:  // add a member or an element
      if (n.is_object()) {
        const auto& k = JsonKeys();
        n[k[rng() % k.size()]] = RandomScalar(rng);
      } else if (n.is_array()) {
        n.push_back(n.empty() ? RandomScalar(rng) : n[rng() % n.size()]);
      } else {
        n = RandomScalar(rng);
      }
      break;
    case 3: {  // a copy of another node (a subtree may move anywhere, also into itself)
      const nlohmann::json copy = *nodes[rng() % nodes.size()];
      n = copy;
      break;
    }
    case 4:  // a nearby number
      if (n.is_number_integer() || n.is_number_unsigned()) {
        const int64_t v = n.get<int64_t>();
        const int64_t deltas[] = {1, -1, 2, -2, 8, -8, 1000};
        // Wrapping arithmetic: the mutator itself must not overflow (UBSan is on here too).
        const uint64_t u = static_cast<uint64_t>(v);
        n = static_cast<int64_t>((rng() % 4 == 0) ? uint64_t{0} - u : u + static_cast<uint64_t>(deltas[rng() % 7]));
      } else if (n.is_number_float()) {
        const double v = n.get<double>();
        n = (rng() % 2 == 0) ? v * 2 : -v;
      } else {
        n = RandomScalar(rng);
      }
      break;
    default: {  // a known string
      const auto& s = JsonStrings();
      n = s[rng() % s.size()];
      break;
    }
  }
  const std::string text = (rng() % 2 == 0) ? doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                                            : doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data, text.data(), text.size());
  return text.size();
}

}  // namespace cosim_fuzz

#define COSIM_FUZZ_JSON_MUTATOR()                                                                  \
  extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,           \
                                            unsigned int seed) {                                   \
    return cosim_fuzz::MutateJson(data, size, max_size, seed);                                     \
  }
