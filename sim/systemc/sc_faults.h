// sc_faults.h: planted bugs of the SystemC model, for proving that the checkers catch them.
//
// Contract: a fault perturbs an input or an output of one model-core stage call (a wrong
// argument, a wrong address, a skipped reset); it never re-implements arithmetic. kNone (the
// default) is the clean model. Which stage each fault lives in, and the profile it applies to:
//
// | fault                | stage        | int-lut                               | fp32-sfu                    |
// |----------------------|--------------|---------------------------------------|-----------------------------|
// | wrong-rounding       | requant/act  | nearest modes -> truncate, truncate -> half-away (RequantToIndex) | same, SfuActivateQuantize |
// | shift-off-by-one     | requant      | shift + 1 (at most 62)                | acc scale halved (exponent - 1) |
// | lut-index-off-by-one | activation   | ROM address + 1 (mod 2^N)             | no effect (no table)        |
// | taps-reversed        | MAC          | weight[d,k] multiplies x[t-k]         | same                        |
// | bias-dropped         | MAC/requant  | bias_acc not added                    | bias_f not added            |
// | state-not-reset      | line buffer  | history kept from the previous row    | same                        |
// | acc-always-wrap      | MAC          | accumulator wraps in saturate mode    | same                        |
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/rounding.h"

namespace cosim {
namespace sc {

enum class ScFault : int {
  kNone = 0,
  kWrongRounding = 1,
  kShiftOffByOne = 2,
  kLutIndexOffByOne = 3,
  kTapsReversed = 4,
  kBiasDropped = 5,
  kStateNotReset = 6,
  kAccAlwaysWrap = 7,
};
constexpr int kNumScFaults = 8;  // ids 0..7

const char* ToString(ScFault f);
// Accepts the names above or the numeric id; throws cosim::Error(kUsage) listing the names.
ScFault ScFaultFromString(const std::string& s);
std::vector<ScFault> AllScFaults();  // every fault except kNone
// True when the fault changes results of `profile_is_int_lut` hardware (see the table).
bool ScFaultApplies(ScFault f, bool profile_is_int_lut);

// The rounding mode the wrong-rounding fault uses instead of `r`.
constexpr Rounding WrongRounding(Rounding r) {
  return r == Rounding::kTruncate ? Rounding::kHalfAwayFromZero : Rounding::kTruncate;
}

// The stage arguments as a fault presents them (the clean value for every other fault).
constexpr Rounding FaultedRounding(ScFault f, Rounding r) { return f == ScFault::kWrongRounding ? WrongRounding(r) : r; }
constexpr int FaultedShift(ScFault f, int shift) {
  return f == ScFault::kShiftOffByOne ? (shift + 1 < 62 ? shift + 1 : 62) : shift;
}
constexpr Overflow FaultedOverflow(ScFault f, Overflow ov) { return f == ScFault::kAccAlwaysWrap ? Overflow::kWrap : ov; }
// Taps of channel d: weight[d, k], or weight[d, 3 - k] under taps-reversed.
inline void FaultedTaps(ScFault f, const int8_t* w, int8_t taps[4]) {
  for (int k = 0; k < 4; ++k) taps[k] = f == ScFault::kTapsReversed ? w[3 - k] : w[k];
}
// The bias the MAC adds: bias_acc for int-lut (0 under bias-dropped); fp32-sfu adds none here.
constexpr int64_t FaultedMacBias(ScFault f, bool int_lut, int64_t bias_acc) {
  return (int_lut && f != ScFault::kBiasDropped) ? bias_acc : 0;
}

}  // namespace sc
}  // namespace cosim
