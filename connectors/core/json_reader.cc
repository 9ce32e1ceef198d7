#include "connectors/core/json_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <stdexcept>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "connectors/core/decimal.h"
#include "connectors/core/json_in_place.h"

namespace loyalty::connectors::json_reader {

using nlohmann::json;

namespace {

// The member `name` of `object`, or null when there is none: one look-up.
const json* Member(const json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

bool IsObject(const json& value) { return value.is_object(); }

bool IsTrue(const json& value) { return value.is_boolean() && value.get<bool>(); }

const json* ObjectMember(const json& object, const char* name) {
  const json* member = Member(object, name);
  return member != nullptr && member->is_object() ? member : nullptr;
}

const json& Field(const json& object, const char* name) {
  const json* member = Member(object, name);
  if (member == nullptr) throw BadField{absl::StrCat(name, " missing")};
  return *member;
}

int64_t Units(const json& object, const char* name, int scale) {
  absl::StatusOr<int64_t> units = JsonToUnits(Field(object, name), scale);
  if (!units.ok()) throw BadField{absl::StrCat(name, ": ", units.status().message())};
  return *units;
}

int64_t OptionalUnits(const json& object, const char* name, int scale) {
  const json* member = Member(object, name);
  if (member == nullptr || member->is_null()) return 0;
  absl::StatusOr<int64_t> units = JsonToUnits(*member, scale);
  if (!units.ok()) throw BadField{absl::StrCat(name, ": ", units.status().message())};
  return *units;
}

std::string Text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  // As dump() prints them, without the printer.
  if (value.is_number_unsigned()) return absl::StrCat(value.get<uint64_t>());
  if (value.is_number_integer()) return absl::StrCat(value.get<int64_t>());
  if (value.is_null()) return "";
  throw BadField{absl::StrCat("expected text, got ", value.type_name())};
}

std::string OptionalText(const json& object, const char* name) {
  const json* member = Member(object, name);
  return member == nullptr ? "" : Text(*member);
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

// The tree nlohmann's own parser would build from the same text: a
// non-negative integer as unsigned, a negative one as signed, any other
// number as a double (both read it correctly rounded), the last of
// duplicate keys kept.
json TreeOf(const simdjson::dom::element& element) {
  switch (element.type()) {
    case simdjson::dom::element_type::OBJECT: {
      // Held by name: a range over a temporary's member would dangle.
      const simdjson::dom::object members = element.get_object().value_unsafe();
      json object = json::object();
      for (const simdjson::dom::key_value_pair member : members) {
        object[std::string(member.key)] = TreeOf(member.value);
      }
      return object;
    }
    case simdjson::dom::element_type::ARRAY: {
      const simdjson::dom::array items = element.get_array().value_unsafe();
      json array = json::array();
      for (const simdjson::dom::element item : items) array.push_back(TreeOf(item));
      return array;
    }
    case simdjson::dom::element_type::STRING:
      return std::string(element.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64: {
      const int64_t value = element.get_int64().value_unsafe();
      if (value >= 0) return static_cast<uint64_t>(value);
      return value;
    }
    case simdjson::dom::element_type::UINT64:
      return element.get_uint64().value_unsafe();
    case simdjson::dom::element_type::DOUBLE:
      return element.get_double().value_unsafe();
    case simdjson::dom::element_type::BOOL:
      return element.get_bool().value_unsafe();
    case simdjson::dom::element_type::NULL_VALUE:
      return nullptr;
  }
  return json(json::value_t::discarded);
}

}  // namespace

nlohmann::json ParseVendorJson(std::string_view body) {
  const json refused(json::value_t::discarded);
  // Read with simdjson (json_in_place.h, the thread's one parser), then
  // built into the tree the connectors walk: nlohmann's own reading (its
  // lexer) was most of the 50k instructions a quote spent on its two vendor
  // answers (bench/instructions.sh).
  Element root;
  switch (ReadInPlace(body, &root)) {
    case InPlace::kRead:
      return TreeOf(root);
    case InPlace::kRefused:
      return refused;
    case InPlace::kOtherReader:
      break;
  }
  // Whatever else simdjson refuses (a byte order mark, integers past 64
  // bits, anything not JSON) is read again by nlohmann, whose answer stands;
  // a seeded test compares the two readers' trees. Deep nesting is refused
  // before it: it is how a recursive parser runs out of stack.
  if (NestingDepth(body, kMaxVendorJsonDepth) > kMaxVendorJsonDepth) return refused;
  return json::parse(body, nullptr, /*allow_exceptions=*/false);
}

}  // namespace loyalty::connectors::json_reader
