// reports.h: what `cosim regress` writes. Every file is written whole (atomically) or not at all.
//
//   report.json        schema "asic-cosim-regress-report", schema_version 1: config, model,
//                      per-layer checks (with mismatch reports and causes), metrics, stage times
//   junit.xml          one testcase per layer and asserted check, for CI systems
//   report.html        self-contained (inline SVG, no scripts or network): per-layer mismatch
//                      and error heatmaps, error vs scale factor, |diff| histograms
//   yzCheckFloatSim/   the users' own JSON logs, every layer: int8_baseline.json,
//                      fp32_upper_bound.json, float_sim_int8.json, float_sim_research_se_<F>.json
//                      (enhance reading) and floatsim_betterscale_<F>.json (refine reading)
#pragma once

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "tb/regress/regress.h"

namespace cosim::regress {

constexpr int kReportSchemaVersion = 1;

nlohmann::json ReportJson(const RegressResult& r);
std::string JUnitXml(const RegressResult& r);
std::string HtmlReport(const RegressResult& r);
void PrintSummary(const RegressResult& r, std::FILE* out);
// Writes every report into `dir` (created). Returns the list of files written.
std::vector<std::string> WriteReports(const RegressResult& r, const std::string& dir);

// Aggregate of per-layer metrics: count-weighted means of mean-type values, max of max-type
// values (max |diff|, P99 is reported as the largest layer P99), mean of correlations.
check::ErrorMetrics Aggregate(const std::vector<const check::ErrorMetrics*>& per_layer);

}  // namespace cosim::regress
