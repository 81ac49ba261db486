// The HTML report rendered in headless Chromium: the page's own script counts the drawn marks
// after rendering, and the test checks that count against what the run produced.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "tb/regress/reports.h"
#include "tb/regress/sweep.h"
#include "tests/vectors/golden/temp_dir.h"
#include "vectors/io/atomic_file.h"

namespace cosim::regress {
namespace {

std::string Chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (std::ifstream(p).good()) return p;
  }
  return "";
}

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string ChromiumFlags(const std::string& profile_dir) {
  return " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
         " --disable-component-update --disable-sync --user-data-dir=" + profile_dir + " ";
}

TEST(HtmlReport, RendersInHeadlessChromiumWithEveryPlot) {
  const std::string chromium = Chromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium not installed (apt-get install chromium)";
  gold::SyntheticOptions so;
  so.calib_len = 64;
  const auto m = gold::MakeSyntheticModel("html", 3, 200, so);
  RegressOptions o;
  o.seq_len = 64;
  o.hw = HwConfig::Named("int-lut");
  o.se_factors = {4.0f, 64.0f, 2025.0f};
  o.device = "host";
  o.hardware.rtl = o.hardware.systemc = false;
  o.fsim_fault = 1;  // a failing run: the page must say FAIL and show the report
  RegressResult r = RunRegress(*m, o);
  r.config = {{"heatmap_block", 64}};
  cosim::testing::TempDir d;
  WriteReports(r, d.path());
  const std::string dom =
      Shell("timeout 120 " + chromium + ChromiumFlags(d.path() + "/profile") + "--dump-dom file://" + d.path() +
          "/report.html 2>/dev/null");
  ASSERT_FALSE(dom.empty()) << "chromium printed nothing";
  // 3 layers x ceil(200 / 64) = 4 blocks, three heatmaps; 40 histogram bars; 3 refine points
  // plus the float-sim INT8 point at F = 1.
  const size_t at = dom.find("id=\"render-check\"");
  ASSERT_NE(at, std::string::npos);
  const size_t open = dom.find('>', at) + 1;
  EXPECT_EQ(dom.substr(open, dom.find('<', open) - open), "rendered 36 heatmap cells, 40 histogram bars, 4 chart points");
  EXPECT_NE(dom.find("id=\"verdict\" class=\"fail\">FAIL"), std::string::npos);
  EXPECT_NE(dom.find("id=\"mismatches\""), std::string::npos);
  EXPECT_NE(dom.find("float-sim-int8 vs asic: layer 0"), std::string::npos);
  // A screenshot is not blank: a PNG of some size.
  Shell("timeout 120 " + chromium + ChromiumFlags(d.path() + "/profile2") + "--window-size=1200,1600 --screenshot=" +
      d.path() + "/shot.png file://" + d.path() + "/report.html >/dev/null 2>&1");
  EXPECT_GT(vec::ReadFile(d.path() + "/shot.png").size(), 20000u);
}

TEST(HtmlReport, SweepPageRendersItsCharts) {
  const std::string chromium = Chromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium not installed (apt-get install chromium)";
  gold::SyntheticOptions so;
  so.calib_len = 64;
  const auto m = gold::MakeSyntheticModel("html", 2, 64, so);
  const HwConfig hw = HwConfig::Named("int-lut");
  std::vector<SweepVariant> v = DefaultSweep(hw, 0);
  SweepResult s = RunSweep(*m, nullptr, {}, 1, 64, hw, v, 2);
  cosim::testing::TempDir d;
  vec::WriteFileAtomic(d.path() + "/sweep.html", SweepHtml(s));
  const std::string dom = Shell("timeout 120 " + chromium + ChromiumFlags(d.path() + "/profile") + "--dump-dom file://" +
                              d.path() + "/sweep.html 2>/dev/null");
  ASSERT_FALSE(dom.empty());
  EXPECT_NE(dom.find("id=\"sweep-error-vs-factor\""), std::string::npos);
  // 14 scale factors on each of the three factor charts.
  size_t points = 0;
  for (size_t p = dom.find("class=\"point\""); p != std::string::npos; p = dom.find("class=\"point\"", p + 1)) ++points;
  EXPECT_EQ(points, 3u * 14u);
}

}  // namespace
}  // namespace cosim::regress
