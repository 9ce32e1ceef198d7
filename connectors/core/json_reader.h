#pragma once

// Reading vendor JSON, which is untrusted input. Parsers read fields through
// these helpers; a missing or mistyped field throws BadField, which the
// parser's edge turns into a failure naming the field. Numbers become integer
// units exactly (see decimal.h).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace loyalty::connectors::json_reader {

struct BadField {
  std::string what;
};

// Nesting deeper than this is refused, before any recursive parser sees it:
// no vendor document nests more than a few levels, and deep input is how a
// parser or a printer of it runs out of stack.
inline constexpr int kMaxVendorJsonDepth = 64;

// `body` parsed, or a discarded value (is_discarded()) when it is not JSON
// or nests deeper than kMaxVendorJsonDepth. Read with simdjson, built into
// the same tree nlohmann's parser would build (nlohmann reads what simdjson
// refuses, and decides).
nlohmann::json ParseVendorJson(std::string_view body);

// The member `name` of `object`; throws when `object` is not an object or
// lacks it.
const nlohmann::json& Field(const nlohmann::json& object, const char* name);

// A number or numeric string as 10^-scale units.
int64_t Units(const nlohmann::json& object, const char* name, int scale);
// Same; 0 when the member is missing or null.
int64_t OptionalUnits(const nlohmann::json& object, const char* name, int scale);

// A string, or an integer written as text ("42"); "" for null.
std::string Text(const nlohmann::json& value);
// Same; "" when the member is missing.
std::string OptionalText(const nlohmann::json& object, const char* name);

// An integer, or a string holding one ("1").
int64_t Integer(const nlohmann::json& value, const char* what);

// True for an object / for the boolean true; the member `name` when it is an
// object (null otherwise). json_in_place.h has the same over simdjson.
bool IsObject(const nlohmann::json& value);
bool IsTrue(const nlohmann::json& value);
const nlohmann::json* ObjectMember(const nlohmann::json& object, const char* name);
// A JSON boolean; throws on anything else.
bool Boolean(const nlohmann::json& object, const char* name);

}  // namespace loyalty::connectors::json_reader
