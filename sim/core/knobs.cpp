#include "sim/core/knobs.h"

#include <cmath>
#include <set>

#include "sim/core/error.h"

namespace cosim {
namespace {

[[noreturn]] void Bad(const std::string& where, const std::string& msg) {
  throw Error(ExitCode::kBadInput, where + ": " + msg);
}

template <class E>
E Pick(const nlohmann::json& v, const std::string& where, const char* key,
       std::initializer_list<std::pair<const char*, E>> options) {
  std::string all;
  for (const auto& o : options) {
    if (v.is_string() && v.get<std::string>() == o.first) return o.second;
    all += std::string(all.empty() ? "" : ", ") + "\"" + o.first + "\"";
  }
  Bad(where, std::string("knob '") + key + "' is " + v.dump() + "; allowed: " + all);
}

int PickInt(const nlohmann::json& v, const std::string& where, const char* key, int lo, int hi) {
  if (!v.is_number_integer() && !(v.is_number_float() && std::floor(v.get<double>()) == v.get<double>())) {
    Bad(where, std::string("knob '") + key + "' must be an integer, got " + v.dump());
  }
  const double d = v.get<double>();
  if (d < lo || d > hi) {
    Bad(where, std::string("knob '") + key + "' = " + v.dump() + " is out of range [" +
                   std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return static_cast<int>(d);
}

const nlohmann::json& ProfilesDoc() {
  static const nlohmann::json doc = nlohmann::json::parse(ProfilesJsonText());
  return doc;
}

}  // namespace

const char* ToString(Profile p) { return p == Profile::kIntLut ? "int-lut" : "fp32-sfu"; }
const char* ToString(Overflow o) { return o == Overflow::kSaturate ? "saturate" : "wrap"; }
const char* ToString(WeightScaleMode m) {
  return m == WeightScaleMode::kPerTensor ? "per-tensor" : "per-channel";
}
const char* ToString(Rounding r) {
  switch (r) {
    case Rounding::kHalfAwayFromZero: return "half-away";
    case Rounding::kHalfToEven: return "half-even";
    case Rounding::kHalfUp: return "half-up";
    case Rounding::kTruncate: return "truncate";
  }
  return "?";
}

Rounding RoundingFromString(const std::string& s, const std::string& where) {
  return Pick<Rounding>(nlohmann::json(s), where, "rounding",
                        {{"half-away", Rounding::kHalfAwayFromZero},
                         {"half-even", Rounding::kHalfToEven},
                         {"half-up", Rounding::kHalfUp},
                         {"truncate", Rounding::kTruncate}});
}

HwConfig HwConfig::FromJson(const nlohmann::json& j, const HwConfig& base, const std::string& where) {
  if (!j.is_object()) Bad(where, "hardware knobs must be a JSON object, got " + j.dump());
  static const std::set<std::string> kKnown = {
      "profile", "rounding", "acc_bits", "acc_overflow", "requant_mult_bits", "lut_index_bits",
      "output_bits", "weight_scale", "output_scale_divisor", "description", "name"};
  HwConfig c = base;
  bool changed = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const nlohmann::json& v = it.value();
    if (!kKnown.count(k)) {
      Bad(where, "unknown knob '" + k + "' (known: profile, rounding, acc_bits, acc_overflow, "
                 "requant_mult_bits, lut_index_bits, output_bits, weight_scale, output_scale_divisor)");
    }
    if (k == "description" || k == "name") continue;
    changed = true;
    if (k == "profile") {
      c.profile = Pick<Profile>(v, where, "profile",
                                {{"int-lut", Profile::kIntLut}, {"fp32-sfu", Profile::kFp32Sfu}});
    } else if (k == "rounding") {
      if (!v.is_string()) Bad(where, "knob 'rounding' must be a string, got " + v.dump());
      c.rounding = RoundingFromString(v.get<std::string>(), where);
    } else if (k == "acc_bits") {
      c.acc_bits = PickInt(v, where, "acc_bits", 16, 32);
    } else if (k == "acc_overflow") {
      c.acc_overflow = Pick<Overflow>(v, where, "acc_overflow",
                                      {{"saturate", Overflow::kSaturate}, {"wrap", Overflow::kWrap}});
    } else if (k == "requant_mult_bits") {
      c.requant_mult_bits = PickInt(v, where, "requant_mult_bits", 2, 31);
    } else if (k == "lut_index_bits") {
      c.lut_index_bits = PickInt(v, where, "lut_index_bits", 4, 20);
    } else if (k == "output_bits") {
      c.output_bits = PickInt(v, where, "output_bits", 2, 24);
    } else if (k == "weight_scale") {
      c.weight_scale = Pick<WeightScaleMode>(
          v, where, "weight_scale",
          {{"per-tensor", WeightScaleMode::kPerTensor}, {"per-channel", WeightScaleMode::kPerChannel}});
    } else if (k == "output_scale_divisor") {
      if (!v.is_number()) Bad(where, "knob 'output_scale_divisor' must be a number, got " + v.dump());
      const double d = v.get<double>();
      if (!std::isfinite(d) || d < 1.0 || d > 1.0e6) {
        Bad(where, "knob 'output_scale_divisor' = " + v.dump() + " must be finite and in [1, 1e6]");
      }
      c.output_scale_divisor = static_cast<float>(d);
    }
  }
  if (changed && j.contains("name") && j["name"].is_string()) {
    c.name = j["name"].get<std::string>();
  } else if (changed) {
    c.name = "custom";
  }
  c.Validate(where);
  return c;
}

void HwConfig::Validate(const std::string& where) const {
  if (acc_bits < 16 || acc_bits > 32) Bad(where, "acc_bits out of range [16, 32]");
  if (requant_mult_bits < 2 || requant_mult_bits > 31) Bad(where, "requant_mult_bits out of range [2, 31]");
  if (lut_index_bits < 4 || lut_index_bits > 20) Bad(where, "lut_index_bits out of range [4, 20]");
  if (output_bits < 2 || output_bits > 24) Bad(where, "output_bits out of range [2, 24]");
  if (!(output_scale_divisor >= 1.0f) || !std::isfinite(output_scale_divisor)) {
    Bad(where, "output_scale_divisor must be finite and >= 1");
  }
}

HwConfig HwConfig::Named(const std::string& name) {
  const auto& profiles = ProfilesDoc().at("profiles");
  if (!profiles.contains(name)) {
    std::string known;
    for (auto it = profiles.begin(); it != profiles.end(); ++it) known += (known.empty() ? "" : ", ") + it.key();
    throw Error(ExitCode::kUsage, "unknown hardware profile '" + name + "' (known: " + known + ")");
  }
  HwConfig c = FromJson(profiles.at(name), HwConfig{}, "sim/profiles.json:" + name);
  c.name = name;
  return c;
}

std::vector<std::string> HwConfig::ProfileNames() {
  std::vector<std::string> out;
  const auto& profiles = ProfilesDoc().at("profiles");
  for (auto it = profiles.begin(); it != profiles.end(); ++it) out.push_back(it.key());
  return out;
}

std::string HwConfig::DefaultProfileName() { return ProfilesDoc().at("default").get<std::string>(); }

nlohmann::json HwConfig::ToJson() const {
  nlohmann::json j;
  j["name"] = name;
  j["profile"] = ToString(profile);
  j["rounding"] = ToString(rounding);
  j["acc_bits"] = acc_bits;
  j["acc_overflow"] = ToString(acc_overflow);
  j["requant_mult_bits"] = requant_mult_bits;
  j["lut_index_bits"] = lut_index_bits;
  j["output_bits"] = output_bits;
  j["weight_scale"] = ToString(weight_scale);
  j["output_scale_divisor"] = output_scale_divisor;
  return j;
}

}  // namespace cosim
