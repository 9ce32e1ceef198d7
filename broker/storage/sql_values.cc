#include "broker/storage/sql_values.h"

namespace loyalty::broker {

using Kind = connectors::CustomerRef::Kind;

std::string CustomerKindName(Kind kind) {
  switch (kind) {
    case Kind::kPhone:
      return "phone";
    case Kind::kCard:
      return "card";
    case Kind::kAppCode:
      return "app_code";
    case Kind::kEmail:
      return "email";
    case Kind::kExternalId:
      return "external_id";
  }
  return "phone";
}

std::optional<Kind> CustomerKindFromName(const std::string& name) {
  for (Kind kind : {Kind::kPhone, Kind::kCard, Kind::kAppCode, Kind::kEmail, Kind::kExternalId}) {
    if (CustomerKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::optional<int64_t> OptionalNumberFromText(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return std::stoll(text);
}

}  // namespace loyalty::broker
