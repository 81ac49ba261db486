// The self-contained HTML report: inline CSS and SVG, one small inline script that only counts
// what was drawn (so a headless-browser test can check what the page shows). No network, no
// external files: it opens offline from a mail attachment or a CI artifact.
#include <algorithm>
#include <cmath>
#include <map>

#include "tb/regress/reports.h"
#include "tb/regress/svg.h"

namespace cosim::regress {
using namespace svg;  // NOLINT: the report is written in terms of the chart helpers


std::string HtmlReport(const RegressResult& r) {
  const nlohmann::json rep = ReportJson(r);
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>cosim regress report</title>\n"
      "<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}"
      "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td.l{text-align:left}"
      ".pass{background:#1e8449;color:#fff;padding:4px 10px}.fail{background:#c0392b;color:#fff;padding:4px 10px}"
      ".axis{font-size:10px;fill:#444}pre{background:#f7f7f7;padding:8px;white-space:pre-wrap}</style></head><body>\n";
  h += "<h1>cosim regress <span id=\"verdict\" class=\"" + std::string(r.passed() ? "pass\">PASS" : "fail\">FAIL") +
       "</span></h1>\n";
  h += "<p>Model <b>" + Esc(r.model.value("name", std::string("?"))) + "</b>, " + std::to_string(r.layers.size()) +
       " layer(s); float-sim on " + Esc(r.floatsim_device) + "; hardware: " +
       Esc(r.hardware_parts.empty() ? "not built" : r.hardware_parts) + "; wall time " + Num(r.wall_seconds, "%.1f") +
       " s.</p>\n<p>Configuration: <code>" + Esc(r.config.dump()) + "</code></p>\n";

  h += "<h2>Checks</h2>\n<table id=\"checks\"><tr><th>check</th><th>kind</th><th>elements</th><th>mismatches</th><th>rate</th>"
       "<th>causes</th></tr>\n";
  for (auto it = rep["aggregate"]["checks"].begin(); it != rep["aggregate"]["checks"].end(); ++it) {
    const auto& c = it.value();
    std::string causes;
    for (auto ct = c["causes"].begin(); ct != c["causes"].end(); ++ct)
      if (ct.value().get<int64_t>() > 0) causes += ct.key() + ": " + std::to_string(ct.value().get<int64_t>()) + "; ";
    h += "<tr><td class=\"l\">" + Esc(it.key()) + "</td><td class=\"l\">" +
         (c["asserted"].get<bool>() ? "asserted (must be 0)" : "measured") + "</td><td>" +
         std::to_string(c["elements"].get<int64_t>()) + "</td><td>" + std::to_string(c["mismatches"].get<int64_t>()) +
         "</td><td>" + Num(c["mismatch_rate"].get<double>(), "%.3g") + "</td><td class=\"l\">" + Esc(causes) +
         "</td></tr>\n";
  }
  h += "</table>\n";

  h += "<h2>Error against the FP32 upper bound</h2>\n<table id=\"metrics\"><tr><th>mode</th><th>F</th><th>MSE</th>"
       "<th>RMSE</th><th>MAE</th><th>max |diff|</th><th>P99 |diff|</th><th>rel. MAE</th><th>correlation</th>"
       "<th>bits needed</th><th>saturated</th><th>rating</th></tr>\n";
  std::map<std::string, std::vector<std::pair<double, double>>> mse_vs_f;
  for (const auto& m : rep["aggregate"]["metrics"]) {
    const auto& e = m["vs_fp32_upper_bound"];
    const double mse = e["mse"].get<double>();
    h += "<tr><td class=\"l\">" + Esc(m["mode"].get<std::string>()) + "</td><td>" + Num(m["factor"].get<double>()) +
         "</td><td>" + Num(mse) + "</td><td>" + Num(e["rmse"].get<double>()) + "</td><td>" + Num(e["mae"].get<double>()) +
         "</td><td>" + Num(e["max_abs_diff"].get<double>()) + "</td><td>" + Num(e["p99_abs_diff"].get<double>()) +
         "</td><td>" + Num(e["relative_mae"].get<double>()) + "</td><td>" + Num(e["correlation"].get<double>(), "%.6f") +
         "</td><td>" + std::to_string(m["bits_needed"].get<int>()) + "</td><td>" +
         std::to_string(m["saturations"].get<int64_t>()) + "</td><td class=\"l\">MSE " + check::RateMse(mse) +
         ", corr " + check::RateCorrelation(e["correlation"].get<double>()) + "</td></tr>\n";
    const std::string mode = m["mode"].get<std::string>();
    // The enhance reading multiplies every value by F, so its MSE against FP32 is not an error
    // measure; the chart shows the refine reading, whose grid gets finer with F.
    if (mode == "research-se-refine") mse_vs_f[mode].push_back({m["factor"].get<double>(), mse});
    if (mode == "float-sim-int8") mse_vs_f["float-sim-int8 (F = 1)"].push_back({1.0, mse});
  }
  h += "</table>\n";
  h += LineChart("error-vs-factor", "Error vs scale factor (MSE against FP32; cosim sweep gives the full curve)",
                 "scale factor F", "MSE", mse_vs_f);

  std::vector<int> ids;
  std::vector<std::vector<double>> naive, quamba, mse;
  std::vector<int64_t> hist(kHistogramBins, 0);
  for (const auto& l : r.layers) {
    ids.push_back(l.layer);
    naive.emplace_back(l.naive_mismatch_blocks.begin(), l.naive_mismatch_blocks.end());
    quamba.emplace_back(l.quamba_mismatch_blocks.begin(), l.quamba_mismatch_blocks.end());
    mse.push_back(l.fsim_mse_blocks);
    for (int i = 0; i < kHistogramBins && i < static_cast<int>(l.abs_diff_histogram.size()); ++i) hist[i] += l.abs_diff_histogram[i];
  }
  const int block = r.config.is_object() ? r.config.value("heatmap_block", 64) : 64;
  std::vector<std::string> cols;
  for (size_t j = 0; !naive.empty() && j < naive[0].size(); ++j) {
    cols.push_back("channels " + std::to_string(j * block) + "-" + std::to_string((j + 1) * block - 1));
  }
  const std::string xl = "channel block (" + std::to_string(block) + " channels each)";
  h += "<h2>Where the paths disagree</h2>\n";
  h += Heatmap("heatmap-naive", "Naive fake-quant vs ASIC: mismatching codes per layer and channel block", "mismatches",
               xl, ids, naive, cols);
  h += Heatmap("heatmap-quamba", "INT8 baseline (Quamba kernel semantics) vs ASIC: mismatching codes", "mismatches", xl, ids,
               quamba, cols);
  h += Heatmap("heatmap-error", "Float-sim INT8 (= ASIC) vs FP32 upper bound: MSE per layer and channel block", "MSE", xl, ids,
               mse, cols);
  h += Histogram("histogram-absdiff", "|float-sim INT8 - FP32| over all layers", hist);

  h += "<h2>Per layer</h2>\n<table id=\"layers\"><tr><th>layer</th><th>verdict</th>";
  if (!r.layers.empty())
    for (const auto& c : r.layers[0].checks) h += "<th>" + Esc(c.name) + "</th>";
  h += "<th>SystemC</th><th>RTL</th><th>RTL cycles</th></tr>\n";
  std::string reports;
  for (const auto& l : r.layers) {
    h += "<tr><td>" + std::to_string(l.layer) + "</td><td>" + (l.passed() ? "pass" : "<b>FAIL</b>") + "</td>";
    for (const auto& c : l.checks) {
      h += "<td>" + std::to_string(c.mismatches) + "</td>";
      if (c.asserted)
        for (const auto& s : c.reports) reports += s + "\n";
    }
    h += "<td>" + (l.hardware.systemc_ran ? std::to_string(l.hardware.systemc_mismatches) : std::string("not run")) +
         "</td><td>" +
         (l.hardware.rtl_ran ? std::to_string(l.hardware.rtl_mismatches + l.hardware.rtl_vs_model_mismatches)
                             : std::string("not run")) +
         "</td><td>" + std::to_string(l.hardware.rtl_cycles) + "</td></tr>\n";
    for (const auto& s : l.hardware.reports) reports += s + "\n";
  }
  h += "</table>\n";
  if (!reports.empty()) h += "<h2>Mismatch reports</h2>\n<pre id=\"mismatches\">" + Esc(reports) + "</pre>\n";
  h += "<p id=\"render-check\">not rendered</p>\n<script>\n"
       "(function(){var c=document.querySelectorAll('svg.heatmap rect.cell').length;"
       "var b=document.querySelectorAll('svg.histogram rect.bar').length;"
       "var p=document.querySelectorAll('svg.chart circle.point').length;"
       "document.getElementById('render-check').textContent='rendered '+c+' heatmap cells, '+b+' histogram bars, '+p+"
       "' chart points';})();\n</script>\n</body></html>\n";
  return h;
}

}  // namespace cosim::regress
