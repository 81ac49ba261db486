// json_util.h: strict helpers over nlohmann::json for config and manifest files.
//
// Contract:
//  - ParseJsonFile/ParseJsonText: standard JSON only (no comments, no trailing text); a parse
//    error is cosim::Error(kBadInput) "<name>: invalid JSON at byte offset N: <detail>";
//    a missing/unreadable file is kIo.
//  - Get<Type>(j, key, ctx): j must be an object holding `key` with a value of exactly that
//    JSON type, else kBadInput "<ctx>: missing field 'key'" / "<ctx>: field 'key' must be a
//    <type>, got <value>". GetInt accepts only integer literals that fit int64_t (1.0 is
//    rejected). null is a wrong type, not "missing".
//  - Get<Type>Or(j, key, def, ctx): the same, but returns `def` when the key is absent.
//    GetObjectOr/GetArrayOr return a shared empty object/array when absent.
//  - RequireFinitePositive: NaN, +-Inf and <= 0 are kBadInput "<what>: must be a finite
//    positive number, got <v>".
//  - DumpJsonStable: 2-space indent, object keys sorted (nlohmann::json's std::map order),
//    non-ASCII UTF-8 kept as is, trailing '\n'. Byte-identical for equal values. Non-finite
//    numbers (which JSON cannot hold) are kInternal naming the JSON pointer; invalid UTF-8
//    in strings is kBadInput.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/core/error.h"

namespace cosim::vec {

nlohmann::json ParseJsonFile(const std::string& path);
// Documents nested deeper than this are rejected (kBadInput) before they are parsed.
constexpr size_t kMaxJsonDepth = 256;
nlohmann::json ParseJsonText(const std::string& text, const std::string& name);

double GetNumber(const nlohmann::json& j, const char* key, const std::string& ctx);
int64_t GetInt(const nlohmann::json& j, const char* key, const std::string& ctx);
std::string GetString(const nlohmann::json& j, const char* key, const std::string& ctx);
bool GetBool(const nlohmann::json& j, const char* key, const std::string& ctx);
const nlohmann::json& GetObject(const nlohmann::json& j, const char* key,
                                const std::string& ctx);
const nlohmann::json& GetArray(const nlohmann::json& j, const char* key,
                               const std::string& ctx);

double GetNumberOr(const nlohmann::json& j, const char* key, double def,
                   const std::string& ctx);
int64_t GetIntOr(const nlohmann::json& j, const char* key, int64_t def,
                 const std::string& ctx);
std::string GetStringOr(const nlohmann::json& j, const char* key, const std::string& def,
                        const std::string& ctx);
bool GetBoolOr(const nlohmann::json& j, const char* key, bool def, const std::string& ctx);
const nlohmann::json& GetObjectOr(const nlohmann::json& j, const char* key,
                                  const std::string& ctx);
const nlohmann::json& GetArrayOr(const nlohmann::json& j, const char* key,
                                 const std::string& ctx);

void RequireFinitePositive(double v, const std::string& what);

std::string DumpJsonStable(const nlohmann::json& j);

}  // namespace cosim::vec
