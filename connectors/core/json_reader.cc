#include "connectors/core/json_reader.h"

#include <algorithm>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "connectors/core/decimal.h"

namespace loyalty::connectors::json_reader {

using nlohmann::json;

const json& Field(const json& object, const char* name) {
  if (!object.is_object() || !object.contains(name)) throw BadField{absl::StrCat(name, " missing")};
  return object.at(name);
}

int64_t Units(const json& object, const char* name, int scale) {
  absl::StatusOr<int64_t> units = JsonToUnits(Field(object, name), scale);
  if (!units.ok()) throw BadField{absl::StrCat(name, ": ", units.status().message())};
  return *units;
}

int64_t OptionalUnits(const json& object, const char* name, int scale) {
  if (!object.is_object() || !object.contains(name) || object.at(name).is_null()) return 0;
  return Units(object, name, scale);
}

std::string Text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
  if (value.is_null()) return "";
  throw BadField{absl::StrCat("expected text, got ", value.type_name())};
}

std::string OptionalText(const json& object, const char* name) {
  if (!object.is_object() || !object.contains(name)) return "";
  return Text(object.at(name));
}

int64_t Integer(const json& value, const char* what) {
  if (value.is_number_integer() || value.is_number_unsigned()) return value.get<int64_t>();
  int64_t parsed = 0;
  if (value.is_string() && absl::SimpleAtoi(value.get<std::string>(), &parsed)) return parsed;
  throw BadField{absl::StrCat(what, ": expected an integer")};
}

bool Boolean(const json& object, const char* name) {
  const json& value = Field(object, name);
  if (!value.is_boolean()) throw BadField{absl::StrCat(name, ": expected true or false")};
  return value.get<bool>();
}

namespace {

// Deepest nesting of arrays and objects, strings skipped; stops counting
// past `limit`.
int NestingDepth(std::string_view body, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

nlohmann::json ParseVendorJson(std::string_view body) {
  if (NestingDepth(body, kMaxVendorJsonDepth) > kMaxVendorJsonDepth) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

}  // namespace loyalty::connectors::json_reader
