#pragma once

// Writes JSON straight into a string: vendor request bodies and the rows the
// broker stores as JSON. nlohmann::json can only hold money as a double; this
// writer emits exact decimal literals from integer units, so what the vendor
// reads is exactly what the broker meant. And it builds no tree of values
// first: building one and dumping it cost the broker more instructions per
// quote than anything else it did with the quote.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace loyalty::connectors {

// A member's name as the code spells it, checked when the program is
// compiled: plain printable ASCII, nothing to escape, so writing it is a
// copy (the check at run time was about half of writing a key). A name made
// at run time goes through JsonWriter::KeyText.
class JsonKey {
 public:
  template <size_t N>
  consteval JsonKey(const char (&name)[N])  // NOLINT(google-explicit-constructor): literals
      : name_(name, N - 1) {
    for (char c : name_) {
      // Not a constant expression, so no program that reaches it compiles.
      if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') throw "a JSON key to escape";
    }
  }
  constexpr std::string_view name() const { return name_; }

 private:
  std::string_view name_;
};

class JsonWriter {
 public:
  JsonWriter() { out_.reserve(kFirstCapacity); }

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(JsonKey key);
  // A name made at run time (escaped as a string is).
  JsonWriter& KeyText(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  // `units` of 10^-scale, written as a JSON number: (12345, 2) -> 123.45.
  JsonWriter& Decimal(int64_t units, int scale);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // null when empty / absent.
  JsonWriter& StringOrNull(std::string_view value);
  JsonWriter& IntOrNull(const std::optional<int64_t>& value);
  // A value already written as JSON (by another JsonWriter), taken as is.
  JsonWriter& Raw(std::string_view json);

  // Members: the key, then its value.
  JsonWriter& BeginObject(JsonKey key) { return Key(key).BeginObject(); }
  JsonWriter& BeginArray(JsonKey key) { return Key(key).BeginArray(); }
  JsonWriter& String(JsonKey key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Int(JsonKey key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Bool(JsonKey key, bool value) { return Key(key).Bool(value); }
  JsonWriter& StringOrNull(JsonKey key, std::string_view value) {
    return Key(key).StringOrNull(value);
  }
  JsonWriter& IntOrNull(JsonKey key, const std::optional<int64_t>& value) {
    return Key(key).IntOrNull(value);
  }
  JsonWriter& Raw(JsonKey key, std::string_view json) { return Key(key).Raw(json); }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Separate();

  // Room for a vendor request or a small row from the start: grown from
  // nothing, the string was copied five or six times on its way.
  static constexpr size_t kFirstCapacity = 512;

  std::string out_;
  bool need_comma_ = false;
};

// Appends `text` as a JSON string literal, quotes included. Text may come
// from a vendor, so bytes that are not UTF-8 are each replaced with U+FFFD,
// exactly as nlohmann::json's dump with error_handler_t::replace does.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace loyalty::connectors
