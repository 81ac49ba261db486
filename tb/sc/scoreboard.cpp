// Scoreboard: three-way bit-exact comparison and the mismatch reports.
#include "tb/sc/scoreboard.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace cosim {
namespace tb {
namespace {

std::string Float(float v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g (%a)", static_cast<double>(v), static_cast<double>(v));
  return buf;
}

}  // namespace

std::string ElementReport(const ScoreInputs& s, int b, int d, int t) {
  const LayerResult& g = *s.golden;
  const size_t o = (static_cast<size_t>(b) * g.channels + d) * g.seq_len + t;
  const bool int_lut = s.c->hw.profile == Profile::kIntLut;
  const ElementTrace e = TraceElement(*s.c, *s.layer, *s.in, b, d, t);
  std::ostringstream r;
  const int64_t want = g.y[o];
  const bool model_bad = s.model && s.model->y[o] != want;
  const bool rtl_bad = s.rtl && (!s.rtl->received[o] || s.rtl->y[o] != want);
  r << "layer " << s.layer->index << " b " << b << " channel " << d << " t " << t << ": expected y " << want;
  if (s.model) r << ", model y " << s.model->y[o];
  if (s.rtl) r << ", rtl y " << (s.rtl->received[o] ? std::to_string(s.rtl->y[o]) : std::string("(not received)"));
  r << "  [" << (model_bad ? "model!=golden " : "") << (rtl_bad ? "rtl!=golden " : "")
    << (s.model && s.rtl && s.model->y[o] != s.rtl->y[o] ? "rtl!=model" : "") << "]\n";
  r << "  window x[t-3..t] = (" << int{e.window[0]} << ", " << int{e.window[1]} << ", " << int{e.window[2]} << ", "
    << int{e.window[3]} << "), taps w[d,0..3] = (" << int{e.taps[0]} << ", " << int{e.taps[1]} << ", "
    << int{e.taps[2]} << ", " << int{e.taps[3]} << ")";
  if (int_lut) r << ", bias_acc " << e.bias_term << ", M " << s.c->mult[d] << ", shift " << s.c->shift[d];
  r << "\n  golden: sum " << e.exact_sum << " -> acc " << e.acc << (e.acc_overflow ? " (overflow)" : "");
  if (int_lut) {
    r << " -> index " << e.index << (e.index != e.index_unsat ? " (saturated from " + std::to_string(e.index_unsat) + ")" : "");
  } else {
    r << " -> pre_act " << Float(e.pre_act) << " -> silu " << Float(e.silu);
  }
  r << " -> y " << e.code << (e.output_saturated ? " (saturated)" : "");
  if (e.code != want) r << "  (golden vector y " << want << " differs from the trace!)";
  if (s.model) {
    const LayerResult& m = *s.model;
    r << "\n  model : acc " << (m.acc.empty() ? std::string("-") : std::to_string(m.acc[o]));
    if (int_lut) {
      r << ", index " << (m.index.empty() ? std::string("-") : std::to_string(m.index[o]));
    } else if (!m.pre_act.empty()) {
      r << ", pre_act " << Float(m.pre_act[o]) << ", silu " << Float(m.silu[o]);
    }
    r << ", y " << m.y[o];
  }
  if (s.rtl) {
    const RtlCapture& c = *s.rtl;
    if (c.received[o]) {
      const uint64_t cyc = c.beat_cycle[(static_cast<size_t>(b) * c.groups + d / c.lanes) * g.seq_len + t];
      r << "\n  rtl   : acc " << c.acc[o] << ", index " << c.index[o] << ", y " << c.y[o] << "  (" << ToString(c.model)
        << " model, output beat at cycle " << cyc << ", lane " << d % c.lanes << ")";
    } else {
      r << "\n  rtl   : no output received for this element";
    }
  }
  return r.str();
}

ScoreResult Score(const ScoreInputs& s) {
  ScoreResult res;
  const LayerResult& g = *s.golden;
  const int B = g.batch, D = g.channels, L = g.seq_len;
  const size_t n = static_cast<size_t>(B) * D * L;
  const int32_t* gy = g.y.data();
  const int32_t* my = s.model ? s.model->y.data() : nullptr;
  const int32_t* ry = s.rtl ? s.rtl->y.data() : nullptr;
  const uint8_t* got = s.rtl ? s.rtl->received.data() : nullptr;
  // Fast counting pass.
  if (my) {
    for (size_t i = 0; i < n; ++i) res.model_vs_golden += my[i] != gy[i];
  }
  if (ry) {
    for (size_t i = 0; i < n; ++i) {
      const bool have = got[i] != 0;
      res.rtl_vs_golden += !have || ry[i] != gy[i];
      if (my) res.rtl_vs_model += !have || ry[i] != my[i];
    }
  }
  if (res.model_vs_golden == 0 && res.rtl_vs_golden == 0 && res.rtl_vs_model == 0) return res;
  // Reports and the first mismatching RTL beat (by cycle).
  for (int b = 0; b < B; ++b)
    for (int d = 0; d < D; ++d)
      for (int t = 0; t < L; ++t) {
        const size_t o = (static_cast<size_t>(b) * D + d) * L + t;
        const bool mbad = my && my[o] != gy[o];
        const bool rbad = ry && (!got[o] || ry[o] != gy[o] || (my && ry[o] != my[o]));
        if (!mbad && !rbad) continue;
        if (rbad && got[o]) {
          const int grp = d / s.rtl->lanes;
          const uint64_t cyc = s.rtl->beat_cycle[(static_cast<size_t>(b) * s.rtl->groups + grp) * L + t];
          if (!res.have_rtl_mismatch || cyc < res.first_rtl_mismatch_cycle) res.first_rtl_mismatch_cycle = cyc;
          res.have_rtl_mismatch = true;
        } else if (rbad && !res.have_rtl_mismatch) {
          res.have_rtl_mismatch = true;
          res.first_rtl_mismatch_cycle = s.rtl->total_cycles;
        }
        if (static_cast<int>(res.reports.size()) < s.max_reports) res.reports.push_back(ElementReport(s, b, d, t));
      }
  return res;
}

}  // namespace tb
}  // namespace cosim
