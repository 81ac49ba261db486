// svg.cpp: inline-SVG charts for the self-contained HTML reports.
#include "tb/regress/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cosim::regress::svg {

std::string Esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

std::string Num(double v, const char* fmt) {
  char b[64];
  std::snprintf(b, sizeof b, fmt, v);
  return b;
}

// White (0) to dark red (1).
std::string Heat(double t) {
  t = std::max(0.0, std::min(1.0, t));
  const int r = 255 - static_cast<int>(90 * t), g = static_cast<int>(255 * (1 - t)), b = static_cast<int>(255 * (1 - t));
  char buf[32];  // r, g, b are in [0, 255]; the size also covers what the compiler cannot prove
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
  return buf;
}

// A layers x channel-blocks heatmap; values scaled by log10(1 + v / unit) against the maximum.
std::string Heatmap(const std::string& id, const std::string& title, const std::string& unit_label,
                    const std::string& x_label, const std::vector<int>& layer_ids,
                    const std::vector<std::vector<double>>& rows, const std::vector<std::string>& col_labels) {
  const int nrows = static_cast<int>(rows.size());
  const int ncols = nrows ? static_cast<int>(rows[0].size()) : 0;
  const int cw = std::max(6, std::min(24, 720 / std::max(1, ncols))), ch = 14, left = 70, top = 24;
  double mx = 0, mn_pos = 0;
  for (const auto& r : rows)
    for (double v : r) {
      mx = std::max(mx, v);
      if (v > 0 && (mn_pos == 0 || v < mn_pos)) mn_pos = v;
    }
  const double unit = mn_pos > 0 ? mn_pos : 1.0;
  const double denom = std::log10(1 + mx / unit);
  std::string s = "<h3>" + Esc(title) + "</h3>\n<svg id=\"" + id + "\" class=\"heatmap\" data-rows=\"" +
                  std::to_string(nrows) + "\" data-cols=\"" + std::to_string(ncols) + "\" width=\"" +
                  std::to_string(left + ncols * cw + 140) + "\" height=\"" + std::to_string(top + nrows * ch + 30) +
                  "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  s += "<text x=\"" + std::to_string(left) + "\" y=\"14\" class=\"axis\">" + Esc(x_label) + " &#8594;</text>\n";
  for (int i = 0; i < nrows; ++i) {
    const int y = top + i * ch;
    s += "<text x=\"2\" y=\"" + std::to_string(y + 11) + "\" class=\"axis\">layer " + std::to_string(layer_ids[i]) +
         "</text>";
    for (int j = 0; j < ncols; ++j) {
      const double v = rows[i][j];
      const double t = denom > 0 ? std::log10(1 + v / unit) / denom : 0;
      s += "<rect class=\"cell\" x=\"" + std::to_string(left + j * cw) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
           std::to_string(cw - 1) + "\" height=\"" + std::to_string(ch - 1) + "\" fill=\"" + Heat(t) +
           "\"><title>layer " + std::to_string(layer_ids[i]) + ", " +
           Esc(j < static_cast<int>(col_labels.size()) ? col_labels[j] : std::to_string(j)) + ": " + Num(v) + " " +
           Esc(unit_label) + "</title></rect>";
    }
    s += "\n";
  }
  const int lx = left + ncols * cw + 10;
  s += "<rect x=\"" + std::to_string(lx) + "\" y=\"" + std::to_string(top) + "\" width=\"12\" height=\"12\" fill=\"" +
       Heat(0) + "\" stroke=\"#999\"/><text x=\"" + std::to_string(lx + 16) + "\" y=\"" + std::to_string(top + 10) +
       "\" class=\"axis\">0</text>";
  s += "<rect x=\"" + std::to_string(lx) + "\" y=\"" + std::to_string(top + 18) + "\" width=\"12\" height=\"12\" fill=\"" +
       Heat(1) + "\"/><text x=\"" + std::to_string(lx + 16) + "\" y=\"" + std::to_string(top + 28) +
       "\" class=\"axis\">" + Num(mx) + " " + Esc(unit_label) + "</text>\n</svg>\n";
  return s;
}

// A log-log line chart of y against x for several named series.
std::string LineChart(const std::string& id, const std::string& title, const std::string& xl, const std::string& yl,
                      const std::map<std::string, std::vector<std::pair<double, double>>>& series) {
  const int W = 640, H = 300, L = 70, R = 160, T = 20, B = 40;
  double xmin = 1e300, xmax = -1e300, ymin = 1e300, ymax = -1e300;
  int points = 0;
  for (const auto& [name, pts] : series)
    for (auto [x, y] : pts) {
      if (x <= 0 || y <= 0) continue;
      xmin = std::min(xmin, std::log10(x));
      xmax = std::max(xmax, std::log10(x));
      ymin = std::min(ymin, std::log10(y));
      ymax = std::max(ymax, std::log10(y));
    }
  if (xmin > xmax) { xmin = 0; xmax = 1; ymin = 0; ymax = 1; }
  if (xmax - xmin < 1e-9) { xmin -= 0.5; xmax += 0.5; }
  if (ymax - ymin < 1e-9) { ymin -= 0.5; ymax += 0.5; }
  auto px = [&](double x) { return L + (std::log10(x) - xmin) / (xmax - xmin) * (W - L - R); };
  auto py = [&](double y) { return T + (1 - (std::log10(y) - ymin) / (ymax - ymin)) * (H - T - B); };
  const char* colors[] = {"#c0392b", "#2471a3", "#229954", "#7d3c98", "#d68910"};
  std::string s = "<h3>" + Esc(title) + "</h3>\n<svg id=\"" + id + "\" class=\"chart\" width=\"" + std::to_string(W) +
                  "\" height=\"" + std::to_string(H) + "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  s += "<line x1=\"" + std::to_string(L) + "\" y1=\"" + std::to_string(H - B) + "\" x2=\"" + std::to_string(W - R) +
       "\" y2=\"" + std::to_string(H - B) + "\" stroke=\"#333\"/><line x1=\"" + std::to_string(L) + "\" y1=\"" +
       std::to_string(T) + "\" x2=\"" + std::to_string(L) + "\" y2=\"" + std::to_string(H - B) + "\" stroke=\"#333\"/>\n";
  s += "<text x=\"" + std::to_string(L) + "\" y=\"" + std::to_string(H - 8) + "\" class=\"axis\">" + Esc(xl) +
       " (log, " + Num(std::pow(10, xmin)) + " .. " + Num(std::pow(10, xmax)) + ")</text>";
  s += "<text x=\"4\" y=\"" + std::to_string(T + 10) + "\" class=\"axis\">" + Esc(yl) + "</text>";
  s += "<text x=\"4\" y=\"" + std::to_string(T + 24) + "\" class=\"axis\">" + Num(std::pow(10, ymax)) + "</text>";
  s += "<text x=\"4\" y=\"" + std::to_string(H - B) + "\" class=\"axis\">" + Num(std::pow(10, ymin)) + "</text>\n";
  int k = 0;
  for (const auto& [name, pts] : series) {
    const char* c = colors[k % 5];
    std::string path;
    for (auto [x, y] : pts) {
      if (x <= 0 || y <= 0) continue;
      path += (path.empty() ? "M" : " L") + Num(px(x), "%.1f") + " " + Num(py(y), "%.1f");
      s += "<circle class=\"point\" cx=\"" + Num(px(x), "%.1f") + "\" cy=\"" + Num(py(y), "%.1f") + "\" r=\"3\" fill=\"" +
           c + "\"><title>" + Esc(name) + ": F = " + Num(x) + ", " + Esc(yl) + " = " + Num(y) + "</title></circle>";
      ++points;
    }
    if (!path.empty()) s += "<path d=\"" + path + "\" stroke=\"" + c + "\" fill=\"none\" stroke-width=\"1.5\"/>";
    s += "<text x=\"" + std::to_string(W - R + 10) + "\" y=\"" + std::to_string(T + 14 + 16 * k) + "\" fill=\"" + c +
         "\" class=\"axis\">" + Esc(name) + "</text>\n";
    ++k;
  }
  s += "</svg>\n";
  return s;
}

std::string Histogram(const std::string& id, const std::string& title, const std::vector<int64_t>& bins) {
  const int W = 640, H = 240, L = 50, T = 20, B = 40;
  const int n = static_cast<int>(bins.size());
  const double bw = static_cast<double>(W - L - 20) / std::max(1, n);
  int64_t mx = 1;
  for (int64_t v : bins) mx = std::max(mx, v);
  std::string s = "<h3>" + Esc(title) + "</h3>\n<svg id=\"" + id + "\" class=\"histogram\" width=\"" + std::to_string(W) +
                  "\" height=\"" + std::to_string(H) + "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  for (int i = 0; i < n; ++i) {
    const double h = bins[i] > 0 ? std::log10(1.0 + static_cast<double>(bins[i])) / std::log10(1.0 + static_cast<double>(mx)) * (H - T - B) : 0;
    const std::string label = i == 0 ? "exactly 0" : "[2^" + std::to_string(i - 31) + ", 2^" + std::to_string(i - 30) + ")";
    s += "<rect class=\"bar\" x=\"" + Num(L + i * bw, "%.1f") + "\" y=\"" + Num(H - B - h, "%.1f") + "\" width=\"" +
         Num(std::max(1.0, bw - 1), "%.1f") + "\" height=\"" + Num(h, "%.1f") + "\" fill=\"#2471a3\"><title>|diff| " +
         label + ": " + std::to_string(bins[i]) + " elements</title></rect>";
  }
  s += "\n<text x=\"" + std::to_string(L) + "\" y=\"" + std::to_string(H - 8) +
       "\" class=\"axis\">|diff| in powers of two: first bar exactly 0, then 2^-30 .. 2^8 (log count)</text>\n</svg>\n";
  return s;
}


}  // namespace cosim::regress::svg
