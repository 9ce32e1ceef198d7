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
  l.line.line_no = r["line_no"].as<int32_t>();
  l.line.sku = r["sku"].as<std::string>();
  l.line.barcode = r["barcode"].as<std::string>();
  l.line.quantity_milli = r["quantity_milli"].as<int64_t>();
  l.line.unit_price_minor = r["unit_price_minor"].as<int64_t>();
  l.line.min_unit_price_minor = r["min_unit_price_minor"].as<int64_t>();
  l.line.total_before_minor = r["total_before_minor"].as<int64_t>();
  l.line.discount_minor = r["discount_minor"].as<int64_t>();
  l.line.min_total_minor = r["min_total_minor"].as<int64_t>();
  return l;
}

void AttachDiscountRow(const pqxx::row& row, std::vector<QuoteLineRecord>& lines) {
  const int32_t line_no = row["line_no"].as<int32_t>();
  for (auto& l : lines) {
    if (l.line.line_no != line_no) continue;
    l.discount_program_ids.push_back(row["program_id"].as<int64_t>());
    l.discounts.push_back({.line_no = line_no,
                           .amount_minor = row["amount_minor"].as<int64_t>(),
                           .campaign_name = row["campaign"].as<std::string>(),
                           .campaign_code = row["campaign_code"].as<std::string>(),
                           .coupon = row["coupon"].as<std::string>()});
  }
}

std::optional<int64_t> OptionalNumberFromText(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return std::stoll(text);
}

}  // namespace loyalty::broker
