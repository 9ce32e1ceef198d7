#pragma once

// Small conversions between records and SQL parameters or columns.

#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "broker/core/records.h"
#include "connectors/core/types.h"

namespace loyalty::broker {

// NULL for an empty string (pqxx sends a null const char* as SQL NULL).
inline const char* NullIfEmpty(const std::string& value) {
  return value.empty() ? nullptr : value.c_str();
}

// An optional number as a nullable text parameter (cast in the SQL):
// libpqxx 6 has no optional parameters. Use inside the call's expression.
inline std::string OptionalNumberText(const std::optional<int64_t>& value) {
  return value ? std::to_string(*value) : std::string();
}
std::optional<int64_t> OptionalNumberFromText(const std::string& text);

std::string CustomerKindName(connectors::CustomerRef::Kind kind);
std::optional<connectors::CustomerRef::Kind> CustomerKindFromName(const std::string& name);

}  // namespace loyalty::broker
