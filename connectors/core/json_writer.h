#pragma once

// Writes vendor request bodies. nlohmann::json can only hold money as a
// double; this writer emits exact decimal literals from integer units, so
// what the vendor reads is exactly what the broker meant.

#include <cstdint>
#include <string>
#include <string_view>

namespace loyalty::connectors {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  // `units` of 10^-scale, written as a JSON number: (12345, 2) -> 123.45.
  JsonWriter& Decimal(int64_t units, int scale);
  JsonWriter& Bool(bool value);

  const std::string& str() const { return out_; }

 private:
  void Separate();

  std::string out_;
  bool need_comma_ = false;
};

}  // namespace loyalty::connectors
