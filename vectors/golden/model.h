// model.h: where layers come from: the built-in synthetic Mamba-like models and model folders
// (JSON + npy, e.g. exported from a Quamba checkpoint by scripts/export_quamba.py).
//
// Contract: a Model hands out one layer at a time (weights, bias, binary32 scales) and that
// layer's int8 activations, so memory does not grow with the layer count. Everything is
// deterministic: a built-in model with a given seed gives byte-identical layers and activations
// on every machine (vectors/golden/rng.h). A model folder is validated field by field on load;
// errors name the file and the field.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/knobs.h"
#include "sim/core/layer.h"

namespace cosim::gold {

struct ModelPreset {
  const char* name;
  int n_layers;
  int d_model;
  int d_inner;  // channels of the conv1d (D)
};
// mamba-130m (the default), mamba-370m, mamba-790m, mamba-1.4b, mamba-2.8b (state-spaces/mamba sizes).
const std::vector<ModelPreset>& Presets();
const ModelPreset* FindPreset(const std::string& name);
constexpr const char* kDefaultModel = "mamba-130m";

struct SyntheticOptions {
  uint64_t seed = 1;
  WeightScaleMode weight_quant = WeightScaleMode::kPerTensor;  // how the float weights are quantized
  int calib_len = 512;  // calibration sequence length for the static activation scales
};

// int8 activations of one layer, [batch, channels, seq_len] row-major.
struct Activations {
  int batch = 0, seq_len = 0;
  std::vector<int8_t> x;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string Name() const = 0;
  virtual int NumLayers() const = 0;
  virtual int Channels() const = 0;
  // Weights, bias and scales of layer i (0-based). Thread-safe.
  virtual LayerData Layer(int i) const = 0;
  // Activations for layer i. A model with captured inputs returns those (their own B and L);
  // otherwise deterministic synthetic codes of the requested B and L. Thread-safe.
  virtual Activations Inputs(int i, int batch, int seq_len) const = 0;
  virtual bool HasCapturedInputs() const = 0;
  // What identifies the model in manifests and reports (name, source, seed, sizes).
  virtual nlohmann::json Describe() const = 0;
};

// A built-in preset name ("mamba-130m", ...) or a path to a model folder / its model.json.
std::unique_ptr<Model> OpenModel(const std::string& spec, const SyntheticOptions& opt);
std::unique_ptr<Model> MakeSyntheticModel(const ModelPreset& preset, const SyntheticOptions& opt);
// A synthetic model of arbitrary size (tests, scaling benchmarks).
std::unique_ptr<Model> MakeSyntheticModel(const std::string& name, int n_layers, int channels,
                                          const SyntheticOptions& opt);
std::unique_ptr<Model> LoadModelFolder(const std::string& path);

// Writes `model` as a model folder (model.json + layer_NN/*.npy), every file atomically and
// model.json last. With capture_batch > 0 the activations of that B and L are stored as captured
// inputs. Returns the number of bytes written.
int64_t ExportModel(const Model& model, const std::string& dir, int capture_batch, int capture_len);

constexpr int kModelSchemaVersion = 1;

}  // namespace cosim::gold
