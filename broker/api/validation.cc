#include "broker/api/validation.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"

namespace loyalty::broker {
namespace {

constexpr size_t kMaxIdLength = 128;
constexpr int kMaxLines = 1000;
constexpr int64_t kMaxQuantityMilli = 1'000'000'000;       // a million units
constexpr int64_t kMaxUnitPriceMinor = 1'000'000'000'000;  // ten billion in major units
constexpr int kMaxHoldTtlSeconds = 24 * 3600;
// Any amount of money or points: a line, a cart, a spend. Keeps every sum
// the broker makes (at most kMaxLines lines, a few programs) far inside
// 64 bits.
constexpr int64_t kMaxAmountMinor = 1'000'000'000'000'000;  // ten trillion in major units
constexpr int kMaxSpendPrograms = 16;

absl::Status Bad(const std::string& field, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::Status CheckId(const std::string& field, const std::string& value) {
  if (value.empty()) return Bad(field, "is required");
  if (value.size() > kMaxIdLength) return Bad(field, absl::StrCat("longer than ", kMaxIdLength));
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7F) return Bad(field, "contains control characters");
  }
  return absl::OkStatus();
}

absl::Status CheckCustomer(const std::string& field, const v1::CustomerIdentifier& customer) {
  switch (customer.kind_case()) {
    case v1::CustomerIdentifier::kPhone: {
      const std::string& phone = customer.phone();
      if (phone.size() < 10 || phone.size() > 15)
        return Bad(field + ".phone", "must have 10 to 15 digits");
      for (char c : phone) {
        if (c < '0' || c > '9') return Bad(field + ".phone", "digits only");
      }
      return absl::OkStatus();
    }
    case v1::CustomerIdentifier::kCard:
      return CheckId(field + ".card", customer.card());
    case v1::CustomerIdentifier::kAppCode:
      return CheckId(field + ".app_code", customer.app_code());
    case v1::CustomerIdentifier::kEmail:
      if (customer.email().find('@') == std::string::npos)
        return Bad(field + ".email", "not an e-mail address");
      return CheckId(field + ".email", customer.email());
    case v1::CustomerIdentifier::kExternalId:
      return CheckId(field + ".external_id", customer.external_id());
    case v1::CustomerIdentifier::KIND_NOT_SET:
      break;
  }
  return Bad(field, "one of phone, card, app_code, email or external_id is required");
}

}  // namespace

absl::Status Validate(const v1::IdentifyCustomerRequest& request) {
  if (!request.has_customer()) return Bad("customer", "is required");
  return CheckCustomer("customer", request.customer());
}

absl::Status Validate(const v1::QuoteCartRequest& request) {
  if (request.has_customer()) {
    if (auto s = CheckCustomer("customer", request.customer()); !s.ok()) return s;
  }
  if (request.lines_size() == 0) return Bad("lines", "the cart is empty");
  if (request.lines_size() > kMaxLines) return Bad("lines", absl::StrCat("more than ", kMaxLines));
  std::set<int32_t> seen;
  __int128 cart_total = 0;
  for (int i = 0; i < request.lines_size(); ++i) {
    const auto& line = request.lines(i);
    const std::string field = absl::StrCat("lines[", i, "]");
    if (line.line_no() <= 0) return Bad(field + ".line_no", "must be positive");
    if (!seen.insert(line.line_no()).second) return Bad(field + ".line_no", "repeats another line");
    if (auto s = CheckId(field + ".sku", line.sku()); !s.ok()) return s;
    if (line.barcode().size() > kMaxIdLength) return Bad(field + ".barcode", "too long");
    if (line.quantity_milli() <= 0) return Bad(field + ".quantity_milli", "must be positive");
    if (line.quantity_milli() > kMaxQuantityMilli)
      return Bad(field + ".quantity_milli", "too large");
    if (line.unit_price_minor() <= 0) return Bad(field + ".unit_price_minor", "must be positive");
    if (line.unit_price_minor() > kMaxUnitPriceMinor)
      return Bad(field + ".unit_price_minor", "too large");
    if (line.min_unit_price_minor() < 0)
      return Bad(field + ".min_unit_price_minor", "must not be negative");
    if (line.min_unit_price_minor() > line.unit_price_minor()) {
      return Bad(field + ".min_unit_price_minor", "is above unit_price_minor");
    }
    const __int128 line_total =
        static_cast<__int128>(line.unit_price_minor()) * line.quantity_milli() / 1000;
    if (line_total > kMaxAmountMinor) {
      return Bad(field, absl::StrCat("unit_price_minor x quantity exceeds ", kMaxAmountMinor));
    }
    cart_total += line_total;
  }
  if (cart_total > kMaxAmountMinor) {
    return Bad("lines", absl::StrCat("the cart's total exceeds ", kMaxAmountMinor));
  }
  for (int i = 0; i < request.coupons_size(); ++i) {
    if (auto s = CheckId(absl::StrCat("coupons[", i, "]"), request.coupons(i)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::HoldPointsRequest& request) {
  if (auto s = CheckId("quote_id", request.quote_id()); !s.ok()) return s;
  if (auto s = CheckId("program", request.program()); !s.ok()) return s;
  if (request.amount_centipoints() <= 0) return Bad("amount_centipoints", "must be positive");
  if (request.amount_centipoints() > kMaxAmountMinor) {
    return Bad("amount_centipoints", absl::StrCat("exceeds ", kMaxAmountMinor));
  }
  if (request.ttl_seconds() < 0 || request.ttl_seconds() > kMaxHoldTtlSeconds) {
    return Bad("ttl_seconds", absl::StrCat("must be between 0 and ", kMaxHoldTtlSeconds));
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::ReleaseHoldRequest& request) {
  return CheckId("hold_id", request.hold_id());
}

absl::Status Validate(const v1::CommitPurchaseRequest& request) {
  if (auto s = CheckId("idempotency_key", request.idempotency_key()); !s.ok()) return s;
  if (auto s = CheckId("order_number", request.order_number()); !s.ok()) return s;
  if (auto s = CheckId("quote_id", request.quote_id()); !s.ok()) return s;
  if (request.spend_size() > kMaxSpendPrograms) {
    return Bad("spend", absl::StrCat("more than ", kMaxSpendPrograms, " programs"));
  }
  std::set<std::string> programs;
  for (int i = 0; i < request.spend_size(); ++i) {
    const std::string field = absl::StrCat("spend[", i, "]");
    if (auto s = CheckId(field + ".program", request.spend(i).program()); !s.ok()) return s;
    if (!programs.insert(request.spend(i).program()).second) {
      return Bad(field + ".program", "appears twice");
    }
    if (request.spend(i).amount_centipoints() <= 0) {
      return Bad(field + ".amount_centipoints", "must be positive");
    }
    if (request.spend(i).amount_centipoints() > kMaxAmountMinor) {
      return Bad(field + ".amount_centipoints", absl::StrCat("exceeds ", kMaxAmountMinor));
    }
  }
  for (int i = 0; i < request.hold_ids_size(); ++i) {
    if (auto s = CheckId(absl::StrCat("hold_ids[", i, "]"), request.hold_ids(i)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::PurchaseByOrderRequest& request) {
  return CheckId("order_number", request.order_number());
}

absl::Status Validate(const v1::ReassignPurchaseRequest& request) {
  if (auto s = CheckId("order_number", request.order_number()); !s.ok()) return s;
  if (!request.has_customer()) return Bad("customer", "is required");
  return CheckCustomer("customer", request.customer());
}

}  // namespace loyalty::broker
