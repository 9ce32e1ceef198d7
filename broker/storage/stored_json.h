#pragma once

// The JSON the broker itself stored, read back: arrays of flat objects
// (a quote's lines, discounts and programs; a purchase's lines), as
// PostgreSQL prints jsonb. Parsed with simdjson: building a tree of
// nlohmann::json values (a std::map per object) cost about 30k instructions
// per array, most of a commit's first read (bench/instructions.sh). A
// malformed array is a bug, thrown as std::runtime_error like any other
// broken row.

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loyalty::broker::stored_json {

// Calls `each` with every object of the array `text`, in order. The object
// is valid only during the call.
void ForEachObject(std::string_view text,
                   const std::function<void(const simdjson::dom::object&)>& each);

// The string members of the array `text`; other members are skipped.
std::vector<std::string> Strings(std::string_view text);

// Members of an object; a required one missing or of another type throws.
int64_t Int(const simdjson::dom::object& object, const char* key);
bool Bool(const simdjson::dom::object& object, const char* key);
std::string Text(const simdjson::dom::object& object, const char* key);
// Null or absent read as empty.
std::string TextOrEmpty(const simdjson::dom::object& object, const char* key);
std::optional<int64_t> IntOrNull(const simdjson::dom::object& object, const char* key);

}  // namespace loyalty::broker::stored_json
