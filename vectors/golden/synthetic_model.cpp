// The built-in synthetic Mamba-like models: per-layer conv1d weights, biases and activations
// drawn from seeded, portable distributions, quantized as Quamba does (per-tensor absmax/127
// for weights and bias, static max/127 input scale, percentile output scale), so the datapath
// sees realistic ranges: heavy-tailed activations, a few outlier channels, layers of growing
// magnitude, and some saturation at the output.
#include <algorithm>
#include <cmath>

#include "sim/core/error.h"
#include "sim/core/sfu_fp32.h"
#include "vectors/golden/model.h"
#include "vectors/golden/rng.h"

namespace cosim::gold {
namespace {

enum Purpose : uint64_t { kWeights = 1, kChannels = 2, kCalibration = 3, kRun = 4 };

constexpr double kOutlierRate = 1.0 / 48.0;  // share of outlier channels
constexpr double kArCoef = 0.6;              // temporal correlation of the activations
constexpr double kArGain = 0.8;
constexpr double kOutputPercentile = 0.99999;  // Quamba's observer for small models

// Float parameters of one synthetic layer (the "FP16 model" before quantization).
struct FloatLayer {
  std::vector<double> weight;   // [D, 4]
  std::vector<double> bias;     // [D]
  std::vector<double> channel_magnitude;  // [D]
};

FloatLayer MakeFloatLayer(uint64_t seed, int layer, int D) {
  FloatLayer f;
  f.weight.resize(static_cast<size_t>(D) * kTaps);
  f.bias.resize(D);
  f.channel_magnitude.resize(D);
  Rng wr(DeriveSeed(seed, kWeights, static_cast<uint64_t>(layer)));
  for (int d = 0; d < D; ++d) {
    const double mag = 0.08 + 0.35 * wr.Uniform();
    for (int k = 0; k < kTaps; ++k) f.weight[d * kTaps + k] = mag * wr.Gaussian() * (k == kTaps - 1 ? 1.6 : 1.0);
    f.bias[d] = 0.15 * wr.Gaussian();
  }
  Rng cr(DeriveSeed(seed, kChannels, static_cast<uint64_t>(layer)));
  const double base = 0.8 + 0.05 * layer;  // deeper layers carry larger activations
  for (int d = 0; d < D; ++d) {
    double m = base * (0.3 + 1.2 * cr.Uniform());
    if (cr.Uniform() < kOutlierRate) m *= 3.0 + 5.0 * cr.Uniform();
    f.channel_magnitude[d] = m;
  }
  return f;
}

// One row (b, d) of float activations: an AR(1) process of heavy-tailed innovations.
void ActivationRow(uint64_t seed, uint64_t purpose, int layer, int b, int d, double magnitude, int L,
                   double* out) {
  Rng r(DeriveSeed(seed, purpose, static_cast<uint64_t>(layer), static_cast<uint64_t>(b), static_cast<uint64_t>(d)));
  double z = 0;
  for (int i = 0; i < 8; ++i) z = kArCoef * z + kArGain * r.HeavyTailed();  // burn-in
  for (int t = 0; t < L; ++t) {
    z = kArCoef * z + kArGain * r.HeavyTailed();
    out[t] = magnitude * z;
  }
}

float Fl32(double v) { return static_cast<float>(v); }

int8_t QuantizeCode(double v, double scale, int lo, int hi) {
  const int64_t q = RintEven(v / scale);
  return static_cast<int8_t>(std::min<int64_t>(hi, std::max<int64_t>(lo, q)));
}

class SyntheticModel final : public Model {
 public:
  SyntheticModel(std::string name, int n_layers, int channels, const SyntheticOptions& opt)
      : name_(std::move(name)), n_layers_(n_layers), channels_(channels), opt_(opt) {
    if (n_layers < 1 || channels < 1) throw Error(ExitCode::kUsage, "synthetic model needs >= 1 layer and channel");
    if (opt.calib_len < 4) throw Error(ExitCode::kUsage, "calibration length must be >= 4");
  }
  std::string Name() const override { return name_; }
  int NumLayers() const override { return n_layers_; }
  int Channels() const override { return channels_; }
  bool HasCapturedInputs() const override { return false; }

  LayerData Layer(int i) const override {
    CheckIndex(i);
    const int D = channels_;
    const FloatLayer f = MakeFloatLayer(opt_.seed, i, D);
    LayerData l;
    l.index = i;
    l.channels = D;
    l.weight.resize(static_cast<size_t>(D) * kTaps);
    l.bias.resize(D);
    // Weights: absmax / 127, per tensor (Quamba) or per channel, rounded half to even.
    if (opt_.weight_quant == WeightScaleMode::kPerTensor) {
      double absmax = 0;
      for (double w : f.weight) absmax = std::max(absmax, std::fabs(w));
      l.weight_scale = {Fl32(absmax / 127.0)};
      for (size_t j = 0; j < f.weight.size(); ++j) l.weight[j] = QuantizeCode(f.weight[j], l.weight_scale[0], -128, 127);
    } else {
      l.weight_scale.resize(D);
      for (int d = 0; d < D; ++d) {
        double absmax = 0;
        for (int k = 0; k < kTaps; ++k) absmax = std::max(absmax, std::fabs(f.weight[d * kTaps + k]));
        l.weight_scale[d] = Fl32(absmax / 127.0);
        for (int k = 0; k < kTaps; ++k) {
          l.weight[d * kTaps + k] = QuantizeCode(f.weight[d * kTaps + k], l.weight_scale[d], -128, 127);
        }
      }
    }
    double babs = 0;
    for (double b : f.bias) babs = std::max(babs, std::fabs(b));
    l.bias_scale = Fl32(babs / 127.0);
    for (int d = 0; d < D; ++d) l.bias[d] = QuantizeCode(f.bias[d], l.bias_scale, -128, 127);
    Calibrate(f, i, &l);
    return l;
  }

  Activations Inputs(int i, int batch, int seq_len) const override {
    CheckIndex(i);
    if (batch < 1 || seq_len < 1) throw Error(ExitCode::kUsage, "batch and seq-len must be >= 1");
    const FloatLayer f = MakeFloatLayer(opt_.seed, i, channels_);
    const float input_scale = InputScale(f, i);
    Activations a{batch, seq_len, {}};
    a.x.resize(static_cast<size_t>(batch) * channels_ * seq_len);
    std::vector<double> row(seq_len);
    for (int b = 0; b < batch; ++b)
      for (int d = 0; d < channels_; ++d) {
        ActivationRow(opt_.seed, kRun, i, b, d, f.channel_magnitude[d], seq_len, row.data());
        int8_t* dst = &a.x[(static_cast<size_t>(b) * channels_ + d) * seq_len];
        for (int t = 0; t < seq_len; ++t) dst[t] = QuantizeCode(row[t], input_scale, -128, 127);
      }
    return a;
  }

  nlohmann::json Describe() const override {
    return {{"name", name_},
            {"source", "builtin"},
            {"seed", opt_.seed},
            {"n_layers", n_layers_},
            {"d_inner", channels_},
            {"weight_quant", ToString(opt_.weight_quant)},
            {"calib_len", opt_.calib_len}};
  }

 private:
  void CheckIndex(int i) const {
    if (i < 0 || i >= n_layers_) {
      throw Error(ExitCode::kUsage, "layer " + std::to_string(i) + " does not exist in " + name_ + " (layers 0.." +
                                        std::to_string(n_layers_ - 1) + ")");
    }
  }

  // The calibration sequence of the float model (one sequence of calib_len steps).
  std::vector<double> CalibrationRows(const FloatLayer& f, int i) const {
    const int D = channels_, L = opt_.calib_len;
    std::vector<double> rows(static_cast<size_t>(D) * L);
    for (int d = 0; d < D; ++d) {
      ActivationRow(opt_.seed, kCalibration, i, 0, d, f.channel_magnitude[d], L, &rows[static_cast<size_t>(d) * L]);
    }
    return rows;
  }

  // Static input scale: max |x| / 127 over the calibration sequence (Quamba's in_proj output).
  float InputScale(const FloatLayer& f, int i) const {
    double xmax = 0;
    for (double v : CalibrationRows(f, i)) xmax = std::max(xmax, std::fabs(v));
    return Fl32(xmax / 127.0);
  }

  // Static scales from the calibration sequence: input max|x|/127, output the 99.999th
  // percentile of |silu(conv(x))| over 127 (Quamba's percentile observer).
  void Calibrate(const FloatLayer& f, int i, LayerData* l) const {
    const int D = channels_, L = opt_.calib_len;
    const std::vector<double> rows = CalibrationRows(f, i);
    double xmax = 0;
    for (double v : rows) xmax = std::max(xmax, std::fabs(v));
    l->input_scale = Fl32(xmax / 127.0);
    std::vector<float> out(static_cast<size_t>(D) * L);
    for (int d = 0; d < D; ++d) {
      const double* x = &rows[static_cast<size_t>(d) * L];
      for (int t = 0; t < L; ++t) {
        double y = f.bias[d];
        for (int k = 0; k < kTaps; ++k) {
          const int pos = t - 3 + k;
          if (pos >= 0) y += f.weight[d * kTaps + k] * x[pos];
        }
        out[static_cast<size_t>(d) * L + t] = std::fabs(Silu32(Fl32(y)));
      }
    }
    const size_t k = static_cast<size_t>(kOutputPercentile * static_cast<double>(out.size() - 1));
    std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(k), out.end());
    l->output_scale = Fl32(static_cast<double>(out[k]) / 127.0);
    l->Validate("synthetic model " + name_);
  }

  std::string name_;
  int n_layers_, channels_;
  SyntheticOptions opt_;
};

}  // namespace

const std::vector<ModelPreset>& Presets() {
  static const std::vector<ModelPreset> kPresets = {
      {"mamba-130m", 24, 768, 1536}, {"mamba-370m", 48, 1024, 2048}, {"mamba-790m", 48, 1536, 3072},
      {"mamba-1.4b", 48, 2048, 4096}, {"mamba-2.8b", 64, 2560, 5120}};
  return kPresets;
}

const ModelPreset* FindPreset(const std::string& name) {
  for (const auto& p : Presets())
    if (name == p.name) return &p;
  return nullptr;
}

std::unique_ptr<Model> MakeSyntheticModel(const ModelPreset& preset, const SyntheticOptions& opt) {
  return std::make_unique<SyntheticModel>(preset.name, preset.n_layers, preset.d_inner, opt);
}

std::unique_ptr<Model> MakeSyntheticModel(const std::string& name, int n_layers, int channels,
                                          const SyntheticOptions& opt) {
  return std::make_unique<SyntheticModel>(name, n_layers, channels, opt);
}

}  // namespace cosim::gold
