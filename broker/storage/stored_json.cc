#include "broker/storage/stored_json.h"

#include <stdexcept>

#include "absl/strings/str_cat.h"

namespace loyalty::broker::stored_json {
namespace {

// One parser per thread: it keeps its buffers between documents, and a
// document lives until the thread's next parse.
simdjson::dom::array ParsedArray(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::array array;
  // The text is copied into a padded buffer, as simdjson reads past its end.
  const simdjson::error_code error = parser.parse(text.data(), text.size()).get_array().get(array);
  if (error != simdjson::SUCCESS) {
    throw std::runtime_error(
        absl::StrCat("expected a JSON array from the database: ", simdjson::error_message(error)));
  }
  return array;
}

[[noreturn]] void Throw(const char* key, simdjson::error_code error) {
  throw std::runtime_error(
      absl::StrCat("stored JSON member ", key, ": ", simdjson::error_message(error)));
}

}  // namespace

void ForEachObject(std::string_view text,
                   const std::function<void(const simdjson::dom::object&)>& each) {
  for (simdjson::dom::element element : ParsedArray(text)) {
    simdjson::dom::object object;
    if (const auto error = element.get_object().get(object); error != simdjson::SUCCESS) {
      Throw("(array member)", error);
    }
    each(object);
  }
}

std::vector<std::string> Strings(std::string_view text) {
  std::vector<std::string> strings;
  for (simdjson::dom::element element : ParsedArray(text)) {
    std::string_view value;
    if (element.get_string().get(value) == simdjson::SUCCESS) strings.emplace_back(value);
  }
  return strings;
}

int64_t Int(const simdjson::dom::object& object, const char* key) {
  int64_t value = 0;
  if (const auto error = object.at_key(key).get_int64().get(value); error != simdjson::SUCCESS) {
    Throw(key, error);
  }
  return value;
}

bool Bool(const simdjson::dom::object& object, const char* key) {
  bool value = false;
  if (const auto error = object.at_key(key).get_bool().get(value); error != simdjson::SUCCESS) {
    Throw(key, error);
  }
  return value;
}

std::string Text(const simdjson::dom::object& object, const char* key) {
  std::string_view value;
  if (const auto error = object.at_key(key).get_string().get(value); error != simdjson::SUCCESS) {
    Throw(key, error);
  }
  return std::string(value);
}

std::string TextOrEmpty(const simdjson::dom::object& object, const char* key) {
  simdjson::dom::element element;
  if (object.at_key(key).get(element) != simdjson::SUCCESS || element.is_null()) return "";
  std::string_view value;
  if (const auto error = element.get_string().get(value); error != simdjson::SUCCESS) {
    Throw(key, error);
  }
  return std::string(value);
}

std::optional<int64_t> IntOrNull(const simdjson::dom::object& object, const char* key) {
  simdjson::dom::element element;
  if (object.at_key(key).get(element) != simdjson::SUCCESS || element.is_null()) {
    return std::nullopt;
  }
  int64_t value = 0;
  if (const auto error = element.get_int64().get(value); error != simdjson::SUCCESS) {
    Throw(key, error);
  }
  return value;
}

}  // namespace loyalty::broker::stored_json
