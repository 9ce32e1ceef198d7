#include "connectors/core/json_in_place.h"

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "connectors/core/decimal.h"

namespace loyalty::connectors::json_reader {

namespace {

using simdjson::dom::element_type;

// nlohmann's names, for the same error texts.
const char* TypeName(Element value) {
  switch (value.type()) {
    case element_type::OBJECT:
      return "object";
    case element_type::ARRAY:
      return "array";
    case element_type::STRING:
      return "string";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "number";
    case element_type::BOOL:
      return "boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "discarded";
}

// The last member named `name`, as nlohmann keeps the last of duplicates.
std::optional<Element> Member(Element object, const char* name) {
  if (object.type() != element_type::OBJECT) return std::nullopt;
  std::optional<Element> found;
  const std::string_view wanted(name);
  // Held by name: a range over a temporary's member would dangle.
  const simdjson::dom::object members = object.get_object().value_unsafe();
  for (const simdjson::dom::key_value_pair member : members) {
    if (member.key == wanted) found = member.value;
  }
  return found;
}

// A number as nlohmann's tree holds it: a non-negative integer unsigned, a
// negative one signed, any other a double.
absl::StatusOr<int64_t> UnitsOf(Element value, int scale) {
  switch (value.type()) {
    case element_type::INT64: {
      const int64_t number = value.get_int64().value_unsafe();
      return number >= 0 ? JsonToUnits(nlohmann::json(static_cast<uint64_t>(number)), scale)
                         : JsonToUnits(nlohmann::json(number), scale);
    }
    case element_type::UINT64:
      return JsonToUnits(nlohmann::json(value.get_uint64().value_unsafe()), scale);
    case element_type::DOUBLE:
      return JsonToUnits(nlohmann::json(value.get_double().value_unsafe()), scale);
    case element_type::STRING:
      return ParseDecimal(value.get_string().value_unsafe(), scale);
    default:
      return absl::InvalidArgumentError(absl::StrCat("expected a number, got ", TypeName(value)));
  }
}

}  // namespace

InPlace ReadInPlace(std::string_view body, Element* root) {
  // simdjson counts the nesting itself (its root is one level more than ours).
  thread_local simdjson::dom::parser parser = [] {
    simdjson::dom::parser made;
    if (made.allocate(4096, kMaxVendorJsonDepth + 1) != simdjson::SUCCESS) {
      throw std::runtime_error("simdjson: no memory for a parser");
    }
    return made;
  }();
  const simdjson::error_code error = parser.parse(body.data(), body.size()).get(*root);
  if (error == simdjson::SUCCESS) return InPlace::kRead;
  return error == simdjson::DEPTH_ERROR ? InPlace::kRefused : InPlace::kOtherReader;
}

Element Field(Element object, const char* name) {
  std::optional<Element> member = Member(object, name);
  if (!member.has_value()) throw BadField{absl::StrCat(name, " missing")};
  return *member;
}

int64_t Units(Element object, const char* name, int scale) {
  absl::StatusOr<int64_t> units = UnitsOf(Field(object, name), scale);
  if (!units.ok()) throw BadField{absl::StrCat(name, ": ", units.status().message())};
  return *units;
}

int64_t OptionalUnits(Element object, const char* name, int scale) {
  std::optional<Element> member = Member(object, name);
  if (!member.has_value() || member->type() == element_type::NULL_VALUE) return 0;
  absl::StatusOr<int64_t> units = UnitsOf(*member, scale);
  if (!units.ok()) throw BadField{absl::StrCat(name, ": ", units.status().message())};
  return *units;
}

std::string Text(Element value) {
  switch (value.type()) {
    case element_type::STRING:
      return std::string(value.get_string().value_unsafe());
    case element_type::INT64:
      return absl::StrCat(value.get_int64().value_unsafe());
    case element_type::UINT64:
      return absl::StrCat(value.get_uint64().value_unsafe());
    case element_type::NULL_VALUE:
      return "";
    default:
      throw BadField{absl::StrCat("expected text, got ", TypeName(value))};
  }
}

std::string OptionalText(Element object, const char* name) {
  std::optional<Element> member = Member(object, name);
  return member.has_value() ? Text(*member) : "";
}

bool IsObject(Element value) { return value.type() == element_type::OBJECT; }

bool IsTrue(Element value) {
  return value.type() == element_type::BOOL && value.get_bool().value_unsafe();
}

std::optional<Element> ObjectMember(Element object, const char* name) {
  std::optional<Element> member = Member(object, name);
  if (member.has_value() && member->type() != element_type::OBJECT) return std::nullopt;
  return member;
}

}  // namespace loyalty::connectors::json_reader
