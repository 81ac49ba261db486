#include "tb/regress/reports.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "vectors/golden/golden.h"
#include "vectors/io/atomic_file.h"
#include "vectors/io/json_util.h"

namespace cosim::regress {
namespace {

using nlohmann::json;

std::string XmlEscape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += ch;
    }
  }
  return o;
}

std::string FactorKey(double f) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", f);
  return b;
}

// Aggregated checks: name -> (elements, mismatches, causes, asserted).
struct CheckTotal {
  bool asserted = false;
  int64_t elements = 0, mismatches = 0;
  std::array<int64_t, check::kNumCauses> causes{};
};

std::map<std::string, CheckTotal> CheckTotals(const RegressResult& r) {
  std::map<std::string, CheckTotal> t;
  for (const auto& l : r.layers)
    for (const auto& c : l.checks) {
      CheckTotal& x = t[c.name];
      x.asserted = c.asserted;
      x.elements += c.elements;
      x.mismatches += c.mismatches;
      for (int i = 0; i < check::kNumCauses; ++i) x.causes[i] += c.causes[i];
    }
  return t;
}

// mode + factor -> per-layer metric pointers.
std::map<std::pair<std::string, double>, std::vector<const ModeMetrics*>> MetricsByMode(const RegressResult& r) {
  std::map<std::pair<std::string, double>, std::vector<const ModeMetrics*>> m;
  for (const auto& l : r.layers)
    for (const auto& x : l.metrics) m[{x.mode, x.factor}].push_back(&x);
  return m;
}

}  // namespace

check::ErrorMetrics Aggregate(const std::vector<const check::ErrorMetrics*>& v) {
  check::ErrorMetrics a;
  double w = 0;
  for (const auto* m : v) {
    const double n = static_cast<double>(m->count);
    w += n;
    a.count += m->count;
    a.mean_diff += n * m->mean_diff;
    a.mean_abs_diff += n * m->mean_abs_diff;
    a.mse += n * m->mse;
    a.mae += n * m->mae;
    a.relative_mse += n * m->relative_mse;
    a.relative_mae += n * m->relative_mae;
    a.correlation += m->correlation;
    a.max_abs_diff = std::max(a.max_abs_diff, m->max_abs_diff);
    a.p50 = std::max(a.p50, m->p50);
    a.p90 = std::max(a.p90, m->p90);
    a.p95 = std::max(a.p95, m->p95);
    a.p99 = std::max(a.p99, m->p99);
  }
  if (w > 0) {
    a.mean_diff /= w;
    a.mean_abs_diff /= w;
    a.mse /= w;
    a.mae /= w;
    a.relative_mse /= w;
    a.relative_mae /= w;
    a.correlation /= static_cast<double>(v.size());
  }
  a.rmse = std::sqrt(a.mse);
  return a;
}

json ReportJson(const RegressResult& r) {
  json layers = json::array();
  for (const auto& l : r.layers) {
    json checks = json::array(), metrics = json::array();
    for (const auto& c : l.checks) checks.push_back(c.ToJson());
    for (const auto& m : l.metrics) metrics.push_back(m.ToJson());
    layers.push_back({{"layer", l.layer},
                      {"passed", l.passed()},
                      {"elements", l.elements},
                      {"asic_counters",
                       {{"acc_overflow", l.counters.acc_overflow},
                        {"index_saturated", l.counters.index_saturated},
                        {"output_saturated", l.counters.output_saturated}}},
                      {"hardware",
                       {{"systemc_ran", l.hardware.systemc_ran},
                        {"rtl_ran", l.hardware.rtl_ran},
                        {"systemc_vs_golden_mismatches", l.hardware.systemc_mismatches},
                        {"rtl_vs_golden_mismatches", l.hardware.rtl_mismatches},
                        {"rtl_vs_systemc_mismatches", l.hardware.rtl_vs_model_mismatches},
                        {"rtl_cycles", l.hardware.rtl_cycles},
                        {"notes", l.hardware.notes},
                        {"reports", l.hardware.reports}}},
                      {"checks", checks},
                      {"metrics", metrics},
                      {"heatmaps",
                       {{"naive_mismatches_per_channel_block", l.naive_mismatch_blocks},
                        {"quamba_mismatches_per_channel_block", l.quamba_mismatch_blocks},
                        {"float_sim_int8_mse_vs_fp32_per_channel_block", l.fsim_mse_blocks}}},
                      {"abs_diff_histogram_log2_bins", l.abs_diff_histogram},
                      {"seconds", l.seconds.ToJson()}});
  }
  json totals = json::object();
  for (const auto& [name, t] : CheckTotals(r)) {
    json c = json::object();
    for (int i = 0; i < check::kNumCauses; ++i) c[check::ToString(static_cast<check::Cause>(i))] = t.causes[i];
    totals[name] = {{"asserted", t.asserted},
                    {"elements", t.elements},
                    {"mismatches", t.mismatches},
                    {"mismatch_rate", t.elements ? static_cast<double>(t.mismatches) / static_cast<double>(t.elements) : 0.0},
                    {"causes", c}};
  }
  json agg = json::array();
  for (const auto& [key, v] : MetricsByMode(r)) {
    std::vector<const check::ErrorMetrics*> ms;
    int64_t sat = 0;
    int bits = 0;
    for (const auto* m : v) {
      ms.push_back(&m->vs_fp32);
      sat += m->saturations;
      bits = std::max(bits, m->bits_needed);
    }
    agg.push_back({{"mode", key.first},
                   {"factor", key.second},
                   {"bits_needed", bits},
                   {"output_bits", v.front()->output_bits},
                   {"saturations", sat},
                   {"vs_fp32_upper_bound", Aggregate(ms).ToJson()}});
  }
  int64_t sc_mm = 0, rtl_mm = 0;
  bool sc_ran = false, rtl_ran = false;
  for (const auto& l : r.layers) {
    sc_mm += l.hardware.systemc_mismatches;
    rtl_mm += l.hardware.rtl_mismatches + l.hardware.rtl_vs_model_mismatches;
    sc_ran = sc_ran || l.hardware.systemc_ran;
    rtl_ran = rtl_ran || l.hardware.rtl_ran;
  }
  return {{"schema", "asic-cosim-regress-report"},
          {"schema_version", kReportSchemaVersion},
          {"tool", std::string(gold::kToolName) + " " + gold::kToolVersion},
          {"passed", r.passed()},
          {"model", r.model},
          {"config", r.config},
          {"floatsim_device", r.floatsim_device},
          {"hardware_parts", r.hardware_parts.empty() ? "not built" : r.hardware_parts},
          {"aggregate",
           {{"checks", totals},
            {"metrics", agg},
            {"systemc", {{"ran", sc_ran}, {"mismatches", sc_mm}}},
            {"rtl", {{"ran", rtl_ran}, {"mismatches", rtl_mm}}}}},
          {"seconds", {{"stages", r.seconds.ToJson()}, {"wall", r.wall_seconds}}},
          {"layers", layers}};
}

std::string JUnitXml(const RegressResult& r) {
  std::string cases;
  int tests = 0, failures = 0, skipped = 0;
  auto add = [&](const std::string& cls, const std::string& name, bool ran, bool ok, double secs,
                 const std::vector<std::string>& reports, int64_t mismatches) {
    ++tests;
    char t[32];
    std::snprintf(t, sizeof t, "%.3f", secs);
    cases += "    <testcase classname=\"" + XmlEscape(cls) + "\" name=\"" + XmlEscape(name) + "\" time=\"" + t + "\">";
    if (!ran) {
      ++skipped;
      cases += "<skipped message=\"not built on this machine\"/>";
    } else if (!ok) {
      ++failures;
      std::string body;
      for (const auto& s : reports) body += s + "\n";
      cases += "<failure message=\"" + std::to_string(mismatches) + " mismatching elements\">" + XmlEscape(body) +
               "</failure>";
    }
    cases += "</testcase>\n";
  };
  for (const auto& l : r.layers) {
    const std::string cls = "cosim.regress.layer_" + std::to_string(l.layer);
    for (const auto& c : l.checks) {
      if (c.asserted) add(cls, c.name, true, c.mismatches == 0, l.seconds.floatsim, c.reports, c.mismatches);
    }
    add(cls, "systemc model vs golden", l.hardware.systemc_ran, l.hardware.systemc_mismatches == 0,
        l.hardware.systemc_seconds, l.hardware.reports, l.hardware.systemc_mismatches);
    add(cls, "rtl vs golden", l.hardware.rtl_ran, l.hardware.rtl_mismatches + l.hardware.rtl_vs_model_mismatches == 0,
        l.hardware.rtl_seconds, l.hardware.reports, l.hardware.rtl_mismatches + l.hardware.rtl_vs_model_mismatches);
  }
  char head[256];
  std::snprintf(head, sizeof head,
                "<testsuite name=\"cosim regress\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" "
                "time=\"%.3f\">\n",
                tests, failures, skipped, r.wall_seconds);
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  ") + head + cases +
         "  </testsuite>\n</testsuites>\n";
}

void PrintSummary(const RegressResult& r, std::FILE* out) {
  std::fprintf(out, "\ncosim regress: %s, %zu layer(s), float-sim on %s, hardware: %s\n",
               r.model.value("name", std::string("?")).c_str(), r.layers.size(), r.floatsim_device.c_str(),
               r.hardware_parts.empty() ? "not built" : r.hardware_parts.c_str());
  std::fprintf(out, "\n%-46s %8s %14s %12s  %s\n", "check (asserted = must be 0)", "kind", "elements", "mismatches",
               "causes");
  for (const auto& [name, t] : CheckTotals(r)) {
    std::string causes;
    for (int i = 0; i < check::kNumCauses; ++i)
      if (t.causes[i]) causes += std::string(causes.empty() ? "" : ", ") + check::ToString(static_cast<check::Cause>(i)) + " " + std::to_string(t.causes[i]);
    std::fprintf(out, "%-46s %8s %14lld %12lld  %s\n", name.c_str(), t.asserted ? "ASSERT" : "measure",
                 static_cast<long long>(t.elements), static_cast<long long>(t.mismatches), causes.c_str());
  }
  int64_t sc = 0, rtl = 0;
  bool sc_ran = false, rtl_ran = false;
  for (const auto& l : r.layers) {
    sc += l.hardware.systemc_mismatches;
    rtl += l.hardware.rtl_mismatches + l.hardware.rtl_vs_model_mismatches;
    sc_ran = sc_ran || l.hardware.systemc_ran;
    rtl_ran = rtl_ran || l.hardware.rtl_ran;
  }
  std::fprintf(out, "%-46s %8s %14s %12s\n", "systemc model vs golden", sc_ran ? "ASSERT" : "not run", "",
               sc_ran ? std::to_string(sc).c_str() : "-");
  std::fprintf(out, "%-46s %8s %14s %12s\n", "rtl vs golden and vs systemc", rtl_ran ? "ASSERT" : "not run", "",
               rtl_ran ? std::to_string(rtl).c_str() : "-");
  std::fprintf(out, "\n%-22s %7s %11s %11s %11s %11s %9s %5s %11s\n", "vs FP32 upper bound", "F", "MSE", "MAE",
               "max|diff|", "P99|diff|", "corr", "bits", "saturated");
  for (const auto& [key, v] : MetricsByMode(r)) {
    std::vector<const check::ErrorMetrics*> ms;
    int64_t sat = 0;
    int bits = 0;
    for (const auto* m : v) {
      ms.push_back(&m->vs_fp32);
      sat += m->saturations;
      bits = std::max(bits, m->bits_needed);
    }
    const check::ErrorMetrics a = Aggregate(ms);
    std::fprintf(out, "%-22s %7s %11.4g %11.4g %11.4g %11.4g %9.6f %5d %11lld\n", key.first.c_str(),
                 FactorKey(key.second).c_str(), a.mse, a.mae, a.max_abs_diff, a.p99, a.correlation, bits,
                 static_cast<long long>(sat));
  }
  std::fprintf(out, "\nstage seconds: golden %.1f, hardware %.1f, float-sim %.1f, analysis %.1f, reports %.1f; wall %.1f\n",
               r.seconds.golden, r.seconds.hardware, r.seconds.floatsim, r.seconds.analysis, r.seconds.reports,
               r.wall_seconds);
  for (const auto& l : r.layers) {
    for (const auto& c : l.checks)
      if (c.asserted && c.mismatches)
        for (const auto& s : c.reports) std::fprintf(out, "MISMATCH %s\n", s.c_str());
    for (const auto& s : l.hardware.reports) std::fprintf(out, "MISMATCH %s\n", s.c_str());
  }
  const char* pass = sc_ran && rtl_ran ? "PASS: float-sim INT8 == ASIC model == SystemC model == RTL, bit for bit"
                     : sc_ran          ? "PASS: float-sim INT8 == ASIC model == SystemC model, bit for bit (RTL not run)"
                                       : "PASS: float-sim INT8 == ASIC model, bit for bit (SystemC model and RTL not run)";
  std::fprintf(out, "\n%s\n", r.passed() ? pass : "FAIL: bit-exact checks found mismatches (see above and report.json)");
}

std::vector<std::string> WriteReports(const RegressResult& r, const std::string& dir) {
  vec::MakeDirs(dir);
  std::vector<std::string> written;
  auto put = [&](const std::string& rel, const std::string& bytes) {
    vec::WriteFileAtomic(dir + "/" + rel, bytes);
    written.push_back(dir + "/" + rel);
  };
  // The users' logs: one file per mode, every layer, their schema.
  vec::MakeDirs(dir + "/yzCheckFloatSim");
  auto user_log = [&](const std::string& file, const std::string& mode, const std::string& desc,
                      const std::function<const json*(const LayerOutcome&)>& pick) {
    json layers = json::array();
    for (const auto& l : r.layers) {
      const json* s = pick(l);
      if (!s) continue;
      layers.push_back({{"layer_idx", l.layer},
                        {"effective_scale", (*s)["effective_scale"]},
                        {"output_scale", (*s)["output_scale"]},
                        {"before_quant", (*s)["before_quant"]},
                        {"after_quant", (*s)["after_quant"]}});
    }
    put("yzCheckFloatSim/" + file,
        vec::DumpJsonStable({{"config", {{"mode", mode}, {"description", desc}}}, {"layers", layers}}));
  };
  user_log("int8_baseline.json", "int8_baseline", "INT8 kernel, Quamba semantics (fp32 inside, roundf), int8 out",
           [](const LayerOutcome& l) { return &l.user_samples["int8_baseline"]; });
  user_log("fp32_upper_bound.json", "fp32_upper_bound", "conv1d + SiLU kept in FP32, not quantized",
           [](const LayerOutcome& l) { return &l.user_samples["fp32_upper_bound"]; });
  user_log("float_sim_int8.json", "float_sim_int8", "FP32 arithmetic equal to the ASIC INT8 datapath bit for bit",
           [](const LayerOutcome& l) { return &l.user_samples["float_sim_int8"]; });
  if (!r.layers.empty() && r.layers[0].user_samples.contains("research_se_enhance")) {
    for (auto it = r.layers[0].user_samples["research_se_enhance"].begin();
         it != r.layers[0].user_samples["research_se_enhance"].end(); ++it) {
      const std::string f = it.key();
      user_log("float_sim_research_se_" + f + ".json", "float_sim_research_se",
               "research SE, enhance reading: after_quant = q * s_out * F, effective_scale = s_out * F, F = " + f,
               [f](const LayerOutcome& l) { return &l.user_samples["research_se_enhance"][f]; });
      user_log("floatsim_betterscale_" + f + ".json", "floatsim_betterscale",
               "research SE, refine reading: effective_scale = s_out / F (finer grid), F = " + f,
               [f](const LayerOutcome& l) { return &l.user_samples["research_se_refine"][f]; });
    }
  }
  put("report.json", vec::DumpJsonStable(ReportJson(r)));
  put("junit.xml", JUnitXml(r));
  put("report.html", HtmlReport(r));
  return written;
}

}  // namespace cosim::regress
