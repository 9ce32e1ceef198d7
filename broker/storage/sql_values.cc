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

QuoteLineRecord LineFromRow(const pqxx::row& r) {
  QuoteLineRecord l;
  l.line.line_no = r[0].as<int32_t>();
  l.line.sku = r[1].as<std::string>();
  l.line.barcode = r[2].as<std::string>();
  l.line.quantity_milli = r[3].as<int64_t>();
  l.line.unit_price_minor = r[4].as<int64_t>();
  l.line.min_unit_price_minor = r[5].as<int64_t>();
  l.line.total_before_minor = r[6].as<int64_t>();
  l.line.discount_minor = r[7].as<int64_t>();
  l.line.min_total_minor = r[8].as<int64_t>();
  return l;
}

void AttachDiscountRow(const pqxx::row& row, std::vector<QuoteLineRecord>& lines) {
  const int32_t line_no = row[0].as<int32_t>();
  for (auto& l : lines) {
    if (l.line.line_no != line_no) continue;
    l.discount_program_ids.push_back(row[1].as<int64_t>());
    l.discounts.push_back({.line_no = line_no,
                           .amount_minor = row[3].as<int64_t>(),
                           .campaign_name = row[2].as<std::string>(),
                           .campaign_code = row[4].as<std::string>(),
                           .coupon = row[5].as<std::string>()});
  }
}

std::optional<int64_t> OptionalNumberFromText(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return std::stoll(text);
}

}  // namespace loyalty::broker
