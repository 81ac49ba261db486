#include "sim/systemc/sc_faults.h"

#include "sim/core/error.h"

namespace cosim {
namespace sc {
namespace {
const char* const kNames[kNumScFaults] = {"none",          "wrong-rounding", "shift-off-by-one",
                                           "lut-index-off-by-one", "taps-reversed", "bias-dropped",
                                           "state-not-reset", "acc-always-wrap"};
}  // namespace

const char* ToString(ScFault f) {
  const int i = static_cast<int>(f);
  return i >= 0 && i < kNumScFaults ? kNames[i] : "?";
}

ScFault ScFaultFromString(const std::string& s) {
  for (int i = 0; i < kNumScFaults; ++i) {
    if (s == kNames[i] || s == std::to_string(i)) return static_cast<ScFault>(i);
  }
  std::string known;
  for (int i = 0; i < kNumScFaults; ++i) known += std::string(i ? ", " : "") + kNames[i];
  throw Error(ExitCode::kUsage, "unknown SystemC model fault '" + s + "' (known: " + known + ", or 0.." +
                                    std::to_string(kNumScFaults - 1) + ")");
}

std::vector<ScFault> AllScFaults() {
  std::vector<ScFault> v;
  for (int i = 1; i < kNumScFaults; ++i) v.push_back(static_cast<ScFault>(i));
  return v;
}

bool ScFaultApplies(ScFault f, bool profile_is_int_lut) {
  if (f == ScFault::kNone) return false;
  if (f == ScFault::kLutIndexOffByOne) return profile_is_int_lut;
  return true;
}

}  // namespace sc
}  // namespace cosim
