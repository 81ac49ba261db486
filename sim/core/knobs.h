// knobs.h: the hardware knobs of docs/datapath.md section 3 and the named profiles.
//
// Contract: a HwConfig is always valid once constructed through FromJson/Named (every range in
// the table of section 3 is checked; an error names the field and the allowed values). The
// named profiles come from sim/profiles.json, compiled into the binary, so one file is the
// single source of truth for them.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/rounding.h"

namespace cosim {

enum class Profile : uint8_t { kIntLut, kFp32Sfu };
enum class WeightScaleMode : uint8_t { kPerTensor, kPerChannel };

struct HwConfig {
  Profile profile = Profile::kIntLut;
  Rounding rounding = Rounding::kHalfAwayFromZero;
  int acc_bits = 32;                 // 16..32
  Overflow acc_overflow = Overflow::kSaturate;
  int requant_mult_bits = 16;        // 2..31 (int-lut)
  int lut_index_bits = 10;           // 4..20 (int-lut)
  int output_bits = 8;               // 2..24
  WeightScaleMode weight_scale = WeightScaleMode::kPerTensor;
  float output_scale_divisor = 1.0f; // >= 1, finite ("refine" what-if)
  std::string name = "int-lut";      // the named profile it came from, or "custom"

  // Parses a full or partial knob object over `base` (missing keys keep base's values).
  // Unknown keys are errors. `where` names the source for messages (file or "--set").
  static HwConfig FromJson(const nlohmann::json& j, const HwConfig& base, const std::string& where);
  // A named profile from sim/profiles.json; an unknown name lists the known ones.
  static HwConfig Named(const std::string& name);
  static std::vector<std::string> ProfileNames();
  static std::string DefaultProfileName();

  nlohmann::json ToJson() const;  // every key, stable order
  void Validate(const std::string& where) const;
};

const char* ToString(Profile p);
const char* ToString(Rounding r);
const char* ToString(Overflow o);
const char* ToString(WeightScaleMode m);
Rounding RoundingFromString(const std::string& s, const std::string& where);

// The raw text of sim/profiles.json (generated into the build at configure time).
const char* ProfilesJsonText();

}  // namespace cosim
