// csr_rtl_driver.cpp: the model-independent parts of the RTL driver (checks, beat packing,
// output unpacking). See csr_rtl_driver.h.
#include "csr_rtl_driver.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "csr_rtl_driver_detail.h"
#include "sim/core/error.h"

namespace cosim::rtl {

const char* ToString(Rounding r) {
  switch (r) {
    case Rounding::kHalfAway: return "half-away";
    case Rounding::kHalfEven: return "half-even";
    case Rounding::kHalfUp: return "half-up";
    case Rounding::kTruncate: return "truncate";
  }
  return "?";
}

const char* FaultName(unsigned fault) {
  static const char* const kNames[kNumFaults] = {
      "none",          "round-floor",    "shift-off-by-one", "lut-addr-plus-one", "no-index-sat",
      "taps-reversed", "bias-dropped",   "no-sos-reset",     "skid-drop",         "acc-always-wrap",
      "out-sign-lost", "mult-signed",    "half-even-odd",    "stale-params",      "shift-on-bubble"};
  return fault < kNumFaults ? kNames[fault] : "?";
}

std::string ModelInfo::Describe() const {
  std::ostringstream os;
  os << name << " (" << prefix << "): LANES=" << lanes << " ACC_BITS=" << acc_bits
     << " MULT_BITS=" << mult_bits << " LUT_INDEX_BITS=" << lut_index_bits
     << " OUT_BITS=" << output_bits << " D_MAX=" << d_max << " ROUNDING=" << ToString(rounding)
     << " ACC_WRAP=" << (acc_wrap ? 1 : 0) << " RUNTIME_KNOBS=" << (runtime_knobs ? 1 : 0)
     << " ENABLE_FAULTS=" << (enable_faults ? 1 : 0);
  return os.str();
}

Knobs ModelInfo::DefaultKnobs() const {
  Knobs k;
  k.rounding = rounding;
  k.acc_wrap = acc_wrap;
  k.acc_bits = acc_bits;
  k.mult_bits = mult_bits;
  k.lut_index_bits = lut_index_bits;
  k.output_bits = output_bits;
  return k;
}

namespace {

[[noreturn]] void Fail(ExitCode code, const ModelInfo& info, const std::string& what) {
  throw Error(code, "rtl driver, model " + info.name + ": " + what);
}

bool FitsSigned(int64_t v, int bits) {
  return v >= -(int64_t{1} << (bits - 1)) && v < (int64_t{1} << (bits - 1));
}

}  // namespace

void CheckLayer(const ModelInfo& info, const LayerView& layer, const RunOptions& opt) {
  const Knobs& k = layer.knobs;
  if (layer.B < 1 || layer.D < 1 || layer.L < 1) {
    Fail(ExitCode::kBadInput, info, "B, D, L must be >= 1 (got " + std::to_string(layer.B) + ", " +
                                        std::to_string(layer.D) + ", " + std::to_string(layer.L) + ")");
  }
  if (!layer.x || !layer.weight || !layer.bias_acc || !layer.mult || !layer.shift || !layer.lut) {
    Fail(ExitCode::kInternal, info, "a LayerView array pointer is null");
  }
  auto width = [&](const char* knob, int got, int built) {
    if (got != built) {
      Fail(ExitCode::kUnsupported, info, std::string(knob) + " = " + std::to_string(got) +
                                             " but the model is built with " + std::to_string(built) +
                                             " [" + info.Describe() + "]");
    }
  };
  width("acc_bits", k.acc_bits, info.acc_bits);
  width("requant_mult_bits", k.mult_bits, info.mult_bits);
  width("lut_index_bits", k.lut_index_bits, info.lut_index_bits);
  width("output_bits", k.output_bits, info.output_bits);
  if (!info.runtime_knobs && (k.rounding != info.rounding || k.acc_wrap != info.acc_wrap)) {
    Fail(ExitCode::kUnsupported, info,
         std::string("rounding/acc_overflow ") + ToString(k.rounding) + "/" +
             (k.acc_wrap ? "wrap" : "saturate") + " but the model is built with " + ToString(info.rounding) +
             "/" + (info.acc_wrap ? "wrap" : "saturate") + " and RUNTIME_KNOBS=0");
  }
  const int64_t dpad = (static_cast<int64_t>(layer.D) + info.lanes - 1) / info.lanes * info.lanes;
  if (dpad > info.d_max) {
    Fail(ExitCode::kUnsupported, info, "D = " + std::to_string(layer.D) + " (padded to " +
                                           std::to_string(dpad) + ") exceeds D_MAX = " +
                                           std::to_string(info.d_max));
  }
  for (int d = 0; d < layer.D; ++d) {
    if (!FitsSigned(layer.bias_acc[d], k.acc_bits)) {
      Fail(ExitCode::kBadInput, info, "bias_acc[" + std::to_string(d) + "] = " +
                                          std::to_string(layer.bias_acc[d]) + " does not fit acc_bits");
    }
    if (k.mult_bits < 32 && layer.mult[d] >= (uint32_t{1} << k.mult_bits)) {
      Fail(ExitCode::kBadInput, info, "mult[" + std::to_string(d) + "] = " + std::to_string(layer.mult[d]) +
                                          " does not fit requant_mult_bits");
    }
    if (layer.shift[d] < 0 || layer.shift[d] > 62) {
      Fail(ExitCode::kBadInput, info, "shift[" + std::to_string(d) + "] = " + std::to_string(layer.shift[d]) +
                                          " outside 0..62");
    }
  }
  const int64_t entries = int64_t{1} << k.lut_index_bits;
  for (int64_t a = 0; a < entries; ++a) {
    if (!FitsSigned(layer.lut[a], k.output_bits)) {
      Fail(ExitCode::kBadInput, info, "silu_lut[" + std::to_string(a) + "] = " + std::to_string(layer.lut[a]) +
                                          " does not fit output_bits");
    }
  }
  if (opt.fault >= kNumFaults) {
    Fail(ExitCode::kUsage, info, "fault " + std::to_string(opt.fault) + " does not exist (0.." +
                                     std::to_string(kNumFaults - 1) + ")");
  }
  if (opt.fault != kFaultNone && !info.enable_faults) {
    Fail(ExitCode::kUnsupported, info, "fault injection needs a model built with ENABLE_FAULTS=1");
  }
  if (!(opt.bubble_prob >= 0 && opt.bubble_prob < 1) || !(opt.stall_prob >= 0 && opt.stall_prob < 1)) {
    Fail(ExitCode::kUsage, info, "bubble_prob and stall_prob must be in [0, 1)");
  }
}

namespace detail {

void ThrowNoTrace(const ModelInfo& info) {
  Fail(ExitCode::kUnsupported, info, "this model was built without --trace-fst");
}

uint64_t ProbThreshold(double p) {
  if (!(p > 0)) return 0;
  if (p >= 1) return UINT64_MAX;
  return static_cast<uint64_t>(std::ldexp(p, 64));
}

std::vector<uint32_t> PackBeats(const ModelInfo& info, const LayerView& layer, size_t words_per_beat) {
  const int P = info.lanes;
  const int G = (layer.D + P - 1) / P;
  const size_t L = static_cast<size_t>(layer.L);
  const size_t nbeats = static_cast<size_t>(layer.B) * G * L;
  std::vector<uint32_t> out(nbeats * words_per_beat, 0u);
  size_t k = 0;
  for (int b = 0; b < layer.B; ++b) {
    for (int g = 0; g < G; ++g) {
      for (size_t t = 0; t < L; ++t, ++k) {
        uint32_t* w = &out[k * words_per_beat];
        for (int l = 0; l < P; ++l) {
          const int d = g * P + l;
          if (d >= layer.D) break;
          const uint8_t v = static_cast<uint8_t>(layer.x[(static_cast<size_t>(b) * layer.D + d) * L + t]);
          w[l / 4] |= static_cast<uint32_t>(v) << (8 * (l % 4));
        }
      }
    }
  }
  return out;
}

namespace {

// Bits [bit, bit + width) of a little-endian word array, sign-extended (width <= 32).
inline int32_t FieldS(const uint32_t* w, size_t nwords, unsigned bit, unsigned width) {
  const unsigned i = bit / 32, o = bit % 32;
  uint64_t v = w[i];
  if (i + 1 < nwords) v |= static_cast<uint64_t>(w[i + 1]) << 32;
  v >>= o;
  const uint64_t m = (uint64_t{1} << width) - 1;
  v &= m;
  if (v >> (width - 1)) v |= ~m;
  return static_cast<int32_t>(static_cast<int64_t>(v));
}
inline bool Bit(const uint32_t* w, unsigned bit) { return (w[bit / 32] >> (bit % 32)) & 1u; }

}  // namespace

void Unpack(const ModelInfo& info, const LayerView& layer, const RawOutputs& raw, bool debug, RunResult* r) {
  const int P = info.lanes;
  const int G = (layer.D + P - 1) / P;
  const size_t L = static_cast<size_t>(layer.L);
  const size_t n = static_cast<size_t>(layer.B) * layer.D * L;
  r->y.assign(n, RunResult::kMissing);
  if (debug) {
    r->acc.assign(n, RunResult::kMissing);
    r->idx.assign(n, RunResult::kMissing);
    r->acc_ovf.assign(n, 0);
    r->idx_sat.assign(n, 0);
  }
  const unsigned W = static_cast<unsigned>(info.output_bits);
  const unsigned A = static_cast<unsigned>(info.acc_bits);
  const unsigned N = static_cast<unsigned>(info.lut_index_bits);
  uint64_t k = 0;
  for (int b = 0; b < layer.B && k < raw.beats; ++b) {
    for (int g = 0; g < G && k < raw.beats; ++g) {
      for (size_t t = 0; t < L && k < raw.beats; ++t, ++k) {
        if (raw.ch_base[k] != static_cast<uint32_t>(g * P) || (raw.sos[k] != 0) != (t == 0)) {
          ++r->beat_tag_errors;
        }
        const uint32_t* yw = &raw.y[k * raw.y_words];
        for (int l = 0; l < P; ++l) {
          const int d = g * P + l;
          if (d >= layer.D) break;
          const size_t e = (static_cast<size_t>(b) * layer.D + d) * L + t;
          r->y[e] = FieldS(yw, raw.y_words, l * W, W);
          if (debug) {
            r->acc[e] = FieldS(&raw.acc[k * raw.acc_words], raw.acc_words, l * A, A);
            r->idx[e] = FieldS(&raw.idx[k * raw.idx_words], raw.idx_words, l * N, N);
            r->acc_ovf[e] = Bit(&raw.ovf[k * raw.flag_words], l);
            r->idx_sat[e] = Bit(&raw.sat[k * raw.flag_words], l);
            r->acc_overflows += r->acc_ovf[e];
            r->index_saturations += r->idx_sat[e];
          }
        }
      }
    }
  }
  r->complete = raw.beats == r->beats_expected && r->beat_tag_errors == 0;
}

}  // namespace detail
}  // namespace cosim::rtl
