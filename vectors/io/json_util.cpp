// json_util.cpp: see json_util.h for the contract.
#include "vectors/io/json_util.h"

#include <algorithm>

#include <cmath>
#include <cstdio>
#include <limits>

#include "vectors/io/atomic_file.h"

namespace cosim::vec {

using nlohmann::json;

namespace {

// A short rendering of a value for error messages.
std::string Brief(const json& v) {
  std::string s;
  try {
    s = v.dump(-1, ' ', true, json::error_handler_t::replace);
  } catch (const json::exception&) {
    s = "<unprintable>";
  }
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return std::string(v.type_name()) + " " + s;
}

[[noreturn]] void Bad(const std::string& msg) { throw Error(ExitCode::kBadInput, msg); }

void RequireObject(const json& j, const std::string& ctx) {
  if (!j.is_object()) Bad(ctx + ": expected a JSON object, got " + Brief(j));
}

// The value of `key`, or nullptr when absent. Throws if j is not an object.
const json* Find(const json& j, const char* key, const std::string& ctx) {
  RequireObject(j, ctx);
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

const json& Need(const json& j, const char* key, const std::string& ctx) {
  const json* v = Find(j, key, ctx);
  if (v == nullptr) Bad(ctx + ": missing field '" + key + "'");
  return *v;
}

[[noreturn]] void WrongType(const json& v, const char* key, const char* want,
                            const std::string& ctx) {
  Bad(ctx + ": field '" + key + "' must be " + want + ", got " + Brief(v));
}

double AsNumber(const json& v, const char* key, const std::string& ctx) {
  if (!v.is_number()) WrongType(v, key, "a number", ctx);
  return v.get<double>();
}

int64_t AsInt(const json& v, const char* key, const std::string& ctx) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      Bad(ctx + ": field '" + key + "' is out of range for a 64-bit integer: " + v.dump());
    }
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  WrongType(v, key, "an integer", ctx);
}

std::string AsString(const json& v, const char* key, const std::string& ctx) {
  if (!v.is_string()) WrongType(v, key, "a string", ctx);
  return v.get<std::string>();
}

bool AsBool(const json& v, const char* key, const std::string& ctx) {
  if (!v.is_boolean()) WrongType(v, key, "a boolean", ctx);
  return v.get<bool>();
}

const json& AsObject(const json& v, const char* key, const std::string& ctx) {
  if (!v.is_object()) WrongType(v, key, "an object", ctx);
  return v;
}

const json& AsArray(const json& v, const char* key, const std::string& ctx) {
  if (!v.is_array()) WrongType(v, key, "an array", ctx);
  return v;
}

// Strips nlohmann's "[json.exception.parse_error.101] " prefix.
std::string Detail(const json::exception& e) {
  std::string s = e.what();
  if (s.rfind("[json.exception.", 0) == 0) {
    const size_t close = s.find("] ");
    if (close != std::string::npos) s = s.substr(close + 2);
  }
  return s;
}

std::string EscapePointerToken(const std::string& t) {
  std::string out;
  for (char c : t) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

void CheckFinite(const json& j, const std::string& where) {
  if (j.is_number_float()) {
    const double d = j.get<double>();
    if (!std::isfinite(d)) {
      throw Error(ExitCode::kInternal, "DumpJsonStable: non-finite number at '" +
                                           (where.empty() ? std::string("/") : where) +
                                           "' (JSON cannot represent NaN or Inf)");
    }
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      CheckFinite(it.value(), where + "/" + EscapePointerToken(it.key()));
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) CheckFinite(j[i], where + "/" + std::to_string(i));
  }
}

}  // namespace

// Nesting depth of arrays and objects (outside strings). Deeply nested input is rejected before
// parsing: building, printing or destroying such a document recurses once per level.
static size_t NestingDepth(const std::string& text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

json ParseJsonText(const std::string& text, const std::string& name) {
  if (NestingDepth(text) > kMaxJsonDepth) {
    Bad(name + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    Bad(name + ": invalid JSON at byte offset " + std::to_string(e.byte) + ": " + Detail(e));
  } catch (const json::exception& e) {
    Bad(name + ": invalid JSON: " + Detail(e));
  }
}

json ParseJsonFile(const std::string& path) { return ParseJsonText(ReadFile(path), path); }

double GetNumber(const json& j, const char* key, const std::string& ctx) {
  return AsNumber(Need(j, key, ctx), key, ctx);
}
int64_t GetInt(const json& j, const char* key, const std::string& ctx) {
  return AsInt(Need(j, key, ctx), key, ctx);
}
std::string GetString(const json& j, const char* key, const std::string& ctx) {
  return AsString(Need(j, key, ctx), key, ctx);
}
bool GetBool(const json& j, const char* key, const std::string& ctx) {
  return AsBool(Need(j, key, ctx), key, ctx);
}
const json& GetObject(const json& j, const char* key, const std::string& ctx) {
  return AsObject(Need(j, key, ctx), key, ctx);
}
const json& GetArray(const json& j, const char* key, const std::string& ctx) {
  return AsArray(Need(j, key, ctx), key, ctx);
}

double GetNumberOr(const json& j, const char* key, double def, const std::string& ctx) {
  const json* v = Find(j, key, ctx);
  return v ? AsNumber(*v, key, ctx) : def;
}
int64_t GetIntOr(const json& j, const char* key, int64_t def, const std::string& ctx) {
  const json* v = Find(j, key, ctx);
  return v ? AsInt(*v, key, ctx) : def;
}
std::string GetStringOr(const json& j, const char* key, const std::string& def,
                        const std::string& ctx) {
  const json* v = Find(j, key, ctx);
  return v ? AsString(*v, key, ctx) : def;
}
bool GetBoolOr(const json& j, const char* key, bool def, const std::string& ctx) {
  const json* v = Find(j, key, ctx);
  return v ? AsBool(*v, key, ctx) : def;
}
const json& GetObjectOr(const json& j, const char* key, const std::string& ctx) {
  static const json kEmpty = json::object();
  const json* v = Find(j, key, ctx);
  return v ? AsObject(*v, key, ctx) : kEmpty;
}
const json& GetArrayOr(const json& j, const char* key, const std::string& ctx) {
  static const json kEmpty = json::array();
  const json* v = Find(j, key, ctx);
  return v ? AsArray(*v, key, ctx) : kEmpty;
}

void RequireFinitePositive(double v, const std::string& what) {
  if (std::isfinite(v) && v > 0) return;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  Bad(what + ": must be a finite positive number, got " + buf);
}

std::string DumpJsonStable(const json& j) {
  CheckFinite(j, "");
  try {
    return j.dump(2, ' ', false, json::error_handler_t::strict) + "\n";
  } catch (const json::exception& e) {
    Bad("DumpJsonStable: cannot serialize: " + Detail(e));
  }
}

}  // namespace cosim::vec
