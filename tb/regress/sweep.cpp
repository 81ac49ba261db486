#include "tb/regress/sweep.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "gpu_ref/floatsim.h"
#include "sim/core/datapath.h"
#include "sim/core/error.h"
#include "tb/regress/reports.h"
#include "tb/regress/svg.h"
#include "vectors/golden/golden.h"

namespace cosim::regress {
namespace {

int SignedBitsFor(double code) {
  int bits = 1;
  while (bits < 63 && std::ldexp(1.0, bits - 1) - 1 < code) ++bits;
  return bits;
}

int CeilLog2(double f) {
  int k = 0;
  while (std::ldexp(1.0, k) < f) ++k;
  return k;
}

}  // namespace

std::vector<SweepVariant> DefaultSweep(const HwConfig& base, int refine_output_bits) {
  std::vector<SweepVariant> v;
  std::vector<double> factors;
  for (int k = 0; k <= 12; ++k) factors.push_back(std::ldexp(1.0, k));
  factors.push_back(2025);
  for (double f : factors) {
    HwConfig hw = base;
    const int w = refine_output_bits > 0 ? refine_output_bits : std::min(24, base.output_bits + CeilLog2(f));
    hw.lut_index_bits = std::min(20, base.lut_index_bits + (w - base.output_bits));
    hw.output_bits = w;
    hw.output_scale_divisor = static_cast<float>(f);
    char label[32];
    std::snprintf(label, sizeof label, "F=%g", f);
    v.push_back({"scale factor (refine)", label, f, hw});
  }
  for (Rounding r : {Rounding::kHalfAwayFromZero, Rounding::kHalfToEven, Rounding::kHalfUp, Rounding::kTruncate}) {
    HwConfig hw = base;
    hw.rounding = r;
    v.push_back({"rounding", ToString(r), 1, hw});
  }
  if (base.profile == Profile::kIntLut) {
    for (int b : {4, 8, 12, 16, 24}) {
      HwConfig hw = base;
      hw.requant_mult_bits = b;
      v.push_back({"multiplier bits", std::to_string(b), 1, hw});
    }
    for (int b : {6, 8, 10, 12, 14}) {
      HwConfig hw = base;
      hw.lut_index_bits = b;
      v.push_back({"table index bits", std::to_string(b), 1, hw});
    }
  }
  for (int b : {4, 6, 8, 10}) {
    HwConfig hw = base;
    hw.lut_index_bits = std::max(4, std::min(20, base.lut_index_bits + (b - base.output_bits)));
    hw.output_bits = b;
    v.push_back({"output bits (same range)", std::to_string(b), 1, hw});
  }
  {
    HwConfig hw = base;
    hw.weight_scale = WeightScaleMode::kPerChannel;
    v.push_back({"weight scales", "per-channel", 1, hw});
  }
  for (auto& x : v) x.hw.name = base.name + "/" + x.group + "/" + x.label;
  return v;
}

SweepResult RunSweep(const gold::Model& model, const gold::Model* pc_model, const std::vector<int>& layers_in,
                     int batch, int seq_len, const HwConfig& base, const std::vector<SweepVariant>& variants,
                     int threads, const std::function<void(int, int)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  SweepResult res;
  res.model = model.Describe();
  std::vector<int> layers = layers_in;
  if (layers.empty())
    for (int i = 0; i < model.NumLayers(); ++i) layers.push_back(i);
  std::map<size_t, std::vector<SweepRow>> per_variant;
  int done = 0;
  for (int li : layers) {
    const gold::LayerVectors def = gold::ComputeLayer(model, li, batch, seq_len, base, threads);
    fsim::LayerView view{};
    view.B = def.input.batch;
    view.D = def.layer.channels;
    view.L = def.input.seq_len;
    view.x = def.input.x.data();
    view.weight = def.layer.weight.data();
    view.bias = def.layer.bias.data();
    view.s_x = def.layer.input_scale;
    view.s_w = def.layer.weight_scale.data();
    view.n_s_w = static_cast<int>(def.layer.weight_scale.size());
    view.s_b = def.layer.bias_scale;
    view.s_out = def.layer.output_scale;
    const fsim::ModeResult fp32 =
        fsim::RunHost(fsim::Mode::kFp32UpperBound, view, fsim::Knobs::FromJson(base.ToJson()), 1.0f, threads);
    double fp32_max = 0;
    for (float f : fp32.after_quant) fp32_max = std::max(fp32_max, std::fabs(static_cast<double>(f)));
    const size_t n = def.result.y.size();
    const double s_def = def.compiled.effective_output_scale;
    std::vector<float> vals(n);
    LayerData pc_layer;
    if (pc_model) pc_layer = pc_model->Layer(li);
    for (size_t k = 0; k < variants.size(); ++k) {
      const SweepVariant& var = variants[k];
      const bool pc = var.hw.weight_scale == WeightScaleMode::kPerChannel && pc_model;
      const LayerData& layer = pc ? pc_layer : def.layer;
      const CompiledLayer c = CompileLayer(layer, var.hw);
      const LayerResult r = RunLayer(c, layer, def.View(), RunOptions{false, threads});
      const double s = c.effective_output_scale;
      int64_t mism = 0;
      for (size_t i = 0; i < n; ++i) {
        const double v = static_cast<double>(r.y[i]) * s;
        vals[i] = static_cast<float>(v);
        mism += std::fabs(v - static_cast<double>(def.result.y[i]) * s_def) >= s_def * (1 - 1e-9);
      }
      SweepRow row;
      row.layer = li;
      row.variant = var;
      row.vs_fp32 = check::Compare(vals.data(), fp32.after_quant.data(), static_cast<int64_t>(n));
      row.mismatches_vs_default = mism;
      row.elements = static_cast<int64_t>(n);
      row.bits_needed = SignedBitsFor(std::floor(fp32_max / s + 0.5));
      row.saturations = r.counters.output_saturated + r.counters.index_saturated;
      row.acc_overflows = r.counters.acc_overflow;
      res.rows.push_back(row);
      per_variant[k].push_back(row);
    }
    if (progress) progress(++done, static_cast<int>(layers.size()));
  }
  for (size_t k = 0; k < variants.size(); ++k) {
    SweepRow a;
    a.variant = variants[k];
    std::vector<const check::ErrorMetrics*> ms;
    for (const SweepRow& r : per_variant[k]) {
      ms.push_back(&r.vs_fp32);
      a.mismatches_vs_default += r.mismatches_vs_default;
      a.elements += r.elements;
      a.bits_needed = std::max(a.bits_needed, r.bits_needed);
      a.saturations += r.saturations;
      a.acc_overflows += r.acc_overflows;
    }
    a.vs_fp32 = Aggregate(ms);
    res.rows.push_back(a);
  }
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

nlohmann::json SweepJson(const SweepResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& x : r.rows) {
    rows.push_back({{"layer", x.layer < 0 ? nlohmann::json("aggregate") : nlohmann::json(x.layer)},
                    {"group", x.variant.group},
                    {"variant", x.variant.label},
                    {"factor", x.variant.factor},
                    {"hardware", x.variant.hw.ToJson()},
                    {"vs_fp32_upper_bound", x.vs_fp32.ToJson()},
                    {"mismatches_vs_default", x.mismatches_vs_default},
                    {"elements", x.elements},
                    {"bits_needed", x.bits_needed},
                    {"saturations", x.saturations},
                    {"acc_overflows", x.acc_overflows}});
  }
  return {{"schema", "asic-cosim-sweep-report"}, {"schema_version", 1},       {"model", r.model},
          {"config", r.config},                  {"wall_seconds", r.wall_seconds}, {"rows", rows}};
}

void PrintSweep(const SweepResult& r, std::FILE* out) {
  std::fprintf(out, "\ncosim sweep: %s, aggregate over layers (report.json has every layer)\n\n",
               r.model.value("name", std::string("?")).c_str());
  std::fprintf(out, "%-26s %-12s %11s %11s %11s %9s %12s %5s %10s %9s\n", "group", "variant", "MSE", "MAE",
               "max|diff|", "corr", "mism vs def", "bits", "saturated", "acc ovf");
  for (const auto& x : r.rows) {
    if (x.layer >= 0) continue;
    std::fprintf(out, "%-26s %-12s %11.4g %11.4g %11.4g %9.6f %12lld %5d %10lld %9lld\n", x.variant.group.c_str(),
                 x.variant.label.c_str(), x.vs_fp32.mse, x.vs_fp32.mae, x.vs_fp32.max_abs_diff, x.vs_fp32.correlation,
                 static_cast<long long>(x.mismatches_vs_default), x.bits_needed, static_cast<long long>(x.saturations),
                 static_cast<long long>(x.acc_overflows));
  }
  std::fprintf(out, "\nwall %.1f s\n", r.wall_seconds);
}

}  // namespace cosim::regress

namespace cosim::regress {

std::string SweepHtml(const SweepResult& r) {
  using svg::Esc;
  using svg::Num;
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>cosim sweep report</title>\n"
      "<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}"
      "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td.l{text-align:left}"
      ".axis{font-size:10px;fill:#444}</style></head><body>\n<h1>cosim sweep: hardware what-ifs</h1>\n";
  h += "<p>Model <b>" + Esc(r.model.value("name", std::string("?"))) + "</b>; configuration <code>" +
       Esc(r.config.dump()) + "</code>; wall time " + Num(r.wall_seconds, "%.1f") + " s.</p>\n";
  std::map<std::string, std::vector<std::pair<double, double>>> mse, bits, sat;
  std::map<std::string, std::vector<const SweepRow*>> groups;
  std::vector<int> layer_ids;
  std::map<int, std::vector<double>> per_layer_mse;  // rows of the heatmap: layer -> MSE per variant
  for (const auto& x : r.rows) {
    if (x.layer < 0) {
      groups[x.variant.group].push_back(&x);
      if (x.variant.group.rfind("scale factor", 0) == 0) {
        mse["MSE vs FP32"].push_back({x.variant.factor, x.vs_fp32.mse});
        bits["bits needed"].push_back({x.variant.factor, static_cast<double>(x.bits_needed)});
        sat["saturated elements (+1)"].push_back({x.variant.factor, static_cast<double>(x.saturations) + 1});
      }
    } else {
      if (per_layer_mse.find(x.layer) == per_layer_mse.end()) layer_ids.push_back(x.layer);
      per_layer_mse[x.layer].push_back(x.vs_fp32.mse);
    }
  }
  for (auto& [k, v] : mse) std::sort(v.begin(), v.end());
  for (auto& [k, v] : bits) std::sort(v.begin(), v.end());
  for (auto& [k, v] : sat) std::sort(v.begin(), v.end());
  h += svg::LineChart("sweep-error-vs-factor", "Error vs scale factor F (refine reading: grid s_out / F)",
                      "scale factor F", "MSE vs FP32", mse);
  h += svg::LineChart("sweep-bits-vs-factor", "Integer bits needed vs F", "scale factor F", "bits", bits);
  h += svg::LineChart("sweep-saturation-vs-factor", "Saturated elements vs F", "scale factor F", "count + 1", sat);
  std::vector<std::vector<double>> rows;
  for (int id : layer_ids) rows.push_back(per_layer_mse[id]);
  std::vector<std::string> cols;
  for (const auto& x : r.rows)
    if (x.layer == (layer_ids.empty() ? -2 : layer_ids[0])) cols.push_back(x.variant.group + " " + x.variant.label);
  h += svg::Heatmap("sweep-heatmap", "MSE vs FP32 per layer and variant", "MSE", "variant (in run order)", layer_ids,
                    rows, cols);
  for (const auto& [g, xs] : groups) {
    h += "<h2>" + Esc(g) + "</h2>\n<table><tr><th>variant</th><th>MSE</th><th>MAE</th><th>max |diff|</th>"
         "<th>P99 |diff|</th><th>correlation</th><th>mismatch vs default</th><th>bits needed</th><th>saturated</th>"
         "<th>acc overflow</th></tr>\n";
    for (const SweepRow* x : xs) {
      h += "<tr><td class=\"l\">" + Esc(x->variant.label) + "</td><td>" + Num(x->vs_fp32.mse) + "</td><td>" +
           Num(x->vs_fp32.mae) + "</td><td>" + Num(x->vs_fp32.max_abs_diff) + "</td><td>" + Num(x->vs_fp32.p99) +
           "</td><td>" + Num(x->vs_fp32.correlation, "%.6f") + "</td><td>" +
           std::to_string(x->mismatches_vs_default) + "</td><td>" + std::to_string(x->bits_needed) + "</td><td>" +
           std::to_string(x->saturations) + "</td><td>" + std::to_string(x->acc_overflows) + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace cosim::regress
