// golden.h: per-layer golden vectors, computed in memory and optionally written as a folder.
//
// Contract: ComputeLayer runs the model core on one layer of a model; WriteLayerFolder writes
// it in the layout of vectors/README.md, every file atomically (temp + rename) and the layer's
// manifest.json last; WriteVectorSet removes a stale top manifest first and writes the new one
// last, so an interrupted run never leaves a folder that verifies. Identical inputs give
// byte-identical files: no timestamps, no host names, stable JSON. VerifyVectorSet re-hashes
// every file and checks the schema.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/compile.h"
#include "sim/core/datapath.h"
#include "vectors/golden/model.h"

namespace cosim::gold {

constexpr int kVectorSchemaVersion = 1;
constexpr const char* kToolName = "asic-cosim";
constexpr const char* kToolVersion = "0.1.0";

// One layer's golden vectors in memory: what the checkers and testbenches consume.
struct LayerVectors {
  LayerData layer;
  Activations input;
  CompiledLayer compiled;
  LayerResult result;  // with intermediates
  LayerInput View() const { return LayerInput{input.batch, input.seq_len, input.x.data(), nullptr}; }
};

LayerVectors ComputeLayer(const Model& model, int layer, int batch, int seq_len, const HwConfig& hw,
                          int threads = 1);

struct WriteOptions {
  bool hex = true;                 // $readmemh files of x, weight, bias, params, table, y, state_out
  bool hex_intermediates = false;  // also acc.hex and index.hex (large: 9 chars a value)
};

// Writes DIR/layer_NN/ for one layer; returns the sha256 of its manifest.json.
std::string WriteLayerFolder(const std::string& dir, const LayerVectors& v, const nlohmann::json& model_desc,
                             const WriteOptions& opt);

struct VectorSetOptions {
  std::vector<int> layers;  // empty: every layer
  int batch = 1;
  int seq_len = 2048;
  int threads = 1;          // layers in flight at once; the files do not depend on it
  WriteOptions write;
};

struct VectorSetSummary {
  int layers_written = 0;
  int64_t bytes = 0;
  double seconds = 0;
};

// Computes and writes every requested layer, then DIR/manifest.json. `progress(done, total)`
// is called after each layer when given.
VectorSetSummary WriteVectorSet(const Model& model, const HwConfig& hw, const std::string& dir,
                                const VectorSetOptions& opt,
                                const std::function<void(int, int)>& progress = nullptr);

struct VerifyResult {
  int layers = 0;
  int files = 0;
  std::vector<std::string> problems;  // empty when everything verifies
};
// Checks DIR/manifest.json, every layer manifest and every file's sha256 and size. Never
// throws for integrity problems (they are listed); throws for an unreadable top manifest.
VerifyResult VerifyVectorSet(const std::string& dir);

// The canonical layer folder name: layer_00, layer_01, ...
std::string LayerFolderName(int layer);

// Reads one layer folder back into memory (used by testbenches and `cosim ... --vectors DIR`).
// Verifies the folder's sha256s first; a layer that does not verify is an error.
LayerVectors LoadLayerFolder(const std::string& layer_dir);

}  // namespace cosim::gold
