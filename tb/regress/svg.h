// svg.h: inline-SVG charts for the self-contained HTML reports (no scripts, no external files).
// Every drawn mark carries a class (rect.cell, rect.bar, circle.point) and a <title> tooltip
// with its value, so a page can be checked by counting what it shows.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cosim::regress::svg {

std::string Esc(const std::string& s);                  // HTML-escape
std::string Num(double v, const char* fmt = "%.4g");
std::string Heat(double t);                             // white (0) .. dark red (1)
// rows x columns of values, log-scaled colour; row labels "layer N".
std::string Heatmap(const std::string& id, const std::string& title, const std::string& unit_label,
                    const std::string& x_label, const std::vector<int>& layer_ids,
                    const std::vector<std::vector<double>>& rows, const std::vector<std::string>& col_labels);
// log-log lines, one per named series of (x, y) points (non-positive points are skipped).
std::string LineChart(const std::string& id, const std::string& title, const std::string& xl, const std::string& yl,
                      const std::map<std::string, std::vector<std::pair<double, double>>>& series);
// log-count bars of |diff| in power-of-two bins (bin 0: exactly zero).
std::string Histogram(const std::string& id, const std::string& title, const std::vector<int64_t>& bins);

}  // namespace cosim::regress::svg
