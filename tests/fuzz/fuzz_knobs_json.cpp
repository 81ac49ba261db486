// fuzz_knobs_json: cosim::vec::ParseJsonText (vectors/io/json_util.h) and the hardware knob
// parser cosim::HwConfig::FromJson (sim/core/knobs.h) on arbitrary text.
//
// The parsed document is used the way the project uses knob JSON:
//   - an object with "profiles" (the shape of sim/profiles.json): every entry goes through
//     FromJson over the defaults, as HwConfig::Named does;
//   - an object with "hardware" (the shape of a run file, tb/cli/run_config.cpp): the base is
//     HwConfig::Named("profile" or the default profile), then FromJson("hardware" object);
//   - anything else is a knob object applied over one of the named profiles (picked by the
//     input size), as a params.json "hardware" block or a --set override is.
// Accepted: a normal return or cosim::Error. Oracle on every accepted HwConfig: Validate()
// passes, ToJson() serialises with DumpJsonStable, and FromJson(ToJson()) gives the same config.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_common.h"
#include "fuzz_json_mutator.h"
#include "sim/core/error.h"
#include "sim/core/knobs.h"
#include "vectors/io/json_util.h"

namespace {

using cosim::HwConfig;
using nlohmann::json;

bool Same(const HwConfig& a, const HwConfig& b) {
  return a.profile == b.profile && a.rounding == b.rounding && a.acc_bits == b.acc_bits &&
         a.acc_overflow == b.acc_overflow && a.requant_mult_bits == b.requant_mult_bits &&
         a.lut_index_bits == b.lut_index_bits && a.output_bits == b.output_bits &&
         a.weight_scale == b.weight_scale && a.output_scale_divisor == b.output_scale_divisor &&
         a.name == b.name;
}

void CheckAccepted(const HwConfig& hw) {
  HwConfig back;
  try {
    hw.Validate("oracle");
    (void)cosim::vec::DumpJsonStable(hw.ToJson());
    back = HwConfig::FromJson(hw.ToJson(), HwConfig{}, "oracle");
  } catch (const cosim::Error& e) {
    cosim_fuzz::OracleFailure("fuzz_knobs_json", std::string("an accepted config does not round-trip: ") + e.what());
  }
  if (!Same(hw, back)) {
    cosim_fuzz::OracleFailure("fuzz_knobs_json", "FromJson(ToJson()) changed the config: " + hw.ToJson().dump() +
                                                     " -> " + back.ToJson().dump());
  }
}

void Run(const std::string& text) {
  const json j = cosim::vec::ParseJsonText(text, "fuzz.json");
  if (j.is_object() && j.contains("profiles")) {
    const json& profiles = cosim::vec::GetObject(j, "profiles", "fuzz.json");
    for (auto it = profiles.begin(); it != profiles.end(); ++it) {
      CheckAccepted(HwConfig::FromJson(it.value(), HwConfig{}, "fuzz.json:" + it.key()));
    }
    return;
  }
  if (j.is_object() && j.contains("hardware")) {
    const std::string profile =
        cosim::vec::GetStringOr(j, "profile", HwConfig::DefaultProfileName(), "fuzz.json");
    const HwConfig base = HwConfig::Named(profile);
    CheckAccepted(HwConfig::FromJson(cosim::vec::GetObject(j, "hardware", "fuzz.json"), base,
                                     "fuzz.json: hardware"));
    return;
  }
  static const std::vector<std::string> names = HwConfig::ProfileNames();
  const HwConfig base = HwConfig::Named(names[text.size() % names.size()]);
  CheckAccepted(HwConfig::FromJson(j, base, "fuzz.json"));
}

}  // namespace

// Structure-aware mutations half of the time (fuzz_json_mutator.h).
COSIM_FUZZ_JSON_MUTATOR()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    Run(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const cosim::Error&) {
  }
  return 0;
}
