// knobs.cpp: Knobs <-> JSON, knob validation, mode names.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "gpu_ref/floatsim.h"

namespace cosim::fsim {
namespace {

template <class E, size_t N>
E EnumFromJson(const nlohmann::json& v, const char* key, const char* const (&names)[N]) {
  if (!v.is_string()) throw std::invalid_argument(std::string("knobs.") + key + " must be a string");
  const std::string s = v.get<std::string>();
  std::string allowed;
  for (size_t i = 0; i < N; ++i) {
    if (s == names[i]) return static_cast<E>(i);
    allowed += (i ? ", \"" : "\"") + std::string(names[i]) + "\"";
  }
  throw std::invalid_argument(std::string("knobs.") + key + " = \"" + s + "\" is not one of " +
                              allowed);
}

int IntFromJson(const nlohmann::json& v, const char* key) {
  if (!v.is_number_integer())
    throw std::invalid_argument(std::string("knobs.") + key + " must be an integer");
  return v.get<int>();
}

void CheckRange(const char* key, int v, int lo, int hi) {
  if (v < lo || v > hi)
    throw std::invalid_argument(std::string("knobs.") + key + " = " + std::to_string(v) +
                                " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
}

constexpr const char* kProfileNames[] = {"int-lut", "fp32-sfu"};
constexpr const char* kRoundingNames[] = {"half-away", "half-even", "half-up", "truncate"};
constexpr const char* kOverflowNames[] = {"saturate", "wrap"};
constexpr const char* kWeightScaleNames[] = {"per-tensor", "per-channel"};
constexpr const char* kModeNames[] = {"int8-quamba",      "int8-quamba-fastexp",
                                      "int8-asic",        "fp32-upper-bound",
                                      "float-sim-int8",   "research-se-enhance",
                                      "research-se-refine", "naive-fake-quant"};

}  // namespace

Knobs Knobs::FromJson(const nlohmann::json& j, const Knobs& base) {
  if (!j.is_object()) throw std::invalid_argument("knobs must be a JSON object");
  Knobs k = base;
  for (const auto& [key, v] : j.items()) {
    if (key == "profile") {
      k.profile = EnumFromJson<Profile>(v, "profile", kProfileNames);
    } else if (key == "rounding") {
      k.rounding = EnumFromJson<Rounding>(v, "rounding", kRoundingNames);
    } else if (key == "acc_bits") {
      k.acc_bits = IntFromJson(v, "acc_bits");
    } else if (key == "acc_overflow") {
      k.acc_overflow = EnumFromJson<AccOverflow>(v, "acc_overflow", kOverflowNames);
    } else if (key == "requant_mult_bits") {
      k.requant_mult_bits = IntFromJson(v, "requant_mult_bits");
    } else if (key == "lut_index_bits") {
      k.lut_index_bits = IntFromJson(v, "lut_index_bits");
    } else if (key == "output_bits") {
      k.output_bits = IntFromJson(v, "output_bits");
    } else if (key == "weight_scale") {
      k.weight_scale = EnumFromJson<WeightScale>(v, "weight_scale", kWeightScaleNames);
    } else if (key == "output_scale_divisor") {
      if (!v.is_number()) throw std::invalid_argument("knobs.output_scale_divisor must be a number");
      k.output_scale_divisor = static_cast<float>(v.get<double>());  // binary64 -> binary32, RN
    } else if (key != "name" && key != "description") {
      throw std::invalid_argument("knobs: unknown key \"" + key + "\"");
    }
  }
  k.Validate();
  return k;
}

nlohmann::json Knobs::ToJson() const {
  return {{"profile", ProfileName(profile)},
          {"rounding", RoundingName(rounding)},
          {"acc_bits", acc_bits},
          {"acc_overflow", kOverflowNames[static_cast<int>(acc_overflow)]},
          {"requant_mult_bits", requant_mult_bits},
          {"lut_index_bits", lut_index_bits},
          {"output_bits", output_bits},
          {"weight_scale", kWeightScaleNames[static_cast<int>(weight_scale)]},
          {"output_scale_divisor", output_scale_divisor}};
}

void Knobs::Validate() const {
  CheckRange("profile", static_cast<int>(profile), 0, 1);
  CheckRange("rounding", static_cast<int>(rounding), 0, 3);
  CheckRange("acc_bits", acc_bits, 16, 32);
  CheckRange("acc_overflow", static_cast<int>(acc_overflow), 0, 1);
  CheckRange("requant_mult_bits", requant_mult_bits, 2, 31);
  CheckRange("lut_index_bits", lut_index_bits, 4, 20);
  CheckRange("output_bits", output_bits, 2, 24);
  CheckRange("weight_scale", static_cast<int>(weight_scale), 0, 1);
  if (!(std::isfinite(output_scale_divisor) && output_scale_divisor >= 1.0f))
    throw std::invalid_argument("knobs.output_scale_divisor = " +
                                std::to_string(output_scale_divisor) +
                                " must be a finite binary32 >= 1");
}

bool Knobs::operator==(const Knobs& o) const {
  return profile == o.profile && rounding == o.rounding && acc_bits == o.acc_bits &&
         acc_overflow == o.acc_overflow && requant_mult_bits == o.requant_mult_bits &&
         lut_index_bits == o.lut_index_bits && output_bits == o.output_bits &&
         weight_scale == o.weight_scale && output_scale_divisor == o.output_scale_divisor;
}

const char* ModeName(Mode m) { return kModeNames[static_cast<int>(m)]; }

Mode ModeFromName(const std::string& s) {
  std::string all;
  for (int i = 0; i < static_cast<int>(std::size(kModeNames)); ++i) {
    if (s == kModeNames[i]) return static_cast<Mode>(i);
    all += (i ? ", " : "") + std::string(kModeNames[i]);
  }
  throw std::invalid_argument("unknown mode \"" + s + "\"; modes: " + all);
}

std::vector<Mode> AllModes() {
  std::vector<Mode> m;
  for (int i = 0; i < static_cast<int>(std::size(kModeNames)); ++i) m.push_back(static_cast<Mode>(i));
  return m;
}

const char* ProfileName(Profile p) { return kProfileNames[static_cast<int>(p)]; }
const char* RoundingName(Rounding r) { return kRoundingNames[static_cast<int>(r)]; }

bool ModeUsesKnobs(Mode m) {
  return m == Mode::kInt8Asic || m == Mode::kFloatSimInt8 || m == Mode::kResearchSeEnhance ||
         m == Mode::kResearchSeRefine;
}

int SuggestedRefineOutputBits(float factor, int base_bits) {
  int extra = 0;
  while (extra < 24 && std::ldexp(1.0, extra) < static_cast<double>(factor)) ++extra;
  return std::min(24, base_bits + extra);
}

}  // namespace cosim::fsim
